//! Turning a committed change into a bus event: the ticket as clients see it, the facts that
//! decide who may see it, and the new message.

use chrono::Utc;
use entity::{attachment, message, ticket, user};
use protocol::MessageKind;
use protocol::live::ChangeKind;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::{AppError, AppResult};
use crate::realtime::bus::{TicketChange, TicketFacts, next_event_id};
use crate::tickets::mapping;

pub async fn load_change(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    change: ChangeKind,
    message_id: Option<i64>,
    actor_id: Option<i64>,
) -> AppResult<TicketChange> {
    let t = ticket::Entity::find_by_id(ticket_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let requester_company_id = user::Entity::find_by_id(t.requester_id)
        .one(db)
        .await?
        .and_then(|u| u.company_id);
    let facts = TicketFacts {
        ticket_id: t.id,
        requester_id: t.requester_id,
        requester_company_id,
        category_id: t.category_id,
        assignee_id: t.assignee_id,
    };
    let ticket = mapping::tickets(db, vec![t])
        .await?
        .pop()
        .ok_or(AppError::NotFound("ticket"))?;
    let message = match message_id {
        Some(id) => {
            let rows = message::Entity::find_by_id(id).all(db).await?;
            let files = attachment::Entity::find()
                .filter(attachment::Column::MessageId.eq(id))
                .all(db)
                .await?;
            mapping::messages(db, rows, files).await?.pop()
        }
        None => None,
    };
    // A note is its own kind of change so that customers' sockets never hear of it.
    let change = match (&change, &message) {
        (ChangeKind::Message, Some(m)) if m.kind == MessageKind::Note => ChangeKind::Note,
        _ => change,
    };
    Ok(TicketChange {
        event_id: next_event_id(),
        change,
        ticket,
        facts,
        message,
        actor_id,
        at: Utc::now(),
    })
}
