//! The actions the rule form offers: one entry per `protocol::Action` variant, in menu order.
//! A new variant needs only its entry here (field types are [`Input`]s).

use protocol::Action;

use super::fields::{Draft, Field, Input, Kind};

pub static ACTIONS: &[Kind] = &[
    Kind {
        key: "set_category",
        label: "Set category",
        fields: &[Field {
            name: "id",
            label: "Category",
            input: Input::OptionalCategory,
        }],
    },
    Kind {
        key: "set_priority",
        label: "Set priority",
        fields: &[Field {
            name: "value",
            label: "Priority",
            input: Input::Priority,
        }],
    },
    Kind {
        key: "set_status",
        label: "Set status",
        fields: &[Field {
            name: "value",
            label: "Status",
            input: Input::Status,
        }],
    },
    Kind {
        key: "assign",
        label: "Assign to",
        fields: &[Field {
            name: "agent_id",
            label: "Agent",
            input: Input::Agent,
        }],
    },
    Kind {
        key: "assign_round_robin",
        label: "Assign in turn (the category's agents)",
        fields: &[],
    },
    Kind {
        key: "assign_least_loaded",
        label: "Assign to the least busy agent of the category",
        fields: &[],
    },
    Kind {
        key: "add_tag",
        label: "Add tag",
        fields: &[Field {
            name: "tag",
            label: "Tag",
            input: Input::Text,
        }],
    },
    Kind {
        key: "remove_tag",
        label: "Remove tag",
        fields: &[Field {
            name: "tag",
            label: "Tag",
            input: Input::Text,
        }],
    },
    Kind {
        key: "add_subscriber",
        label: "Add subscriber",
        fields: &[Field {
            name: "email",
            label: "E-mail address",
            input: Input::Email,
        }],
    },
    Kind {
        key: "add_note",
        label: "Add internal note",
        fields: &[Field {
            name: "body",
            label: "Note",
            input: Input::LongText,
        }],
    },
    Kind {
        key: "close",
        label: "Close the ticket",
        fields: &[],
    },
    Kind {
        key: "mark_spam",
        label: "Mark as spam (tag and close, no mail)",
        fields: &[],
    },
    Kind {
        key: "send_mail",
        label: "Send an e-mail",
        fields: &[
            Field {
                name: "to",
                label: "To (requester, assignee or an address)",
                input: Input::MailTo,
            },
            Field {
                name: "subject",
                label: "Subject",
                input: Input::Text,
            },
            Field {
                name: "body",
                label: "Text (placeholders such as #TicketID# allowed)",
                input: Input::LongText,
            },
        ],
    },
    Kind {
        key: "webhook",
        label: "Call a webhook",
        fields: &[
            Field {
                name: "url",
                label: "URL",
                input: Input::Url,
            },
            Field {
                name: "secret",
                label: "Signing secret (16+ characters; left empty, the saved one is kept)",
                input: Input::Secret,
            },
        ],
    },
];

pub fn draft_of(a: &Action) -> Draft {
    Draft::read(ACTIONS, a)
}

#[cfg(test)]
mod tests {
    use protocol::{Priority, TicketStatus};

    use super::*;
    use crate::pages::admin::rules::fields::sample;

    #[test]
    fn every_action_survives_the_form() {
        for a in [
            Action::SetCategory { id: Some(4) },
            Action::SetCategory { id: None },
            Action::SetPriority { value: Priority::Low },
            Action::SetStatus {
                value: TicketStatus::Resolved,
            },
            Action::Assign { agent_id: 12 },
            Action::AssignRoundRobin {},
            Action::AssignLeastLoaded {},
            Action::AddTag { tag: "billing".into() },
            Action::RemoveTag { tag: "new".into() },
            Action::AddSubscriber {
                email: "boss@example.com".into(),
            },
            Action::AddNote {
                body: "Check the contract.\nThen reply.".into(),
            },
            Action::Close {},
            Action::MarkSpam {},
            Action::SendMail {
                to: "requester".into(),
                subject: "Still there? #TicketNumber#".into(),
                body: "Ticket #TicketID# waits for you.\nRegards".into(),
            },
            Action::SendMail {
                to: "boss@example.com".into(),
                subject: "Overdue".into(),
                body: "#TicketID#".into(),
            },
            Action::Webhook {
                url: "https://hooks.example.com/maildesk".into(),
                secret: Some("s3cret".into()),
                secret_set: false,
            },
        ] {
            let draft = draft_of(&a);
            assert_eq!(draft.key(), serde_json::to_value(&a).unwrap()["kind"], "{a:?}");
            assert_eq!(draft.write::<Action>(), Ok(a.clone()), "{draft:?}");
        }
    }

    #[test]
    fn a_stored_webhook_secret_is_kept_when_the_box_stays_empty() {
        // As the server answers: the secret left out, only whether one is set.
        let answered = Action::Webhook {
            url: "https://hooks.example.com/maildesk".into(),
            secret: None,
            secret_set: true,
        };
        let draft = draft_of(&answered);
        assert_eq!(draft.get("secret"), "");
        let Ok(Action::Webhook { url, secret, .. }) = draft.write::<Action>() else {
            panic!("{draft:?}");
        };
        assert_eq!((url.as_str(), secret), ("https://hooks.example.com/maildesk", None));
    }

    #[test]
    fn every_kind_offered_is_an_action() {
        for kind in ACTIONS {
            let mut draft = Draft::blank(kind);
            for f in kind.fields {
                if draft.get(f.name).is_empty() {
                    draft.set(f.name, sample(f.input).into());
                }
            }
            let a: Action = draft.write().unwrap_or_else(|e| panic!("{}: {e}", kind.key));
            assert_eq!(draft_of(&a), draft, "{}", kind.key);
        }
    }

    #[test]
    fn a_new_mail_goes_to_the_requester() {
        let draft = Draft::of_kind(ACTIONS, "send_mail").unwrap();
        assert_eq!(draft.get("to"), "requester");
    }
}
