//! Reading what a report needs: the tickets with anything inside the range, their reopenings,
//! and the names of the groups. Two queries plus one for names, whatever the range; the
//! arithmetic happens in [`super::tally`], the same on PostgreSQL and SQLite.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{category, company, ticket, ticket_event, user};
use protocol::{EventKind, Rating, ReportGroupBy, TicketStatus};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QuerySelect,
    RelationTrait,
};

use super::period::Period;
use super::tally::{SlaTargets, TicketFacts};
use crate::error::AppResult;

#[derive(Debug, FromQueryResult)]
struct Row {
    id: i64,
    category_id: Option<i64>,
    assignee_id: Option<i64>,
    company_id: Option<i64>,
    created_at: DateTime<Utc>,
    first_response_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    rating: Option<String>,
    rated_at: Option<DateTime<Utc>>,
    sla_policy_id: Option<i64>,
    first_response_due_at: Option<DateTime<Utc>>,
    resolution_due_at: Option<DateTime<Utc>>,
}

/// A reopening is a status change from done back to active, as `apply_status` records it.
fn reopenings(period: &Period) -> Condition {
    let done = [TicketStatus::Resolved.as_str(), TicketStatus::Closed.as_str()];
    let active = [TicketStatus::Open.as_str(), TicketStatus::Pending.as_str()];
    Condition::all()
        .add(ticket_event::Column::Field.eq(EventKind::Status.to_string()))
        .add(ticket_event::Column::OldValue.is_in(done))
        .add(ticket_event::Column::NewValue.is_in(active))
        .add(ticket_event::Column::CreatedAt.gte(period.start))
        .add(ticket_event::Column::CreatedAt.lt(period.end))
}

fn within(col: ticket::Column, period: &Period) -> Condition {
    Condition::all().add(col.gte(period.start)).add(col.lt(period.end))
}

pub async fn tickets(db: &impl ConnectionTrait, period: &Period) -> AppResult<Vec<TicketFacts>> {
    let reopened: Vec<(i64, DateTime<Utc>)> = ticket_event::Entity::find()
        .select_only()
        .columns([ticket_event::Column::TicketId, ticket_event::Column::CreatedAt])
        .filter(reopenings(period))
        .into_tuple()
        .all(db)
        .await?;
    let mut reopened_at: HashMap<i64, Vec<DateTime<Utc>>> = HashMap::new();
    for (id, at) in reopened {
        reopened_at.entry(id).or_default().push(at);
    }
    let reopened_ids = Query::select()
        .column(ticket_event::Column::TicketId)
        .from(ticket_event::Entity)
        .cond_where(reopenings(period))
        .to_owned();
    let rows = ticket::Entity::find()
        .select_only()
        .columns([
            ticket::Column::Id,
            ticket::Column::CategoryId,
            ticket::Column::AssigneeId,
            ticket::Column::CreatedAt,
            ticket::Column::FirstResponseAt,
            ticket::Column::ResolvedAt,
            ticket::Column::ClosedAt,
            ticket::Column::Rating,
            ticket::Column::RatedAt,
            ticket::Column::SlaPolicyId,
            ticket::Column::FirstResponseDueAt,
            ticket::Column::ResolutionDueAt,
        ])
        .column_as(Expr::col((user::Entity, user::Column::CompanyId)), "company_id")
        .join(JoinType::InnerJoin, ticket::Relation::Requester.def())
        .filter(
            Condition::any()
                .add(within(ticket::Column::CreatedAt, period))
                .add(within(ticket::Column::ResolvedAt, period))
                .add(within(ticket::Column::ClosedAt, period))
                .add(within(ticket::Column::RatedAt, period))
                .add(ticket::Column::Id.in_subquery(reopened_ids)),
        )
        .into_model::<Row>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| TicketFacts {
            category_id: r.category_id,
            assignee_id: r.assignee_id,
            company_id: r.company_id,
            created_at: r.created_at,
            first_response_at: r.first_response_at,
            done_at: r.resolved_at.or(r.closed_at),
            sla: r.sla_policy_id.map(|_| SlaTargets {
                first_response_due_at: r.first_response_due_at,
                resolution_due_at: r.resolution_due_at,
            }),
            rating: r.rating.as_deref().and_then(Rating::parse).zip(r.rated_at),
            reopened_at: reopened_at.remove(&r.id).unwrap_or_default(),
        })
        .collect())
}

/// Names of the groups' ids for a grouping by category, agent or company.
pub async fn names(
    db: &impl ConnectionTrait,
    group_by: ReportGroupBy,
    tickets: &[TicketFacts],
) -> AppResult<HashMap<i64, String>> {
    Ok(match group_by {
        ReportGroupBy::Day | ReportGroupBy::Week => HashMap::new(),
        ReportGroupBy::Category => category::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect(),
        ReportGroupBy::Company => company::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect(),
        ReportGroupBy::Agent => {
            let ids: HashSet<i64> = tickets.iter().filter_map(|t| t.assignee_id).collect();
            user::Entity::find()
                .filter(user::Column::Id.is_in(ids))
                .all(db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect()
        }
    })
}
