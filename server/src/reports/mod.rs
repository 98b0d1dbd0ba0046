//! Reports: ticket figures over a range of local days, grouped by day, ISO week, category,
//! agent or company, as JSON for the dashboard and as CSV. Loading ([`load`]) is separate from
//! the arithmetic ([`tally`], [`metrics`]) so the definitions below are tested without a
//! database and hold the same on PostgreSQL and SQLite.
//!
//! # Definitions
//!
//! The range is `[from 00:00, to + 1 day 00:00)` in the report's time zone. Every figure is
//! counted in the group of the moment it happened (for day and week groupings) or of the
//! ticket as it is now (its category, its assignee — none: "Unassigned" —, its requester's
//! company). Durations are wall-clock seconds, not business time.
//!
//! - **created**: tickets whose `created_at` is in the range.
//! - **resolved**: tickets whose *done time* is in the range; the done time is `resolved_at`,
//!   or `closed_at` for a ticket closed without being resolved first. A reopened ticket has
//!   neither until it is done again, so it counts once, at its latest resolution.
//! - **first-response time**: `first_response_at − created_at` of the tickets *created* in the
//!   range that have a first response; counted with the creation.
//! - **resolution time**: done time `− created_at` of the tickets *resolved* in the range.
//! - **median / p90**: nearest rank — sort the n values ascending, take the value at 1-based
//!   rank `ceil(p · n)` (p = 0.5, 0.9); the median of an even count is the lower middle value.
//!   This is PostgreSQL's `percentile_disc`. No values: none.
//! - **reopened**: status changes in the ticket history (`ticket_events`, field `status`) from
//!   `resolved`/`closed` to `open`/`pending` made in the range — each reopening counts; every
//!   path that changes a status (agent, inbound mail, rules) records one. **Reopen rate** =
//!   reopened / resolved (none when nothing was resolved).
//! - **SLA met / breached**: among the tickets resolved in the range that have an SLA policy
//!   (`sla_policy_id`), *met* when the first response — or, without one, the done time — came
//!   by `first_response_due_at` and the done time by `resolution_due_at` (a target the policy
//!   does not set is met); otherwise *breached*. The due times are the ones the ticket carries
//!   (pushed out by the time it waited on the customer). **Compliance** = met / (met +
//!   breached).
//! - **CSAT**: ratings (`good`, `ok`, `bad`) whose `rated_at` is in the range; **score** =
//!   good / all three.
//! - **totals** are computed over all tickets of the range, the same way, not summed from rows.

pub mod csv;
pub mod dimension;
pub mod load;
pub mod metrics;
pub mod period;
pub mod tally;

use protocol::Report;
use sea_orm::ConnectionTrait;

use crate::error::AppResult;
pub use period::RawQuery;

/// The report a query asks for; a bad query is a validation error naming the field.
pub async fn build(db: &impl ConnectionTrait, raw: &RawQuery) -> AppResult<Report> {
    let (query, period) = period::parse(raw)?;
    let tickets = load::tickets(db, &period).await?;
    let names = load::names(db, query.group_by, &tickets).await?;
    let (rows, totals) = tally::report_rows(&period, query.group_by, &tickets, &names);
    tracing::debug!(
        group_by = query.group_by.as_str(),
        tickets = tickets.len(),
        rows = rows.len(),
        "report built"
    );
    Ok(Report { query, rows, totals })
}
