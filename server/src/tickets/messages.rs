//! Adding to a thread: public replies (staff), customer follow-ups and internal notes.

use chrono::Utc;
use entity::{attachment, ticket};
use protocol::live::ChangeKind;
use protocol::{MessageKind, PostMessage, RuleEvent, TicketDetail, TicketStatus};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

use crate::auth::CurrentUser;
use crate::change::Change;
use crate::error::{AppError, AppResult};
use crate::mail::outbound::notify::{self, Event};
use crate::rules::{self, Trigger};
use crate::sla::due;
use crate::tickets::access::Scope;
use crate::tickets::create::validate_body;
use crate::tickets::write::{self, NewMessage, apply_status};
use crate::tickets::{queries, version};

/// `internal` selects a note; anything else is a public message.
pub async fn post(
    change: &Change<'_>,
    scope: &Scope,
    user: &CurrentUser,
    ticket_id: i64,
    req: &PostMessage,
    internal: bool,
) -> AppResult<TicketDetail> {
    let db = change.db();
    validate_body(&req.body)?;
    if internal {
        user.require_staff()?;
    }
    if !user.is_staff() && req.status.is_some() {
        return Err(AppError::forbidden("customers cannot change the status"));
    }
    scope.find_ticket(db, ticket_id).await?;
    version::claim(db, ticket_id, req.version, user.is_staff()).await?;
    let t = ticket::Entity::find_by_id(ticket_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let kind = match (internal, user.is_staff()) {
        (true, _) => MessageKind::Note,
        (false, true) => MessageKind::Reply,
        (false, false) => MessageKind::Customer,
    };
    let now = Utc::now();
    let m = NewMessage {
        author_id: Some(user.id),
        ticket_version: Some(req.version + 1),
        at: now,
        ..NewMessage::new(ticket_id, kind, req.body.clone())
    };
    let m = write::add_message(db, m).await?;
    attach(db, ticket_id, user.id, m.id, &req.attachment_ids).await?;
    let current = t.status;
    let next = match kind {
        // A customer writing again means the ticket needs attention again.
        MessageKind::Customer if current != TicketStatus::Open => Some(TicketStatus::Open),
        MessageKind::Reply | MessageKind::Note => req.status.filter(|s| *s != current),
        _ => None,
    };
    let first_response = kind == MessageKind::Reply && t.first_response_at.is_none();
    let mut active = t.into_active_model();
    if first_response {
        active.first_response_at = Set(Some(now));
    }
    if let Some(next) = next {
        apply_status(db, &mut active, current, next, Some(user.id)).await?;
    }
    active.update(db).await?;
    if first_response || next.is_some() {
        due::sync(db, ticket_id, false, now).await?;
    }
    announce(change, user.id, &m, kind, next).await?;
    let published = if internal {
        ChangeKind::Note
    } else {
        ChangeKind::Message
    };
    change.touched(ticket_id, published, Some(m.id));
    queries::detail(db, scope, ticket_id).await
}

/// The mails and rules a new message `m` of `kind` by `author` causes, with the status it moved
/// the ticket to. The mails are queued in the same transaction: both happen, or neither.
async fn announce(
    change: &Change<'_>,
    author: i64,
    m: &entity::message::Model,
    kind: MessageKind,
    next: Option<TicketStatus>,
) -> AppResult<()> {
    let (ticket_id, message_id) = (m.ticket_id, m.id);
    let event = match kind {
        MessageKind::Reply => Some(Event::Reply {
            ticket_id,
            message_id,
            author,
        }),
        MessageKind::Customer => Some(Event::CustomerUpdate {
            ticket_id,
            message_id,
            author,
        }),
        _ => None,
    };
    if let Some(event) = event {
        notify::notify(change, event).await?;
    }
    if next == Some(TicketStatus::Closed) {
        let closed = Event::Closed {
            ticket_id,
            actor: Some(author),
        };
        notify::notify(change, closed).await?;
    }
    let status_changed = next.map(|_| RuleEvent::StatusChanged);
    let trigger = Trigger::new([RuleEvent::MessageAdded].into_iter().chain(status_changed)).with_message(message_id);
    rules::run(change, ticket_id, trigger).await?;
    Ok(())
}

/// Links the author's own earlier uploads to this ticket to the new message. Someone else's
/// upload is refused like a missing one: ids are guessable, files are not everyone's.
async fn attach(db: &impl ConnectionTrait, ticket_id: i64, author: i64, message_id: i64, ids: &[i64]) -> AppResult<()> {
    for id in ids {
        let a = attachment::Entity::find_by_id(*id)
            .filter(attachment::Column::TicketId.eq(ticket_id))
            .filter(attachment::Column::MessageId.is_null())
            .filter(attachment::Column::UploadedBy.eq(author))
            .one(db)
            .await?
            .ok_or_else(|| {
                AppError::validation(format!(
                    "attachment_ids: {id} is not an unattached upload of yours on this ticket"
                ))
            })?;
        let mut a = a.into_active_model();
        a.message_id = Set(Some(message_id));
        a.update(db).await?;
    }
    Ok(())
}
