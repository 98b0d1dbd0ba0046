//! Changing a ticket's fields (staff only), taking it, and its subscribers; every change is
//! audited.

use chrono::Utc;
use entity::{ticket, user};
use protocol::live::ChangeKind;
use protocol::{EventKind, RuleEvent, TicketDetail, TicketStatus, UpdateTicket};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};

use crate::auth::CurrentUser;
use crate::change::Change;
use crate::directory::users::normalize_email;
use crate::error::{AppError, AppResult};
use crate::mail::outbound::notify::{self, Event};
use crate::rules::{self, Trigger};
use crate::sla::due;
use crate::tickets::access::Scope;
use crate::tickets::write::{self, apply_status};
use crate::tickets::{events, mapping, queries, version};

pub async fn update(
    change: &Change<'_>,
    scope: &Scope,
    user: &CurrentUser,
    ticket_id: i64,
    req: &UpdateTicket,
) -> AppResult<TicketDetail> {
    let db = change.db();
    change.touched(ticket_id, ChangeKind::Updated, None);
    user.require_staff()?;
    scope.find_ticket(db, ticket_id).await?;
    check_references(db, req).await?;
    version::claim(db, ticket_id, req.version, user.is_staff()).await?;
    let t = ticket::Entity::find_by_id(ticket_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let actor = Some(user.id);
    if req.due_at.is_some_and(|d| d != t.due_at) && t.sla_policy_id.is_some() {
        return Err(AppError::validation(
            "due_at: this ticket's due time comes from its SLA policy; change its priority or category instead",
        ));
    }
    let mut active = t.clone().into_active_model();
    let mut mails = Vec::new();
    // A new priority or category may fall under another SLA policy.
    let mut rechoose = false;
    let mut rule_events = Vec::new();
    if let Some(next) = req.status {
        let current = t.status;
        if next != current {
            rule_events.push(RuleEvent::StatusChanged);
            apply_status(db, &mut active, current, next, actor).await?;
            if next == TicketStatus::Closed {
                mails.push(Event::Closed { ticket_id, actor });
            }
        }
    }
    if let Some(p) = req.priority.filter(|p| *p != t.priority) {
        events::record(
            db,
            ticket_id,
            actor,
            EventKind::Priority,
            Some(t.priority.as_str().into()),
            Some(p.as_str().into()),
        )
        .await?;
        active.priority = Set(p);
        rechoose = true;
    }
    if let Some(c) = req.category_id.filter(|c| *c != t.category_id) {
        events::record(db, ticket_id, actor, EventKind::Category, opt(t.category_id), opt(c)).await?;
        active.category_id = Set(c);
        rechoose = true;
    }
    if let Some(a) = req.assignee_id.filter(|a| *a != t.assignee_id) {
        write::apply_assignee(db, &mut active, t.assignee_id, a, actor).await?;
        rule_events.push(RuleEvent::AssignmentChanged);
        if let Some(assignee) = a {
            mails.push(Event::Assigned {
                ticket_id,
                assignee,
                actor,
            });
        }
    }
    if let Some(d) = req.due_at.filter(|d| *d != t.due_at) {
        let fmt = |d: Option<chrono::DateTime<Utc>>| d.map(|d| d.to_rfc3339());
        events::record(db, ticket_id, actor, EventKind::DueAt, fmt(t.due_at), fmt(d)).await?;
        active.due_at = Set(d);
    }
    active.update(db).await?;
    due::sync(db, ticket_id, rechoose, Utc::now()).await?;
    if let Some(tags) = &req.tags {
        write::retag(db, ticket_id, tags, actor).await?;
    }
    for event in mails {
        notify::notify(change, event).await?;
    }
    rules::run(change, ticket_id, Trigger::new(rule_events)).await?;
    queries::detail(db, scope, ticket_id).await
}

/// The category and the agent the request names exist (and the agent is active staff).
async fn check_references(db: &impl ConnectionTrait, req: &UpdateTicket) -> AppResult<()> {
    if let Some(Some(c)) = req.category_id {
        entity::category::Entity::find_by_id(c)
            .one(db)
            .await?
            .ok_or_else(|| AppError::validation(format!("category_id: no category {c}")))?;
    }
    if let Some(Some(a)) = req.assignee_id {
        let staff = user::Entity::find_by_id(a)
            .one(db)
            .await?
            .filter(|u| u.is_active && u.role.is_staff());
        if staff.is_none() {
            return Err(AppError::validation(format!("assignee_id: {a} is not an active agent")));
        }
    }
    Ok(())
}

/// Takes the ticket for the caller. Of several agents taking at once exactly one wins: the
/// UPDATE only matches while the ticket is free, and the database serialises the writers.
pub async fn take(
    change: &Change<'_>,
    scope: &Scope,
    user: &CurrentUser,
    ticket_id: i64,
    seen_version: Option<i64>,
) -> AppResult<TicketDetail> {
    let db = change.db();
    change.touched(ticket_id, ChangeKind::Taken, None);
    user.require_staff()?;
    let before = scope.find_ticket(db, ticket_id).await?;
    let mut update = ticket::Entity::update_many()
        .col_expr(ticket::Column::AssigneeId, Expr::value(user.id))
        .col_expr(ticket::Column::Version, Expr::col(ticket::Column::Version).add(1))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(ticket::Column::Id.eq(ticket_id))
        .filter(
            Condition::any()
                .add(ticket::Column::AssigneeId.is_null())
                .add(ticket::Column::AssigneeId.eq(user.id)),
        );
    if let Some(v) = seen_version {
        update = update.filter(ticket::Column::Version.eq(v));
    }
    if update.exec(db).await?.rows_affected == 0 {
        let t = ticket::Entity::find_by_id(ticket_id)
            .one(db)
            .await?
            .ok_or(AppError::NotFound("ticket"))?;
        return Err(match t.assignee_id {
            Some(holder) if holder != user.id => {
                let name = user::Entity::find_by_id(holder).one(db).await?.map(|u| u.name);
                let message = format!(
                    "{} has already taken this ticket",
                    name.unwrap_or_else(|| "another agent".into())
                );
                // The ticket as it is now, so the agent sees who holds it without a reload.
                match mapping::tickets(db, vec![t]).await?.pop() {
                    Some(current) => AppError::TicketConflict {
                        message,
                        current: Box::new(current),
                    },
                    None => AppError::Conflict(message),
                }
            }
            _ => version::conflict(db, ticket_id, seen_version.unwrap_or_default(), true).await,
        });
    }
    events::record(
        db,
        ticket_id,
        Some(user.id),
        EventKind::Taken,
        None,
        Some(user.id.to_string()),
    )
    .await?;
    notify::notify(
        change,
        Event::Taken {
            ticket_id,
            actor: user.id,
        },
    )
    .await?;
    if before.assignee_id != Some(user.id) {
        rules::run(change, ticket_id, Trigger::new([RuleEvent::AssignmentChanged])).await?;
    }
    queries::detail(db, scope, ticket_id).await
}

/// A subscriber edit by staff: the address as typed (added) or as listed (removed).
pub enum SubscriberEdit<'a> {
    Add(&'a str),
    Remove(&'a str),
}

/// Add or remove a CC subscriber (staff, on a ticket the caller sees); the ticket is published
/// once the change commits.
pub async fn edit_subscribers(
    change: &Change<'_>,
    scope: &Scope,
    user: &CurrentUser,
    ticket_id: i64,
    edit: SubscriberEdit<'_>,
) -> AppResult<TicketDetail> {
    let db = change.db();
    change.touched(ticket_id, ChangeKind::Updated, None);
    user.require_staff()?;
    scope.find_ticket(db, ticket_id).await?;
    match edit {
        SubscriberEdit::Add(raw) => {
            let email = normalize_email(raw)?;
            write::subscribe(db, ticket_id, &email, Some(user.id)).await?;
        }
        SubscriberEdit::Remove(raw) => {
            let email = raw.trim().to_lowercase();
            if !write::unsubscribe(db, ticket_id, &email, Some(user.id)).await? {
                return Err(AppError::NotFound("subscriber"));
            }
        }
    }
    queries::detail(db, scope, ticket_id).await
}

fn opt(v: Option<i64>) -> Option<String> {
    v.map(|v| v.to_string())
}
