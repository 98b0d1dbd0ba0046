//! The overdue checker: every `sla.check_interval_secs` each node looks for tickets whose due
//! time passed, flags them and queues the overdue alert — exactly once per breach, however
//! many nodes check at the same moment. A ticket is claimed by a conditional UPDATE that
//! stamps `overdue_alerted_at` only while it is empty (on PostgreSQL the row is picked with
//! `FOR UPDATE SKIP LOCKED`, so a second node passes over it instead of waiting); the alert
//! is queued in the same transaction, so a crash leaves neither or both. A batch whose alert
//! cannot be queued rolls back whole and is tried again at the next check.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::ticket;
use protocol::live::ChangeKind;
use protocol::{EventKind, RuleEvent};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter};

use crate::change::Change;
use crate::context::AppContext;
use crate::error::AppResult;
use crate::mail::outbound::notify::{self, Event};
use crate::rules::{self, Trigger};
use crate::sla::overdue::ACTIVE;
use crate::tickets::events;

/// What one check did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Newly overdue: flagged and alerted.
    pub alerted: Vec<i64>,
    /// Overdue again after a pause or reopening, for a breach already alerted: flagged only.
    pub flagged: Vec<i64>,
}

/// Tickets claimed per transaction.
const BATCH: u64 = 20;

/// One check against the instant `now` (a parameter, so tests need not wait for real time).
pub async fn run_once(ctx: &AppContext, now: DateTime<Utc>) -> AppResult<Checked> {
    let mut checked = Checked::default();
    loop {
        let batch = alert_batch(ctx, now).await?;
        if batch.is_empty() {
            break;
        }
        checked.alerted.extend(batch);
    }
    let change = Change::open(ctx, None).await?;
    checked.flagged = flag_alerted(change.db(), now).await?;
    for id in &checked.flagged {
        change.touched(*id, ChangeKind::Updated, None);
    }
    change.commit().await?;
    if !checked.alerted.is_empty() || !checked.flagged.is_empty() {
        tracing::info!(alerted = ?checked.alerted, flagged = ?checked.flagged, "overdue tickets");
    }
    Ok(checked)
}

/// Claims the most overdue unalerted tickets, flags them, records and queues their alerts.
async fn alert_batch(ctx: &AppContext, now: DateTime<Utc>) -> AppResult<Vec<i64>> {
    let change = Change::open(ctx, None).await?;
    let txn = change.db();
    // SQLite ignores the row lock: it has one writer at a time, and serves one node.
    let candidate = Query::select()
        .column(ticket::Column::Id)
        .from(ticket::Entity)
        .and_where(ticket::Column::DueAt.lte(now))
        .and_where(ticket::Column::Status.is_in(ACTIVE))
        .and_where(ticket::Column::OverdueAlertedAt.is_null())
        .order_by(ticket::Column::DueAt, Order::Asc)
        .order_by(ticket::Column::Id, Order::Asc)
        .limit(BATCH)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    // No version bump: a flag set by the clock is nothing an agent's draft could conflict
    // with; `updated_at` moves so that reconnecting live clients catch up on it.
    let claimed = ticket::Entity::update_many()
        .col_expr(ticket::Column::Overdue, Expr::value(true))
        .col_expr(ticket::Column::OverdueAlertedAt, Expr::value(now))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(ticket::Column::Id.in_subquery(candidate))
        // Re-checked on the locked row: another node may have stamped it since our snapshot.
        .filter(ticket::Column::OverdueAlertedAt.is_null())
        .exec_with_returning(txn)
        .await?;
    // Every row the UPDATE returns is ours now and must be alerted: PostgreSQL may run an
    // `IN (… LIMIT n)` subquery more than once and so claim more than `n` rows.
    let mut ids = Vec::with_capacity(claimed.len());
    for t in claimed {
        let due = t.due_at.map(|d| d.to_rfc3339());
        events::record(txn, t.id, None, EventKind::Overdue, None, due).await?;
        notify::notify(&change, Event::Overdue { ticket_id: t.id }).await?;
        // The time-based rule event, once per breach like the alert: same claim, same commit.
        rules::run(&change, t.id, Trigger::new([RuleEvent::DuePassed]).at(now)).await?;
        change.touched(t.id, ChangeKind::Updated, None);
        ids.push(t.id);
    }
    change.commit().await?;
    ids.sort_unstable();
    Ok(ids)
}

/// Flags tickets past due again whose breach was alerted before (overdue, then resolved and
/// reopened onto the same due time): no second alert.
async fn flag_alerted(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<Vec<i64>> {
    let rows = ticket::Entity::update_many()
        .col_expr(ticket::Column::Overdue, Expr::value(true))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(ticket::Column::Overdue.eq(false))
        .filter(ticket::Column::OverdueAlertedAt.is_not_null())
        .filter(ticket::Column::DueAt.lte(now))
        .filter(ticket::Column::Status.is_in(ACTIVE))
        .exec_with_returning(db)
        .await?;
    Ok(rows.into_iter().map(|t| t.id).collect())
}

/// The background checker of this node: overdue tickets, then idle tickets for the
/// time-based rules (the same clock drives both).
pub async fn run(ctx: AppContext) {
    let every = Duration::from_secs(ctx.settings().sla.check_interval_secs.max(1));
    loop {
        if let Err(e) = run_once(&ctx, Utc::now()).await {
            tracing::warn!(error = %e, "overdue check failed; retrying at the next interval");
        }
        if let Err(e) = rules::timers::run_once(&ctx, Utc::now()).await {
            tracing::warn!(error = %e, "idle-ticket rule check failed; retrying at the next interval");
        }
        tokio::time::sleep(every).await;
    }
}
