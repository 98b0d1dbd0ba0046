//! The time-based event `ticket_idle`: every `sla.check_interval_secs` each node looks for
//! tickets (not closed) that nobody updated for a rule's `idle_hours`, and runs that rule on
//! them. A rule fires once per quiet period: the period is named by the ticket's `updated_at`
//! when it began, and firing inserts (rule, ticket, that instant) into `rule_timer_fires`
//! under a unique key — the claim. Of several nodes checking at once, one inserts and runs the
//! rule; the others hit the key and pass. The claim, the rule's actions and their mail or
//! webhook rows commit together, or not at all.
//!
//! A ticket whose conditions do not match is not claimed, so it is looked at again at the next
//! check (a `business_hours` condition may hold by then). Whatever moves the ticket's
//! `updated_at` — a message, a field change, also one made by a rule — begins a new quiet
//! period, which fires again once it is `idle_hours` long; a closed ticket is never idle.
//!
//! `due_passed` needs no timer of its own: the overdue checker raises it when it claims a
//! breach (see `sla::scheduler`), so it is exactly once per breach as well.

use chrono::{DateTime, Utc};
use entity::{rule_timer_fire, ticket};
use protocol::live::ChangeKind;
use protocol::{RuleEvent, TicketStatus};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::change::Change;
use crate::context::AppContext;
use crate::error::AppResult;
use crate::rules::engine::{Trigger, ordered, run};
use crate::rules::model::CompiledRule;

/// Tickets looked at per query.
const PAGE: u64 = 100;

/// One check against the instant `now` (a parameter, so tests need not wait for real time).
/// Returns the (rule, ticket) pairs that fired.
pub async fn run_once(ctx: &AppContext, now: DateTime<Utc>) -> AppResult<Vec<(i64, i64)>> {
    let rules: Vec<CompiledRule> = ordered(ctx.db(), true)
        .await?
        .iter()
        .filter(|r| r.event == RuleEvent::TicketIdle.as_str())
        .map(CompiledRule::from_row)
        .collect::<AppResult<_>>()?;
    let mut fired = Vec::new();
    for rule in &rules {
        let Some(hours) = rule.idle_hours else { continue };
        let quiet_since = now - chrono::Duration::hours(i64::from(hours));
        let mut after: Option<(DateTime<Utc>, i64)> = None;
        loop {
            let page = idle_page(ctx, quiet_since, after).await?;
            let Some(last) = page.last() else { break };
            after = Some((last.1, last.0));
            let done = already_fired(ctx, rule.id, &page).await?;
            for (ticket_id, anchor) in page {
                if done.contains(&(ticket_id, anchor)) {
                    continue;
                }
                if fire(ctx, rule, ticket_id, anchor, now).await? {
                    fired.push((rule.id, ticket_id));
                }
            }
        }
    }
    if !fired.is_empty() {
        tracing::info!(?fired, "idle-ticket rules fired");
    }
    Ok(fired)
}

/// Not-closed tickets last updated at or before `quiet_since`, after the keyset cursor.
async fn idle_page(
    ctx: &AppContext,
    quiet_since: DateTime<Utc>,
    after: Option<(DateTime<Utc>, i64)>,
) -> AppResult<Vec<(i64, DateTime<Utc>)>> {
    let mut q = ticket::Entity::find()
        .select_only()
        .columns([ticket::Column::Id, ticket::Column::UpdatedAt])
        .filter(ticket::Column::Status.ne(TicketStatus::Closed))
        .filter(ticket::Column::UpdatedAt.lte(quiet_since));
    if let Some((at, id)) = after {
        q = q.filter(
            Condition::any().add(ticket::Column::UpdatedAt.gt(at)).add(
                Condition::all()
                    .add(ticket::Column::UpdatedAt.eq(at))
                    .add(ticket::Column::Id.gt(id)),
            ),
        );
    }
    Ok(q.order_by_asc(ticket::Column::UpdatedAt)
        .order_by_asc(ticket::Column::Id)
        .limit(PAGE)
        .into_tuple()
        .all(ctx.db())
        .await?)
}

async fn already_fired(
    ctx: &AppContext,
    rule_id: i64,
    page: &[(i64, DateTime<Utc>)],
) -> AppResult<Vec<(i64, DateTime<Utc>)>> {
    Ok(rule_timer_fire::Entity::find()
        .select_only()
        .columns([rule_timer_fire::Column::TicketId, rule_timer_fire::Column::AnchorAt])
        .filter(rule_timer_fire::Column::RuleId.eq(rule_id))
        .filter(rule_timer_fire::Column::TicketId.is_in(page.iter().map(|p| p.0)))
        .into_tuple()
        .all(ctx.db())
        .await?)
}

/// Claims the quiet period and runs the rule; false when another node had it, the ticket
/// changed meanwhile, or the rule's conditions do not match (then nothing is kept).
async fn fire(
    ctx: &AppContext,
    rule: &CompiledRule,
    ticket_id: i64,
    anchor: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let change = Change::open(ctx, None).await?;
    let txn = change.db();
    let still_quiet = ticket::Entity::find_by_id(ticket_id)
        .one(txn)
        .await?
        .is_some_and(|t| t.updated_at == anchor && t.status != TicketStatus::Closed);
    if !still_quiet {
        return Ok(false);
    }
    let claim = rule_timer_fire::ActiveModel {
        rule_id: Set(rule.id),
        ticket_id: Set(ticket_id),
        anchor_at: Set(anchor),
        fired_at: Set(now),
        ..Default::default()
    };
    let inserted = rule_timer_fire::Entity::insert(claim)
        .on_conflict(
            OnConflict::columns([
                rule_timer_fire::Column::RuleId,
                rule_timer_fire::Column::TicketId,
                rule_timer_fire::Column::AnchorAt,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec(txn)
        .await;
    match inserted {
        Ok(_) => {}
        Err(DbErr::RecordNotInserted) => return Ok(false),
        Err(e) => return Err(e.into()),
    }
    let trigger = Trigger::new([RuleEvent::TicketIdle]).only(rule.id).at(now);
    if run(&change, ticket_id, trigger).await? == 0 {
        // Rolled back with the transaction: the ticket is looked at again next time.
        return Ok(false);
    }
    change.touched(ticket_id, ChangeKind::Updated, None);
    change.commit().await?;
    Ok(true)
}
