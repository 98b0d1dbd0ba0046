//! SLAs end to end: calendars and policies administered over the API, due times on every way a
//! ticket is born, pauses while waiting on the customer, recomputation on priority changes,
//! and the overdue alert — queued exactly once even with two nodes checking. Clocks are moved
//! by editing rows and by handing the checker its `now`, never by waiting.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use maildesk::sla::{due, scheduler};
use maildesk_tests::client::{expect_error, new_ticket, ok_json};
use maildesk_tests::live::connect;
use maildesk_tests::mail::mail;
use maildesk_tests::outbox::outbox;
use maildesk_tests::sla::{around_the_clock, at, interval, office_hours, targets};
use maildesk_tests::{Backend, TestApp, spawn_app, spawn_app_quiet_sla, spawn_app_with};
use protocol::live::{ServerFrame, Topic};
use protocol::{
    BusinessCalendar, ErrorCode, Holiday, MailboxSettings, Page, PostMessage, Priority, Role, SaveCalendar,
    SaveSlaPolicy, SlaPolicy, SplitMessage, Ticket, TicketDetail, TicketStatus,
};
use sea_orm::Set;

const SOON: Duration = Duration::from_secs(10);

/// A server whose own overdue checker stays out of the way (it runs once at start-up, then
/// hourly): the test calls the check itself, with the `now` it wants.
fn minutes(m: i64) -> chrono::Duration {
    chrono::Duration::minutes(m)
}

/// A 24/7 calendar with one policy for every priority: first response in `first`, resolution
/// in `resolution` minutes.
async fn one_policy(app: &TestApp, first: i64, resolution: i64) -> SlaPolicy {
    let cal = app.create_calendar(&around_the_clock("24/7")).await;
    app.create_policy(&targets("Everyone", cal.id, None, Some(first), Some(resolution)))
        .await
}

/// A ticket assigned to a fresh agent (who gets its overdue alert).
async fn assigned_ticket(app: &TestApp, subject: &str) -> (maildesk_tests::TestUser, TicketDetail) {
    let agent = app.new_user(Role::Agent).await;
    let t = app.api.create_ticket(&app.admin.token, &new_ticket(subject)).await;
    let t = app
        .patch_ticket_ok(
            &app.admin.token,
            t.ticket.id,
            serde_json::json!({"assignee_id": agent.id}),
        )
        .await;
    (agent, t)
}

/// Puts the ticket's due time a minute in the past, as if its minute had run out.
async fn make_due(app: &TestApp, id: i64) {
    let past = Utc::now() - minutes(1);
    app.edit_ticket_row(id, |t| {
        t.first_response_due_at = Set(Some(past));
        t.due_at = Set(Some(past));
    })
    .await;
}

async fn overdue_alerts(app: &TestApp, ticket_id: i64) -> usize {
    outbox(app, ticket_id)
        .await
        .iter()
        .filter(|m| m.template == "overdue_alert")
        .count()
}

