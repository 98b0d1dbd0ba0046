//! What a rule can test, and the test itself — pure, so it is the same for a live event and
//! a dry run.

use std::collections::HashMap;

use protocol::{Channel, Condition, MatchMode, MessageKind, Priority, TicketStatus};

use crate::rules::model::{Compiled, CompiledRule};

/// A ticket and the message that caused the event, as the conditions see them. Addresses
/// and tags are lowercase.
#[derive(Debug, Clone)]
pub struct Facts {
    pub mailbox_id: Option<i64>,
    /// To and Cc of the inbound mail; empty when the event did not come with a mail.
    pub recipients: Vec<String>,
    pub sender: Option<String>,
    pub subject: String,
    pub body: String,
    pub category_id: Option<i64>,
    pub priority: Priority,
    pub status: TicketStatus,
    pub tags: Vec<String>,
    pub company_id: Option<i64>,
    pub channel: Channel,
    pub auto_reply: bool,
    /// The message came as a mail whose sender authentication passed.
    pub sender_verified: bool,
    pub message_kind: Option<MessageKind>,
    /// For each business calendar the rules mention: is the event inside its working hours?
    pub business_hours: HashMap<i64, bool>,
    /// Custom field values as read, by field id.
    pub custom_fields: HashMap<i64, String>,
}

impl Facts {
    fn sender_domain(&self) -> Option<&str> {
        self.sender.as_deref().and_then(|s| s.rsplit_once('@')).map(|(_, d)| d)
    }
}

/// Whether `rule` matches: all of its conditions (none: always) or any of them.
pub fn matches(rule: &CompiledRule, facts: &Facts) -> bool {
    match rule.mode {
        MatchMode::All => rule.conditions.iter().all(|c| holds(c, facts)),
        MatchMode::Any => rule.conditions.iter().any(|c| holds(c, facts)),
    }
}

pub fn holds(c: &Compiled, f: &Facts) -> bool {
    let text = |s: Option<&str>| match (&c.text, s) {
        (Some(m), Some(s)) => m.is_match(s),
        _ => false,
    };
    match &c.condition {
        Condition::Mailbox { id } => f.mailbox_id == Some(*id),
        Condition::Recipient { .. } => f.recipients.iter().any(|r| text(Some(r))),
        Condition::Sender { .. } => text(f.sender.as_deref()),
        Condition::SenderDomain { .. } => text(f.sender_domain()),
        Condition::Subject { .. } => text(Some(&f.subject)),
        Condition::Body { .. } => text(Some(&f.body)),
        Condition::Category { id } => f.category_id == *id,
        Condition::Priority { value } => f.priority == *value,
        Condition::Status { value } => f.status == *value,
        Condition::HasTag { tag } => f.tags.iter().any(|t| t.eq_ignore_ascii_case(tag.trim())),
        Condition::Company { id } => f.company_id == Some(*id),
        Condition::Channel { value } => f.channel == *value,
        Condition::AutoReply { value } => f.auto_reply == *value,
        Condition::SenderVerified { value } => f.sender_verified == *value,
        Condition::MessageKind { value } => f.message_kind == Some(*value),
        // A calendar deleted since the rule was saved is never "inside" nor "outside".
        Condition::BusinessHours { calendar_id, value } => f.business_hours.get(calendar_id) == Some(value),
        Condition::CustomField { field_id, .. } => text(f.custom_fields.get(field_id).map(String::as_str)),
    }
}

#[cfg(test)]
mod tests {
    use protocol::{Action, Channel, Priority, RuleEvent, TextOp, TicketStatus};

    use super::*;

    fn rule(mode: MatchMode, conditions: Vec<Condition>) -> CompiledRule {
        CompiledRule {
            id: 1,
            name: "r".into(),
            enabled: true,
            event: RuleEvent::TicketCreated,
            idle_hours: None,
            mode,
            conditions: conditions.into_iter().map(|c| Compiled::new(c).unwrap()).collect(),
            actions: vec![Action::Close {}],
            secrets: vec![None],
        }
    }

    fn facts() -> Facts {
        Facts {
            mailbox_id: Some(3),
            recipients: vec!["support@acme.test".into(), "cc@other.test".into()],
            sender: Some("alerts@vendor.example".into()),
            subject: "Invoice 2024-17 overdue".into(),
            body: "Please PAY now".into(),
            category_id: Some(9),
            priority: Priority::High,
            status: TicketStatus::Open,
            tags: vec!["vip".into()],
            company_id: Some(4),
            channel: Channel::Email,
            auto_reply: false,
            sender_verified: true,
            message_kind: Some(MessageKind::Customer),
            business_hours: HashMap::from([(7, true), (8, false)]),
            custom_fields: HashMap::from([(5, "Gold".to_string())]),
        }
    }

    fn text(kind: fn(TextOp, String) -> Condition, op: TextOp, v: &str) -> Condition {
        kind(op, v.into())
    }

