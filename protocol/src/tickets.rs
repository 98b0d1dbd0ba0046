//! Tickets, their messages, attachments, subscribers and audit history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use crate::directory::UserRef;
use crate::events::EventKind;

string_enum!(
    /// Where a ticket is in its life.
    TicketStatus { Open => "open", Pending => "pending", Resolved => "resolved", Closed => "closed" }
);
string_enum!(Priority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" });
string_enum!(
    /// How the ticket came in.
    Channel { Email => "email", Portal => "portal", Agent => "agent", Api => "api" }
);
string_enum!(
    /// `Note` is internal: never shown to customers, never mailed to them.
    MessageKind { Customer => "customer", Reply => "reply", Note => "note", System => "system" }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    pub id: i64,
    /// The number people quote (`[#123]`).
    pub number: i64,
    pub subject: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub category_id: Option<i64>,
    pub requester: UserRef,
    pub assignee: Option<UserRef>,
    pub via: Channel,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    /// Optimistic-lock counter: every change increments it; writes carry the one they read.
    pub version: i64,
    /// The requester's rating from the "ticket closed" mail: good, ok or bad.
    #[serde(default)]
    pub rating: Option<String>,
    /// What the requester wrote with the rating.
    #[serde(default)]
    pub rating_comment: Option<String>,
    /// Minutes agents logged on the ticket.
    #[serde(default)]
    pub time_spent_minutes: i64,
    /// The SLA policy whose targets apply (chosen on creation and on priority/category changes).
    #[serde(default)]
    pub sla_policy_id: Option<i64>,
    /// When the first agent reply is due (pushed out by time spent waiting on the customer).
    #[serde(default)]
    pub first_response_due_at: Option<DateTime<Utc>>,
    /// When the ticket must be resolved.
    #[serde(default)]
    pub resolution_due_at: Option<DateTime<Utc>>,
    /// Set while the SLA clock stands still (the ticket is not open: waiting on the customer,
    /// resolved or closed).
    #[serde(default)]
    pub sla_paused_at: Option<DateTime<Utc>>,
    /// Its due time passed while it was open or pending.
    #[serde(default)]
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub inline: bool,
    pub content_id: Option<String>,
    /// Download path (rights are checked on download).
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: i64,
    pub ticket_id: i64,
    pub kind: MessageKind,
    pub author: Option<UserRef>,
    pub body_text: String,
    /// Sanitized HTML, safe to render.
    pub body_html: Option<String>,
    pub created_at: DateTime<Utc>,
    pub attachments: Vec<Attachment>,
    /// Staff only: the threading rule that put this mail on this ticket (`in_reply_to`,
    /// `references`, `subject_token`, `new`…), so an agent can see why it joined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_rule: Option<String>,
    /// Staff only: what screening found on the way in (who really sent it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<crate::MailChecks>,
}

impl Message {
    /// Drops what only the helpdesk's staff see (how it was threaded, what screening found).
    pub fn hide_staff_details(&mut self) {
        self.thread_rule = None;
        self.checks = None;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subscriber {
    pub email: String,
    pub user_id: Option<i64>,
}

/// One line of a ticket's audit history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketEvent {
    pub id: i64,
    pub actor: Option<UserRef>,
    /// What changed: its name on the wire (`status`, `subscriber_added`, `custom_field:7`…).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub field: EventKind,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A ticket with everything the caller may see of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketDetail {
    pub ticket: Ticket,
    pub messages: Vec<Message>,
    pub subscribers: Vec<Subscriber>,
    /// Audit history; empty for customers.
    pub events: Vec<TicketEvent>,
    /// The custom field values the viewer may see, in the fields' order.
    #[serde(default)]
    pub custom_fields: Vec<crate::custom_fields::CustomFieldValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTicket {
    pub subject: String,
    pub body: String,
    #[serde(default)]
    pub category_id: Option<i64>,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Staff opening a ticket on a customer's behalf; customers may not set it.
    #[serde(default)]
    pub requester_email: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A public reply (to the requester and subscribers) or an internal note.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PostMessage {
    pub body: String,
    /// The ticket version the text was written against.
    pub version: i64,
    /// Staff only: change the status in the same step ("reply and resolve").
    #[serde(default)]
    pub status: Option<TicketStatus>,
    /// Attachments uploaded to this ticket beforehand (`POST …/attachments`), to attach here.
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
}

/// A partial update; every field left out is unchanged. Nullable fields take `null` to clear.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTicket {
    pub version: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TicketStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub category_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub assignee_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub due_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

/// Take a ticket: succeeds only while nobody else holds it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TakeTicket {
    /// When given, a ticket changed since this version is a `version_conflict`.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Merge this ticket into another: its messages, files and subscribers move there; it closes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeTicket {
    pub into_ticket_id: i64,
    /// The version of this ticket the agent saw.
    pub version: i64,
}

/// Move one message (with its files) out into a new ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SplitMessage {
    pub message_id: i64,
    pub version: i64,
}

/// Log time spent on a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LogTime {
    /// 1 to 1440.
    pub minutes: i64,
    /// What the time was spent on (optional, at most 500 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// One time tracking entry of a ticket (staff only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeEntry {
    pub id: i64,
    pub ticket_id: i64,
    /// The agent who logged it (`None` once their account is gone).
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    pub minutes: i64,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddSubscriber {
    pub email: String,
}

/// Query of `GET /api/v1/tickets`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct TicketQuery {
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub category_id: Option<i64>,
    /// An agent id, `me` or `none`.
    #[cfg_attr(feature = "openapi", param(pattern = "^([0-9]+|me|none)$"))]
    pub assignee: Option<String>,
    pub requester_id: Option<i64>,
    pub tag: Option<String>,
    /// Substring of the subject.
    pub q: Option<String>,
    /// Only tickets changed at or after this instant (RFC 3339): how a reconnecting live client
    /// catches up on what it missed.
    pub updated_since: Option<DateTime<Utc>>,
    /// Only tickets that are (`true`) or are not (`false`) overdue.
    pub overdue: Option<bool>,
    pub sort: Option<TicketSort>,
    pub order: Option<SortOrder>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

string_enum!(TicketSort {
    Created => "created",
    Updated => "updated",
    Priority => "priority",
    Number => "number",
    Due => "due"
});
string_enum!(SortOrder { Asc => "asc", Desc => "desc" });

/// `Some(None)` for an explicit `null`, `None` (via `default`) for a missing field.
fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

// What a customer sees of the people on a ticket: names, and no address but the requester's
// own. Agents' addresses are never shown to customers (a staff address is what a forged
// `From:` names).
impl Ticket {
    pub fn hide_staff_addresses(&mut self) {
        if let Some(a) = &mut self.assignee {
            a.email.clear();
        }
    }
}

impl Message {
    /// Keeps the author's address only when the author is the requester.
    pub fn hide_addresses_except(&mut self, requester_id: i64) {
        if let Some(a) = self.author.as_mut().filter(|a| a.id != requester_id) {
            a.email.clear();
        }
    }
}

impl TicketDetail {
    pub fn hide_staff_addresses(&mut self) {
        let requester = self.ticket.requester.id;
        self.ticket.hide_staff_addresses();
        for m in &mut self.messages {
            m.hide_addresses_except(requester);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_distinguishes_missing_from_null() {
        let u: UpdateTicket = serde_json::from_str(r#"{"version":3,"assignee_id":null}"#).unwrap();
        assert_eq!(u.assignee_id, Some(None));
        assert_eq!(u.category_id, None);
        let u: UpdateTicket = serde_json::from_str(r#"{"version":3,"category_id":7}"#).unwrap();
        assert_eq!(u.category_id, Some(Some(7)));
    }

    #[test]
    fn enums_round_trip_through_their_text() {
        for s in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(TicketStatus::parse("deleted"), None);
    }

    /// The columns hold exactly the text the API and the old string columns used, so rows
    /// written before the enums read back (no migration).
    #[cfg(feature = "db")]
    #[test]
    fn columns_store_the_wire_text() {
        use sea_orm::ActiveEnum;

        use crate::directory::Role;
        use crate::outbound::OutboundStatus;

        fn same<E: ActiveEnum<Value = String> + std::fmt::Debug + PartialEq>(all: &[E], text: fn(&E) -> &'static str) {
            for e in all {
                assert_eq!(e.to_value(), text(e));
                assert_eq!(E::try_from_value(&text(e).to_owned()).ok().as_ref(), Some(e));
            }
        }
        same(TicketStatus::ALL, |e| e.as_str());
        same(Priority::ALL, |e| e.as_str());
        same(Channel::ALL, |e| e.as_str());
        same(MessageKind::ALL, |e| e.as_str());
        same(&[Role::Admin, Role::Agent, Role::Customer], |e| e.as_str());
        use OutboundStatus::*;
        same(&[Queued, Sending, Sent, Failed, Suppressed], |e| e.as_str());
        assert!(TicketStatus::try_from_value(&"deleted".to_owned()).is_err());
    }
}
