//! Due times on tickets. [`sync`] brings a ticket's SLA state in line with its status and
//! fields; every path that creates a ticket or changes its status, priority, category, due
//! date or first response calls it in the same transaction. The rules live in the pure
//! [`reconcile`]:
//!
//! - the policy is chosen on creation and whenever priority or category change; targets are
//!   counted from creation in business time, pushed out by all business time paused so far;
//! - the clock runs only while the ticket is open: entering any other status (pending —
//!   waiting on the customer —, resolved, closed) records the pause; reopening pushes the due
//!   times out by the business time spent paused;
//! - `due_at` is the earlier of the targets still outstanding (first response until the first
//!   agent reply, resolution until resolved), none while paused; without a policy it is
//!   whatever an agent set;
//! - a due time moving into the future clears the overdue flag and the alert stamp (a later
//!   breach alerts again); a done ticket is not overdue.

use chrono::{DateTime, Duration, Utc};
use entity::ticket;
use protocol::{EventKind, TicketStatus};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};

use crate::error::{AppError, AppResult};
use crate::memo::Memo;
use crate::sla::business_time::{add, between};
use crate::sla::calendar::Calendar;
use crate::sla::policies;
use crate::tickets::events;

/// A policy's targets with the calendar they count in.
#[derive(Debug, Clone)]
pub struct Sla {
    pub policy_id: i64,
    pub first_response_minutes: Option<i64>,
    pub resolution_minutes: Option<i64>,
    pub calendar: Calendar,
}

/// The SLA columns of a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub policy_id: Option<i64>,
    pub first_response_due_at: Option<DateTime<Utc>>,
    pub resolution_due_at: Option<DateTime<Utc>>,
    pub paused_at: Option<DateTime<Utc>>,
    pub paused_secs: i64,
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    pub overdue_alerted_at: Option<DateTime<Utc>>,
}

impl State {
    pub fn of(t: &ticket::Model) -> Self {
        Self {
            policy_id: t.sla_policy_id,
            first_response_due_at: t.first_response_due_at,
            resolution_due_at: t.resolution_due_at,
            paused_at: t.sla_paused_at,
            paused_secs: t.sla_paused_secs,
            due_at: t.due_at,
            overdue: t.overdue,
            overdue_alerted_at: t.overdue_alerted_at,
        }
    }

    fn write(&self, a: &mut ticket::ActiveModel) {
        a.sla_policy_id = Set(self.policy_id);
        a.first_response_due_at = Set(self.first_response_due_at);
        a.resolution_due_at = Set(self.resolution_due_at);
        a.sla_paused_at = Set(self.paused_at);
        a.sla_paused_secs = Set(self.paused_secs);
        a.due_at = Set(self.due_at);
        a.overdue = Set(self.overdue);
        a.overdue_alerted_at = Set(self.overdue_alerted_at);
    }
}

/// What the rules read of the ticket besides its SLA columns.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub status: TicketStatus,
    pub created_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
}

impl Facts {
    pub fn of(t: &ticket::Model) -> Self {
        Self {
            status: t.status,
            created_at: t.created_at,
            first_response_at: t.first_response_at,
        }
    }
}

/// The next state. `sla` is the ticket's policy — the one just chosen when `rechosen`, else
/// its current one (`None`: no policy, or it was deleted meanwhile).
pub fn reconcile(state: &State, facts: &Facts, sla: Option<&Sla>, rechosen: bool, now: DateTime<Utc>) -> State {
    let mut s = state.clone();
    match sla {
        None if rechosen && state.policy_id.is_some() => {
            // No policy matches any more: the ticket leaves the SLA.
            s.policy_id = None;
            s.first_response_due_at = None;
            s.resolution_due_at = None;
            s.paused_at = None;
            s.paused_secs = 0;
            s.due_at = None;
        }
        None => {}
        Some(sla) => run_clock(&mut s, facts, sla, rechosen, now),
    }
    let active = matches!(facts.status, TicketStatus::Open | TicketStatus::Pending);
    match s.due_at {
        _ if !active => s.overdue = false,
        Some(due) if due > now => {
            s.overdue = false;
            s.overdue_alerted_at = None;
        }
        Some(_) => {}
        // Nothing outstanding; while paused, a breach before the pause still stands.
        None if s.paused_at.is_none() => s.overdue = false,
        None => {}
    }
    s
}

fn run_clock(s: &mut State, facts: &Facts, sla: &Sla, rechosen: bool, now: DateTime<Utc>) {
    let cal = &sla.calendar;
    if rechosen || s.policy_id != Some(sla.policy_id) {
        s.policy_id = Some(sla.policy_id);
        let target = |minutes: Option<i64>| {
            minutes.and_then(|m| {
                add(
                    cal,
                    facts.created_at,
                    Duration::minutes(m) + Duration::seconds(s.paused_secs),
                )
            })
        };
        s.first_response_due_at = target(sla.first_response_minutes);
        s.resolution_due_at = target(sla.resolution_minutes);
    }
    let running = facts.status == TicketStatus::Open;
    match (running, s.paused_at) {
        (false, None) => s.paused_at = Some(now),
        (true, Some(since)) => {
            // Whole seconds, so pushing now and recomputing from creation later agree.
            let paused = Duration::seconds(between(cal, since, now).num_seconds());
            s.paused_secs = s.paused_secs.saturating_add(paused.num_seconds());
            s.first_response_due_at = s.first_response_due_at.and_then(|d| add(cal, d, paused));
            s.resolution_due_at = s.resolution_due_at.and_then(|d| add(cal, d, paused));
            s.paused_at = None;
        }
        _ => {}
    }
    s.due_at = if running {
        let first = s.first_response_due_at.filter(|_| facts.first_response_at.is_none());
        [first, s.resolution_due_at].into_iter().flatten().min()
    } else {
        None
    };
}

/// Brings ticket `ticket_id`'s SLA state up to date; `rechoose` picks its policy afresh (on
/// creation, and when priority or category changed).
pub async fn sync(db: &impl ConnectionTrait, ticket_id: i64, rechoose: bool, now: DateTime<Utc>) -> AppResult<()> {
    let t = ticket::Entity::find_by_id(ticket_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    // A one-off: nothing read here serves a later step.
    sync_row(db, &Memo::default(), t, rechoose, now).await?;
    Ok(())
}

/// [`sync`] for a ticket row the caller has just written (a new ticket): no second read.
/// Returns the row as it now stands.
pub async fn sync_row(
    db: &impl ConnectionTrait,
    memo: &Memo,
    t: ticket::Model,
    rechoose: bool,
    now: DateTime<Utc>,
) -> AppResult<ticket::Model> {
    let ticket_id = t.id;
    let sla = match (rechoose, t.sla_policy_id) {
        (true, _) => policies::for_ticket(db, memo, &t).await?,
        (false, Some(id)) => policies::load(db, id).await?,
        (false, None) => None,
    };
    let before = State::of(&t);
    let after = reconcile(&before, &Facts::of(&t), sla.as_ref(), rechoose, now);
    if after == before {
        return Ok(t);
    }
    let mut row = t.into_active_model();
    after.write(&mut row);
    let saved = row.update(db).await?;
    if after.policy_id != before.policy_id {
        let id = |p: Option<i64>| p.map(|p| p.to_string());
        events::record(
            db,
            ticket_id,
            None,
            EventKind::SlaPolicy,
            id(before.policy_id),
            id(after.policy_id),
        )
        .await?;
    }
    tracing::debug!(ticket = ticket_id, due_at = ?after.due_at, paused = after.paused_at.is_some(), "SLA state updated");
    Ok(saved)
}

#[cfg(test)]
mod tests;
