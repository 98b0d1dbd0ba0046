//! `outbound_mails`: the outbox. A row is written in the same transaction as the change that
//! caused the mail, with the complete message (`raw`) and its stable Message-ID, then sent by
//! the worker: `queued` → `sending` → `sent` | `failed`, or `suppressed` when policy held it.

use protocol::OutboundStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "outbound_mails")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub message_row_id: Option<i64>,
    /// The template (event) that produced it, or `reply` for a human reply.
    pub template: String,
    /// Sent by the system rather than written by a person: subject to suppression and caps.
    pub automatic: bool,
    /// The first `To` address, lower-case: what the loop caps count by.
    pub recipient: String,
    /// Comma-separated envelope recipients (To).
    #[sea_orm(column_type = "Text")]
    pub recipients: String,
    /// Comma-separated CC recipients (subscribers in CC mode).
    #[sea_orm(column_type = "Text")]
    pub cc: String,
    pub mail_from: String,
    #[sea_orm(unique)]
    pub message_id: String,
    #[sea_orm(column_type = "Text")]
    pub subject: String,
    pub raw: Vec<u8>,
    pub status: OutboundStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub locked_until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    /// `smtp` or `outbox` (no SMTP configured: kept for the admin to read).
    pub transport: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
