//! The JSON a webhook receiver gets: which rule fired on which event, and the ticket as it is
//! after the rule's earlier actions. Public facts only — no message bodies, so an internal
//! note can never leave through a webhook.

use chrono::{DateTime, Utc};
use entity::{ticket, user};
use protocol::{Priority, RuleEvent, TicketStatus};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::rules::model::CompiledRule;

#[derive(Debug, Serialize)]
struct Payload<'a> {
    event: &'static str,
    occurred_at: DateTime<Utc>,
    rule: RuleRef<'a>,
    ticket: TicketRef,
}

#[derive(Debug, Serialize)]
struct RuleRef<'a> {
    id: i64,
    name: &'a str,
}

#[derive(Debug, Serialize)]
struct TicketRef {
    id: i64,
    subject: String,
    /// Serialised as the stored text (`open`, `high`), like the REST API.
    status: TicketStatus,
    priority: Priority,
    category_id: Option<i64>,
    assignee_id: Option<i64>,
    requester_email: Option<String>,
    tags: Vec<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    due_at: Option<DateTime<Utc>>,
}

pub async fn build(
    db: &impl ConnectionTrait,
    rule: &CompiledRule,
    event: RuleEvent,
    ticket_id: i64,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let t = ticket::Entity::find_by_id(ticket_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let requester = user::Entity::find_by_id(t.requester_id).one(db).await?;
    let tags = crate::tickets::write::tags(db, ticket_id).await?;
    let body = Payload {
        event: event.as_str(),
        occurred_at: now,
        rule: RuleRef {
            id: rule.id,
            name: &rule.name,
        },
        ticket: TicketRef {
            id: t.id,
            subject: t.subject,
            status: t.status,
            priority: t.priority,
            category_id: t.category_id,
            assignee_id: t.assignee_id,
            requester_email: requester.map(|u| u.email),
            tags,
            created_at: t.created_at,
            updated_at: t.updated_at,
            due_at: t.due_at,
        },
    };
    serde_json::to_string(&body).map_err(|e| AppError::Internal(e.into()))
}
