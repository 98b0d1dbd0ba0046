//! Automation rules that reach beyond the request that triggered them: time-based events
//! (`ticket_idle` on the rule timer, `due_passed` with the overdue alert — each once, across
//! two nodes), the `send_mail` action under the outbound policy, the signed and retried
//! `webhook` action, and the `business_hours` condition. All on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::webhook_delivery;
use maildesk::egress::Egress;
use maildesk::rules::timers;
use maildesk::rules::webhooks::sender;
use maildesk::rules::webhooks::signature::sign;
use maildesk::sla::scheduler;
use maildesk_tests::client::{expect_error, new_ticket, ok_json};
use maildesk_tests::outbox::outbox;
use maildesk_tests::sla::{around_the_clock, at, office_hours, targets};
use maildesk_tests::webhook_receiver::Receiver;
use maildesk_tests::{Backend, TestApp, spawn_app_quiet_sla};
use protocol::{ErrorCode, Priority, Rule, TicketDetail, TicketStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

const SOON: Duration = Duration::from_secs(15);

/// A server whose own clocks stay out of the way (the overdue and idle checks run at start-up,
/// then hourly): tests run the checks themselves with the `now` they want.
async fn create_rule(app: &TestApp, body: Value) -> Rule {
    let resp = app.api.post_json(&app.admin.token, "/admin/rules", &body).await;
    assert_eq!(
        resp.status(),
        201,
        "creating a rule: {}",
        resp.text().await.unwrap_or_default()
    );
    resp.json().await.expect("rule")
}

async fn create(app: &TestApp, subject: &str) -> i64 {
    app.api
        .create_ticket(&app.admin.token, &new_ticket(subject))
        .await
        .ticket
        .id
}

async fn detail(app: &TestApp, id: i64) -> TicketDetail {
    app.api.ticket(&app.admin.token, id).await
}

fn rule_lines(d: &TicketDetail) -> Vec<String> {
    d.events
        .iter()
        .filter(|e| e.field == "rule")
        .filter_map(|e| e.new_value.clone())
        .collect()
}

/// Makes the ticket look untouched since `when` (and in `status`).
async fn quiet_since(app: &TestApp, id: i64, status: TicketStatus, when: DateTime<Utc>) {
    app.edit_ticket_row(id, |t| {
        t.status = Set(status);
        t.updated_at = Set(when);
    })
    .await;
}

async fn deliveries(app: &TestApp, ticket_id: i64) -> Vec<webhook_delivery::Model> {
    webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::TicketId.eq(ticket_id))
        .all(app.ctx.db())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_rule_fires_once_per_quiet_period_even_with_two_nodes_checking() {
    let app = spawn_app_quiet_sla(Backend::Postgres).await;
    let node = app.spawn_node_with(|s| s.sla.check_interval_secs = 3600).await;
    let rule = create_rule(
        &app,
        json!({"name": "Nudge waiting customers", "event": "ticket_idle", "idle_hours": 48,
               "conditions": [{"kind": "status", "value": "pending"}],
               "actions": [{"kind": "add_tag", "tag": "nudged"},
                           {"kind": "send_mail", "to": "requester",
                            "subject": "Still there? (#TicketNumber#)",
                            "body": "Hello #Name#, we are waiting for your answer on #TicketNumber#."}]}),
    )
    .await;
    let now = Utc::now();
    let waiting = create(&app, "Waiting on you").await;
    let open = create(&app, "Open but quiet").await;
    let recent = create(&app, "Waiting, but recently touched").await;
    quiet_since(&app, waiting, TicketStatus::Pending, now - chrono::Duration::hours(49)).await;
    quiet_since(&app, open, TicketStatus::Open, now - chrono::Duration::hours(49)).await;
    quiet_since(&app, recent, TicketStatus::Pending, now - chrono::Duration::hours(47)).await;

    let (a, b) = tokio::join!(timers::run_once(&app.ctx, now), timers::run_once(&node.ctx, now));
    let fired: Vec<(i64, i64)> = a.unwrap().into_iter().chain(b.unwrap()).collect();
    assert_eq!(fired, vec![(rule.id, waiting)], "exactly one node fires it, once");

    let d = detail(&app, waiting).await;
    assert_eq!(d.ticket.tags, vec!["nudged".to_string()]);
    let lines = rule_lines(&d);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Nudge waiting customers") && l.contains("queued mail")),
        "{lines:?}"
    );
    let mails: Vec<_> = outbox(&app, waiting)
        .await
        .into_iter()
        .filter(|m| m.template == "rule")
        .collect();
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert!(mails[0].automatic);
    assert!(mails[0].subject.contains(&waiting.to_string()), "{}", mails[0].subject);
    for other in [open, recent] {
        assert!(
            detail(&app, other).await.ticket.tags.is_empty(),
            "ticket {other} was not due"
        );
    }

    // However long this quiet period lasts, it has had its reminder.
    let fired = timers::run_once(&app.ctx, now + chrono::Duration::hours(100))
        .await
        .unwrap();
    assert!(!fired.contains(&(rule.id, waiting)), "{fired:?}");
    // Activity begins a new quiet period, which fires again once it is long enough.
    let touched = now + chrono::Duration::hours(101);
    quiet_since(&app, waiting, TicketStatus::Pending, touched).await;
    let fired = timers::run_once(&app.ctx, touched + chrono::Duration::hours(47))
        .await
        .unwrap();
    assert!(!fired.contains(&(rule.id, waiting)), "{fired:?}");
    let fired = timers::run_once(&app.ctx, touched + chrono::Duration::hours(49))
        .await
        .unwrap();
    assert!(fired.contains(&(rule.id, waiting)), "{fired:?}");
    let mails = outbox(&app, waiting)
        .await
        .into_iter()
        .filter(|m| m.template == "rule")
        .count();
    assert_eq!(mails, 2, "a second quiet period, a second reminder");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_passed_rule_runs_once_per_breach_with_the_overdue_alert() {
    let app = spawn_app_quiet_sla(Backend::Postgres).await;
    let cal = app.create_calendar(&around_the_clock("24/7")).await;
    app.create_policy(&targets("All", cal.id, None, Some(60), Some(480)))
        .await;
    create_rule(
        &app,
        json!({"name": "Escalate late tickets", "event": "due_passed",
               "actions": [{"kind": "set_priority", "value": "urgent"},
                           {"kind": "add_tag", "tag": "escalated"}]}),
    )
    .await;
    let late = create(&app, "Late").await;
    let fine = create(&app, "Fine").await;
    let past = Utc::now() - chrono::Duration::minutes(1);
    app.edit_ticket_row(late, |t| {
        t.first_response_due_at = Set(Some(past));
        t.due_at = Set(Some(past));
    })
    .await;
    assert_eq!(
        scheduler::run_once(&app.ctx, Utc::now()).await.unwrap().alerted,
        vec![late]
    );
    assert!(
        scheduler::run_once(&app.ctx, Utc::now())
            .await
            .unwrap()
            .alerted
            .is_empty()
    );
    let d = detail(&app, late).await;
    assert_eq!(d.ticket.priority, Priority::Urgent);
    assert_eq!(d.ticket.tags, vec!["escalated".to_string()]);
    let escalations = rule_lines(&d)
        .iter()
        .filter(|l| l.contains("set priority to urgent"))
        .count();
    assert_eq!(escalations, 1, "{:?}", rule_lines(&d));
    assert_eq!(detail(&app, fine).await.ticket.priority, Priority::Normal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_is_signed_retried_after_a_failure_and_delivered_once() {
    let app = spawn_app_quiet_sla(Backend::Postgres).await;
    let receiver = Receiver::start(&[500]).await;
    let secret = "a-long-enough-shared-secret";
    create_rule(
        &app,
        json!({"name": "Tell the CRM", "event": "ticket_created",
               "conditions": [{"kind": "subject", "op": "contains", "value": "refund"}],
               "actions": [{"kind": "add_tag", "tag": "crm"},
                           {"kind": "webhook", "url": receiver.url, "secret": secret}]}),
    )
    .await;
    let id = create(&app, "Refund please").await;
    let ignored = create(&app, "Something else").await;
    // A note on the ticket must never leave through the webhook.
    let version = detail(&app, id).await.ticket.version;
    let note = json!({"body": "INTERNAL-ONLY remark", "version": version});
    let resp = app
        .api
        .post_json(&app.admin.token, &format!("/tickets/{id}/notes"), &note)
        .await;
    assert!(resp.status().is_success(), "{}", resp.text().await.unwrap_or_default());

    // The background sender makes the first attempt, which the receiver refuses.
    let rows = maildesk_tests::poll::until(
        "the first attempt",
        SOON,
        || deliveries(&app, id),
        |rows| {
            // Checked at every read: one rule firing makes one delivery.
            assert_eq!(rows.len(), 1, "one delivery for one rule firing: {rows:#?}");
            rows[0].attempts >= 1 && rows[0].lease_until.is_none()
        },
    )
    .await;
    let first = rows[0].clone();
    assert_eq!(first.status, "pending");
    assert!(first.last_error.as_deref().unwrap_or("").contains("500"), "{first:?}");
    assert!(first.next_attempt_at > Utc::now(), "the retry waits");

    // Past the backoff, the retry is delivered; later passes send nothing more.
    let pass = sender::run_once(
        &app.ctx,
        &sender::client(Egress::of(app.ctx.settings())),
        Utc::now() + chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    assert_eq!(pass.delivered, vec![first.id]);
    let again = sender::run_once(
        &app.ctx,
        &sender::client(Egress::of(app.ctx.settings())),
        Utc::now() + chrono::Duration::hours(2),
    )
    .await
    .unwrap();
    assert_eq!(again, sender::Pass::default());
    let row = deliveries(&app, id).await.remove(0);
    assert_eq!((row.status.as_str(), row.attempts), ("delivered", 2));
    assert!(deliveries(&app, ignored).await.is_empty());

    let got = receiver.received();
    assert_eq!(got.len(), 2, "one refused call and one delivered");
    for r in &got {
        assert_eq!(r.headers["x-maildesk-delivery"], first.id.to_string());
        let ts: i64 = r.headers["x-maildesk-timestamp"].parse().unwrap();
        assert_eq!(
            r.headers["x-maildesk-signature"],
            sign(secret, ts, &r.body),
            "signature checks out"
        );
        assert_ne!(r.headers["x-maildesk-signature"], sign("wrong secret!!!!", ts, &r.body));
        assert!(!r.body.contains("INTERNAL-ONLY"), "a note leaked: {}", r.body);
    }
    let body: Value = serde_json::from_str(&got[1].body).unwrap();
    assert_eq!(body["event"], "ticket_created");
    assert_eq!(body["rule"]["name"], "Tell the CRM");
    assert_eq!(body["ticket"]["id"], id);
    assert_eq!(
        body["ticket"]["tags"],
        json!(["crm"]),
        "the payload shows the earlier action"
    );
    let lines = rule_lines(&detail(&app, id).await);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("queued webhook call") && l.contains("127.0.0.1")),
        "{lines:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_to_a_dead_endpoint_is_given_up_after_the_last_attempt() {
    let app = spawn_app_quiet_sla(Backend::Postgres).await;
    // A port nobody listens on: bind, note it, close.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    create_rule(
        &app,
        json!({"name": "Dead hook", "event": "ticket_created",
               "actions": [{"kind": "webhook", "url": format!("http://127.0.0.1:{dead}/x"),
                            "secret": "sixteen-chars-min"}]}),
    )
    .await;
    let id = create(&app, "Anything").await;
    let mut when = Utc::now();
    for _ in 0..sender::MAX_ATTEMPTS + 2 {
        when += chrono::Duration::hours(5);
        sender::run_once(&app.ctx, &sender::client(Egress::of(app.ctx.settings())), when)
            .await
            .unwrap();
    }
    let row = deliveries(&app, id).await.remove(0);
    assert_eq!(row.status, "failed");
    assert_eq!(row.attempts, sender::MAX_ATTEMPTS);
    assert!(row.last_error.unwrap().contains("gave up"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn business_hours_conditions_follow_the_calendar() {
    let app = spawn_app_quiet_sla(Backend::Postgres).await;
    let always = app.create_calendar(&around_the_clock("Always")).await;
    let office = app
        .create_calendar(&office_hours("Office", "Europe/Berlin", vec![]))
        .await;
    let tag_if = |name: &str, cal: i64, inside: bool, tag: &str| {
        json!({"name": name, "event": "ticket_created",
               "conditions": [{"kind": "business_hours", "calendar_id": cal, "value": inside}],
               "actions": [{"kind": "add_tag", "tag": tag}]})
    };
    create_rule(&app, tag_if("In hours", always.id, true, "in-hours")).await;
    create_rule(&app, tag_if("After hours", always.id, false, "after-hours")).await;
    let id = create(&app, "When?").await;
    assert_eq!(detail(&app, id).await.ticket.tags, vec!["in-hours".to_string()]);

    // On the timer the condition is judged at the check's own instant.
    create_rule(
        &app,
        json!({"name": "Office-hours nudge", "event": "ticket_idle", "idle_hours": 1,
               "conditions": [{"kind": "business_hours", "calendar_id": office.id, "value": true}],
               "actions": [{"kind": "add_tag", "tag": "office"}]}),
    )
    .await;
    let quiet = create(&app, "Quiet").await;
    quiet_since(&app, quiet, TicketStatus::Open, at("2030-01-01T00:00:00Z")).await;
    // Saturday 2030-01-05 12:00 Berlin: closed; Monday 2030-01-07 10:00 Berlin: open.
    let saturday = at("2030-01-05T11:00:00Z");
    let monday = at("2030-01-07T09:00:00Z");
    let fired = timers::run_once(&app.ctx, saturday).await.unwrap();
    assert!(!fired.iter().any(|(_, t)| *t == quiet), "{fired:?}");
    assert!(!detail(&app, quiet).await.ticket.tags.contains(&"office".to_string()));
    let fired = timers::run_once(&app.ctx, monday).await.unwrap();
    assert!(fired.iter().any(|(_, t)| *t == quiet), "{fired:?}");
    assert!(detail(&app, quiet).await.ticket.tags.contains(&"office".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_mail_to_a_robot_is_held_by_the_outbound_policy() {
    let app = spawn_app_quiet_sla(Backend::Postgres).await;
    create_rule(
        &app,
        json!({"name": "Mail the robot", "event": "ticket_created",
               "actions": [{"kind": "send_mail", "to": "no-reply@vendor.example",
                            "subject": "About #TicketNumber#", "body": "Hello"},
                           {"kind": "send_mail", "to": "ops@partner.example",
                            "subject": "About #TicketNumber#", "body": "Hello ops"}]}),
    )
    .await;
    let id = create(&app, "Loop bait").await;
    let mails: Vec<_> = outbox(&app, id)
        .await
        .into_iter()
        .filter(|m| m.template == "rule")
        .collect();
    let held: Vec<_> = mails
        .iter()
        .filter(|m| m.status == protocol::OutboundStatus::Suppressed)
        .collect();
    assert_eq!(mails.len(), 2, "{mails:#?}");
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].to, vec!["no-reply@vendor.example".to_string()]);
    let lines = rule_lines(&detail(&app, id).await);
    assert!(
        lines.iter().any(|l| l.contains("held by the outbound policy")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("queued mail") && l.contains("ops@partner.example")),
        "{lines:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spam_is_tagged_and_closed_without_answering_the_sender() {
    let app = spawn_app_quiet_sla(Backend::Postgres).await;
    create_rule(
        &app,
        json!({"name": "Spam filter", "event": "ticket_created",
               "conditions": [{"kind": "subject", "op": "regex", "value": "v[i1]agra"}],
               "actions": [{"kind": "mark_spam"}]}),
    )
    .await;
    let spammer = app.new_user(protocol::Role::Customer).await;
    let spam = app
        .api
        .create_ticket(&spammer.token, &new_ticket("Cheap V1agra"))
        .await
        .ticket
        .id;
    let fine = app
        .api
        .create_ticket(&spammer.token, &new_ticket("Printer"))
        .await
        .ticket
        .id;
    let d = detail(&app, spam).await;
    assert_eq!(d.ticket.status, TicketStatus::Closed);
    assert_eq!(d.ticket.tags, vec!["spam".to_string()]);
    assert!(rule_lines(&d).iter().any(|l| l.contains("marked as spam")));
    let to_spammer: Vec<_> = outbox(&app, spam)
        .await
        .into_iter()
        .filter(|m| m.to.contains(&spammer.email))
        .collect();
    assert!(to_spammer.is_empty(), "the spammer got mail: {to_spammer:#?}");
    assert_eq!(detail(&app, fine).await.ticket.status, TicketStatus::Open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_and_integration_settings_are_validated_naming_the_field() {
    let app = spawn_app_quiet_sla(Backend::Postgres).await;
    let admin = &app.admin.token;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"name": "x", "event": "ticket_idle", "actions": [{"kind": "close"}]}),
            "idle_hours",
        ),
        (
            json!({"name": "x", "event": "ticket_idle", "idle_hours": 0, "actions": [{"kind": "close"}]}),
            "idle_hours",
        ),
        (
            json!({"name": "x", "event": "ticket_created", "idle_hours": 5, "actions": [{"kind": "close"}]}),
            "idle_hours",
        ),
        (
            json!({"name": "x", "event": "ticket_created",
                   "actions": [{"kind": "webhook", "url": "ftp://example.com/x", "secret": "sixteen-chars-min"}]}),
            "actions[0]: url",
        ),
        (
            json!({"name": "x", "event": "ticket_created",
                   "actions": [{"kind": "webhook", "url": "https://example.com/x", "secret": "short"}]}),
            "actions[0]: secret",
        ),
        (
            json!({"name": "x", "event": "ticket_created",
                   "actions": [{"kind": "send_mail", "to": "whoever", "subject": "s", "body": "b"}]}),
            "actions[0]: to",
        ),
        (
            json!({"name": "x", "event": "ticket_created",
                   "conditions": [{"kind": "business_hours", "calendar_id": 987654, "value": true}],
                   "actions": [{"kind": "close"}]}),
            "conditions[0]",
        ),
    ];
    for (body, field) in cases {
        let err = expect_error(
            app.api.post_json(admin, "/admin/rules", &body).await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        assert!(err.message.contains(field), "{field}: {}", err.message);
    }
    let idle = create_rule(
        &app,
        json!({"name": "Close resolved", "event": "ticket_idle", "idle_hours": 72,
               "conditions": [{"kind": "status", "value": "resolved"}], "actions": [{"kind": "close"}]}),
    )
    .await;
    let got: Rule = ok_json(app.api.get(admin, &format!("/admin/rules/{}", idle.id)).await).await;
    assert_eq!(got.idle_hours, Some(72));
    let names: HashSet<String> = ok_json::<Vec<Rule>>(app.api.get(admin, "/admin/rules").await)
        .await
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert!(names.contains("Close resolved"));
}
