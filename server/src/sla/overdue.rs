//! What "overdue" means, in one place for the ticket DTO, the queue filter and the dashboard:
//! flagged by the overdue checker, or open/pending with a due time that has passed (the
//! checker's flag may lag by one check interval; readers must not).

use chrono::{DateTime, Utc};
use entity::ticket;
use protocol::TicketStatus;
use sea_orm::{ColumnTrait, Condition};

/// The statuses in which a due time counts.
pub const ACTIVE: [TicketStatus; 2] = [TicketStatus::Open, TicketStatus::Pending];

pub fn is_active(status: TicketStatus) -> bool {
    ACTIVE.contains(&status)
}

pub fn is_overdue(flagged: bool, status: TicketStatus, due_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    flagged || (is_active(status) && due_at.is_some_and(|d| d <= now))
}

pub fn of(t: &ticket::Model, now: DateTime<Utc>) -> bool {
    is_overdue(t.overdue, t.status, t.due_at, now)
}

/// The same as a query condition.
pub fn condition(now: DateTime<Utc>) -> Condition {
    Condition::any().add(ticket::Column::Overdue.eq(true)).add(
        Condition::all()
            .add(ticket::Column::Status.is_in(ACTIVE))
            // Spelled out so that `NOT (…)` holds for tickets without a due time (no NULL).
            .add(ticket::Column::DueAt.is_not_null())
            .add(ticket::Column::DueAt.lte(now)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_statuses_match_the_enum() {
        assert_eq!(ACTIVE.map(TicketStatus::as_str), ["open", "pending"]);
    }

    #[test]
    fn flagged_or_past_due_while_active() {
        let now = Utc::now();
        let past = Some(now - chrono::Duration::minutes(1));
        let future = Some(now + chrono::Duration::minutes(1));
        assert!(is_overdue(true, TicketStatus::Resolved, None, now));
        assert!(is_overdue(false, TicketStatus::Open, past, now));
        assert!(is_overdue(false, TicketStatus::Pending, past, now));
        assert!(!is_overdue(false, TicketStatus::Resolved, past, now));
        assert!(!is_overdue(false, TicketStatus::Open, future, now));
        assert!(!is_overdue(false, TicketStatus::Open, None, now));
    }
}
