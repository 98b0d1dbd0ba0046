//! The due-time rules on plain values: targets, pauses, policy changes and the overdue flag.

use chrono::TimeZone;
use protocol::{WeekHours, WorkInterval};

use super::*;

fn utc(s: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
}

fn day(start: &str, end: &str) -> Vec<WorkInterval> {
    vec![WorkInterval {
        start: start.into(),
        end: end.into(),
    }]
}

/// A UTC calendar open `start`–`end` on weekdays, and on weekends too when `weekends`.
fn week(start: &str, end: &str, weekends: bool) -> Calendar {
    let d = || day(start, end);
    let weekend = || if weekends { d() } else { Vec::new() };
    let hours = WeekHours {
        mon: d(),
        tue: d(),
        wed: d(),
        thu: d(),
        fri: d(),
        sat: weekend(),
        sun: weekend(),
    };
    Calendar::parse("UTC", &hours, &[]).unwrap()
}

fn always() -> Calendar {
    week("00:00", "24:00", true)
}

fn office() -> Calendar {
    week("09:00", "17:00", false)
}

fn sla(id: i64, first: Option<i64>, resolution: Option<i64>, calendar: Calendar) -> Sla {
    Sla {
        policy_id: id,
        first_response_minutes: first,
        resolution_minutes: resolution,
        calendar,
    }
}

fn fresh() -> State {
    State {
        policy_id: None,
        first_response_due_at: None,
        resolution_due_at: None,
        paused_at: None,
        paused_secs: 0,
        due_at: None,
        overdue: false,
        overdue_alerted_at: None,
    }
}

fn facts(status: TicketStatus, created: &str) -> Facts {
    Facts {
        status,
        created_at: utc(created),
        first_response_at: None,
    }
}

const CREATED: &str = "2026-11-30 10:00"; // a Monday

/// The state after the ticket turns `status` at `when` (same policy, not re-chosen).
fn at(s: &State, status: TicketStatus, policy: &Sla, when: &str) -> State {
    reconcile(s, &facts(status, CREATED), Some(policy), false, utc(when))
}

fn created(policy: &Sla) -> State {
    reconcile(
        &fresh(),
        &facts(TicketStatus::Open, CREATED),
        Some(policy),
        true,
        utc(CREATED),
    )
}

#[test]
fn creation_sets_both_targets_and_the_earlier_is_due() {
    let p = sla(1, Some(60), Some(8 * 60), office());
    let s = created(&p);
    assert_eq!(s.policy_id, Some(1));
    assert_eq!(s.first_response_due_at, Some(utc("2026-11-30 11:00")));
    assert_eq!(s.resolution_due_at, Some(utc("2026-12-01 10:00")));
    assert_eq!(s.due_at, s.first_response_due_at);
    assert_eq!(s.paused_at, None);
}

#[test]
fn the_first_reply_leaves_the_resolution_due() {
    let p = sla(1, Some(60), Some(8 * 60), office());
    let s = created(&p);
    let mut f = facts(TicketStatus::Open, CREATED);
    f.first_response_at = Some(utc("2026-11-30 10:30"));
    let s = reconcile(&s, &f, Some(&p), false, utc("2026-11-30 10:30"));
    assert_eq!(s.due_at, Some(utc("2026-12-01 10:00")));
}

#[test]
fn a_pending_pause_pushes_due_times_out_by_the_paused_business_time() {
    let p = sla(1, Some(60), Some(8 * 60), office());
    let s = created(&p);
    // Pending from Monday 10:15 to Tuesday 11:00: 6h45 Monday + 2h Tuesday of business time.
    let s = at(&s, TicketStatus::Pending, &p, "2026-11-30 10:15");
    assert_eq!(s.paused_at, Some(utc("2026-11-30 10:15")));
    assert_eq!(s.due_at, None, "no due time while the clock stands still");
    let s = at(&s, TicketStatus::Open, &p, "2026-12-01 11:00");
    assert_eq!(s.paused_at, None);
    assert_eq!(s.paused_secs, (6 * 60 + 45 + 2 * 60) * 60);
    // First response: 45 business minutes were left at the pause → Tuesday 11:45.
    assert_eq!(s.first_response_due_at, Some(utc("2026-12-01 11:45")));
    // Resolution: Tuesday 10:00 + 8h45 of business time → Wednesday 10:45.
    assert_eq!(s.resolution_due_at, Some(utc("2026-12-02 10:45")));
    assert_eq!(s.due_at, Some(utc("2026-12-01 11:45")));
}

#[test]
fn a_pause_outside_business_hours_pushes_nothing() {
    let p = sla(1, Some(60), None, office());
    let s = created(&p);
    let s = at(&s, TicketStatus::Pending, &p, "2026-11-30 18:00");
    let s = at(&s, TicketStatus::Open, &p, "2026-12-01 08:00");
    assert_eq!(s.first_response_due_at, Some(utc("2026-11-30 11:00")));
    assert_eq!(s.paused_secs, 0);
}

