//! `inbound_mails`: the journal. Every received mail is stored here, raw, and committed before
//! its source is acknowledged; processing then moves it to `processed`, `quarantined` or
//! `failed` (the dead letters, replayable).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "inbound_mails")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub mailbox_id: Option<i64>,
    /// `imap`, `http`, `import` or `demo`.
    pub source: String,
    /// Mailbox + Message-ID (or the raw SHA-256): a second delivery finds the first.
    #[sea_orm(unique)]
    pub idempotency_key: String,
    pub message_id: Option<String>,
    pub raw_sha256: String,
    #[serde(skip)]
    pub raw: Vec<u8>,
    pub size: i64,
    /// `pending`, `processed`, `quarantined` or `failed`.
    pub status: String,
    pub kind: Option<String>,
    pub reason: Option<String>,
    pub error: Option<String>,
    pub attempts: i32,
    pub ticket_id: Option<i64>,
    pub message_row_id: Option<i64>,
    pub thread_rule: Option<String>,
    pub imap_uid: Option<i64>,
    pub imap_uid_validity: Option<i64>,
    pub received_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
    /// What our SMTP receiver saw (connecting IP, HELO, MAIL FROM) as JSON; none for fetched mail.
    #[sea_orm(column_type = "Text", nullable)]
    pub envelope: Option<String>,
    /// Screening's findings (`protocol::MailChecks` as JSON), kept so a retry decides the same.
    #[sea_orm(column_type = "Text", nullable)]
    pub checks: Option<String>,
    /// When retention dropped the raw bytes (`raw` is empty since).
    pub raw_purged_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
