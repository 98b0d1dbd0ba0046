//! `webhook_deliveries`: one webhook call a rule asked for. Written with the change that caused
//! it; the sender claims due rows with a lease (`lease_until`), posts them, and marks them
//! `delivered`, or schedules the next attempt, or gives up (`failed`) after the last one.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub rule_id: Option<i64>,
    pub ticket_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub url: String,
    /// The rule's signing secret at the time of the event, sealed (`sealed:` + base64; rows
    /// written before secrets were sealed: `clear:` + the secret, until the next start).
    #[sea_orm(column_type = "Text")]
    pub secret: String,
    /// The JSON body, exactly as signed and sent.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// While set and in the future, a sender is posting it.
    pub lease_until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
