//! History lines of custom-field changes, and which of them a viewer may read: a value the
//! viewer may not see must not show through the history either.
//!
//! A change is recorded as `custom_field:<id>` so that the field's visibility *now* decides
//! (a field made admins-only later hides its past values too). Lines written before that
//! carry only `custom_field` and the field's name in the values; those are matched by name.

use std::collections::HashSet;

use entity::ticket_event;
use protocol::{EventKind, FieldVisibility};
use sea_orm::ConnectionTrait;

use crate::custom_fields::{definitions, visible_to};
use crate::error::AppResult;
use crate::tickets::access::Scope;

/// Whether a stored history line is a custom-field change (either way it was recorded).
pub fn is_one(field: &str) -> bool {
    EventKind::parse(field).is_custom_field()
}

/// The fields a viewer may not see.
pub struct Hidden {
    ids: HashSet<i64>,
    names: Vec<String>,
}

impl Hidden {
    pub async fn from(db: &impl ConnectionTrait, scope: &Scope) -> AppResult<Self> {
        let most_private = visible_to(scope);
        let hidden: Vec<_> = definitions::list(db, FieldVisibility::Admins)
            .await?
            .into_iter()
            .filter(|f| f.visibility > most_private)
            .collect();
        Ok(Self {
            ids: hidden.iter().map(|f| f.id).collect(),
            names: hidden.into_iter().map(|f| format!("{}: ", f.name)).collect(),
        })
    }

    pub fn hides(&self, e: &ticket_event::Model) -> bool {
        match EventKind::parse(&e.field) {
            EventKind::CustomField(id) => return self.ids.contains(&id),
            EventKind::LegacyCustomField => {}
            // A `custom_field:` line whose id does not parse was not written by us: hide it
            // rather than guess.
            EventKind::Unknown(name) => return name.starts_with("custom_field:"),
            _ => return false,
        }
        let named = |v: &Option<String>| {
            v.as_deref()
                .is_some_and(|v| self.names.iter().any(|n| v.starts_with(n.as_str())))
        };
        named(&e.old_value) || named(&e.new_value)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn event(field: &str, old: Option<&str>, new: Option<&str>) -> ticket_event::Model {
        ticket_event::Model {
            id: 1,
            ticket_id: 1,
            actor_id: None,
            field: field.into(),
            old_value: old.map(Into::into),
            new_value: new.map(Into::into),
            created_at: Utc::now(),
        }
    }

    fn hidden() -> Hidden {
        Hidden {
            ids: HashSet::from([7]),
            names: vec!["Margin: ".into()],
        }
    }

    #[test]
    fn hidden_fields_hide_their_lines_by_id_and_legacy_lines_by_name() {
        let h = hidden();
        assert!(h.hides(&event(
            &EventKind::CustomField(7).to_string(),
            None,
            Some("Margin: 40%")
        )));
        assert!(!h.hides(&event(&EventKind::CustomField(8).to_string(), None, Some("Plan: gold"))));
        assert!(h.hides(&event("custom_field", Some("Margin: 10%"), None)));
        assert!(!h.hides(&event("custom_field", None, Some("Plan: gold"))));
        assert!(h.hides(&event("custom_field:x", None, Some("?"))));
        assert!(!h.hides(&event("status", Some("open"), Some("closed"))));
        assert!(is_one("custom_field") && is_one(&EventKind::CustomField(3).to_string()) && !is_one("status"));
    }
}
