//! Reports end to end: every grouping of a generated data set (a few hundred tickets over six
//! weeks) checked figure by figure against plain SQL on PostgreSQL, a hand-computed week on
//! both backends, the CSV export against the JSON, a reopening made through the API, and who
//! may read reports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use maildesk_tests::client::{expect_error, ok_json};
use maildesk_tests::reports::{
    Lcg, Spec, add_category, add_company, add_event, add_ticket, add_user, assert_row, assert_same, at, oracle,
    parse_csv,
};
use maildesk_tests::{Backend, TestApp, both_backends, spawn_app_quiet_sla};
use protocol::{ErrorCode, Report, Role, TicketStatus};

/// The generated data runs from 2026-09-28 to 2026-11-10; reports cover five whole weeks
/// inside it, so tickets created before the range but resolved in it (and the reverse) occur.
const FROM: &str = "2026-10-05";
const TO: &str = "2026-11-08";

/// The overdue checker would otherwise run at start-up and touch SLA tickets.
async fn report(app: &TestApp, query: &str) -> Report {
    ok_json(app.api.get(&app.admin.token, &format!("/reports?{query}")).await).await
}

/// Names of the generated groups by grouping and id (ids of different tables overlap).
struct World {
    names: HashMap<(&'static str, i64), String>,
}

/// 320 tickets from a fixed seed: 3 categories, 3 agents, 2 companies (and tickets without
/// each), first responses, resolutions, closings without resolution, SLA targets met and
/// missed, ratings, reopenings and history rows that are not reopenings.
async fn generate(app: &TestApp) -> World {
    let db = app.ctx.db();
    let mut names = HashMap::new();
    let mut named = |group_by: &'static str, id: i64, name: &str| {
        names.insert((group_by, id), name.to_owned());
        id
    };
    let categories = [
        named(
            "category",
            add_category(db, "Billing, invoices").await,
            "Billing, invoices",
        ),
        named("category", add_category(db, "Access").await, "Access"),
        named("category", add_category(db, "Shipping").await, "Shipping"),
    ];
    let agents = [
        named("agent", add_user(db, Role::Agent, "Ada Agent", None).await, "Ada Agent"),
        named("agent", add_user(db, Role::Agent, "Bo Agent", None).await, "Bo Agent"),
        named("agent", add_user(db, Role::Agent, "Cy Agent", None).await, "Cy Agent"),
    ];
    let acme = named("company", add_company(db, "Acme").await, "Acme");
    let smith_name = "Smith, \"Jones\" & Co";
    let smith = named("company", add_company(db, smith_name).await, smith_name);
    let mut customers = Vec::new();
    for company in [Some(acme), Some(acme), Some(smith), Some(smith), None] {
        customers.push(add_user(db, Role::Customer, "Customer", company).await);
    }
    // On the edges of the range: in it in UTC or in Berlin, not in both.
    for created in [
        "2026-10-04T23:00:00Z",
        "2026-10-05T00:00:00Z",
        "2026-11-08T23:30:00Z",
        "2026-11-09T00:00:00Z",
    ] {
        add_ticket(
            db,
            &Spec {
                requester_id: customers[0],
                created_at: at(created),
                ..Spec::default()
            },
        )
        .await;
    }
    let mut rng = Lcg::new(0x5eed_2026);
    let origin = at("2026-09-28T00:00:00Z");
    let day = 86_400;
    for _ in 0..320 {
        let created = origin + rng.secs(43 * day);
        let mut s = Spec {
            category_id: rng.pick(&[Some(categories[0]), Some(categories[1]), Some(categories[2]), None]),
            assignee_id: rng.pick(&[Some(agents[0]), Some(agents[1]), Some(agents[2]), None]),
            requester_id: rng.pick(&customers),
            created_at: created,
            ..Spec::default()
        };
        if rng.below(10) < 8 {
            s.first_response_at = Some(created + Duration::seconds(60) + rng.secs(2 * day));
        }
        let done: Option<DateTime<Utc>> = match rng.below(10) {
            0..=4 => {
                s.status = Some(TicketStatus::Resolved);
                s.resolved_at = Some(created + Duration::seconds(600) + rng.secs(6 * day));
                s.resolved_at
            }
            5 => {
                s.status = Some(TicketStatus::Closed);
                s.resolved_at = Some(created + rng.secs(3 * day));
                s.closed_at = s.resolved_at.map(|r| r + rng.secs(3 * day));
                s.resolved_at
            }
            6 => {
                // Closed straight away: done at its closing.
                s.status = Some(TicketStatus::Closed);
                s.closed_at = Some(created + rng.secs(4 * day));
                s.closed_at
            }
            _ => {
                s.status = Some(rng.pick(&[TicketStatus::Open, TicketStatus::Pending]));
                None
            }
        };
        if rng.below(2) == 0 {
            let first_due = (rng.below(5) > 0).then(|| created + Duration::seconds(1800) + rng.secs(day));
            let resolution_due = (rng.below(5) > 0).then(|| created + Duration::seconds(3600) + rng.secs(5 * day));
            s.sla = Some((first_due, resolution_due));
        }
        if let Some(done) = done.filter(|_| rng.below(2) == 0) {
            s.rating = Some((rng.pick(&["good", "ok", "bad"]), done + rng.secs(2 * day)));
        }
        let id = add_ticket(db, &s).await;
        if let Some(done) = done.filter(|_| rng.below(4) == 0) {
            // Reopened (and done again later) somewhere between creation and the last resolution.
            let when = created + rng.secs((done - created).num_seconds().max(1));
            let (old, new) = rng.pick(&[("resolved", "open"), ("closed", "open"), ("resolved", "pending")]);
            add_event(db, id, "status", old, new, when).await;
        }
        if rng.below(3) == 0 {
            // History that is not a reopening: must not count.
            let when = created + rng.secs(day);
            add_event(db, id, "status", "open", "pending", when).await;
            add_event(db, id, "priority", "resolved", "open", when).await;
        }
    }
    World { names }
}

