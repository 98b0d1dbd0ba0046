//! The manager dashboard in headless Chromium: its counters move live when a mail arrives; and
//! the admin's list of mailboxes.
//! Needs `bash scripts/chromium.sh` and `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::browser::{Browser, person};
use maildesk_tests::client::new_ticket;
use maildesk_tests::mail::mail;
use maildesk_tests::spawn_app;
use protocol::{CreateTicket, Role};

async fn stat(b: &Browser, testid: &str) -> u64 {
    let css = format!("[data-testid={testid}]");
    b.wait_for(&css).await;
    b.attr(&css, "data-value")
        .await
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{testid} has no numeric data-value"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_counts_a_mail_that_arrives_while_it_is_open() {
    let app = spawn_app().await;
    let agent = person(&app, Role::Agent, "Ann Carter").await;
    for (subject, from) in [
        ("Login page times out", "jane.doe@example.com"),
        ("Wrong size delivered", "omar.haddad@example.com"),
        ("Change of billing address", "kim.lee@example.com"),
    ] {
        let req = CreateTicket {
            requester_email: Some(from.into()),
            ..new_ticket(subject)
        };
        let t = app.api.create_ticket(&app.admin.token, &req).await.ticket;
        if subject.starts_with("Wrong") {
            let take = serde_json::json!({ "assignee_id": agent.id, "version": t.version });
            let resp = app
                .api
                .patch_json(&app.admin.token, &format!("/tickets/{}", t.id), &take)
                .await;
            assert!(
                resp.status().is_success(),
                "assigning: {}",
                resp.text().await.unwrap_or_default()
            );
        }
    }
    let mb = app.mailbox("support@example.test").await;

    let b = Browser::signed_in(app.address(), "manager", &app.admin).await;
    b.click("[data-testid=nav-dashboard]").await;
    b.wait_js(
        "the dashboard page",
        "return location.pathname === '/dashboard'",
        vec![],
    )
    .await;
    let open = stat(&b, "stat-open").await;
    let new_today = stat(&b, "stat-new-today").await;
    let unassigned = stat(&b, "stat-unassigned").await;
    assert_eq!((open, new_today, unassigned), (3, 3, 2), "figures before the mail");
    // The manager's own open app counts as one agent online.
    b.wait_attr(
        "[data-testid=stat-agents-online]",
        "data-value",
        "1 agent online",
        |v| v == "1",
    )
    .await;
    b.wait_for("[data-testid=chart-per-day]").await;

    let raw = mail(
        "Priya Natarajan <priya.natarajan@example.com>",
        "support@example.test",
        "Order 5521 arrived without the charger",
    )
    .message_id(&format!("{}@example.com", uuid::Uuid::new_v4().simple()))
    .build();
    app.deliver(&mb, &raw).await;

    // No reload: the server pushes the new figures.
    b.wait_attr("[data-testid=stat-open]", "data-value", "4 open tickets", |v| v == "4")
        .await;
    b.wait_attr("[data-testid=stat-new-today]", "data-value", "4 new today", |v| {
        v == "4"
    })
    .await;
    b.wait_attr("[data-testid=stat-unassigned]", "data-value", "3 unassigned", |v| {
        v == "3"
    })
    .await;
    assert_eq!(
        b.text_if_any("[data-testid=stat-open]").await.as_deref().map(str::trim),
        Some("4"),
        "the figure shown, not only its attribute"
    );
    b.screenshot("dashboard").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_lists_the_mailboxes() {
    let app = spawn_app().await;
    let support = app.mailbox("support@example.test").await;
    let billing = app.mailbox("billing@example.test").await;

    let b = Browser::signed_in(app.address(), "admin", &app.admin).await;
    b.goto("/admin/mailboxes").await;
    for mb in [&support, &billing] {
        let row = format!("[data-testid=admin-mailbox-row][data-mailbox-id=\"{}\"]", mb.mailbox.id);
        b.wait_for_text(&row, &mb.mailbox.address).await;
    }
    b.wait_for("[data-testid=mailbox-new]").await;
    // "Send test e-mail" shows the transport's answer (here the dev outbox: no SMTP server).
    let row = format!(
        "[data-testid=admin-mailbox-row][data-mailbox-id=\"{}\"]",
        support.mailbox.id
    );
    b.click(&format!("{row} [data-testid=mailbox-test-mail]")).await;
    b.wait_for_text(&format!("{row} [data-testid=mailbox-check]"), "dev outbox")
        .await;
    b.screenshot("admin-mailboxes").await;
    b.close().await;
}
