//! Mailboxes and the inbound journal as the admin API shows them. Passwords and secrets are
//! write-only: no response ever carries them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::tickets::Priority;

/// How a mailbox fetches from its server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FetchProtocol {
    #[default]
    Imap,
    /// Messages are journaled, then deleted (`after_import` delete) or left with their UIDL
    /// remembered (any other `after_import`).
    Pop3,
    /// Microsoft Graph with the mailbox's OAuth grant: the delta query of `imap_folder`
    /// (a well-known folder name such as `inbox`, or a folder id); the server fields are unused.
    Graph,
}

impl FetchProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Imap => "imap",
            Self::Pop3 => "pop3",
            Self::Graph => "graph",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "pop3" => Self::Pop3,
            "graph" => Self::Graph,
            _ => Self::Imap,
        }
    }
}

/// How a mailbox signs in to its IMAP/POP3 or SMTP server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MailAuth {
    /// The stored password (LOGIN / AUTH PLAIN or LOGIN).
    #[default]
    Password,
    /// The mailbox's OAuth grant over SASL XOAUTH2 (Microsoft 365, Google).
    Xoauth2,
    /// The mailbox's OAuth grant over SASL OAUTHBEARER (RFC 7628).
    Oauthbearer,
}

impl MailAuth {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Xoauth2 => "xoauth2",
            Self::Oauthbearer => "oauthbearer",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "xoauth2" => Self::Xoauth2,
            "oauthbearer" => Self::Oauthbearer,
            _ => Self::Password,
        }
    }

    pub fn is_oauth(self) -> bool {
        self != Self::Password
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    Implicit,
    Starttls,
    /// Plain text: only accepted for a loopback host.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AfterImport {
    Delete,
    MarkRead,
    Move,
}

/// Settings of a mailbox (all of them can be sent on create; on update, the ones to change).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MailboxSettings {
    pub name: Option<String>,
    /// Our support address, e.g. `support@example.com`.
    pub address: Option<String>,
    pub enabled: Option<bool>,
    /// `imap` (default) or `pop3`, over the server fields below.
    pub fetch_protocol: Option<FetchProtocol>,
    pub imap_host: Option<String>,
    pub imap_port: Option<u16>,
    pub imap_tls: Option<TlsMode>,
    pub imap_username: Option<String>,
    /// Write-only; stored encrypted.
    pub imap_password: Option<String>,
    pub imap_folder: Option<String>,
    pub after_import: Option<AfterImport>,
    pub move_to_folder: Option<String>,
    pub poll_interval_secs: Option<u32>,
    pub batch_size: Option<u32>,
    pub default_category_id: Option<i64>,
    pub default_priority: Option<Priority>,
    /// Accept mail from unknown senders (creating a customer) or quarantine it.
    pub accept_unknown: Option<bool>,
    pub add_recipients_as_subscribers: Option<bool>,
    pub reopen_closed: Option<bool>,
    /// After this many days a reply to a closed ticket opens a new, linked one.
    pub followup_days: Option<u32>,
    pub max_attachment_bytes: Option<u64>,
    /// File-name patterns (`*.exe`) and content types, one per line.
    pub blocked_attachments: Option<String>,
    pub rate_limit_count: Option<u32>,
    pub rate_limit_minutes: Option<u32>,
    /// Blocks of text (disclaimers) removed from the visible text, separated by blank lines.
    pub excluded_text: Option<String>,
    /// The mailbox's own SMTP account for its replies; empty host = the global one.
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_tls: Option<TlsMode>,
    pub smtp_username: Option<String>,
    /// Write-only; stored encrypted.
    pub smtp_password: Option<String>,
    /// How IMAP/POP3 signs in (default `password`; the OAuth ones use the mailbox's grant).
    pub imap_auth: Option<MailAuth>,
    /// How the mailbox's own SMTP account signs in.
    pub smtp_auth: Option<MailAuth>,
    /// Send replies through Microsoft Graph `sendMail` with the mailbox's OAuth grant.
    pub graph_send: Option<bool>,
    /// What sender authentication's verdict decides (default `enforce`).
    pub sender_policy: Option<crate::SenderPolicy>,
    /// Receiving hosts whose topmost `Authentication-Results` header is trusted instead of
    /// checking here (`mx.google.com`; `microsoft365` for Microsoft 365's), one per line.
    pub trusted_auth_hosts: Option<String>,
    /// What an attachment the virus scanner flags does (default `strip`).
    pub malware_action: Option<crate::MalwareAction>,
    /// Mask payment card numbers (and `redact_patterns`) before the mail is stored.
    pub redact: Option<bool>,
    /// More to mask when `redact` is on: one regular expression a line.
    pub redact_patterns: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mailbox {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub enabled: bool,
    #[serde(default)]
    pub fetch_protocol: FetchProtocol,
    pub imap_host: Option<String>,
    pub imap_port: Option<u16>,
    pub imap_tls: TlsMode,
    pub imap_username: Option<String>,
    /// Whether a password is stored (the password itself is never returned).
    pub has_password: bool,
    pub imap_folder: String,
    pub after_import: AfterImport,
    pub move_to_folder: Option<String>,
    pub poll_interval_secs: u32,
    pub batch_size: u32,
    pub default_category_id: Option<i64>,
    pub default_priority: Priority,
    pub accept_unknown: bool,
    pub add_recipients_as_subscribers: bool,
    pub reopen_closed: bool,
    pub followup_days: Option<u32>,
    pub max_attachment_bytes: u64,
    pub blocked_attachments: String,
    pub rate_limit_count: u32,
    pub rate_limit_minutes: u32,
    pub excluded_text: String,
    /// Its own SMTP account (None: replies go through the global one).
    #[serde(default)]
    pub smtp_host: Option<String>,
    #[serde(default)]
    pub smtp_port: Option<u16>,
    pub smtp_tls: TlsMode,
    #[serde(default)]
    pub smtp_username: Option<String>,
    #[serde(default)]
    pub has_smtp_password: bool,
    #[serde(default)]
    pub imap_auth: MailAuth,
    #[serde(default)]
    pub smtp_auth: MailAuth,
    #[serde(default)]
    pub graph_send: bool,
    #[serde(default)]
    pub sender_policy: crate::SenderPolicy,
    #[serde(default)]
    pub trusted_auth_hosts: String,
    #[serde(default)]
    pub malware_action: crate::MalwareAction,
    #[serde(default)]
    pub redact: bool,
    #[serde(default)]
    pub redact_patterns: String,
    pub status: MailboxStatus,
}

