//! Optimistic locking: every change claims the version it was based on with one conditional
//! UPDATE. On PostgreSQL that row lock also serialises concurrent writers of one ticket.

use chrono::Utc;
use entity::{attachment, message, ticket};
use protocol::MessageKind;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::{AppError, AppResult};
use crate::tickets::mapping;

/// Moves the ticket from `seen` to `seen + 1`, or fails with the current ticket and the
/// messages added since `seen` (notes only when `staff`).
pub async fn claim(db: &impl ConnectionTrait, ticket_id: i64, seen: i64, staff: bool) -> AppResult<()> {
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
    Err(conflict(db, ticket_id, seen, staff).await)
}

/// Raises the ticket's version whatever it was (its thread changed under every draft: a mail
/// came in, a ticket was merged into it) and returns the row as it now stands (one statement
/// where the database can return what it updated).
pub async fn bump(db: &impl ConnectionTrait, ticket_id: i64) -> AppResult<ticket::Model> {
    let update = ticket::Entity::update_many()
        .col_expr(ticket::Column::Version, Expr::col(ticket::Column::Version).add(1))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(ticket::Column::Id.eq(ticket_id));
    let row = if db.support_returning() {
        update.exec_with_returning(db).await?.into_iter().next()
    } else {
        update.exec(db).await?;
        ticket::Entity::find_by_id(ticket_id).one(db).await?
    };
    row.ok_or(AppError::NotFound("ticket"))
}

pub async fn conflict(db: &impl ConnectionTrait, ticket_id: i64, seen: i64, staff: bool) -> AppError {
    match build_conflict(db, ticket_id, seen, staff).await {
        Ok(e) | Err(e) => e,
    }
}

async fn build_conflict(db: &impl ConnectionTrait, ticket_id: i64, seen: i64, staff: bool) -> AppResult<AppError> {
    let t = ticket::Entity::find_by_id(ticket_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let mut current = mapping::tickets(db, vec![t])
        .await?
        .pop()
        .ok_or(AppError::NotFound("ticket"))?;
    let mut rows = message::Entity::find()
        .filter(message::Column::TicketId.eq(ticket_id))
        .filter(message::Column::TicketVersion.gt(seen))
        .order_by_asc(message::Column::Id);
    if !staff {
        // Internal notes never leave the staff side.
        rows = rows.filter(message::Column::Kind.ne(MessageKind::Note));
    }
    let rows = rows.all(db).await?;
    let attachments = attachment::Entity::find()
        .filter(attachment::Column::MessageId.is_in(rows.iter().map(|m| m.id)))
        .all(db)
        .await?;
    let mut new_messages = mapping::messages(db, rows, attachments).await?;
    if !staff {
        current.hide_staff_addresses();
        for m in &mut new_messages {
            m.hide_staff_details();
            m.hide_addresses_except(current.requester.id);
        }
    }
    Ok(AppError::VersionConflict {
        seen,
        current: Box::new(current),
        new_messages,
    })
}
