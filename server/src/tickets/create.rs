//! Opening a ticket from the portal, the agent UI or the API.

use chrono::Utc;
use entity::{message, ticket};
use protocol::live::ChangeKind;
use protocol::{Channel, CreateTicket, EventKind, MessageKind, Priority, RuleEvent, TicketDetail};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::auth::CurrentUser;
use crate::change::Change;
use crate::directory::users;
use crate::error::{AppError, AppResult};
use crate::mail::outbound::notify::{self, Event};
use crate::rules::{self, Trigger};
use crate::sla::due;
use crate::tickets::access::Scope;
use crate::tickets::write::{self, NewMessage, NewTicket};
use crate::tickets::{events, queries};

pub const MAX_SUBJECT_CHARS: usize = 250;
pub const MAX_BODY_CHARS: usize = 200_000;

pub fn validate_subject(subject: &str) -> AppResult<String> {
    let s = subject.trim();
    if s.is_empty() {
        return Err(AppError::validation("subject: must not be empty"));
    }
    if s.chars().count() > MAX_SUBJECT_CHARS {
        return Err(AppError::validation(format!(
            "subject: at most {MAX_SUBJECT_CHARS} characters"
        )));
    }
    Ok(s.to_owned())
}

pub fn validate_body(body: &str) -> AppResult<()> {
    if body.trim().is_empty() {
        return Err(AppError::validation("body: must not be empty"));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(AppError::validation(format!(
            "body: at most {MAX_BODY_CHARS} characters"
        )));
    }
    Ok(())
}

pub async fn create(
    change: &Change<'_>,
    scope: &Scope,
    user: &CurrentUser,
    req: &CreateTicket,
) -> AppResult<TicketDetail> {
    let db = change.db();
    let (subject, requester_id) = checked(db, user, req).await?;
    let via = if user.is_staff() {
        Channel::Agent
    } else {
        Channel::Portal
    };
    let now = Utc::now();
    let new = NewTicket {
        subject,
        priority: req.priority.unwrap_or(Priority::Normal),
        category_id: req.category_id,
        requester_id,
        via,
        parent: None,
        mailbox_id: None,
        at: now,
    };
    let t = write::open(db, new).await?;
    let kind = if requester_id == user.id {
        MessageKind::Customer
    } else {
        MessageKind::Reply
    };
    let m = NewMessage {
        author_id: Some(user.id),
        ticket_version: Some(t.version),
        at: now,
        ..NewMessage::new(t.id, kind, req.body.clone())
    };
    let m = write::add_message(db, m).await?;
    if !req.tags.is_empty() {
        write::set_tags(db, t.id, &req.tags).await?;
    }
    events::record(
        db,
        t.id,
        Some(user.id),
        EventKind::Created,
        None,
        Some(via.as_str().into()),
    )
    .await?;
    due::sync(db, t.id, true, now).await?;
    announce(change, user.id, &m).await?;
    change.touched(t.id, ChangeKind::Created, None);
    tracing::info!(ticket = t.id, user = user.id, "ticket created");
    // The creator may not see a ticket filed into a category they are not in; they still get
    // what they created, cut to their own role (never the admin view: a note a rule added,
    // admin-only values).
    let row = ticket::Entity::find_by_id(t.id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    queries::view(db, scope, row).await
}

/// The request checked (subject, body, what a customer may not set, the category) and the
/// requester found or made: (clean subject, requester id).
async fn checked(db: &impl ConnectionTrait, user: &CurrentUser, req: &CreateTicket) -> AppResult<(String, i64)> {
    let subject = validate_subject(&req.subject)?;
    validate_body(&req.body)?;
    if !user.is_staff() && (req.requester_email.is_some() || req.priority.is_some() || !req.tags.is_empty()) {
        return Err(AppError::forbidden(
            "customers cannot set requester_email, priority or tags",
        ));
    }
    if let Some(c) = req.category_id {
        entity::category::Entity::find_by_id(c)
            .one(db)
            .await?
            .ok_or_else(|| AppError::validation(format!("category_id: no category {c}")))?;
    }
    let requester_id = match req.requester_email.as_deref() {
        Some(email) => users::find_or_create_customer(db, email).await?.id,
        None => user.id,
    };
    Ok((subject, requester_id))
}

/// The mails and rules a new ticket causes, its first message `m` written by `author`.
async fn announce(change: &Change<'_>, author: i64, m: &message::Model) -> AppResult<()> {
    let ticket_id = m.ticket_id;
    let created = Event::Created {
        ticket_id,
        actor: author,
        by_email: false,
    };
    notify::notify(change, created).await?;
    if m.kind == MessageKind::Reply {
        // An agent opened it for a customer: the customer gets the agent's words by mail.
        let reply = Event::Reply {
            ticket_id,
            message_id: m.id,
            author,
        };
        notify::notify(change, reply).await?;
    }
    let trigger = Trigger::new([RuleEvent::TicketCreated]).with_message(m.id);
    rules::run(change, ticket_id, trigger).await?;
    Ok(())
}
