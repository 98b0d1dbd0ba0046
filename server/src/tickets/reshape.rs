//! Reshaping threads: merging a duplicate ticket into another, and splitting one message out
//! into a ticket of its own. Both move rows in one transaction and leave an audit trail on
//! both tickets, so an agent can always see where a message went.

use chrono::Utc;
use entity::{attachment, message, subscriber, ticket, user};
use protocol::live::ChangeKind;
use protocol::{Channel, EventKind, MergeTicket, MessageKind, Role, SplitMessage, TicketStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

use crate::auth::CurrentUser;
use crate::change::Change;
use crate::error::{AppError, AppResult};
use crate::sla::due;
use crate::tickets::access::Scope;
use crate::tickets::write::{self, NewTicket, apply_status};
use crate::tickets::{events, version};

/// Merges ticket `source` into `req.into_ticket_id`; returns the target's id.
pub async fn merge(
    change: &Change<'_>,
    scope: &Scope,
    user: &CurrentUser,
    source: i64,
    req: &MergeTicket,
) -> AppResult<i64> {
    let db = change.db();
    user.require_staff()?;
    let target = req.into_ticket_id;
    if target == source {
        return Err(AppError::validation(
            "into_ticket_id: a ticket cannot be merged into itself",
        ));
    }
    scope.find_ticket(db, source).await?;
    let into = scope.find_ticket(db, target).await?;
    if into.status == TicketStatus::Closed {
        return Err(AppError::validation(
            "into_ticket_id: that ticket is closed; reopen it first",
        ));
    }
    version::claim(db, source, req.version, true).await?;
    let src = ticket::Entity::find_by_id(source)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    move_thread(db, source, target).await?;
    move_people(db, &src, &into).await?;
    let current = src.status;
    let mut active = src.into_active_model();
    if current != TicketStatus::Closed {
        apply_status(db, &mut active, current, TicketStatus::Closed, Some(user.id)).await?;
    }
    active.parent_ticket_id = Set(Some(target));
    active.update(db).await?;
    due::sync(db, source, false, Utc::now()).await?;
    version::bump(db, target).await?;
    events::record(
        db,
        source,
        Some(user.id),
        EventKind::MergedInto,
        None,
        Some(target.to_string()),
    )
    .await?;
    events::record(
        db,
        target,
        Some(user.id),
        EventKind::MergedFrom,
        None,
        Some(source.to_string()),
    )
    .await?;
    change.touched(source, ChangeKind::Updated, None);
    change.touched(target, ChangeKind::Updated, None);
    Ok(target)
}

/// Every message of `source`, with its files, moves to `target`.
async fn move_thread(db: &impl ConnectionTrait, source: i64, target: i64) -> AppResult<()> {
    message::Entity::update_many()
        .col_expr(message::Column::TicketId, Expr::value(target))
        .filter(message::Column::TicketId.eq(source))
        .exec(db)
        .await?;
    attachment::Entity::update_many()
        .col_expr(attachment::Column::TicketId, Expr::value(target))
        .filter(attachment::Column::TicketId.eq(source))
        .exec(db)
        .await?;
    Ok(())
}

/// The source's people follow the conversation into `into`: its subscribers, and its requester
/// when that is someone else.
async fn move_people(db: &impl ConnectionTrait, src: &ticket::Model, into: &ticket::Model) -> AppResult<()> {
    let mut people: Vec<(String, Option<i64>)> = subscriber::Entity::find()
        .filter(subscriber::Column::TicketId.eq(src.id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.email, s.user_id))
        .collect();
    if src.requester_id != into.requester_id
        && let Some(r) = user::Entity::find_by_id(src.requester_id).one(db).await?
    {
        people.push((r.email, Some(r.id)));
    }
    subscriber::Entity::delete_many()
        .filter(subscriber::Column::TicketId.eq(src.id))
        .exec(db)
        .await?;
    for (email, user_id) in people {
        write::move_subscriber(db, into.id, &email, user_id).await?;
    }
    Ok(())
}

/// Moves one message of `source` (customer mail or reply, not a note) into a new ticket;
/// returns the new ticket's id.
pub async fn split(
    change: &Change<'_>,
    scope: &Scope,
    user: &CurrentUser,
    source: i64,
    req: &SplitMessage,
) -> AppResult<i64> {
    let db = change.db();
    user.require_staff()?;
    scope.find_ticket(db, source).await?;
    version::claim(db, source, req.version, true).await?;
    let src = ticket::Entity::find_by_id(source)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let m = splittable(db, source, req.message_id).await?;
    // A customer's mail becomes their own ticket; anything else stays with the requester.
    let author = match m.author_id {
        Some(a) => user::Entity::find_by_id(a).one(db).await?,
        None => None,
    };
    let requester = author
        .filter(|a| a.role == Role::Customer)
        .map_or(src.requester_id, |a| a.id);
    let now = Utc::now();
    let new = NewTicket {
        subject: src.subject.clone(),
        priority: src.priority,
        category_id: src.category_id,
        requester_id: requester,
        via: Channel::Agent,
        parent: Some(source),
        mailbox_id: src.mailbox_id,
        at: now,
    };
    let t = write::open(db, new).await?;
    message::Entity::update_many()
        .col_expr(message::Column::TicketId, Expr::value(t.id))
        .filter(message::Column::Id.eq(m.id))
        .exec(db)
        .await?;
    attachment::Entity::update_many()
        .col_expr(attachment::Column::TicketId, Expr::value(t.id))
        .filter(attachment::Column::MessageId.eq(m.id))
        .exec(db)
        .await?;
    events::record(
        db,
        t.id,
        Some(user.id),
        EventKind::SplitFrom,
        None,
        Some(source.to_string()),
    )
    .await?;
    // The split-off ticket is a new request: its own policy, its clock from now.
    due::sync(db, t.id, true, now).await?;
    events::record(
        db,
        source,
        Some(user.id),
        EventKind::SplitInto,
        None,
        Some(t.id.to_string()),
    )
    .await?;
    change.touched(source, ChangeKind::Updated, None);
    change.touched(t.id, ChangeKind::Created, None);
    Ok(t.id)
}

/// Message `message_id` of `source`, if it may be split off: the ticket keeps a customer mail
/// or reply of its own.
async fn splittable(db: &impl ConnectionTrait, source: i64, message_id: i64) -> AppResult<message::Model> {
    let m = message::Entity::find_by_id(message_id)
        .filter(message::Column::TicketId.eq(source))
        .one(db)
        .await?
        .ok_or_else(|| AppError::validation(format!("message_id: {message_id} is not a message of this ticket")))?;
    let remaining = message::Entity::find()
        .filter(message::Column::TicketId.eq(source))
        .filter(message::Column::Id.ne(m.id))
        .filter(message::Column::Kind.is_in([MessageKind::Customer.as_str(), MessageKind::Reply.as_str()]))
        .one(db)
        .await?;
    if remaining.is_none() {
        return Err(AppError::validation(
            "message_id: the ticket's only message cannot be split off",
        ));
    }
    Ok(m)
}
