//! Time tracking: agents log minutes on a ticket, each entry with who and what for. The
//! ticket's `time_spent_minutes` is kept as the sum (it feeds `#TimeSpent#` and the queue)
//! in the same transaction, so the two never disagree.

use std::collections::HashMap;

use chrono::Utc;
use entity::{ticket, time_entry, user};
use protocol::live::ChangeKind;
use protocol::{EventKind, TimeEntry};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::auth::CurrentUser;
use crate::change::Change;
use crate::error::{AppError, AppResult};
use crate::tickets::access::Scope;
use crate::tickets::events;

const MAX_NOTE: usize = 500;

/// Adds an entry of 1 to 1440 minutes (a day at most at a time), with an audit row.
pub async fn log(
    change: &Change<'_>,
    scope: &Scope,
    user: &CurrentUser,
    ticket_id: i64,
    minutes: i64,
    note: Option<&str>,
) -> AppResult<()> {
    let db = change.db();
    change.touched(ticket_id, ChangeKind::Updated, None);
    user.require_staff()?;
    let minutes = i32::try_from(minutes)
        .ok()
        .filter(|m| (1..=1440).contains(m))
        .ok_or_else(|| AppError::validation("minutes: between 1 and 1440"))?;
    let note = note.map(str::trim).unwrap_or_default();
    if note.chars().count() > MAX_NOTE {
        return Err(AppError::validation(format!("note: at most {MAX_NOTE} characters")));
    }
    let t = scope.find_ticket(db, ticket_id).await?;
    time_entry::ActiveModel {
        ticket_id: Set(ticket_id),
        user_id: Set(Some(user.id)),
        minutes: Set(minutes),
        note: Set(note.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    ticket::Entity::update_many()
        .col_expr(
            ticket::Column::TimeSpentMinutes,
            Expr::col(ticket::Column::TimeSpentMinutes).add(minutes),
        )
        .col_expr(ticket::Column::Version, Expr::col(ticket::Column::Version).add(1))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(ticket::Column::Id.eq(ticket_id))
        .exec(db)
        .await?;
    events::record(
        db,
        ticket_id,
        Some(user.id),
        EventKind::TimeSpent,
        Some(t.time_spent_minutes.to_string()),
        Some((t.time_spent_minutes + minutes).to_string()),
    )
    .await?;
    Ok(())
}

/// The ticket's entries, oldest first (staff only).
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    user: &CurrentUser,
    ticket_id: i64,
) -> AppResult<Vec<TimeEntry>> {
    user.require_staff()?;
    scope.find_ticket(db, ticket_id).await?;
    let rows = time_entry::Entity::find()
        .filter(time_entry::Column::TicketId.eq(ticket_id))
        .order_by_asc(time_entry::Column::Id)
        .all(db)
        .await?;
    let names: HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().filter_map(|r| r.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| TimeEntry {
            id: r.id,
            ticket_id: r.ticket_id,
            user_name: r.user_id.and_then(|u| names.get(&u).cloned()),
            user_id: r.user_id,
            minutes: i64::from(r.minutes),
            note: r.note,
            created_at: r.created_at,
        })
        .collect())
}