async fn queue(app: &TestApp, query: &str) -> Vec<i64> {
    let page: Page<Ticket> = ok_json(app.api.get(&app.admin.token, &format!("/tickets?{query}")).await).await;
    page.items.iter().map(|t| t.id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_manage_calendars_and_policies_and_bad_input_names_the_field() {
    let app = spawn_app().await;
    let admin = &app.admin.token;
    let berlin = app
        .create_calendar(&office_hours("Berlin office", "Europe/Berlin", vec![]))
        .await;
    assert_eq!(berlin.time_zone, "Europe/Berlin");
    assert_eq!(berlin.hours.mon, vec![interval("09:00", "17:00")]);
    // Replace: a lunch break and a yearly holiday.
    let mut changed = office_hours("Berlin office", "Europe/Berlin", vec![]);
    changed.hours.mon = vec![interval("13:00", "17:00"), interval("09:00", "12:00")];
    changed.holidays = vec![Holiday {
        date: "2026-12-25".into(),
        yearly: true,
        name: "Christmas".into(),
    }];
    let replaced: BusinessCalendar = ok_json(
        app.api
            .put_json(admin, &format!("/admin/calendars/{}", berlin.id), &changed)
            .await,
    )
    .await;
    assert_eq!(replaced.holidays.len(), 1);
    let listed: Vec<BusinessCalendar> = ok_json(app.api.get(admin, "/admin/calendars").await).await;
    assert_eq!(listed, vec![replaced.clone()]);

    // Policies keep their list order; a new one goes last.
    let first = app
        .create_policy(&targets(
            "Urgent",
            berlin.id,
            Some(Priority::Urgent),
            Some(30),
            Some(240),
        ))
        .await;
    let second = app
        .create_policy(&targets("Default", berlin.id, None, Some(240), None))
        .await;
    assert!(second.position > first.position);
    let mut moved = targets("Default", berlin.id, None, Some(120), None);
    moved.position = Some(first.position - 1);
    let moved: SlaPolicy = ok_json(
        app.api
            .put_json(admin, &format!("/admin/sla-policies/{}", second.id), &moved)
            .await,
    )
    .await;
    assert_eq!(moved.first_response_minutes, Some(120));
    let order: Vec<i64> = ok_json::<Vec<SlaPolicy>>(app.api.get(admin, "/admin/sla-policies").await)
        .await
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(order, vec![second.id, first.id]);

    // A calendar in use stays; an unknown one is 404.
    let resp = app.api.delete(admin, &format!("/admin/calendars/{}", berlin.id)).await;
    expect_error(resp, 409, ErrorCode::Conflict).await;
    expect_error(
        app.api.get(admin, "/admin/calendars/999999").await,
        404,
        ErrorCode::NotFound,
    )
    .await;
    expect_error(
        app.api.post_json(admin, "/admin/calendars", &changed).await,
        409,
        ErrorCode::Conflict,
    )
    .await;

    // Bad input: 422 naming the field.
    let bad_calendar = |edit: fn(&mut SaveCalendar)| {
        let mut c = office_hours("Bad", "UTC", vec![]);
        edit(&mut c);
        c
    };
    let cases: Vec<(SaveCalendar, &str)> = vec![
        (bad_calendar(|c| c.time_zone = "Europe/Atlantis".into()), "time_zone"),
        (
            bad_calendar(|c| c.hours.tue = vec![interval("17:00", "09:00")]),
            "hours.tue[0]",
        ),
        (
            bad_calendar(|c| c.hours.wed = vec![interval("09:00", "25:00")]),
            "hours.wed[0].end",
        ),
        (
            bad_calendar(|c| {
                c.holidays = vec![Holiday {
                    date: "Christmas".into(),
                    yearly: true,
                    name: String::new(),
                }]
            }),
            "holidays[0].date",
        ),
        (bad_calendar(|c| c.hours = Default::default()), "hours"),
    ];
    for (body, field) in cases {
        let err = expect_error(
            app.api.post_json(admin, "/admin/calendars", &body).await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        assert!(
            err.message.starts_with(&format!("{field}:")),
            "{field}: {}",
            err.message
        );
    }
    let bad_policy = |edit: fn(&mut SaveSlaPolicy)| {
        let mut p = targets("Bad", berlin.id, None, Some(60), None);
        edit(&mut p);
        p
    };
    for (body, field) in [
        (bad_policy(|p| p.calendar_id = 999_999), "calendar_id"),
        (
            bad_policy(|p| p.first_response_minutes = Some(0)),
            "first_response_minutes",
        ),
        (
            bad_policy(|p| p.resolution_minutes = Some(10_000_000)),
            "resolution_minutes",
        ),
        (bad_policy(|p| p.category_id = Some(999_999)), "category_id"),
        (bad_policy(|p| p.company_id = Some(999_999)), "company_id"),
        (
            bad_policy(|p| p.first_response_minutes = None),
            "first_response_minutes",
        ),
        (bad_policy(|p| p.name = " ".into()), "name"),
    ] {
        let err = expect_error(
            app.api.post_json(admin, "/admin/sla-policies", &body).await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        assert!(
            err.message.starts_with(&format!("{field}:")),
            "{field}: {}",
            err.message
        );
    }
    let resp = app
        .api
        .post_json(
            admin,
            "/admin/sla-policies",
            &serde_json::json!({"name": "x", "calendar_id": "one"}),
        )
        .await;
    expect_error(resp, 400, ErrorCode::InvalidJson).await;

    // Agents may not administer SLAs.
    let agent = app.new_user(Role::Agent).await;
    expect_error(
        app.api.get(&agent.token, "/admin/sla-policies").await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
    expect_error(
        app.api.post_json(&agent.token, "/admin/calendars", &changed).await,
        403,
        ErrorCode::Forbidden,
    )
    .await;

    // Deleting the policies frees the calendar.
    for p in [first.id, second.id] {
        let resp = app.api.delete(admin, &format!("/admin/sla-policies/{p}")).await;
        assert_eq!(resp.status(), 204);
    }
    let resp = app.api.delete(admin, &format!("/admin/calendars/{}", berlin.id)).await;
    assert_eq!(resp.status(), 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_most_specific_policy_sets_a_new_tickets_due_times() {
    let app = spawn_app().await;
    let cal = app.create_calendar(&around_the_clock("24/7")).await;
    let billing: protocol::Category = ok_json(
        app.api
            .post_json(&app.admin.token, "/categories", &serde_json::json!({"name": "Billing"}))
            .await,
    )
    .await;
    app.create_policy(&targets("Any", cal.id, None, Some(240), Some(1440)))
        .await;
    let high = app
        .create_policy(&targets("High", cal.id, Some(Priority::High), Some(60), Some(480)))
        .await;
    let mut billing_high = targets("High billing", cal.id, Some(Priority::High), Some(30), Some(120));
    billing_high.category_id = Some(billing.id);
    let billing_high = app.create_policy(&billing_high).await;

    let mut req = new_ticket("Charged twice");
    req.priority = Some(Priority::High);
    req.category_id = Some(billing.id);
    let t = app.api.create_ticket(&app.admin.token, &req).await.ticket;
    assert_eq!(t.sla_policy_id, Some(billing_high.id));
    assert_eq!(t.first_response_due_at, Some(t.created_at + minutes(30)));
    assert_eq!(t.resolution_due_at, Some(t.created_at + minutes(120)));
    assert_eq!(t.due_at, t.first_response_due_at, "the earlier target is the one due");
    assert!(!t.overdue);

    req.category_id = None;
    let other = app.api.create_ticket(&app.admin.token, &req).await.ticket;
    assert_eq!(other.sla_policy_id, Some(high.id));
    assert_eq!(other.due_at, Some(other.created_at + minutes(60)));

    // Deleting the winning policy hands its open tickets to the next best match.
    let resp = app
        .api
        .delete(&app.admin.token, &format!("/admin/sla-policies/{}", billing_high.id))
        .await;
    assert_eq!(resp.status(), 204);
    let t = app.api.ticket(&app.admin.token, t.id).await.ticket;
    assert_eq!(t.sla_policy_id, Some(high.id));
    assert_eq!(t.due_at, Some(t.created_at + minutes(60)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn due_times_skip_nights_weekends_holidays_and_a_dst_switch_in_the_calendars_zone() {
    let app = spawn_app().await;
    // Berlin office hours; Monday 2026-03-30 is a holiday. Clocks went forward on Sunday 29th.
    let holiday = Holiday {
        date: "2026-03-30".into(),
        yearly: false,
        name: "Company day".into(),
    };
    let berlin = app
        .create_calendar(&office_hours("Berlin", "Europe/Berlin", vec![holiday]))
        .await;
    let utc = app.create_calendar(&around_the_clock("24/7")).await;
    let low = app
        .create_policy(&targets("Low", berlin.id, Some(Priority::Low), Some(120), Some(600)))
        .await;
    app.create_policy(&targets("Others", utc.id, None, Some(60), None))
        .await;
    let t = app
        .api
        .create_ticket(&app.admin.token, &new_ticket("Friday afternoon"))
        .await
        .ticket;
    // Opened on Friday 2026-03-27 at 16:00 in Berlin (CET, 15:00 UTC).
    app.edit_ticket_row(t.id, |r| r.created_at = Set(at("2026-03-27T15:00:00Z")))
        .await;
    let t = app
        .patch_ticket_ok(&app.admin.token, t.id, serde_json::json!({"priority": "low"}))
        .await
        .ticket;
    assert_eq!(t.sla_policy_id, Some(low.id));
    // 2h: Friday 16–17, then Tuesday (Monday is off) 09–10 CEST = 08:00 UTC.
    assert_eq!(t.first_response_due_at, Some(at("2026-03-31T08:00:00Z")));
    // 10h: Friday 1h, Tuesday 8h, Wednesday 09–10 CEST.
    assert_eq!(t.resolution_due_at, Some(at("2026-04-01T08:00:00Z")));
    assert_eq!(t.due_at, t.first_response_due_at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_priority_change_recomputes_and_a_manual_due_date_is_refused_under_an_sla() {
    let app = spawn_app().await;
    let cal = app.create_calendar(&around_the_clock("24/7")).await;
    let normal = app
        .create_policy(&targets("Normal", cal.id, Some(Priority::Normal), Some(240), None))
        .await;
    let urgent = app
        .create_policy(&targets("Urgent", cal.id, Some(Priority::Urgent), Some(15), Some(60)))
        .await;
    let t = app
        .api
        .create_ticket(&app.admin.token, &new_ticket("Slow"))
        .await
        .ticket;
    assert_eq!(
        (t.sla_policy_id, t.due_at),
        (Some(normal.id), Some(t.created_at + minutes(240)))
    );

    let d = app
        .patch_ticket_ok(&app.admin.token, t.id, serde_json::json!({"priority": "urgent"}))
        .await;
    assert_eq!(d.ticket.sla_policy_id, Some(urgent.id));
    assert_eq!(d.ticket.first_response_due_at, Some(t.created_at + minutes(15)));
    assert_eq!(d.ticket.resolution_due_at, Some(t.created_at + minutes(60)));
    assert_eq!(d.ticket.due_at, Some(t.created_at + minutes(15)));
    assert!(d.events.iter().any(|e| e.field == "sla_policy"));

    let err = expect_error(
        app.patch_ticket(
            &app.admin.token,
            t.id,
            serde_json::json!({"due_at": "2030-01-01T00:00:00Z"}),
        )
        .await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert!(err.message.starts_with("due_at:"), "{}", err.message);

    // No policy for "low": the ticket leaves the SLA, and due dates are the agents' again.
    let d = app
        .patch_ticket_ok(&app.admin.token, t.id, serde_json::json!({"priority": "low"}))
        .await;
    assert_eq!((d.ticket.sla_policy_id, d.ticket.due_at), (None, None));
    let d = app
        .patch_ticket_ok(
            &app.admin.token,
            t.id,
            serde_json::json!({"due_at": "2030-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(d.ticket.due_at, Some(at("2030-01-01T00:00:00Z")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_on_the_customer_pushes_due_times_out_by_exactly_the_paused_time() {
    let app = spawn_app().await;
    one_policy(&app, 60, 480).await;
    let customer = app.new_user(Role::Customer).await;
    let t = app
        .api
        .create_ticket(&customer.token, &new_ticket("Waiting"))
        .await
        .ticket;
    let (first, resolution) = (t.first_response_due_at.unwrap(), t.resolution_due_at.unwrap());

    // The agent asks the customer something and sets the ticket pending.
    let d = app
        .patch_ticket_ok(&app.admin.token, t.id, serde_json::json!({"status": "pending"}))
        .await;
    assert!(d.ticket.sla_paused_at.is_some());
    assert_eq!(d.ticket.due_at, None, "no due time while the clock stands still");
    // Two hours of waiting, without waiting two hours.
    let paused_at = Utc::now() - chrono::Duration::hours(2);
    app.edit_ticket_row(t.id, |r| r.sla_paused_at = Set(Some(paused_at)))
        .await;

    // The customer answers: the ticket opens and the clock runs again.
    let before = Utc::now();
    let reply = PostMessage {
        body: "Here is the log you asked for".into(),
        version: d.ticket.version,
        ..Default::default()
    };
    let d: TicketDetail = ok_json(
        app.api
            .post_json(&customer.token, &format!("/tickets/{}/replies", t.id), &reply)
            .await,
    )
    .await;
    let after = Utc::now();
    assert_eq!(d.ticket.status, TicketStatus::Open);
    assert_eq!(d.ticket.sla_paused_at, None);
    let row = app.ticket_row(t.id).await;
    let paused = chrono::Duration::seconds(row.sla_paused_secs);
    assert!(
        paused >= before - paused_at - chrono::Duration::seconds(1) && paused <= after - paused_at,
        "paused {paused} for a pause from {paused_at} to between {before} and {after}"
    );
    assert_eq!(d.ticket.first_response_due_at, Some(first + paused));
    assert_eq!(d.ticket.resolution_due_at, Some(resolution + paused));
    assert_eq!(d.ticket.due_at, Some(first + paused));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_counts_business_time_only() {
    let app = spawn_app().await;
    let office = app.create_calendar(&office_hours("Office", "UTC", vec![])).await;
    app.create_policy(&targets("Office", office.id, None, Some(60), Some(480)))
        .await;
    let t = app
        .api
        .create_ticket(&app.admin.token, &new_ticket("Paused"))
        .await
        .ticket;
    let db = app.ctx.db();
    // Opened Monday 2026-11-30 10:00 UTC; pending from 10:15 to Tuesday 11:00.
    app.edit_ticket_row(t.id, |r| r.created_at = Set(at("2026-11-30T10:00:00Z")))
        .await;
    due::sync(db, t.id, true, at("2026-11-30T10:00:00Z")).await.unwrap();
    assert_eq!(app.ticket_row(t.id).await.due_at, Some(at("2026-11-30T11:00:00Z")));
    app.edit_ticket_row(t.id, |r| r.status = Set(TicketStatus::Pending))
        .await;
    due::sync(db, t.id, false, at("2026-11-30T10:15:00Z")).await.unwrap();
    app.edit_ticket_row(t.id, |r| r.status = Set(TicketStatus::Open)).await;
    due::sync(db, t.id, false, at("2026-12-01T11:00:00Z")).await.unwrap();
    let row = app.ticket_row(t.id).await;
    // 6h45 on Monday and 2h on Tuesday were paused; the night was not working time anyway.
    assert_eq!(row.sla_paused_secs, (6 * 60 + 45 + 2 * 60) * 60);
    assert_eq!(row.first_response_due_at, Some(at("2026-12-01T11:45:00Z")));
    assert_eq!(row.resolution_due_at, Some(at("2026-12-02T10:45:00Z")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_reply_satisfies_first_response_and_resolving_stops_the_clock() {
    let app = spawn_app().await;
    one_policy(&app, 60, 480).await;
    let customer = app.new_user(Role::Customer).await;
    let t = app.api.create_ticket(&customer.token, &new_ticket("Help")).await.ticket;
    assert_eq!(t.due_at, t.first_response_due_at);
    let reply = PostMessage {
        body: "On it".into(),
        version: t.version,
        ..Default::default()
    };
    let d: TicketDetail = ok_json(
        app.api
            .post_json(&app.admin.token, &format!("/tickets/{}/replies", t.id), &reply)
            .await,
    )
    .await;
    assert!(d.ticket.first_response_at.is_some());
    assert_eq!(d.ticket.due_at, t.resolution_due_at);
    let d = app
        .patch_ticket_ok(&app.admin.token, t.id, serde_json::json!({"status": "resolved"}))
        .await;
    assert_eq!(d.ticket.due_at, None);
    assert!(d.ticket.sla_paused_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_from_mail_and_from_a_split_get_due_times() {
    let app = spawn_app().await;
    let policy = one_policy(&app, 60, 480).await;
    let mb = app
        .create_mailbox(MailboxSettings {
            name: Some("Support".into()),
            address: Some("support@desk.example".into()),
            ..Default::default()
        })
        .await;
    let raw = mail("carla@customer.example", "support@desk.example", "Broken login")
        .message_id("sla-1@customer.example")
        .build();
    let id = app.deliver(&mb, &raw).await.ticket_id.expect("a ticket");
    let t = app.api.ticket(&app.admin.token, id).await.ticket;
    assert_eq!(t.sla_policy_id, Some(policy.id));
    assert_eq!(t.due_at, Some(t.created_at + minutes(60)));

    // The agent answers, then splits the customer's mail off into a ticket of its own.
    let d: TicketDetail = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                &format!("/tickets/{id}/replies"),
                &PostMessage {
                    body: "Looking".into(),
                    version: t.version,
                    ..Default::default()
                },
            )
            .await,
    )
    .await;
    let split = SplitMessage {
        message_id: d.messages[0].id,
        version: d.ticket.version,
    };
    let new: TicketDetail = ok_json(
        app.api
            .post_json(&app.admin.token, &format!("/tickets/{id}/split"), &split)
            .await,
    )
    .await;
    assert_ne!(new.ticket.id, id);
    assert_eq!(new.ticket.sla_policy_id, Some(policy.id));
    assert_eq!(new.ticket.due_at, Some(new.ticket.created_at + minutes(60)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_overdue_ticket_is_flagged_alerted_once_and_shows_in_queue_and_dashboard() {
    overdue_is_alerted_once_and_shows_everywhere(spawn_app_quiet_sla(Backend::Postgres).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_an_overdue_ticket_is_flagged_alerted_once_and_shows_in_queue_and_dashboard() {
    overdue_is_alerted_once_and_shows_everywhere(spawn_app_quiet_sla(Backend::Sqlite).await).await;
}

async fn overdue_is_alerted_once_and_shows_everywhere(app: TestApp) {
    one_policy(&app, 60, 480).await;
    let (agent, t) = assigned_ticket(&app, "Late").await;
    let on_time = app
        .api
        .create_ticket(&app.admin.token, &new_ticket("On time"))
        .await
        .ticket;
    let mut ws = connect(app.port, &app.admin.token).await;
    ws.subscribe_ok(Topic::Dashboard).await;
    make_due(&app, t.ticket.id).await;

    let checked = scheduler::run_once(&app.ctx, Utc::now()).await.unwrap();
    assert_eq!(checked.alerted, vec![t.ticket.id]);
    let again = scheduler::run_once(&app.ctx, Utc::now()).await.unwrap();
    assert!(again.alerted.is_empty(), "a second check alerts nobody: {again:?}");

    let row = app.ticket_row(t.ticket.id).await;
    assert!(row.overdue && row.overdue_alerted_at.is_some());
    let mails = outbox(&app, t.ticket.id).await;
    let alerts: Vec<_> = mails.iter().filter(|m| m.template == "overdue_alert").collect();
    assert_eq!(alerts.len(), 1, "{mails:#?}");
    assert_eq!(alerts[0].to, vec![agent.email.clone()]);

    let seen = app.api.ticket(&app.admin.token, t.ticket.id).await;
    assert!(seen.ticket.overdue);
    assert!(seen.events.iter().any(|e| e.field == "overdue"));
    assert!(!app.api.ticket(&app.admin.token, on_time.id).await.ticket.overdue);
    assert_eq!(queue(&app, "overdue=true").await, vec![t.ticket.id]);
    let not_overdue = queue(&app, "overdue=false").await;
    assert!(not_overdue.contains(&on_time.id) && !not_overdue.contains(&t.ticket.id));
    let stats = ws
        .wait_for("the dashboard counting it overdue", SOON, |f| match f {
            ServerFrame::Dashboard { stats } if stats.overdue == 1 => Some(stats.clone()),
            _ => None,
        })
        .await;
    assert_eq!(stats.overdue, 1);
    let bad = app.api.get(&app.admin.token, "/tickets?overdue=maybe").await;
    expect_error(bad, 400, ErrorCode::InvalidParameter).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_time_moved_into_the_future_clears_the_flag_and_a_later_breach_alerts_again() {
    let app = spawn_app_quiet_sla(Backend::Postgres).await;
    let cal = app.create_calendar(&around_the_clock("24/7")).await;
    app.create_policy(&targets("Normal", cal.id, Some(Priority::Normal), Some(1), None))
        .await;
    app.create_policy(&targets("Low", cal.id, Some(Priority::Low), Some(600), None))
        .await;
    let (_, t) = assigned_ticket(&app, "Twice late").await;
    let id = t.ticket.id;
    make_due(&app, id).await;
    assert_eq!(
        scheduler::run_once(&app.ctx, Utc::now()).await.unwrap().alerted,
        vec![id]
    );

    // Lower priority: ten hours from creation, in the future.
    let d = app
        .patch_ticket_ok(&app.admin.token, id, serde_json::json!({"priority": "low"}))
        .await;
    assert!(!d.ticket.overdue);
    assert!(d.ticket.due_at.unwrap() > Utc::now());
    let row = app.ticket_row(id).await;
    assert_eq!((row.overdue, row.overdue_alerted_at), (false, None));

    // Ten hours later (by the checker's clock) it is late again: a second alert.
    let later = Utc::now() + chrono::Duration::hours(11);
    assert_eq!(scheduler::run_once(&app.ctx, later).await.unwrap().alerted, vec![id]);
    assert_eq!(overdue_alerts(&app, id).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_checking_at_once_alert_each_overdue_ticket_exactly_once() {
    let app = spawn_app_with(Backend::Postgres, |s| s.sla.check_interval_secs = 1).await;
    let node = app.spawn_node_with(|s| s.sla.check_interval_secs = 1).await;
    one_policy(&app, 60, 480).await;
    let agent = app.new_user(Role::Agent).await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let t = app
            .api
            .create_ticket(&app.admin.token, &new_ticket(&format!("Late {i}")))
            .await
            .ticket;
        app.patch_ticket_ok(&app.admin.token, t.id, serde_json::json!({"assignee_id": agent.id}))
            .await;
        ids.push(t.id);
    }
    for id in &ids {
        make_due(&app, *id).await;
    }
    // Both nodes' own checkers run every second; two more checks race them head to head.
    let now = Utc::now();
    let (a, b) = tokio::join!(scheduler::run_once(&app.ctx, now), scheduler::run_once(&node.ctx, now));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut claimed: Vec<i64> = a.alerted.iter().chain(&b.alerted).copied().collect();
    let distinct: HashSet<i64> = claimed.iter().copied().collect();
    assert_eq!(distinct.len(), claimed.len(), "claimed twice: {a:?} {b:?}");
    claimed.retain(|id| !ids.contains(id));
    assert!(claimed.is_empty(), "claimed tickets that are not overdue: {claimed:?}");

    // Whichever node got each one, each ticket has exactly one alert, now and after more checks.
    let counts = || async {
        let mut counts = Vec::new();
        for id in &ids {
            counts.push(overdue_alerts(&app, *id).await);
        }
        counts
    };
    maildesk_tests::poll::until("one alert for each ticket", SOON, counts, |counts| {
        // Checked at every read: none may ever have two.
        assert!(counts.iter().all(|c| *c <= 1), "an alert went out twice: {counts:?}");
        counts.iter().all(|c| *c == 1)
    })
    .await;
    let (a, b) = tokio::join!(scheduler::run_once(&app.ctx, now), scheduler::run_once(&node.ctx, now));
    assert!(a.unwrap().alerted.is_empty() && b.unwrap().alerted.is_empty());
    for id in &ids {
        assert_eq!(overdue_alerts(&app, *id).await, 1, "ticket {id}");
        assert!(app.api.ticket(&app.admin.token, *id).await.ticket.overdue);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_checker_alerts_without_being_asked() {
    let app = spawn_app_with(Backend::Postgres, |s| s.sla.check_interval_secs = 1).await;
    one_policy(&app, 60, 480).await;
    let (_, t) = assigned_ticket(&app, "Nobody called").await;
    make_due(&app, t.ticket.id).await;
    maildesk_tests::poll::until(
        "an overdue alert",
        SOON,
        || overdue_alerts(&app, t.ticket.id),
        |n| *n > 0,
    )
    .await;
    assert!(app.api.ticket(&app.admin.token, t.ticket.id).await.ticket.overdue);
}