/// Checks a report against the oracle: every row, every group the oracle found, the totals.
async fn check(app: &TestApp, world: &World, group_by: &'static str, tz: &str) -> Report {
    let r = report(app, &format!("from={FROM}&to={TO}&group_by={group_by}&tz={tz}")).await;
    let expected = oracle(app.ctx.db(), group_by, tz, FROM, TO).await;
    let what = format!("group_by={group_by} tz={tz}");
    for row in &r.rows {
        let e = expected.get(&row.key);
        if !matches!(group_by, "day" | "week") {
            assert!(e.is_some(), "{what}: row {} has no activity", row.key);
            let name = match row.key.as_str() {
                "none" => ["No category", "Unassigned", "No company"]
                    .into_iter()
                    .find(|n| *n == row.label),
                id => world.names.get(&(group_by, id.parse().unwrap())).map(String::as_str),
            };
            assert_eq!(name, Some(row.label.as_str()), "{what}: label of {}", row.key);
        }
        assert_row(&format!("{what} row {}", row.key), row, &e.cloned().unwrap_or_default());
    }
    for key in expected.keys() {
        assert!(r.rows.iter().any(|row| &row.key == key), "{what}: no row for {key}");
    }
    let totals = oracle(app.ctx.db(), "total", tz, FROM, TO).await;
    assert_row(&format!("{what} totals"), &r.totals, &totals["total"]);
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_grouping_matches_sql_on_a_generated_data_set() {
    let app = spawn_app_quiet_sla(Backend::Postgres).await;
    let world = generate(&app).await;

    let days = check(&app, &world, "day", "UTC").await;
    assert_eq!(days.rows.len(), 35, "every day of the range, empty ones too");
    let t = &days.totals;
    // The data set exercises every figure, so the comparisons above compare something.
    assert!(t.created > 200 && t.resolved > 120, "{t:?}");
    assert!(t.reopened > 10 && t.sla_met > 10 && t.sla_breached > 10, "{t:?}");
    assert!(t.csat_good > 5 && t.csat_ok > 5 && t.csat_bad > 5, "{t:?}");
    // Across a DST change (Berlin leaves summer time on 2026-10-25).
    let berlin = check(&app, &world, "day", "Europe/Berlin").await;
    assert_eq!(berlin.rows.len(), 35);
    assert_ne!(berlin.totals, days.totals, "the range's edges move with the zone");
    let weeks = check(&app, &world, "week", "UTC").await;
    assert_eq!(weeks.rows.first().map(|r| r.label.as_str()), Some("2026-W41"));
    assert_eq!(weeks.rows.len(), 5);
    check(&app, &world, "week", "America/New_York").await;
    for (group_by, named) in [("category", 3), ("agent", 3), ("company", 2)] {
        let r = check(&app, &world, group_by, "UTC").await;
        assert_eq!(r.rows.len(), named + 1, "{group_by}: the named groups and the rest");
        assert_eq!(r.rows.last().map(|r| r.key.as_str()), Some("none"), "{group_by}");
        assert_eq!(
            r.totals, days.totals,
            "{group_by}: the totals do not depend on the grouping"
        );
    }
    check(&app, &world, "company", "Europe/Berlin").await;

    // The CSV export carries the same figures as the JSON.
    let json = report(&app, &format!("from={FROM}&to={TO}&group_by=company")).await;
    let csv = csv_of(&app, &format!("from={FROM}&to={TO}&group_by=company")).await;
    assert_same(&json, &csv);
    let text = csv_text(&app, &format!("from={FROM}&to={TO}&group_by=company")).await;
    assert!(text.contains(",\"Smith, \"\"Jones\"\" & Co\","), "{text}");
}

/// The body of `/reports.csv`, after checking it is a CSV download.
async fn csv_text(app: &TestApp, query: &str) -> String {
    let resp = app.api.get(&app.admin.token, &format!("/reports.csv?{query}")).await;
    assert_eq!(resp.status(), 200);
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header("content-type").starts_with("text/csv"));
    let disposition = header("content-disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"maildesk-report-"),
        "{disposition}"
    );
    resp.text().await.unwrap()
}

