//! Five tickets with known times over one week (Monday 2026-11-02 to Sunday 2026-11-08, UTC),
//! figures worked out by hand.

use super::*;
use crate::reports::period::Period;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn week() -> Period {
    Period::new(
        "2026-11-02".parse().unwrap(),
        "2026-11-08".parse().unwrap(),
        chrono_tz::Tz::UTC,
    )
    .unwrap()
}

fn ticket(created: &str) -> TicketFacts {
    TicketFacts {
        category_id: None,
        assignee_id: None,
        company_id: None,
        created_at: at(created),
        first_response_at: None,
        done_at: None,
        sla: None,
        rating: None,
        reopened_at: vec![],
    }
}

fn five() -> Vec<TicketFacts> {
    vec![
        // Answered in 10 min, resolved in 4 h, both SLA targets met, rated good on Tuesday.
        TicketFacts {
            category_id: Some(1),
            assignee_id: Some(10),
            company_id: Some(100),
            first_response_at: Some(at("2026-11-02T09:10:00Z")),
            done_at: Some(at("2026-11-02T13:00:00Z")),
            sla: Some(SlaTargets {
                first_response_due_at: Some(at("2026-11-02T09:30:00Z")),
                resolution_due_at: Some(at("2026-11-03T09:00:00Z")),
            }),
            rating: Some((Rating::Good, at("2026-11-03T10:00:00Z"))),
            ..ticket("2026-11-02T09:00:00Z")
        },
        // Answered in 30 min (15 min late), resolved in a day; rated bad on Thursday.
        TicketFacts {
            category_id: Some(1),
            assignee_id: Some(11),
            first_response_at: Some(at("2026-11-03T10:30:00Z")),
            done_at: Some(at("2026-11-04T10:00:00Z")),
            sla: Some(SlaTargets {
                first_response_due_at: Some(at("2026-11-03T10:15:00Z")),
                resolution_due_at: None,
            }),
            rating: Some((Rating::Bad, at("2026-11-05T08:00:00Z"))),
            ..ticket("2026-11-03T10:00:00Z")
        },
        // Still open, never answered.
        TicketFacts {
            company_id: Some(100),
            ..ticket("2026-11-04T08:00:00Z")
        },
        // Created before the range, reopened inside it (and once before), resolved after 4 days.
        TicketFacts {
            category_id: Some(2),
            assignee_id: Some(10),
            company_id: Some(100),
            first_response_at: Some(at("2026-10-30T13:00:00Z")),
            done_at: Some(at("2026-11-03T12:00:00Z")),
            reopened_at: vec![at("2026-10-31T08:00:00Z"), at("2026-11-02T08:00:00Z")],
            ..ticket("2026-10-30T12:00:00Z")
        },
        // Created in the last hour of the range, answered after it, rated after it.
        TicketFacts {
            category_id: Some(2),
            assignee_id: Some(11),
            first_response_at: Some(at("2026-11-09T00:30:00Z")),
            rating: Some((Rating::Ok, at("2026-11-09T09:00:00Z"))),
            ..ticket("2026-11-08T23:00:00Z")
        },
    ]
}

#[test]
fn totals_match_the_hand_computed_figures() {
    let (_, t) = report_rows(&week(), ReportGroupBy::Day, &five(), &HashMap::new());
    assert_eq!((t.key.as_str(), t.label.as_str()), ("total", "Total"));
    assert_eq!(t.created, 4);
    // 600, 1800, 5400 s: rank ceil(1.5) = 2, rank ceil(2.7) = 3.
    assert_eq!(t.first_response_median_secs, Some(1800));
    assert_eq!(t.first_response_p90_secs, Some(5400));
    assert_eq!(t.resolved, 3);
    // 4 h, 1 day, 4 days.
    assert_eq!(t.resolution_median_secs, Some(86_400));
    assert_eq!(t.resolution_p90_secs, Some(345_600));
    assert_eq!(t.reopened, 1);
    assert_eq!(t.reopen_rate, Some(1.0 / 3.0));
    assert_eq!((t.sla_met, t.sla_breached, t.sla_compliance), (1, 1, Some(0.5)));
    assert_eq!((t.csat_good, t.csat_ok, t.csat_bad, t.csat_score), (1, 0, 1, Some(0.5)));
}