/// Live state of the fetcher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailboxStatus {
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    pub fetched_count: u64,
    pub failed_count: u64,
    /// Set when the mailbox was disabled after repeated failures.
    pub disabled_at: Option<DateTime<Utc>>,
    /// The node working it now, if any.
    pub lease_owner: Option<String>,
}

/// The answer of a mailbox check ("Test connection", "Send test e-mail"): whether it worked,
/// and the server's own words either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailboxCheck {
    pub ok: bool,
    pub answer: String,
}

/// `POST /mailboxes/{id}/test-mail`: where the test mail goes (default: the admin asking).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TestMail {
    pub to: Option<String>,
}

/// Answer to creating a mailbox or rotating its secret: the only time the secret is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailboxWithSecret {
    pub mailbox: Mailbox,
    /// HMAC-SHA256 key for `POST /api/v1/inbound` signatures.
    pub webhook_secret: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InboundStatus {
    Pending,
    Processed,
    Quarantined,
    Failed,
}

/// One journaled inbound mail (quarantine and dead letters are views of these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboundMail {
    pub id: i64,
    pub mailbox_id: Option<i64>,
    pub source: String,
    pub message_id: Option<String>,
    pub size: i64,
    pub status: InboundStatus,
    /// Classification: normal, auto_reply, bounce, feedback_report, delivery_report, junk.
    pub kind: Option<String>,
    /// Why it was quarantined or classified so.
    pub reason: Option<String>,
    /// Why processing failed (dead letters).
    pub error: Option<String>,
    pub attempts: i32,
    pub ticket_id: Option<i64>,
    /// Which threading rule placed it.
    pub thread_rule: Option<String>,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

/// Answer of `POST /api/v1/inbound`: sent once the mail is durably journaled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboundAccepted {
    pub journal_id: i64,
    /// This mail had been received before; nothing new was stored or applied.
    pub duplicate: bool,
    pub status: InboundStatus,
    pub ticket_id: Option<i64>,
}
