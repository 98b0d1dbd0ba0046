//! The audit trail: one row per change, with who made it.

use chrono::Utc;
use entity::ticket_event;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::error::AppResult;
use crate::write_behind::WriteBehind;

pub async fn record(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    actor: Option<i64>,
    field: &str,
    old: Option<String>,
    new: Option<String>,
) -> AppResult<()> {
    row(ticket_id, actor, field, old, new).insert(db).await?;
    Ok(())
}

fn row(
    ticket_id: i64,
    actor: Option<i64>,
    field: &str,
    old: Option<String>,
    new: Option<String>,
) -> ticket_event::ActiveModel {
    ticket_event::ActiveModel {
        ticket_id: Set(ticket_id),
        actor_id: Set(actor),
        field: Set(field.to_owned()),
        old_value: Set(old),
        new_value: Set(new),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
}

/// [`record`], or kept aside to be written with the batch's other rows just before its commit
/// (see [`WriteBehind`]): for lines nothing reads back inside the transaction.
pub async fn record_or_defer(
    db: &impl ConnectionTrait,
    behind: Option<&WriteBehind>,
    ticket_id: i64,
    actor: Option<i64>,
    field: &str,
    new: Option<String>,
) -> AppResult<()> {
    let Some(behind) = behind else {
        return record(db, ticket_id, actor, field, None, new).await;
    };
    behind.event(row(ticket_id, actor, field, None, new));
    Ok(())
}