#[test]
fn by_day_counts_each_happening_on_its_own_day() {
    let (rows, _) = report_rows(&week(), ReportGroupBy::Day, &five(), &HashMap::new());
    let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys.len(), 7, "every day of the range, empty ones too: {keys:?}");
    let fig = |r: &ReportRow| (r.created, r.resolved, r.reopened, r.csat_good + r.csat_ok + r.csat_bad);
    let figures: Vec<_> = rows.iter().map(fig).collect();
    assert_eq!(
        figures,
        [
            (1, 1, 1, 0),
            (1, 1, 0, 1),
            (1, 1, 0, 0),
            (0, 0, 0, 1),
            (0, 0, 0, 0),
            (0, 0, 0, 0),
            (1, 0, 0, 0)
        ]
    );
    assert_eq!(rows[0].label, "2026-11-02");
    assert_eq!(rows[2].resolution_median_secs, Some(86_400));
    assert_eq!(rows[4].first_response_median_secs, None);
}

#[test]
fn by_week_has_one_row_for_the_whole_week() {
    let (rows, totals) = report_rows(&week(), ReportGroupBy::Week, &five(), &HashMap::new());
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].key.as_str(), rows[0].label.as_str()),
        ("2026-11-02", "2026-W45")
    );
    assert_eq!(
        ReportRow {
            key: "total".into(),
            label: "Total".into(),
            ..rows[0].clone()
        },
        totals
    );
}

#[test]
fn by_category_sorts_by_name_with_none_last() {
    let names = HashMap::from([(1, "Billing".to_owned()), (2, "Access".to_owned())]);
    let (rows, _) = report_rows(&week(), ReportGroupBy::Category, &five(), &names);
    let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["Access", "Billing", "No category"]);
    let (access, billing, none) = (&rows[0], &rows[1], &rows[2]);
    assert_eq!(
        (access.key.as_str(), access.created, access.resolved, access.reopened),
        ("2", 1, 1, 1)
    );
    assert_eq!(access.reopen_rate, Some(1.0));
    assert_eq!(access.first_response_median_secs, Some(5400));
    assert_eq!((billing.created, billing.resolved), (2, 2));
    assert_eq!(
        (billing.first_response_median_secs, billing.first_response_p90_secs),
        (Some(600), Some(1800))
    );
    assert_eq!(billing.sla_compliance, Some(0.5));
    assert_eq!((none.key.as_str(), none.created, none.resolved), ("none", 1, 0));
}

#[test]
fn by_agent_and_company_name_the_missing_group() {
    let (rows, _) = report_rows(&week(), ReportGroupBy::Agent, &five(), &HashMap::new());
    let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["#10", "#11", "Unassigned"]);
    let (rows, _) = report_rows(
        &week(),
        ReportGroupBy::Company,
        &five(),
        &HashMap::from([(100, "Acme".into())]),
    );
    let figures: Vec<(&str, u64)> = rows.iter().map(|r| (r.label.as_str(), r.created)).collect();
    assert_eq!(figures, [("Acme", 2), ("No company", 2)]);
}

#[test]
fn sla_targets_count_the_resolution_when_nobody_answered() {
    let due = SlaTargets {
        first_response_due_at: Some(at("2026-11-02T10:00:00Z")),
        resolution_due_at: Some(at("2026-11-02T12:00:00Z")),
    };
    assert!(
        due.met(None, at("2026-11-02T10:00:00Z")),
        "done by the first-response due time"
    );
    assert!(
        !due.met(None, at("2026-11-02T11:00:00Z")),
        "neither answered nor done in time"
    );
    assert!(due.met(Some(at("2026-11-02T09:00:00Z")), at("2026-11-02T12:00:00Z")));
    assert!(!due.met(Some(at("2026-11-02T09:00:00Z")), at("2026-11-02T12:00:01Z")));
    assert!(
        SlaTargets::default().met(None, at("2030-01-01T00:00:00Z")),
        "no targets, nothing to miss"
    );
}
