//! The conditions the rule form offers: one entry per `protocol::Condition` variant, in menu
//! order. A new variant needs only its entry here (field types are [`Input`]s).

use protocol::Condition;

use super::fields::{Draft, Field, Input, Kind};

pub static CONDITIONS: &[Kind] = &[
    text("subject", "Subject"),
    text("body", "Message text"),
    text("sender", "Sender address"),
    text("sender_domain", "Sender domain"),
    text("recipient", "Recipient address"),
    Kind {
        key: "has_tag",
        label: "Has tag",
        fields: &[Field {
            name: "tag",
            label: "Tag",
            input: Input::Text,
        }],
    },
    Kind {
        key: "category",
        label: "Category",
        fields: &[Field {
            name: "id",
            label: "Category",
            input: Input::OptionalCategory,
        }],
    },
    Kind {
        key: "priority",
        label: "Priority",
        fields: &[Field {
            name: "value",
            label: "Priority",
            input: Input::Priority,
        }],
    },
    Kind {
        key: "status",
        label: "Status",
        fields: &[Field {
            name: "value",
            label: "Status",
            input: Input::Status,
        }],
    },
    Kind {
        key: "company",
        label: "Requester's company",
        fields: &[Field {
            name: "id",
            label: "Company",
            input: Input::Company,
        }],
    },
    Kind {
        key: "mailbox",
        label: "Mailbox",
        fields: &[Field {
            name: "id",
            label: "Mailbox",
            input: Input::Mailbox,
        }],
    },
    Kind {
        key: "channel",
        label: "Came in by",
        fields: &[Field {
            name: "value",
            label: "Channel",
            input: Input::Channel,
        }],
    },
    Kind {
        key: "message_kind",
        label: "Message kind",
        fields: &[Field {
            name: "value",
            label: "Kind",
            input: Input::MessageKind,
        }],
    },
    Kind {
        key: "auto_reply",
        label: "Automatic reply",
        fields: &[Field {
            name: "value",
            label: "Is an automatic reply",
            input: Input::Flag,
        }],
    },
    Kind {
        key: "sender_verified",
        label: "Sender verified",
        fields: &[Field {
            name: "value",
            label: "Sender authentication passed (SPF/DKIM/DMARC)",
            input: Input::Flag,
        }],
    },
    Kind {
        key: "business_hours",
        label: "Business hours",
        fields: &[
            Field {
                name: "calendar_id",
                label: "Calendar",
                input: Input::Calendar,
            },
            Field {
                name: "value",
                label: "Inside the calendar's working hours",
                input: Input::Flag,
            },
        ],
    },
    Kind {
        key: "custom_field",
        label: "Custom field",
        fields: &[
            Field {
                name: "field_id",
                label: "Field",
                input: Input::CustomField,
            },
            TEXT_OP,
            TEXT_VALUE,
        ],
    },
];

/// A text test's fields: how it compares, and with what.
const TEXT_OP: Field = Field {
    name: "op",
    label: "Comparison",
    input: Input::TextOp,
};
const TEXT_VALUE: Field = Field {
    name: "value",
    label: "Text",
    input: Input::Text,
};

/// A text test: how it compares, and with what.
const fn text(key: &'static str, label: &'static str) -> Kind {
    Kind {
        key,
        label,
        fields: &[TEXT_OP, TEXT_VALUE],
    }
}

pub fn draft_of(c: &Condition) -> Draft {
    Draft::read(CONDITIONS, c)
}

#[cfg(test)]
mod tests {
    use protocol::{Channel, MessageKind, Priority, TextOp, TicketStatus};

    use super::*;
    use crate::pages::admin::rules::fields::sample;

    fn round_trip(c: Condition) {
        let draft = draft_of(&c);
        assert_eq!(draft.key(), serde_json::to_value(&c).unwrap()["kind"], "{c:?}");
        assert_eq!(draft.write::<Condition>(), Ok(c.clone()), "{draft:?}");
    }

    #[test]
    fn every_condition_survives_the_form() {
        let op = TextOp::Regex;
        let value = "^invoice #\\d+".to_owned();
        for c in [
            Condition::Subject {
                op,
                value: value.clone(),
            },
            Condition::Body {
                op: TextOp::Contains,
                value: value.clone(),
            },
            Condition::Sender {
                op: TextOp::Equals,
                value: value.clone(),
            },
            Condition::SenderDomain {
                op: TextOp::StartsWith,
                value: value.clone(),
            },
            Condition::Recipient { op, value },
            Condition::HasTag { tag: "vip".into() },
            Condition::Category { id: Some(3) },
            Condition::Category { id: None },
            Condition::Priority {
                value: Priority::Urgent,
            },
            Condition::Status {
                value: TicketStatus::Pending,
            },
            Condition::Company { id: 9 },
            Condition::Mailbox { id: 2 },
            Condition::Channel { value: Channel::Portal },
            Condition::MessageKind {
                value: MessageKind::Note,
            },
            Condition::AutoReply { value: false },
            Condition::AutoReply { value: true },
            Condition::SenderVerified { value: true },
            Condition::BusinessHours {
                calendar_id: 5,
                value: true,
            },
            Condition::BusinessHours {
                calendar_id: 6,
                value: false,
            },
            Condition::CustomField {
                field_id: 7,
                op: TextOp::Equals,
                value: "Gold".into(),
            },
        ] {
            round_trip(c);
        }
    }

    #[test]
    fn every_kind_offered_is_a_condition() {
        for kind in CONDITIONS {
            let mut draft = Draft::blank(kind);
            // Ids start unset on purpose; any id makes the shape complete.
            for f in kind.fields {
                if draft.get(f.name).is_empty() {
                    draft.set(f.name, sample(f.input).into());
                }
            }
            let c: Condition = draft.write().unwrap_or_else(|e| panic!("{}: {e}", kind.key));
            assert_eq!(draft_of(&c), draft, "{}", kind.key);
        }
    }

    #[test]
    fn an_unset_id_is_named_not_sent() {
        let draft = Draft::of_kind(CONDITIONS, "company").unwrap();
        assert_eq!(draft.write::<Condition>(), Err("choose a company".into()));
        let none = Draft::of_kind(CONDITIONS, "category").unwrap();
        assert_eq!(none.write::<Condition>(), Ok(Condition::Category { id: None }));
        let calendar = Draft::of_kind(CONDITIONS, "business_hours").unwrap();
        assert_eq!(calendar.write::<Condition>(), Err("choose a calendar".into()));
        let field = Draft::of_kind(CONDITIONS, "custom_field").unwrap();
        assert_eq!(field.write::<Condition>(), Err("choose a field".into()));
    }
}
