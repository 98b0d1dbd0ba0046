//! Choosing an agent of a category for a rule: round robin (whoever got one least recently)
//! or least loaded (fewest open and pending tickets). The round-robin pointers live in the
//! database, so the rotation is the same on every node and survives restarts.

use chrono::{DateTime, Duration, Utc};
use entity::{category_agent, round_robin_pointer, ticket, user};
use protocol::TicketStatus;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

use crate::error::AppResult;

/// The active staff members of `category_id`, by id.
pub async fn active_agents(db: &impl ConnectionTrait, category_id: i64) -> AppResult<Vec<i64>> {
    let ids: Vec<i64> = category_agent::Entity::find()
        .filter(category_agent::Column::CategoryId.eq(category_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.user_id)
        .collect();
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .filter(user::Column::IsActive.eq(true))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|u| u.role.is_staff())
        .map(|u| u.id)
        .collect())
}

/// The next agent in the rotation of `category_id`, recorded as having got one now.
pub async fn next(db: &impl ConnectionTrait, category_id: i64, now: DateTime<Utc>) -> AppResult<Option<i64>> {
    // Two nodes assigning in the same category at once must not both pick the same agent: the
    // second waits for the first's commit. (Key space: 7401 in the high half, the category low.)
    crate::backend::lock_keys(db, [(7401_i64 << 32) | (category_id & 0xffff_ffff)]).await?;
    let agents = active_agents(db, category_id).await?;
    let pointers = round_robin_pointer::Entity::find()
        .filter(round_robin_pointer::Column::CategoryId.eq(category_id))
        .all(db)
        .await?;
    let last = |agent: i64| pointers.iter().find(|p| p.user_id == agent).map(|p| p.last_assigned_at);
    // Never assigned sorts first (None < Some); ties go to the lower id.
    let Some(pick) = agents.iter().copied().min_by_key(|a| (last(*a), *a)) else {
        return Ok(None);
    };
    // Strictly after every earlier stamp, so two picks within one clock tick keep their order.
    let latest = pointers.iter().map(|p| p.last_assigned_at).max();
    let stamp = latest.map_or(now, |l| now.max(l + Duration::microseconds(1)));
    let row = round_robin_pointer::ActiveModel {
        category_id: Set(category_id),
        user_id: Set(pick),
        last_assigned_at: Set(stamp),
    };
    round_robin_pointer::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                round_robin_pointer::Column::CategoryId,
                round_robin_pointer::Column::UserId,
            ])
            .update_column(round_robin_pointer::Column::LastAssignedAt)
            .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(Some(pick))
}

/// The agent of `category_id` with the fewest open or pending tickets (ties: lower id).
pub async fn least_loaded(db: &impl ConnectionTrait, category_id: i64) -> AppResult<Option<i64>> {
    let mut best: Option<(u64, i64)> = None;
    for agent in active_agents(db, category_id).await? {
        let load = ticket::Entity::find()
            .filter(ticket::Column::AssigneeId.eq(agent))
            .filter(ticket::Column::Status.is_in([TicketStatus::Open, TicketStatus::Pending]))
            .count(db)
            .await?;
        if best.is_none_or(|(l, _)| load < l) {
            best = Some((load, agent));
        }
    }
    Ok(best.map(|(_, a)| a))
}
