//! The kinds of line in a ticket's audit history: one vocabulary for the server that writes
//! them and the browser app that puts them in words. A kind travels and is stored as its
//! snake_case name (`status`, `subscriber_added`, `custom_field:7`), so the API keeps its shape.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares the kinds that are a bare name, once: the enum's variants and their names.
macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// What one history line records. Values (old → new) ride beside it in the event.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum EventKind {
            $($(#[$doc])* $variant,)*
            /// A custom field's value changed (`custom_field:<id>`): the field's visibility
            /// *now* decides who may read the line.
            CustomField(i64),
            /// A custom-field change written before ids were recorded (`custom_field`); the
            /// values start with the field's name.
            LegacyCustomField,
            /// A name this build does not know (written by a newer version): shown as it is.
            Unknown(String),
        }

        impl EventKind {
            /// Every kind that is a bare name (not [`EventKind::CustomField`] and the
            /// catch-alls), for tests and the API's documentation.
            pub const NAMED: &'static [EventKind] = &[$(EventKind::$variant,)*];

            fn bare_name(&self) -> Option<&'static str> {
                match self {
                    $(EventKind::$variant => Some($name),)*
                    EventKind::LegacyCustomField => Some(LEGACY_CUSTOM_FIELD),
                    EventKind::CustomField(_) | EventKind::Unknown(_) => None,
                }
            }

            fn from_bare(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(EventKind::$variant),)*
                    LEGACY_CUSTOM_FIELD => Some(EventKind::LegacyCustomField),
                    _ => None,
                }
            }
        }
    };
}

kinds! {
    /// The ticket was opened; the value says through which channel (`email`, `portal`…).
    Created = "created",
    Status = "status",
    Priority = "priority",
    Category = "category",
    /// Values are user ids.
    Assignee = "assignee",
    /// An agent took the ticket for themselves.
    Taken = "taken",
    DueAt = "due_at",
    /// Values are comma-separated tag lists.
    Tags = "tags",
    SubscriberAdded = "subscriber_added",
    SubscriberRemoved = "subscriber_removed",
    /// Values are the total minutes before and after.
    TimeSpent = "time_spent",
    MergedInto = "merged_into",
    MergedFrom = "merged_from",
    SplitInto = "split_into",
    SplitFrom = "split_from",
    /// A mail to a long-closed ticket started this one; the value is the old ticket's id.
    FollowsUp = "follows_up",
    Rating = "rating",
    RatingComment = "rating_comment",
    DeliveryFailed = "delivery_failed",
    DeliveryWarning = "delivery_warning",
    AttachmentRefused = "attachment_refused",
    /// The due time passed; the value is that time.
    Overdue = "overdue",
    /// The SLA policy changed; values are policy ids.
    SlaPolicy = "sla_policy",
    /// An automation rule acted: "name (rule id): what".
    Rule = "rule",
    RuleLoopStopped = "rule_loop_stopped",
    /// A chain of rules was cut short.
    RuleChainCapped = "rule_chain_capped",
}

const LEGACY_CUSTOM_FIELD: &str = "custom_field";
const CUSTOM_FIELD_PREFIX: &str = "custom_field:";

impl EventKind {
    /// The stored name. Never fails: a name this build does not know stays [`EventKind::Unknown`].
    pub fn parse(name: &str) -> Self {
        if let Some(kind) = Self::from_bare(name) {
            return kind;
        }
        match name.strip_prefix(CUSTOM_FIELD_PREFIX).map(str::parse) {
            Some(Ok(id)) => EventKind::CustomField(id),
            _ => EventKind::Unknown(name.to_owned()),
        }
    }

    /// A change of a custom field's value, by either way it was recorded.
    pub fn is_custom_field(&self) -> bool {
        matches!(self, EventKind::CustomField(_) | EventKind::LegacyCustomField)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventKind::CustomField(id) => write!(f, "{CUSTOM_FIELD_PREFIX}{id}"),
            EventKind::Unknown(name) => f.write_str(name),
            named => f.write_str(named.bare_name().unwrap_or_default()),
        }
    }
}

impl From<&str> for EventKind {
    fn from(name: &str) -> Self {
        EventKind::parse(name)
    }
}

/// Compares with a stored or sent name, as [`EventKind::parse`] reads it.
impl PartialEq<&str> for EventKind {
    fn eq(&self, name: &&str) -> bool {
        *self == EventKind::parse(name)
    }
}

impl Serialize for EventKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Ok(EventKind::parse(&name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_as_its_kind() {
        let mut seen = std::collections::HashSet::new();
        for kind in EventKind::NAMED
            .iter()
            .chain([&EventKind::LegacyCustomField, &EventKind::CustomField(7)])
        {
            let name = kind.to_string();
            assert!(seen.insert(name.clone()), "two kinds named {name}");
            assert_eq!(&EventKind::parse(&name), kind, "{name}");
        }
    }

    #[test]
    fn custom_fields_carry_their_id_and_unknown_names_survive() {
        assert_eq!(EventKind::parse("custom_field:42"), EventKind::CustomField(42));
        assert_eq!(
            EventKind::parse("custom_field:x"),
            EventKind::Unknown("custom_field:x".into())
        );
        assert_eq!(EventKind::parse("escalated"), EventKind::Unknown("escalated".into()));
        assert_eq!(EventKind::Unknown("escalated".into()).to_string(), "escalated");
        assert!(EventKind::LegacyCustomField.is_custom_field());
        assert!(!EventKind::Status.is_custom_field());
    }

    #[test]
    fn travels_as_its_name() {
        let json = serde_json::to_string(&EventKind::SubscriberAdded).unwrap_or_default();
        assert_eq!(json, "\"subscriber_added\"");
        let back: EventKind = serde_json::from_str("\"custom_field:3\"").unwrap_or(EventKind::Status);
        assert_eq!(back, EventKind::CustomField(3));
    }
}
