//! Database rows → wire types, loading related rows in batches (never one query per row).

use std::collections::{HashMap, HashSet};

use entity::{attachment, message, ticket, user};
use protocol::{Attachment, Message, Ticket, UserRef};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::directory::users::to_ref;
use crate::error::AppResult;

/// The user rows with these ids (none asked: no query).
pub async fn user_rows(db: &impl ConnectionTrait, ids: HashSet<i64>) -> AppResult<Vec<user::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(user::Entity::find().filter(user::Column::Id.is_in(ids)).all(db).await?)
}

pub async fn users_by_id(db: &impl ConnectionTrait, ids: HashSet<i64>) -> AppResult<HashMap<i64, UserRef>> {
    Ok(user_rows(db, ids).await?.iter().map(|u| (u.id, to_ref(u))).collect())
}

fn unknown_user(id: i64) -> UserRef {
    UserRef {
        id,
        name: "(deleted user)".into(),
        email: String::new(),
    }
}

/// The people a ticket names: its requester and its assignee.
pub fn people_of(t: &ticket::Model) -> impl Iterator<Item = i64> {
    [Some(t.requester_id), t.assignee_id].into_iter().flatten()
}

pub async fn tickets(db: &impl ConnectionTrait, rows: Vec<ticket::Model>) -> AppResult<Vec<Ticket>> {
    let users = users_by_id(db, rows.iter().flat_map(people_of).collect()).await?;
    tickets_with(db, rows, &users).await
}

/// [`tickets`] with their people already read (`users` by id).
pub async fn tickets_with(
    db: &impl ConnectionTrait,
    rows: Vec<ticket::Model>,
    users: &HashMap<i64, UserRef>,
) -> AppResult<Vec<Ticket>> {
    let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
    let now = chrono::Utc::now();
    let mut tags = crate::tickets::write::tags_of(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|t| Ticket {
            overdue: crate::sla::overdue::of(&t, now),
            id: t.id,
            number: t.id,
            status: t.status,
            priority: t.priority,
            category_id: t.category_id,
            requester: users
                .get(&t.requester_id)
                .cloned()
                .unwrap_or_else(|| unknown_user(t.requester_id)),
            assignee: t
                .assignee_id
                .map(|a| users.get(&a).cloned().unwrap_or_else(|| unknown_user(a))),
            via: t.via,
            tags: tags.remove(&t.id).unwrap_or_default(),
            subject: t.subject,
            created_at: t.created_at,
            updated_at: t.updated_at,
            first_response_at: t.first_response_at,
            resolved_at: t.resolved_at,
            closed_at: t.closed_at,
            due_at: t.due_at,
            version: t.version,
            rating: t.rating,
            rating_comment: t.rating_comment,
            time_spent_minutes: i64::from(t.time_spent_minutes),
            sla_policy_id: t.sla_policy_id,
            first_response_due_at: t.first_response_due_at,
            resolution_due_at: t.resolution_due_at,
            sla_paused_at: t.sla_paused_at,
        })
        .collect())
}

pub fn attachment(a: attachment::Model) -> Attachment {
    Attachment {
        url: format!("{}/attachments/{}", protocol::API_BASE, a.id),
        id: a.id,
        filename: a.filename,
        content_type: a.content_type,
        size: a.size,
        sha256: a.sha256,
        inline: a.inline,
        content_id: a.content_id,
    }
}

/// Points `cid:` images of a mail at the message's own attachments (the stored HTML keeps
/// `cid:` so it stays valid whatever the download URL becomes).
fn inline_images(html: String, attachments: &[Attachment]) -> String {
    if !html.contains("cid:") {
        return html;
    }
    let map: HashMap<String, String> = attachments
        .iter()
        .filter_map(|a| {
            let id = a.content_id.as_deref()?.trim_start_matches('<').trim_end_matches('>');
            Some((id.to_owned(), a.url.clone()))
        })
        .collect();
    if map.is_empty() {
        return html;
    }
    mail_parse::rewrite_cid(&html, &map)
}

pub async fn messages(
    db: &impl ConnectionTrait,
    rows: Vec<message::Model>,
    attachments: Vec<attachment::Model>,
) -> AppResult<Vec<Message>> {
    let users = users_by_id(db, rows.iter().filter_map(|m| m.author_id).collect()).await?;
    Ok(messages_with(rows, attachments, &users))
}

/// [`messages`] with their authors already read (`users` by id).
pub fn messages_with(
    rows: Vec<message::Model>,
    attachments: Vec<attachment::Model>,
    users: &HashMap<i64, UserRef>,
) -> Vec<Message> {
    let mut by_message: HashMap<i64, Vec<Attachment>> = HashMap::new();
    for a in attachments {
        if let Some(mid) = a.message_id {
            by_message.entry(mid).or_default().push(attachment(a));
        }
    }
    rows.into_iter()
        .map(|m| {
            let attachments = by_message.remove(&m.id).unwrap_or_default();
            Message {
                id: m.id,
                ticket_id: m.ticket_id,
                kind: m.kind,
                author: m.author_id.and_then(|a| users.get(&a).cloned()),
                body_text: m.body_text,
                body_html: m.body_html.map(|h| inline_images(h, &attachments)),
                created_at: m.created_at,
                attachments,
                thread_rule: m.thread_rule,
                checks: m.mail_checks.as_deref().and_then(|c| serde_json::from_str(c).ok()),
            }
        })
        .collect()
}
