//! The editable shape of a condition or an action: which kinds exist and which fields each
//! has ([`Kind`] tables in `condition_kinds.rs` and `action_kinds.rs`), and a row's form state
//! ([`Draft`]: every field as the text its input holds).
//!
//! A draft becomes the wire type through JSON (`{"kind": …, field: value}`), read by the same
//! serde derive the server uses, so a kind is described once, as data, and adding a variant to
//! the protocol is one table entry.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// One kind of condition or action: its serde tag, what the form calls it, and its fields.
#[derive(Debug, PartialEq, Eq)]
pub struct Kind {
    pub key: &'static str,
    pub label: &'static str,
    pub fields: &'static [Field],
}

#[derive(Debug, PartialEq, Eq)]
pub struct Field {
    /// The JSON field name.
    pub name: &'static str,
    /// The input's label.
    pub label: &'static str,
    pub input: Input,
}

/// What a field holds, which decides its input and its JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Text,
    LongText,
    Email,
    /// How a text compares (`contains`, `regex`, …).
    TextOp,
    Priority,
    Status,
    Channel,
    MessageKind,
    /// A category, or none (`null`): "without a category" / "clear the category".
    OptionalCategory,
    Company,
    Mailbox,
    /// An active agent or admin.
    Agent,
    /// A business calendar.
    Calendar,
    /// A custom ticket field.
    CustomField,
    /// Whom a mail goes to: `requester`, `assignee` or an e-mail address.
    MailTo,
    /// A web address (`https://…`).
    Url,
    /// A write-only secret: the server never sends it back, and an empty box (`null`) keeps
    /// the stored one.
    Secret,
    /// A checkbox.
    Flag,
}

impl Input {
    /// What a new row starts with; an id starts unset, so the admin picks one on purpose.
    fn blank(self) -> &'static str {
        match self {
            Self::TextOp => "contains",
            Self::Priority => "high",
            Self::Status => "open",
            Self::Channel => "email",
            Self::MessageKind => "customer",
            Self::Flag => "true",
            Self::MailTo => "requester",
            _ => "",
        }
    }

    fn to_json(self, text: &str) -> Result<Value, String> {
        let id = |what: &str| {
            text.parse::<i64>()
                .map(Value::from)
                .map_err(|_| format!("choose {what}"))
        };
        match self {
            Self::OptionalCategory | Self::Secret if text.is_empty() => Ok(Value::Null),
            Self::OptionalCategory => id("a category"),
            Self::Company => id("a company"),
            Self::Mailbox => id("a mailbox"),
            Self::Agent => id("an agent"),
            Self::Calendar => id("a calendar"),
            Self::CustomField => id("a field"),
            Self::Flag => Ok(Value::Bool(text == "true")),
            _ => Ok(Value::String(text.to_owned())),
        }
    }
}

fn from_json(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Stands for a kind this screen has no table entry for (a newer server's): such a row is
/// shown, and saved back exactly as it came.
pub static UNKNOWN: Kind = Kind {
    key: "",
    label: "Another kind (not editable here)",
    fields: &[],
};

/// A condition or action row as the form holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub kind: &'static Kind,
    pub values: BTreeMap<&'static str, String>,
    /// For [`UNKNOWN`]: the wire value, kept verbatim.
    kept: Option<Value>,
}

impl Draft {
    pub fn blank(kind: &'static Kind) -> Self {
        let values = kind
            .fields
            .iter()
            .map(|f| (f.name, f.input.blank().to_owned()))
            .collect();
        Self {
            kind,
            values,
            kept: None,
        }
    }

    /// The first kind of `table` called `key`, blank.
    pub fn of_kind(table: &'static [Kind], key: &str) -> Option<Self> {
        table.iter().find(|k| k.key == key).map(Self::blank)
    }

    /// The draft of a wire value (of a kind `table` lacks: kept as it is).
    pub fn read(table: &'static [Kind], wire: &impl serde::Serialize) -> Self {
        let json = serde_json::to_value(wire).unwrap_or(Value::Null);
        let key = json.get("kind").and_then(Value::as_str).unwrap_or_default();
        let Some(mut draft) = Self::of_kind(table, key) else {
            return Self {
                kind: &UNKNOWN,
                values: BTreeMap::new(),
                kept: Some(json),
            };
        };
        for f in draft.kind.fields {
            if let Some(v) = json.get(f.name) {
                draft.values.insert(f.name, from_json(v));
            }
        }
        draft
    }

    /// The kind's serde tag as the wire has it (also for a kind kept as it came).
    #[cfg(test)]
    pub fn key(&self) -> String {
        match &self.kept {
            Some(json) => json.get("kind").and_then(Value::as_str).unwrap_or_default().to_owned(),
            None => self.kind.key.to_owned(),
        }
    }

    /// The wire value; `Err` says in words which field is not filled in right.
    pub fn write<T: serde::de::DeserializeOwned>(&self) -> Result<T, String> {
        if let Some(kept) = &self.kept {
            return serde_json::from_value(kept.clone()).map_err(|e| format!("cannot be saved ({e})"));
        }
        let mut json = Map::new();
        json.insert("kind".into(), Value::from(self.kind.key));
        for f in self.kind.fields {
            let text = self.get(f.name);
            json.insert(f.name.into(), f.input.to_json(&text)?);
        }
        // Only a table entry out of step with the protocol fails here.
        serde_json::from_value(Value::Object(json)).map_err(|e| format!("cannot be saved ({e})"))
    }

    pub fn get(&self, field: &str) -> String {
        self.values.get(field).cloned().unwrap_or_default()
    }

    pub fn set(&mut self, field: &'static str, value: String) {
        self.values.insert(field, value);
    }
}

/// A value every input of type `input` accepts, for tests that fill in blank rows.
#[cfg(test)]
pub fn sample(input: Input) -> &'static str {
    match input {
        Input::OptionalCategory
        | Input::Company
        | Input::Mailbox
        | Input::Agent
        | Input::Calendar
        | Input::CustomField => "1",
        _ => "x",
    }
}
