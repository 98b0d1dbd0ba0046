//! Knowledge-base articles as the API shows them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::directory::UserRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KbVisibility {
    /// Customers (and, when the portal allows, anyone) may read it.
    Public,
    /// Staff only.
    Agents,
}

impl KbVisibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Agents => "agents",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "public" => Some(Self::Public),
            "agents" => Some(Self::Agents),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbArticle {
    pub id: i64,
    pub title: String,
    /// Sanitized, safe to render.
    pub body_html: String,
    pub body_text: String,
    pub category_id: Option<i64>,
    pub tags: Vec<String>,
    pub visibility: KbVisibility,
    pub author: Option<UserRef>,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Create or replace an article (staff).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveKbArticle {
    pub title: String,
    /// HTML (sanitized on save) or plain text.
    pub body_html: String,
    #[serde(default)]
    pub category_id: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub visibility: KbVisibility,
}

/// "Was this helpful?"
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KbFeedback {
    pub helpful: bool,
}