#[test]
fn rechoosing_counts_from_creation_and_keeps_the_pauses() {
    let normal = sla(1, Some(60), Some(8 * 60), office());
    let urgent = sla(2, Some(15), Some(2 * 60), office());
    let s = created(&normal);
    let s = at(&s, TicketStatus::Pending, &normal, "2026-11-30 10:05");
    let s = at(&s, TicketStatus::Open, &normal, "2026-11-30 10:35");
    assert_eq!(s.paused_secs, 30 * 60);
    // Priority raised: 15 minutes from 10:00, plus the 30 paused.
    let s = reconcile(
        &s,
        &facts(TicketStatus::Open, CREATED),
        Some(&urgent),
        true,
        utc("2026-11-30 10:40"),
    );
    assert_eq!(s.policy_id, Some(2));
    assert_eq!(s.first_response_due_at, Some(utc("2026-11-30 10:45")));
    assert_eq!(s.resolution_due_at, Some(utc("2026-11-30 12:30")));
    assert_eq!(s.due_at, Some(utc("2026-11-30 10:45")));
}

#[test]
fn pushing_and_recomputing_agree() {
    let p = sla(1, Some(90), Some(600), office());
    let mut s = created(&p);
    for (pause, resume) in [
        ("2026-11-30 10:07", "2026-11-30 15:51"),
        ("2026-12-01 16:59", "2026-12-03 09:13"),
    ] {
        s = reconcile(&s, &facts(TicketStatus::Pending, CREATED), Some(&p), false, utc(pause));
        s = reconcile(&s, &facts(TicketStatus::Open, CREATED), Some(&p), false, utc(resume));
    }
    let again = reconcile(
        &s,
        &facts(TicketStatus::Open, CREATED),
        Some(&p),
        true,
        utc("2026-12-03 10:00"),
    );
    assert_eq!(again.first_response_due_at, s.first_response_due_at);
    assert_eq!(again.resolution_due_at, s.resolution_due_at);
}

#[test]
fn no_matching_policy_any_more_leaves_the_sla() {
    let p = sla(1, Some(60), None, always());
    let s = created(&p);
    let s = reconcile(
        &s,
        &facts(TicketStatus::Open, CREATED),
        None,
        true,
        utc("2026-11-30 10:10"),
    );
    assert_eq!(s, fresh());
}

#[test]
fn resolving_stops_the_clock_and_reopening_resumes_it() {
    let p = sla(1, None, Some(60), always());
    let s = created(&p);
    let s = at(&s, TicketStatus::Resolved, &p, "2026-11-30 10:20");
    assert_eq!((s.due_at, s.paused_at), (None, Some(utc("2026-11-30 10:20"))));
    let s = at(&s, TicketStatus::Open, &p, "2026-11-30 12:20");
    assert_eq!(s.due_at, Some(utc("2026-11-30 13:00")));
}

#[test]
fn a_due_time_moved_into_the_future_clears_the_flag_and_the_alert() {
    let p = sla(1, Some(60), Some(600), always());
    let mut s = created(&p);
    s.overdue = true;
    s.overdue_alerted_at = Some(utc("2026-11-30 11:01"));
    // Past due still: flags stay.
    let still = at(&s, TicketStatus::Open, &p, "2026-11-30 11:30");
    assert!(still.overdue && still.overdue_alerted_at.is_some());
    // The first reply leaves the resolution due at 20:00, in the future.
    let mut f = facts(TicketStatus::Open, CREATED);
    f.first_response_at = Some(utc("2026-11-30 11:30"));
    let cleared = reconcile(&s, &f, Some(&p), false, utc("2026-11-30 11:30"));
    assert_eq!((cleared.overdue, cleared.overdue_alerted_at), (false, None));
}

#[test]
fn a_paused_ticket_stays_overdue_and_a_done_one_is_not() {
    let p = sla(1, Some(60), None, always());
    let mut s = created(&p);
    s.overdue = true;
    s.overdue_alerted_at = Some(utc("2026-11-30 11:01"));
    let pending = at(&s, TicketStatus::Pending, &p, "2026-11-30 12:00");
    assert!(pending.overdue);
    let resolved = at(&s, TicketStatus::Resolved, &p, "2026-11-30 12:00");
    assert!(!resolved.overdue);
    // The alert stamp stays: reopening onto the same breach does not alert twice.
    assert!(resolved.overdue_alerted_at.is_some());
}

#[test]
fn without_a_policy_the_due_date_is_the_agents() {
    let mut s = fresh();
    s.due_at = Some(utc("2026-11-30 09:00"));
    s.overdue = true;
    s.overdue_alerted_at = Some(utc("2026-11-30 09:01"));
    let f = facts(TicketStatus::Pending, CREATED);
    let kept = reconcile(&s, &f, None, false, utc("2026-11-30 10:00"));
    assert_eq!(kept, s, "no policy: pending does not pause, the flag stands");
    s.due_at = Some(utc("2026-12-01 09:00"));
    let moved = reconcile(&s, &f, None, false, utc("2026-11-30 10:00"));
    assert_eq!(
        (moved.due_at, moved.overdue, moved.overdue_alerted_at),
        (s.due_at, false, None)
    );
}
