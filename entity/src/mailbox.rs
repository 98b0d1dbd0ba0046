//! `mailboxes`: a support address, how it is fetched (IMAP) and how its mail becomes tickets.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "mailboxes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    #[sea_orm(unique)]
    pub address: String,
    pub enabled: bool,
    /// `imap` or `pop3`: how mail is fetched from `imap_host` (the server fields serve both).
    pub fetch_protocol: String,
    pub imap_host: Option<String>,
    pub imap_port: Option<i32>,
    /// `implicit`, `starttls` or `none` (loopback only).
    pub imap_tls: String,
    pub imap_username: Option<String>,
    /// Encrypted at rest with the server's encryption key; never returned by the API.
    #[serde(skip_serializing)]
    pub imap_password_enc: Option<String>,
    pub imap_folder: String,
    /// `delete`, `mark_read` or `move`.
    pub after_import: String,
    pub move_to_folder: Option<String>,
    pub poll_interval_secs: i32,
    pub batch_size: i32,
    pub default_category_id: Option<i64>,
    pub default_priority: String,
    pub accept_unknown: bool,
    pub add_recipients_as_subscribers: bool,
    pub reopen_closed: bool,
    pub followup_days: Option<i32>,
    pub max_attachment_bytes: i64,
    /// Newline-separated file-name patterns (`*.exe`) and content types.
    #[sea_orm(column_type = "Text")]
    pub blocked_attachments: String,
    pub rate_limit_count: i32,
    pub rate_limit_minutes: i32,
    /// Newline-separated blocks of text (disclaimers) removed from the visible text.
    #[sea_orm(column_type = "Text")]
    pub excluded_text: String,
    #[serde(skip_serializing)]
    pub webhook_secret_enc: Option<String>,
    pub uid_validity: Option<i64>,
    pub last_uid: Option<i64>,
    pub last_fetch_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub consecutive_failures: i32,
    pub fetched_count: i64,
    pub failed_count: i64,
    pub disabled_at: Option<DateTimeUtc>,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTimeUtc>,
    /// The mailbox's own SMTP account for its replies (none: the global `smtp.*`).
    pub smtp_host: Option<String>,
    pub smtp_port: Option<i32>,
    /// `implicit`, `starttls` or `none` (loopback only).
    pub smtp_tls: String,
    pub smtp_username: Option<String>,
    /// Encrypted at rest like the IMAP password; never returned by the API.
    #[serde(skip_serializing)]
    pub smtp_password_enc: Option<String>,
    /// How IMAP/POP3 signs in: `password`, or with the mailbox's OAuth grant (`mailbox_oauth`)
    /// over SASL `xoauth2` or `oauthbearer`.
    pub imap_auth: String,
    /// The same for its own SMTP account.
    pub smtp_auth: String,
    /// Replies go out through Microsoft Graph `sendMail` with the mailbox's OAuth grant.
    pub graph_send: bool,
    /// Microsoft Graph (`fetch_protocol` `graph`): the delta link of the last finished sync.
    pub graph_delta_link: Option<String>,
    /// When admins were told this mailbox stopped fetching (cleared when it recovers).
    pub stale_alerted_at: Option<DateTimeUtc>,
    /// What sender authentication's verdict decides for this mailbox's mail.
    pub sender_policy: protocol::SenderPolicy,
    /// Hosts whose topmost `Authentication-Results` header is trusted, one per line.
    #[sea_orm(column_type = "Text")]
    pub trusted_auth_hosts: String,
    /// What an attachment the virus scanner flags does: `strip` it or quarantine the mail.
    pub malware_action: protocol::MalwareAction,
    /// Mask card numbers and `redact_patterns` in its mail before anything is stored.
    pub redact: bool,
    /// One regular expression a line, masked too when `redact` is on.
    #[sea_orm(column_type = "Text")]
    pub redact_patterns: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
