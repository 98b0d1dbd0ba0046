//! Outbound mail as the admin API shows it: the outbox (dev outbox included), notification
//! settings (seed 002) and the editable templates.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

string_enum!(
    /// Where a mail of the outbox is.
    OutboundStatus {
        /// Waiting for the sender (first try or a retry after a temporary failure).
        Queued => "queued",
        /// Claimed by a sender right now.
        Sending => "sending",
        Sent => "sent",
        /// Refused permanently (5xx) or out of attempts.
        Failed => "failed",
        /// Held back by policy (bounced address, robot address, loop cap).
        Suppressed => "suppressed",
    }
);

/// One mail of the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboundMail {
    pub id: i64,
    pub ticket_id: Option<i64>,
    /// The template that produced it (`reply` for a person's reply).
    pub template: String,
    pub automatic: bool,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub message_id: String,
    pub status: OutboundStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    /// `smtp`, or `outbox` when no SMTP server is configured (the dev outbox).
    pub transport: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The complete message as sent (only in the single-mail view).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

/// The notification switches of seed 002, changed by admins at run time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct NotificationSettings {
    /// Master switch: off, no notification is mailed (agents' replies still are).
    pub enabled: bool,
    pub notify_admins_of_new_tickets: bool,
    pub notify_category_agents_of_new_tickets: bool,
    /// On a customer update, mail every agent of the category, not only the assignee.
    pub notify_all_category_agents_on_customer_update: bool,
    /// Tell the other agents of the category when someone takes a ticket.
    pub notify_on_take: bool,
    pub ticket_closed_notification: bool,
    /// Confirm a new ticket to its requester (only for tickets submitted by email).
    pub ticket_confirmation: bool,
    pub attach_files: bool,
    /// Customers (never staff) get links that sign them in to that one ticket for 3 days.
    pub autologin_links: bool,
    /// One mail to all subscribers in CC instead of one each (turns off autologin and rating
    /// links).
    pub subscribers_in_cc: bool,
    /// A customer's update is mailed to staff only, not to the other subscribers.
    pub subscriber_updates_only_from_staff: bool,
    /// Use the mailbox's "From" name for people's replies too.
    pub from_name_for_all: bool,
    /// Subject of every mail: `{number}` and `{subject}` are filled in.
    pub subject_format: String,
    /// Loop cap: at most this many automatic mails to one address per ticket…
    pub auto_cap_count: u32,
    /// …within this many minutes.
    pub auto_cap_minutes: u32,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            notify_admins_of_new_tickets: false,
            notify_category_agents_of_new_tickets: true,
            notify_all_category_agents_on_customer_update: false,
            notify_on_take: true,
            ticket_closed_notification: true,
            ticket_confirmation: true,
            attach_files: true,
            autologin_links: true,
            subscribers_in_cc: false,
            subscriber_updates_only_from_staff: false,
            from_name_for_all: false,
            subject_format: "[#{number}] {subject}".into(),
            auto_cap_count: 10,
            auto_cap_minutes: 10,
        }
    }
}

/// The events a template exists for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TemplateEvent {
    /// To the requester of a ticket that arrived by email.
    NewTicketConfirmation,
    /// To the agents (and admins, if enabled) about a new ticket.
    NewTicketAlert,
    /// A public reply, to the requester and the subscribers.
    Reply,
    /// To agents: a customer wrote again.
    CustomerUpdateAlert,
    /// To the agent a ticket was assigned to.
    AssignmentAlert,
    /// To the other agents of the category: someone took this one.
    TicketTaken,
    /// To the requester, with the rating links.
    TicketClosed,
    /// To the assignee (or category agents) when a ticket is past due.
    OverdueAlert,
}

impl TemplateEvent {
    pub const ALL: [TemplateEvent; 8] = [
        Self::NewTicketConfirmation,
        Self::NewTicketAlert,
        Self::Reply,
        Self::CustomerUpdateAlert,
        Self::AssignmentAlert,
        Self::TicketTaken,
        Self::TicketClosed,
        Self::OverdueAlert,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewTicketConfirmation => "new_ticket_confirmation",
            Self::NewTicketAlert => "new_ticket_alert",
            Self::Reply => "reply",
            Self::CustomerUpdateAlert => "customer_update_alert",
            Self::AssignmentAlert => "assignment_alert",
            Self::TicketTaken => "ticket_taken",
            Self::TicketClosed => "ticket_closed",
            Self::OverdueAlert => "overdue_alert",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// A template: subject, plain text and HTML. All three empty = don't send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailTemplate {
    pub event: TemplateEvent,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// Still the built-in text (never saved by an admin).
    pub is_default: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveTemplate {
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// A template rendered against a real ticket, for the admin's preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplatePreview {
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// What the rating and unsubscribe links record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Good,
    Ok,
    Bad,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Good => "good",
            Self::Ok => "ok",
            Self::Bad => "bad",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "good" => Self::Good,
            "ok" => Self::Ok,
            "bad" => Self::Bad,
            _ => return None,
        })
    }
}

/// The requester rates a resolved or closed ticket from the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RateTicket {
    pub rating: Rating,
    /// An optional remark (at most 2,000 characters); leaving it out keeps an earlier one.
    #[serde(default)]
    pub comment: Option<String>,
}

/// Exchanging an emailed autologin link for a session limited to its ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AutologinRequest {
    pub token: String,
}
