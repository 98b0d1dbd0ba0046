//! What the inbound pipeline sees of one mail: the contract between parsing (pure, no I/O) and
//! threading/applying. `maildesk mail parse FILE` prints exactly this as JSON.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub name: Option<String>,
    /// Lowercased.
    pub email: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    Normal,
    AutoReply,
    Bounce,
    FeedbackReport,
    DeliveryReport,
    Junk,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    pub kind: MailKind,
    /// Which sign decided it (e.g. `Auto-Submitted: auto-replied`); empty for normal mail.
    pub reason: String,
    /// Bounces: the addresses that could not be delivered to.
    pub bounced_recipients: Vec<String>,
    /// Bounces and reports: the Message-ID of our mail they answer, when it can be found.
    pub original_message_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedAttachment {
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub inline: bool,
    pub content_id: Option<String>,
    /// The bytes themselves; not part of the printed JSON.
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedMail {
    pub from: Option<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub reply_to: Vec<Address>,
    pub subject: String,
    pub date: Option<DateTime<Utc>>,
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// The new part of the message: no quoted history, no signature, no excluded text.
    pub text: String,
    pub signature: Option<String>,
    pub quoted: Option<String>,
    /// The whole preferred body as text.
    pub text_full: String,
    /// Sanitized HTML (no scripts, handlers, or remote loads), or none for plain-text mail.
    pub html: Option<String>,
    pub attachments: Vec<ParsedAttachment>,
    pub classification: Classification,
    /// The ticket number quoted in the subject (`[#123]`, `{#123}`, `Ticket #123`).
    pub ticket_token: Option<i64>,
    /// `Delivered-To` / `X-Original-To`: the envelope recipients, which name the address the
    /// mail came in on when the headers do not (Bcc, an alias, a forward).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delivered_to: Vec<Address>,
}