async fn csv_of(app: &TestApp, query: &str) -> Vec<Vec<String>> {
    parse_csv(&csv_text(app, query).await)
}

/// The week of the unit tests in `reports::tally`, through the API: five tickets, by hand.
async fn hand_computed_week(app: TestApp) {
    let db = app.ctx.db();
    let billing = add_category(db, "Billing, invoices").await;
    let access = add_category(db, "Access").await;
    let ada = add_user(db, Role::Agent, "Ada", None).await;
    let bo = add_user(db, Role::Agent, "Bo", None).await;
    let acme = add_company(db, "Acme").await;
    let acme_customer = add_user(db, Role::Customer, "Cu", Some(acme)).await;
    let loner = add_user(db, Role::Customer, "Lo", None).await;
    let base = |requester_id, created: &str| Spec {
        requester_id,
        created_at: at(created),
        ..Spec::default()
    };
    let sla = |first: &str, resolution: Option<&str>| Some((Some(at(first)), resolution.map(at)));
    let t1 = Spec {
        category_id: Some(billing),
        assignee_id: Some(ada),
        status: Some(TicketStatus::Resolved),
        first_response_at: Some(at("2026-11-02T09:10:00Z")),
        resolved_at: Some(at("2026-11-02T13:00:00Z")),
        sla: sla("2026-11-02T09:30:00Z", Some("2026-11-03T09:00:00Z")),
        rating: Some(("good", at("2026-11-03T10:00:00Z"))),
        ..base(acme_customer, "2026-11-02T09:00:00Z")
    };
    let t2 = Spec {
        category_id: Some(billing),
        assignee_id: Some(bo),
        status: Some(TicketStatus::Closed),
        first_response_at: Some(at("2026-11-03T10:30:00Z")),
        closed_at: Some(at("2026-11-04T10:00:00Z")),
        sla: sla("2026-11-03T10:15:00Z", None),
        rating: Some(("bad", at("2026-11-05T08:00:00Z"))),
        ..base(loner, "2026-11-03T10:00:00Z")
    };
    let t3 = base(acme_customer, "2026-11-04T08:00:00Z");
    let t4 = Spec {
        category_id: Some(access),
        assignee_id: Some(ada),
        status: Some(TicketStatus::Resolved),
        first_response_at: Some(at("2026-10-30T13:00:00Z")),
        resolved_at: Some(at("2026-11-03T12:00:00Z")),
        ..base(acme_customer, "2026-10-30T12:00:00Z")
    };
    let t5 = Spec {
        category_id: Some(access),
        assignee_id: Some(bo),
        first_response_at: Some(at("2026-11-09T00:30:00Z")),
        ..base(loner, "2026-11-08T23:00:00Z")
    };
    for t in [&t1, &t2, &t3, &t5] {
        add_ticket(db, t).await;
    }
    let id4 = add_ticket(db, &t4).await;
    add_event(db, id4, "status", "resolved", "open", at("2026-10-31T08:00:00Z")).await;
    add_event(db, id4, "status", "closed", "pending", at("2026-11-02T08:00:00Z")).await;

    let r = report(&app, "from=2026-11-02&to=2026-11-08&group_by=category").await;
    let t = &r.totals;
    assert_eq!((t.created, t.resolved, t.reopened), (4, 3, 1));
    assert_eq!(
        (t.first_response_median_secs, t.first_response_p90_secs),
        (Some(1800), Some(5400))
    );
    assert_eq!(
        (t.resolution_median_secs, t.resolution_p90_secs),
        (Some(86_400), Some(345_600))
    );
    assert_eq!(t.reopen_rate, Some(1.0 / 3.0));
    assert_eq!((t.sla_met, t.sla_breached, t.sla_compliance), (1, 1, Some(0.5)));
    assert_eq!((t.csat_good, t.csat_ok, t.csat_bad, t.csat_score), (1, 0, 1, Some(0.5)));
    let labels: Vec<&str> = r.rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["Access", "Billing, invoices", "No category"]);
    let billing_row = &r.rows[1];
    assert_eq!(billing_row.key, billing.to_string());
    assert_eq!((billing_row.created, billing_row.resolved), (2, 2));
    assert_eq!(billing_row.first_response_median_secs, Some(600));
    assert_eq!(billing_row.first_response_p90_secs, Some(1800));
    assert_eq!(r.rows[0].reopen_rate, Some(1.0));

    let query = "from=2026-11-02&to=2026-11-08&group_by=category";
    let text = csv_text(&app, query).await;
    assert!(
        text.contains(&format!("\r\n{billing},\"Billing, invoices\",2,2,600,1800,")),
        "{text}"
    );
    assert_same(&r, &parse_csv(&text));

    let days = report(&app, "from=2026-11-02&to=2026-11-08&group_by=day").await;
    let created: Vec<u64> = days.rows.iter().map(|r| r.created).collect();
    assert_eq!(created, [1, 1, 1, 0, 0, 0, 1]);
    // New York's week runs 05:00 to 05:00 UTC: the same creations and reopening fall inside.
    let ny = report(&app, "from=2026-11-02&to=2026-11-08&group_by=week&tz=America/New_York").await;
    assert_eq!((ny.totals.created, ny.totals.reopened), (4, 1));
    assert_eq!(ny.query.tz, "America/New_York");
}

