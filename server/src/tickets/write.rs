//! Every row a ticket change writes, written once and used by every channel — the API, mail,
//! automation rules, merge and split: opening a ticket, adding a message, subscribing someone,
//! reading and replacing the tag set, moving the status. Callers decide *what* to write (who
//! may, which kind, which status, which audit line); these functions write it the same way
//! each time, so a new channel or action adds no copy of them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{message, subscriber, ticket, ticket_tag, user};
use protocol::{Channel, EventKind, MessageKind, Priority, TicketStatus};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::error::{AppError, AppResult};
use crate::tickets::events;

/// A ticket to open: it starts `open`, unassigned, at version 1.
pub struct NewTicket {
    pub subject: String,
    pub priority: Priority,
    pub category_id: Option<i64>,
    pub requester_id: i64,
    pub via: Channel,
    /// The ticket it follows up (a mail to a closed ticket) or was split from.
    pub parent: Option<i64>,
    /// The mailbox its mail came in through (answers go out from there).
    pub mailbox_id: Option<i64>,
    pub at: DateTime<Utc>,
}

pub async fn open(db: &impl ConnectionTrait, t: NewTicket) -> AppResult<ticket::Model> {
    Ok(ticket::ActiveModel {
        subject: Set(t.subject),
        status: Set(TicketStatus::Open),
        priority: Set(t.priority),
        category_id: Set(t.category_id),
        requester_id: Set(t.requester_id),
        assignee_id: Set(None),
        via: Set(t.via),
        created_at: Set(t.at),
        updated_at: Set(t.at),
        first_response_at: Set(None),
        resolved_at: Set(None),
        closed_at: Set(None),
        due_at: Set(None),
        version: Set(1),
        parent_ticket_id: Set(t.parent),
        mailbox_id: Set(t.mailbox_id),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A message to add: a customer's or an agent's words, an internal note, or a system line.
/// Start from [`NewMessage::new`] and set what the channel knows.
pub struct NewMessage {
    pub ticket_id: i64,
    pub kind: MessageKind,
    pub author_id: Option<i64>,
    pub body_text: String,
    pub body_html: Option<String>,
    /// The ticket version it was written against (system lines have none).
    pub ticket_version: Option<i64>,
    /// Of a mail: who sent it, its Message-ID, its journal entry, how it was threaded.
    pub from_email: Option<String>,
    pub email_message_id: Option<String>,
    pub inbound_id: Option<i64>,
    pub thread_rule: Option<String>,
    /// What screening found on an inbound mail (`protocol::MailChecks` as JSON).
    pub mail_checks: Option<String>,
    pub at: DateTime<Utc>,
}

impl NewMessage {
    /// A message with no author, HTML or mail headers, written now.
    pub fn new(ticket_id: i64, kind: MessageKind, body_text: String) -> Self {
        Self {
            ticket_id,
            kind,
            author_id: None,
            body_text,
            body_html: None,
            ticket_version: None,
            from_email: None,
            email_message_id: None,
            inbound_id: None,
            thread_rule: None,
            mail_checks: None,
            at: Utc::now(),
        }
    }
}

pub async fn add_message(db: &impl ConnectionTrait, m: NewMessage) -> AppResult<message::Model> {
    Ok(message::ActiveModel {
        ticket_id: Set(m.ticket_id),
        kind: Set(m.kind),
        author_id: Set(m.author_id),
        body_text: Set(m.body_text),
        body_html: Set(m.body_html),
        created_at: Set(m.at),
        ticket_version: Set(m.ticket_version),
        from_email: Set(m.from_email),
        email_message_id: Set(m.email_message_id),
        inbound_id: Set(m.inbound_id),
        thread_rule: Set(m.thread_rule),
        mail_checks: Set(m.mail_checks),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Subscribes `email` (normalized by the caller) unless it already is, linking the account with
/// that address if there is one, audited as `subscriber_added` by `actor`. `None`: it was.
pub async fn subscribe(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    email: &str,
    actor: Option<i64>,
) -> AppResult<Option<subscriber::Model>> {
    if is_subscribed(db, ticket_id, email).await? {
        return Ok(None);
    }
    let user_id = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await?
        .map(|u| u.id);
    let row = insert_subscriber(db, ticket_id, email, user_id).await?;
    events::record(
        db,
        ticket_id,
        actor,
        EventKind::SubscriberAdded,
        None,
        Some(email.to_owned()),
    )
    .await?;
    Ok(Some(row))
}

/// [`subscribe`] for someone already known (a merge moving the source's people): no audit line
/// of its own, the merge has one.
pub async fn move_subscriber(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    email: &str,
    user_id: Option<i64>,
) -> AppResult<()> {
    if !is_subscribed(db, ticket_id, email).await? {
        insert_subscriber(db, ticket_id, email, user_id).await?;
    }
    Ok(())
}

/// Removes `email` (lowercase) from the ticket's subscribers, audited as `subscriber_removed`
/// by `actor`; false when it was none (nothing is written then).
pub async fn unsubscribe(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    email: &str,
    actor: Option<i64>,
) -> AppResult<bool> {
    let removed = subscriber::Entity::delete_many()
        .filter(subscriber::Column::TicketId.eq(ticket_id))
        .filter(subscriber::Column::Email.eq(email))
        .exec(db)
        .await?
        .rows_affected
        > 0;
    if removed {
        events::record(
            db,
            ticket_id,
            actor,
            EventKind::SubscriberRemoved,
            Some(email.to_owned()),
            None,
        )
        .await?;
    }
    Ok(removed)
}

async fn is_subscribed(db: &impl ConnectionTrait, ticket_id: i64, email: &str) -> AppResult<bool> {
    Ok(subscriber::Entity::find()
        .filter(subscriber::Column::TicketId.eq(ticket_id))
        .filter(subscriber::Column::Email.eq(email))
        .one(db)
        .await?
        .is_some())
}

async fn insert_subscriber(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    email: &str,
    user_id: Option<i64>,
) -> AppResult<subscriber::Model> {
    Ok(subscriber::ActiveModel {
        ticket_id: Set(ticket_id),
        email: Set(email.to_owned()),
        user_id: Set(user_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The ticket's tags, by name.
pub async fn tags(db: &impl ConnectionTrait, ticket_id: i64) -> AppResult<Vec<String>> {
    Ok(tags_of(db, &[ticket_id]).await?.remove(&ticket_id).unwrap_or_default())
}

/// The tags of several tickets, each list by name; tickets without tags are absent.
pub async fn tags_of(db: &impl ConnectionTrait, ticket_ids: &[i64]) -> AppResult<HashMap<i64, Vec<String>>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    if ticket_ids.is_empty() {
        return Ok(out);
    }
    for t in ticket_tag::Entity::find()
        .filter(ticket_tag::Column::TicketId.is_in(ticket_ids.iter().copied()))
        .order_by_asc(ticket_tag::Column::Name)
        .all(db)
        .await?
    {
        out.entry(t.ticket_id).or_default().push(t.name);
    }
    Ok(out)
}

/// Replaces the tag set (trimmed, lowercase, deduplicated); returns (old, new), both sorted.
pub async fn set_tags(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    tags: &[String],
) -> AppResult<(Vec<String>, Vec<String>)> {
    let mut new: Vec<String> = tags
        .iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    new.sort();
    new.dedup();
    if let Some(bad) = new.iter().find(|t| t.chars().count() > 50 || t.contains(',')) {
        return Err(AppError::validation(format!(
            "tags: {bad:?} is too long or contains a comma"
        )));
    }
    let old = self::tags(db, ticket_id).await?;
    ticket_tag::Entity::delete_many()
        .filter(ticket_tag::Column::TicketId.eq(ticket_id))
        .exec(db)
        .await?;
    for name in &new {
        ticket_tag::ActiveModel {
            ticket_id: Set(ticket_id),
            name: Set(name.clone()),
        }
        .insert(db)
        .await?;
    }
    Ok((old, new))
}

/// [`set_tags`], audited as a `tags` line by `actor` when the set changed.
pub async fn retag(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    tags: &[String],
    actor: Option<i64>,
) -> AppResult<(Vec<String>, Vec<String>)> {
    let (old, new) = set_tags(db, ticket_id, tags).await?;
    if old != new {
        let (before, after) = (Some(old.join(",")), Some(new.join(",")));
        events::record(db, ticket_id, actor, EventKind::Tags, before, after).await?;
    }
    Ok((old, new))
}

/// Adds (`add`) or removes one tag, audited like [`retag`]; false when it was already so.
pub async fn toggle_tag(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    tag: &str,
    add: bool,
    actor: Option<i64>,
) -> AppResult<bool> {
    let tag = tag.trim().to_lowercase();
    let mut tags = self::tags(db, ticket_id).await?;
    if tags.contains(&tag) == add {
        return Ok(false);
    }
    if add {
        tags.push(tag);
    } else {
        tags.retain(|t| *t != tag);
    }
    retag(db, ticket_id, &tags, actor).await?;
    Ok(true)
}

/// Moves the status on the caller's row (stamping resolved/closed times, clearing them on
/// reopening) and audits it; the caller saves the row.
pub async fn apply_status(
    db: &impl ConnectionTrait,
    active: &mut ticket::ActiveModel,
    current: TicketStatus,
    next: TicketStatus,
    actor: Option<i64>,
) -> AppResult<()> {
    let id = id_of(active)?;
    let now = Utc::now();
    active.status = Set(next);
    match next {
        TicketStatus::Resolved => active.resolved_at = Set(Some(now)),
        TicketStatus::Closed => active.closed_at = Set(Some(now)),
        TicketStatus::Open | TicketStatus::Pending => {
            active.resolved_at = Set(None);
            active.closed_at = Set(None);
        }
    }
    events::record(
        db,
        id,
        actor,
        EventKind::Status,
        Some(current.as_str().into()),
        Some(next.as_str().into()),
    )
    .await
}

/// Moves the assignment on the caller's row (`next`: an agent the caller checked, or nobody) and
/// audits it; the caller saves the row.
pub async fn apply_assignee(
    db: &impl ConnectionTrait,
    active: &mut ticket::ActiveModel,
    current: Option<i64>,
    next: Option<i64>,
    actor: Option<i64>,
) -> AppResult<()> {
    let id = id_of(active)?;
    active.assignee_id = Set(next);
    let text = |v: Option<i64>| v.map(|v| v.to_string());
    events::record(db, id, actor, EventKind::Assignee, text(current), text(next)).await
}

/// The ticket id of a row loaded from the database.
fn id_of(active: &ticket::ActiveModel) -> AppResult<i64> {
    match &active.id {
        sea_orm::ActiveValue::Set(v) | sea_orm::ActiveValue::Unchanged(v) => Ok(*v),
        sea_orm::ActiveValue::NotSet => Err(AppError::Internal(anyhow::anyhow!("ticket id not loaded"))),
    }
}