    fn subject(op: TextOp, value: String) -> Condition {
        Condition::Subject { op, value }
    }

    #[test]
    fn text_operators_ignore_case() {
        let f = facts();
        let yes = |c| matches(&rule(MatchMode::All, vec![c]), &f);
        assert!(yes(text(subject, TextOp::Contains, "INVOICE")));
        assert!(yes(text(subject, TextOp::StartsWith, "invoice 2024")));
        assert!(!yes(text(subject, TextOp::StartsWith, "overdue")));
        assert!(yes(text(subject, TextOp::Equals, "invoice 2024-17 OVERDUE")));
        assert!(!yes(text(subject, TextOp::Equals, "invoice")));
        assert!(yes(text(subject, TextOp::Regex, r"^invoice \d{4}-\d+")));
        assert!(!yes(text(subject, TextOp::Regex, r"^\d")));
        assert!(yes(Condition::Body {
            op: TextOp::Contains,
            value: "pay now".into()
        }));
    }

    #[test]
    fn addresses_domain_and_recipients() {
        let f = facts();
        let yes = |c| matches(&rule(MatchMode::All, vec![c]), &f);
        assert!(yes(Condition::SenderDomain {
            op: TextOp::Equals,
            value: "Vendor.Example".into()
        }));
        assert!(!yes(Condition::SenderDomain {
            op: TextOp::Equals,
            value: "example".into()
        }));
        assert!(yes(Condition::Sender {
            op: TextOp::StartsWith,
            value: "alerts@".into()
        }));
        assert!(yes(Condition::Recipient {
            op: TextOp::Equals,
            value: "CC@other.test".into()
        }));
    }

    #[test]
    fn ticket_fields() {
        let f = facts();
        let yes = |c| matches(&rule(MatchMode::All, vec![c]), &f);
        assert!(yes(Condition::Mailbox { id: 3 }));
        assert!(!yes(Condition::Mailbox { id: 4 }));
        assert!(yes(Condition::Category { id: Some(9) }));
        assert!(!yes(Condition::Category { id: None }));
        assert!(yes(Condition::Priority { value: Priority::High }));
        assert!(yes(Condition::Status {
            value: TicketStatus::Open
        }));
        assert!(yes(Condition::HasTag { tag: "VIP".into() }));
        assert!(!yes(Condition::HasTag { tag: "spam".into() }));
        assert!(yes(Condition::Company { id: 4 }));
        assert!(yes(Condition::Channel { value: Channel::Email }));
        assert!(!yes(Condition::Channel { value: Channel::Portal }));
        assert!(yes(Condition::AutoReply { value: false }));
        assert!(yes(Condition::SenderVerified { value: true }));
        assert!(!yes(Condition::SenderVerified { value: false }));
        assert!(yes(Condition::MessageKind {
            value: MessageKind::Customer
        }));
    }

    #[test]
    fn business_hours_of_a_known_calendar() {
        let f = facts();
        let yes = |c| matches(&rule(MatchMode::All, vec![c]), &f);
        let bh = |calendar_id, value| Condition::BusinessHours { calendar_id, value };
        assert!(yes(bh(7, true)));
        assert!(!yes(bh(7, false)));
        assert!(yes(bh(8, false)));
        assert!(!yes(bh(8, true)));
        assert!(
            !yes(bh(9, true)) && !yes(bh(9, false)),
            "an unknown calendar matches neither way"
        );
    }

    #[test]
    fn custom_field_values_match_as_text() {
        let f = facts();
        let yes = |c| matches(&rule(MatchMode::All, vec![c]), &f);
        let cf = |field_id, op, value: &str| Condition::CustomField {
            field_id,
            op,
            value: value.into(),
        };
        assert!(yes(cf(5, TextOp::Equals, "gold")));
        assert!(!yes(cf(5, TextOp::Equals, "silver")));
        assert!(!yes(cf(6, TextOp::Regex, ".*")), "no value, no match");
    }

    #[test]
    fn all_and_any() {
        let f = facts();
        let one_true_one_false = vec![Condition::Mailbox { id: 3 }, Condition::Mailbox { id: 4 }];
        assert!(!matches(&rule(MatchMode::All, one_true_one_false.clone()), &f));
        assert!(matches(&rule(MatchMode::Any, one_true_one_false), &f));
        assert!(matches(&rule(MatchMode::All, vec![]), &f), "no conditions: always");
        assert!(!matches(&rule(MatchMode::Any, vec![]), &f));
    }

    #[test]
    fn a_missing_sender_matches_no_text() {
        let f = Facts {
            sender: None,
            ..facts()
        };
        let c = Condition::SenderDomain {
            op: TextOp::Regex,
            value: ".*".into(),
        };
        assert!(!matches(&rule(MatchMode::All, vec![c]), &f));
    }
}
