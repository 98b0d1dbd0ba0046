//! The audit trail: one row per change, with who made it and what kind of change it was
//! ([`EventKind`], the vocabulary the browser app reads back).

use chrono::Utc;
use entity::ticket_event;
use protocol::EventKind;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::error::AppResult;
use crate::write_behind::WriteBehind;

pub async fn record(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    actor: Option<i64>,
    kind: EventKind,
    old: Option<String>,
    new: Option<String>,
) -> AppResult<()> {
    row(ticket_id, actor, kind, old, new).insert(db).await?;
    Ok(())
}

fn row(
    ticket_id: i64,
    actor: Option<i64>,
    kind: EventKind,
    old: Option<String>,
    new: Option<String>,
) -> ticket_event::ActiveModel {
    ticket_event::ActiveModel {
        ticket_id: Set(ticket_id),
        actor_id: Set(actor),
        field: Set(kind.to_string()),
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
    kind: EventKind,
    new: Option<String>,
) -> AppResult<()> {
    let Some(behind) = behind else {
        return record(db, ticket_id, actor, kind, None, new).await;
    };
    behind.event(row(ticket_id, actor, kind, None, new));
    Ok(())
}
