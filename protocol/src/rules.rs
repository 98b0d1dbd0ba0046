//! Automation rules: on a ticket event, if its conditions match (all or any of them), the rule
//! runs its actions. Rules run in `position` order; each sees the changes of the ones before.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::tickets::{Channel, MessageKind, Priority, TicketStatus};

/// What a rule listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RuleEvent {
    /// A ticket was opened (any channel; see the `channel` condition).
    TicketCreated,
    /// A message joined a ticket (see the `message_kind` condition: customer, reply, note, system).
    MessageAdded,
    StatusChanged,
    AssignmentChanged,
    /// Time-based: the ticket (not closed) has not been updated for the rule's `idle_hours`.
    /// Checked by the rule timer; fires once per quiet period.
    TicketIdle,
    /// Time-based: the ticket's due time passed while it was open or pending (once per breach,
    /// together with the overdue alert).
    DuePassed,
}

impl RuleEvent {
    pub const ALL: &'static [RuleEvent] = &[
        RuleEvent::TicketCreated,
        RuleEvent::MessageAdded,
        RuleEvent::StatusChanged,
        RuleEvent::AssignmentChanged,
        RuleEvent::TicketIdle,
        RuleEvent::DuePassed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleEvent::TicketCreated => "ticket_created",
            RuleEvent::MessageAdded => "message_added",
            RuleEvent::StatusChanged => "status_changed",
            RuleEvent::AssignmentChanged => "assignment_changed",
            RuleEvent::TicketIdle => "ticket_idle",
            RuleEvent::DuePassed => "due_passed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|e| e.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    /// Every condition must hold (no conditions: always).
    #[default]
    All,
    /// At least one condition must hold.
    Any,
}

/// How a text condition compares; always case-insensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TextOp {
    Contains,
    StartsWith,
    Equals,
    /// A regular expression (Rust `regex` syntax), searched anywhere in the text.
    Regex,
}

/// One test on the ticket or on the message that caused the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// The mailbox the ticket came in through.
    Mailbox {
        id: i64,
    },
    /// Any To/Cc address of the inbound mail (only known for mail that just arrived).
    Recipient {
        op: TextOp,
        value: String,
    },
    /// The message's sender address (the requester when no message is at hand).
    Sender {
        op: TextOp,
        value: String,
    },
    /// The part of the sender address after `@`.
    SenderDomain {
        op: TextOp,
        value: String,
    },
    Subject {
        op: TextOp,
        value: String,
    },
    /// The text of the message that caused the event (else the latest public message).
    Body {
        op: TextOp,
        value: String,
    },
    /// `id: null` matches a ticket without a category.
    Category {
        id: Option<i64>,
    },
    Priority {
        value: Priority,
    },
    Status {
        value: TicketStatus,
    },
    HasTag {
        tag: String,
    },
    /// The requester's company.
    Company {
        id: i64,
    },
    Channel {
        value: Channel,
    },
    /// The message was classified as an automatic reply (RFC 3834 headers, out-of-office…).
    AutoReply {
        value: bool,
    },
    /// Sender authentication proved the message's `From:` domain (DMARC, or an aligned DKIM
    /// signature); anything that did not come as such a mail is not verified.
    SenderVerified {
        value: bool,
    },
    /// The kind of the message that caused the event (`message_added`, `ticket_created`).
    MessageKind {
        value: MessageKind,
    },
    /// Whether the event happens inside (`value: true`) or outside the working hours of a
    /// business calendar.
    BusinessHours {
        calendar_id: i64,
        value: bool,
    },
    /// A custom field's value as read (checkbox: `Yes` / `No`; a date: `YYYY-MM-DD`); a ticket
    /// without a value for the field matches nothing.
    CustomField {
        field_id: i64,
        op: TextOp,
        value: String,
    },
}

/// One change a rule makes. Each writes a history entry naming the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// `id: null` clears the category.
    SetCategory {
        id: Option<i64>,
    },
    SetPriority {
        value: Priority,
    },
    SetStatus {
        value: TicketStatus,
    },
    /// A specific active agent.
    Assign {
        agent_id: i64,
    },
    /// The active agent of the ticket's category who got a ticket this way least recently.
    // Empty struct variants, not unit ones: serde ignores extra fields on unit variants of an
    // internally tagged enum, and a typo'd field must be refused.
    AssignRoundRobin {},
    /// The active agent of the ticket's category with the fewest open or pending tickets.
    AssignLeastLoaded {},
    AddTag {
        tag: String,
    },
    RemoveTag {
        tag: String,
    },
    AddSubscriber {
        email: String,
    },
    /// An internal note (never shown to customers).
    AddNote {
        body: String,
    },
    /// Status closed.
    Close {},
    /// Tag `spam` and close, without the "ticket closed" mail (a spammer gets no answer).
    MarkSpam {},
    /// A mail written in the rule, with the template placeholders (`#TicketNumber#`…), to
    /// `requester`, `assignee` or an e-mail address. It goes through the outbound policy like
    /// every automatic mail (robots, bounced addresses, loop caps).
    SendMail {
        to: String,
        subject: String,
        body: String,
    },
    /// POSTs the ticket as JSON to `url`, signed with `secret` (header
    /// `X-Maildesk-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`, the timestamp
    /// in `X-Maildesk-Timestamp`); retried with backoff until the receiver answers 2xx.
    /// `url` must reach a public address (see `security.allow_private_networks`).
    Webhook {
        url: String,
        /// Write-only: the server stores it encrypted and never sends it back. On save, a
        /// string (16 to 200 characters) sets it; left out or `null`, the action keeps the
        /// secret of the rule's stored webhook action with the same `url` (a new `url` needs
        /// a secret). A webhook is always signed: to drop the secret, drop the action.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secret: Option<String>,
        /// Read-only: whether a secret is stored (ignored on save).
        #[serde(default)]
        secret_set: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveRule {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Order of evaluation; a new rule goes last when left out.
    #[serde(default)]
    pub position: Option<i32>,
    pub event: RuleEvent,
    /// Hours without an update before a `ticket_idle` rule fires (required for that event,
    /// refused for the others).
    #[serde(default)]
    pub idle_hours: Option<u32>,
    #[serde(default)]
    pub match_mode: MatchMode,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    pub position: i32,
    pub event: RuleEvent,
    pub idle_hours: Option<u32>,
    pub match_mode: MatchMode,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Which rules would match a ticket as it is now; nothing is changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DryRunRequest {
    pub ticket_id: i64,
    /// Only this rule (enabled or not); else every enabled rule.
    #[serde(default)]
    pub rule_id: Option<i64>,
    /// Only rules of this event; else rules of every event.
    #[serde(default)]
    pub event: Option<RuleEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRunRule {
    pub rule_id: i64,
    pub name: String,
    pub event: RuleEvent,
    pub matched: bool,
    /// What it would do when it matched (empty otherwise).
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRunResult {
    pub ticket_id: i64,
    /// Every rule considered, in evaluation order.
    pub rules: Vec<DryRunRule>,
}
