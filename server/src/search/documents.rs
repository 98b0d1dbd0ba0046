//! The documents the index holds, and loading them from the database in batches (a few
//! queries per batch, never per ticket).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{company, kb_article, message, ticket, user};
use protocol::{KbVisibility, MessageKind};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::AppResult;

/// Text beyond this per field is left out of the index (a pasted log file must not make one
/// ticket cost megabytes); the start of a conversation says what it is about.
pub const FIELD_TEXT_LIMIT: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct TicketDoc {
    pub id: i64,
    pub subject: String,
    /// Customer messages and agent replies: what the customer can see.
    pub messages: String,
    /// Internal notes: searched for staff only.
    pub notes: String,
    /// Requester, company and assignee names and addresses.
    pub people: String,
    pub status: String,
    pub priority: String,
    pub tags: Vec<String>,
    pub category_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub requester_id: i64,
    /// The requester's company (customers may see their company's tickets).
    pub company_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArticleDoc {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub category_id: Option<i64>,
    pub visibility: KbVisibility,
    pub updated_at: DateTime<Utc>,
}

/// Appends `text` unless the field is full, cutting on a character boundary.
fn push_capped(field: &mut String, text: &str) {
    if field.len() >= FIELD_TEXT_LIMIT {
        return;
    }
    if !field.is_empty() {
        field.push_str("\n\n");
    }
    let room = FIELD_TEXT_LIMIT.saturating_sub(field.len());
    let mut end = text.len().min(room);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    field.push_str(&text[..end]);
}

/// The documents of these tickets (missing ids are skipped).
pub async fn load_tickets(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<Vec<TicketDoc>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let tickets = ticket::Entity::find()
        .filter(ticket::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?;
    let messages = message::Entity::find()
        .filter(message::Column::TicketId.is_in(ids.to_vec()))
        .filter(message::Column::Kind.ne(MessageKind::System))
        .order_by_asc(message::Column::Id)
        .all(db)
        .await?;
    let mut tags_of = crate::tickets::write::tags_of(db, ids).await?;
    let (users, companies) = people_of(db, &tickets).await?;

    let mut texts: HashMap<i64, (String, String)> = HashMap::new();
    for m in &messages {
        let (public, notes) = texts.entry(m.ticket_id).or_default();
        if m.kind == MessageKind::Note {
            push_capped(notes, &m.body_text);
        } else {
            push_capped(public, &m.body_text);
        }
    }

    Ok(tickets
        .into_iter()
        .map(|t| {
            let requester = users.get(&t.requester_id);
            let company_id = requester.and_then(|u| u.company_id);
            let mut people = Vec::new();
            if let Some(u) = requester {
                people.extend([u.name.clone(), u.email.clone()]);
            }
            if let Some(name) = company_id.and_then(|c| companies.get(&c)) {
                people.push(name.clone());
            }
            if let Some(a) = t.assignee_id.and_then(|a| users.get(&a)) {
                people.extend([a.name.clone(), a.email.clone()]);
            }
            let (messages, notes) = texts.remove(&t.id).unwrap_or_default();
            TicketDoc {
                id: t.id,
                subject: t.subject,
                messages,
                notes,
                people: people.join(" "),
                // The index holds the stored text (`open`, `high`), which filters match.
                status: t.status.as_str().into(),
                priority: t.priority.as_str().into(),
                tags: tags_of.remove(&t.id).unwrap_or_default(),
                category_id: t.category_id,
                assignee_id: t.assignee_id,
                requester_id: t.requester_id,
                company_id,
                created_at: t.created_at,
                updated_at: t.updated_at,
            }
        })
        .collect())
}

/// The users the tickets name (requesters and assignees) by id, and their companies' names by id.
async fn people_of(
    db: &impl ConnectionTrait,
    tickets: &[ticket::Model],
) -> AppResult<(HashMap<i64, user::Model>, HashMap<i64, String>)> {
    let mut user_ids: Vec<i64> = tickets
        .iter()
        .flat_map(|t| std::iter::once(t.requester_id).chain(t.assignee_id))
        .collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let users: HashMap<i64, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let company_ids: Vec<i64> = users.values().filter_map(|u| u.company_id).collect();
    let companies: HashMap<i64, String> = if company_ids.is_empty() {
        HashMap::new()
    } else {
        company::Entity::find()
            .filter(company::Column::Id.is_in(company_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect()
    };
    Ok((users, companies))
}

pub fn article_doc(a: kb_article::Model) -> ArticleDoc {
    ArticleDoc {
        id: a.id,
        title: a.title,
        body: a.body_text,
        tags: a.tags.split(',').filter(|t| !t.is_empty()).map(String::from).collect(),
        category_id: a.category_id,
        visibility: KbVisibility::parse(&a.visibility).unwrap_or(KbVisibility::Agents),
        updated_at: a.updated_at,
    }
}

pub async fn load_articles(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<Vec<ArticleDoc>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(kb_article::Entity::find()
        .filter(kb_article::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(article_doc)
        .collect())
}

/// Ids of tickets changed at or after `since`, oldest change first, `limit` at a time after
/// `after_id` (a keyset page: stable while tickets keep changing).
pub async fn tickets_changed_since(
    db: &impl ConnectionTrait,
    since: Option<DateTime<Utc>>,
    after_id: i64,
    limit: u64,
) -> AppResult<Vec<i64>> {
    let mut q = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Id)
        .filter(ticket::Column::Id.gt(after_id))
        .order_by_asc(ticket::Column::Id)
        .limit(limit);
    if let Some(since) = since {
        q = q.filter(ticket::Column::UpdatedAt.gte(since));
    }
    Ok(q.into_tuple::<i64>().all(db).await?)
}

pub async fn count_tickets_changed_since(db: &impl ConnectionTrait, since: Option<DateTime<Utc>>) -> AppResult<u64> {
    let mut q = ticket::Entity::find();
    if let Some(since) = since {
        q = q.filter(ticket::Column::UpdatedAt.gte(since));
    }
    Ok(q.count(db).await?)
}

pub async fn articles_changed_since(db: &impl ConnectionTrait, since: Option<DateTime<Utc>>) -> AppResult<Vec<i64>> {
    let mut q = kb_article::Entity::find()
        .select_only()
        .column(kb_article::Column::Id)
        .order_by_asc(kb_article::Column::Id);
    if let Some(since) = since {
        q = q.filter(kb_article::Column::UpdatedAt.gte(since));
    }
    Ok(q.into_tuple::<i64>().all(db).await?)
}

pub async fn all_article_ids(db: &impl ConnectionTrait) -> AppResult<Vec<i64>> {
    articles_changed_since(db, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_capped_on_a_char_boundary() {
        let mut field = String::new();
        push_capped(&mut field, &"é".repeat(FIELD_TEXT_LIMIT));
        assert!(field.len() <= FIELD_TEXT_LIMIT);
        assert!(field.len() >= FIELD_TEXT_LIMIT - 1);
        let before = field.clone();
        push_capped(&mut field, "more");
        assert_eq!(field, before, "a full field takes nothing more");
    }
}
