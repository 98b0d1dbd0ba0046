//! The audit trail: one row per change, with who made it.

use chrono::Utc;
use entity::ticket_event;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::error::AppResult;

pub async fn record(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    actor: Option<i64>,
    field: &str,
    old: Option<String>,
    new: Option<String>,
) -> AppResult<()> {
    ticket_event::ActiveModel {
        ticket_id: Set(ticket_id),
        actor_id: Set(actor),
        field: Set(field.to_owned()),
        old_value: Set(old),
        new_value: Set(new),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
