//! Optimistic locking: every change claims the version it was based on with one conditional
//! UPDATE. On PostgreSQL that row lock also serialises concurrent writers of one ticket.

use chrono::Utc;
use entity::ticket;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::{AppError, AppResult};
use crate::tickets::mapping;

/// Moves the ticket from `seen` to `seen + 1`, or fails with the current ticket.
pub async fn claim(db: &impl ConnectionTrait, ticket_id: i64, seen: i64) -> AppResult<()> {
    let result = ticket::Entity::update_many()
        .col_expr(ticket::Column::Version, Expr::col(ticket::Column::Version).add(1))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(ticket::Column::Id.eq(ticket_id))
        .filter(ticket::Column::Version.eq(seen))
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        return Ok(());
    }
    Err(conflict(db, ticket_id, seen).await)
}

pub async fn conflict(db: &impl ConnectionTrait, ticket_id: i64, seen: i64) -> AppError {
    match ticket::Entity::find_by_id(ticket_id).one(db).await {
        Ok(Some(t)) => match mapping::tickets(db, vec![t]).await {
            Ok(mut v) if !v.is_empty() => AppError::VersionConflict {
                seen,
                current: Box::new(v.remove(0)),
            },
            Ok(_) => AppError::NotFound("ticket"),
            Err(e) => e,
        },
        Ok(None) => AppError::NotFound("ticket"),
        Err(e) => e.into(),
    }
}
