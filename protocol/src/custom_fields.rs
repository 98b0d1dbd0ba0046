//! Custom ticket fields (seed 002): admin-defined, typed, with a visibility that decides who
//! sees and sets them — and which of them `#Custom_Fields#` puts into mail.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldKind {
    Text,
    Number,
    /// `YYYY-MM-DD`.
    Date,
    /// One of the field's `options`.
    Dropdown,
    Checkbox,
}

impl CustomFieldKind {
    pub const ALL: [CustomFieldKind; 5] = [Self::Text, Self::Number, Self::Date, Self::Dropdown, Self::Checkbox];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::Dropdown => "dropdown",
            Self::Checkbox => "checkbox",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Who sees (and sets) a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldVisibility {
    /// Everyone with access to the ticket, customers included (and `#Custom_Fields#`).
    Public,
    /// Staff only ("techs-only").
    Agents,
    /// Admins only.
    Admins,
}

impl FieldVisibility {
    pub const ALL: [FieldVisibility; 3] = [Self::Public, Self::Agents, Self::Admins];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Agents => "agents",
            Self::Admins => "admins",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomField {
    /// Also the number in the `#CF_<id>#` placeholder.
    pub id: i64,
    pub name: String,
    pub kind: CustomFieldKind,
    /// A dropdown's choices (empty for the other kinds).
    pub options: Vec<String>,
    pub visibility: FieldVisibility,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveCustomField {
    pub name: String,
    pub kind: CustomFieldKind,
    #[serde(default)]
    pub options: Vec<String>,
    pub visibility: FieldVisibility,
    /// Display order; a new field goes last when left out.
    #[serde(default)]
    pub position: Option<i32>,
}

/// A ticket's value of one field the viewer may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomFieldValue {
    pub field_id: i64,
    pub name: String,
    pub kind: CustomFieldKind,
    /// A string (text, dropdown, `YYYY-MM-DD` date), a number, or a boolean.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub value: serde_json::Value,
}

/// Sets a ticket's values: field id (as a string key) → value, `null` clears it. Fields left
/// out are unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetCustomValues {
    /// The ticket version the change was made against.
    pub version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub values: std::collections::BTreeMap<String, serde_json::Value>,
}
