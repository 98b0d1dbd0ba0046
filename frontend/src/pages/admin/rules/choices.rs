//! What the rule form's selects offer, and a rule's conditions and actions in words (the list
//! and the dry run): the names behind the ids come from the categories, companies, mailboxes
//! and staff loaded for the tab; an id not (yet) known is shown as `#id`.

use leptos::prelude::*;
use protocol::{BusinessCalendar, Channel, Company, CustomField, Mailbox, MessageKind, Priority, TicketStatus};

use super::fields::{Draft, Input};
use crate::format::{kind_label, priority_label, status_label};
use crate::staff_directory::StaffDirectory;

#[derive(Clone, Copy)]
pub struct RuleChoices {
    pub directory: StaffDirectory,
    pub companies: Signal<Vec<Company>>,
    pub mailboxes: Signal<Vec<Mailbox>>,
    pub calendars: Signal<Vec<BusinessCalendar>>,
    pub custom_fields: Signal<Vec<CustomField>>,
}

/// `(value, label)` pairs of a select.
pub type Options = Vec<(String, String)>;

impl RuleChoices {
    /// The options of a select field (reactive); empty for free-text inputs.
    pub fn options(&self, input: Input) -> Options {
        fn fixed<T: Copy>(all: &[T], value: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Options {
            all.iter()
                .map(|&x| (value(x).to_owned(), label(x).to_owned()))
                .collect()
        }
        let named = |list: Vec<(i64, String)>| -> Options {
            list.into_iter().map(|(id, name)| (id.to_string(), name)).collect()
        };
        match input {
            Input::TextOp => TEXT_OPS
                .iter()
                .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
                .collect(),
            Input::Priority => fixed(Priority::ALL, Priority::as_str, priority_label),
            Input::Status => fixed(TicketStatus::ALL, TicketStatus::as_str, status_label),
            Input::Channel => fixed(Channel::ALL, Channel::as_str, channel_label),
            Input::MessageKind => fixed(MessageKind::ALL, MessageKind::as_str, kind_label),
            Input::OptionalCategory => {
                let mut list = vec![(String::new(), "No category".to_owned())];
                list.extend(named(
                    self.directory
                        .categories()
                        .into_iter()
                        .map(|c| (c.id, c.name))
                        .collect(),
                ));
                list
            }
            Input::Company => named(self.companies.get().into_iter().map(|c| (c.id, c.name)).collect()),
            Input::Mailbox => named(
                self.mailboxes
                    .get()
                    .into_iter()
                    .map(|m| (m.id, format!("{} <{}>", m.name, m.address)))
                    .collect(),
            ),
            Input::Agent => named(self.directory.staff().into_iter().map(|u| (u.id, u.name)).collect()),
            Input::Calendar => named(self.calendars.get().into_iter().map(|c| (c.id, c.name)).collect()),
            Input::CustomField => named(self.custom_fields.get().into_iter().map(|f| (f.id, f.name)).collect()),
            Input::Text | Input::LongText | Input::Email | Input::Flag | Input::MailTo | Input::Url | Input::Secret => {
                Vec::new()
            }
        }
    }

    /// `Subject: contains “invoice”`, `Set category: Billing`, `Close the ticket` (reactive).
    pub fn summary(&self, draft: &Draft) -> String {
        let values: Vec<String> = draft
            .kind
            .fields
            .iter()
            .map(|f| {
                let text = draft.get(f.name);
                match f.input {
                    Input::Text | Input::LongText | Input::Email | Input::MailTo | Input::Url => {
                        format!("“{text}”")
                    }
                    // Never shown, not even while typed; a saved webhook always has one.
                    Input::Secret => "(signed)".to_owned(),
                    Input::Flag if text == "true" => "yes".to_owned(),
                    Input::Flag => "no".to_owned(),
                    select => self
                        .options(select)
                        .into_iter()
                        .find(|(v, _)| *v == text)
                        .map_or_else(|| format!("#{text}"), |(_, label)| label),
                }
            })
            .collect();
        if values.is_empty() {
            draft.kind.label.to_owned()
        } else {
            format!("{}: {}", draft.kind.label, values.join(" "))
        }
    }
}

/// `protocol::TextOp` by its wire name; always case-insensitive.
const TEXT_OPS: &[(&str, &str)] = &[
    ("contains", "contains"),
    ("starts_with", "starts with"),
    ("equals", "is"),
    ("regex", "matches the regular expression"),
];

fn channel_label(c: Channel) -> &'static str {
    match c {
        Channel::Email => "E-mail",
        Channel::Portal => "Portal",
        Channel::Agent => "Opened by an agent",
        Channel::Api => "API",
    }
}

#[cfg(test)]
mod tests {
    use protocol::TextOp;

    use super::*;

    #[test]
    fn every_text_op_offered_is_the_protocols() {
        let read: Vec<TextOp> = TEXT_OPS
            .iter()
            .map(|(v, _)| serde_json::from_value(serde_json::Value::from(*v)).unwrap())
            .collect();
        assert_eq!(
            read,
            [TextOp::Contains, TextOp::StartsWith, TextOp::Equals, TextOp::Regex]
        );
    }
}