both_backends!(hand_computed_week_on, hand_computed_week);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reopening_through_the_api_is_counted() {
    let app = spawn_app_quiet_sla(Backend::Postgres).await;
    let t = app
        .api
        .create_ticket(&app.admin.token, &maildesk_tests::client::new_ticket("Reopen me"))
        .await;
    let id = t.ticket.id;
    app.patch_ticket_ok(&app.admin.token, id, serde_json::json!({"status": "resolved"}))
        .await;
    let today = Utc::now().date_naive();
    let query = format!("from={}&to={}", today - Duration::days(1), today + Duration::days(1));
    let before = report(&app, &query).await;
    assert_eq!(
        (before.totals.created, before.totals.resolved, before.totals.reopened),
        (1, 1, 0)
    );
    app.patch_ticket_ok(&app.admin.token, id, serde_json::json!({"status": "open"}))
        .await;
    let after = report(&app, &query).await;
    // Reopening clears the resolution: it counts again when the ticket is done again.
    assert_eq!(
        (after.totals.created, after.totals.resolved, after.totals.reopened),
        (1, 0, 1)
    );
    assert_eq!(after.totals.reopen_rate, None, "nothing resolved, no rate");
    let today_row = after.rows.iter().find(|r| r.key == today.to_string()).unwrap();
    assert_eq!(today_row.reopened, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_managers_read_reports_and_bad_queries_say_why() {
    let app = spawn_app_quiet_sla(Backend::Postgres).await;
    let agent = app.new_user(Role::Agent).await;
    let customer = app.new_user(Role::Customer).await;
    let ok = "from=2026-11-01&to=2026-11-30&group_by=week";
    for path in ["/reports", "/reports.csv"] {
        let url = format!("{path}?{ok}");
        expect_error(app.api.get(&agent.token, &url).await, 403, ErrorCode::Forbidden).await;
        expect_error(app.api.get(&customer.token, &url).await, 403, ErrorCode::Forbidden).await;
        expect_error(app.api.get_anon(&url).await, 401, ErrorCode::Unauthorized).await;
    }
    let bad = [
        ("from=2026-11-01&to=2026-11-30&group_by=month", "group_by"),
        ("from=2026-11-30&to=2026-11-01", "after"),
        ("from=2025-01-01&to=2026-11-30", "366"),
        ("to=2026-11-30", "from"),
        ("from=2026-11-01&to=30.11.2026", "to"),
        ("from=2026-11-01&to=2026-11-30&tz=Mars/Olympus", "tz"),
    ];
    for (query, says) in bad {
        for path in ["/reports", "/reports.csv"] {
            let resp = app.api.get(&app.admin.token, &format!("{path}?{query}")).await;
            let body = expect_error(resp, 422, ErrorCode::ValidationFailed).await;
            assert!(body.message.contains(says), "{path}?{query}: {}", body.message);
        }
    }
    let empty = report(&app, ok).await;
    assert_eq!(empty.totals.created, 0);
    assert_eq!(empty.totals.first_response_median_secs, None);
    // 2026-11-01 is a Sunday and 2026-11-30 a Monday.
    assert_eq!(empty.rows.len(), 6, "the six ISO weeks touching November 2026");
}
