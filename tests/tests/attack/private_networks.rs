//! Item 10: server-side requests to internal addresses. An admin (or a stolen admin session)
//! could point a rule webhook or a mailbox's IMAP host at loopback, the private network or the
//! cloud metadata service, and have the server call it. With `security.allow_private_networks`
//! off (the default; the harness turns it on for the other tests), such addresses are refused
//! on save and again, after resolution, when connecting.
//!
//! Only loopback traffic here: every internal address is refused before any connection, which
//! each test asserts (a loopback listener that must see nothing, or the refusal's own error).

use std::time::Duration;

use chrono::Utc;
use entity::{mailbox, rule, webhook_delivery};
use maildesk::egress::Egress;
use maildesk::mail::imap::connect::{self, Endpoint};
use maildesk::rules::webhooks::sender;
use maildesk_tests::client::{expect_error, new_ticket, ok_json};
use maildesk_tests::webhook_receiver::Receiver;
use maildesk_tests::{Backend, TestApp, poll, spawn_app_with};
use protocol::{ErrorCode, MailboxWithSecret, Rule};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

const SECRET: &str = "sixteen-chars-or-more";

async fn locked_down_app() -> TestApp {
    spawn_app_with(Backend::Sqlite, |s| s.security.allow_private_networks = false).await
}

fn hook_rule(name: &str, url: &str) -> Value {
    json!({"name": name, "event": "ticket_created",
           "actions": [{"kind": "webhook", "url": url, "secret": SECRET}]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_webhooks_to_internal_addresses_are_refused_on_save() {
    let app = locked_down_app().await;
    let receiver = Receiver::start(&[]).await;
    let port = receiver
        .url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/hook");
    for url in [
        receiver.url.clone(),
        format!("http://localhost:{port}/hook"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://[::1]/".to_owned(),
        "http://[::ffff:127.0.0.1]/".to_owned(),
        "http://2130706433/".to_owned(),
        "http://10.0.0.1/".to_owned(),
        "http://192.168.1.1/".to_owned(),
        "http://[fe80::1]/".to_owned(),
    ] {
        let resp = app
            .api
            .post_json(&app.admin.token, "/admin/rules", &hook_rule("Inward", &url))
            .await;
        let err = expect_error(resp, 422, ErrorCode::ValidationFailed).await;
        assert!(
            err.message.contains("\"Inward\"") && err.message.contains("actions[0]: url"),
            "{url}: {}",
            err.message
        );
        assert!(err.message.contains("allow_private_networks"), "{url}: {}", err.message);
    }
    // A public name is accepted on save (checked again, after resolution, on every call).
    let saved: Rule = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                "/admin/rules",
                &hook_rule("Outward", "https://hooks.example.com/x"),
            )
            .await,
    )
    .await;
    // …and cannot be turned inwards by an edit.
    let resp = app
        .api
        .put_json(
            &app.admin.token,
            &format!("/admin/rules/{}", saved.id),
            &hook_rule("Outward", &receiver.url),
        )
        .await;
    expect_error(resp, 422, ErrorCode::ValidationFailed).await;
    assert!(receiver.received().is_empty());
}

/// Points the saved rule's webhook at `url` behind the validation's back: what a name that
/// resolved publicly on save and inwards later (DNS rebinding) amounts to.
async fn repoint(app: &TestApp, rule_id: i64, from: &str, to: &str) {
    let row = rule::Entity::find_by_id(rule_id)
        .one(app.ctx.db())
        .await
        .expect("reading the rule")
        .expect("the rule");
    assert!(row.actions.contains(from), "{}", row.actions);
    let actions = row.actions.replace(from, to);
    let mut row: rule::ActiveModel = row.into();
    row.actions = Set(actions);
    row.update(app.ctx.db()).await.expect("repointing the rule");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_calls_that_lead_inwards_are_refused_before_connecting() {
    let app = locked_down_app().await;
    let receiver = Receiver::start(&[]).await;
    let port = receiver
        .url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/hook");
    let saved: Rule = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                "/admin/rules",
                &hook_rule("Outward", "https://hooks.example.com/x"),
            )
            .await,
    )
    .await;
    let client = sender::client(Egress::of(app.ctx.settings()));
    let mut current = "https://hooks.example.com/x".to_owned();
    for url in [
        format!("http://localhost:{port}/hook"),
        receiver.url.clone(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
    ] {
        repoint(&app, saved.id, &current, &url).await;
        current.clone_from(&url);
        let ticket = app
            .api
            .create_ticket(&app.admin.token, &new_ticket("Hello"))
            .await
            .ticket
            .id;
        // The background sender may take the call first: wait for an attempt, whoever makes it.
        let d = poll::until(
            "an attempt at the call",
            Duration::from_secs(20),
            || async {
                let pass = sender::run_once(&app.ctx, &client, Utc::now()).await.expect("a pass");
                assert!(pass.delivered.is_empty(), "{url}: {pass:?}");
                webhook_delivery::Entity::find()
                    .filter(webhook_delivery::Column::TicketId.eq(ticket))
                    .one(app.ctx.db())
                    .await
                    .expect("reading")
            },
            |d| d.as_ref().is_some_and(|d| d.last_error.is_some()),
        )
        .await
        .expect("the rule queued a call");
        assert_eq!(d.url, current);
        assert_ne!(d.status, "delivered");
        // Refused by the check itself, not by a failed (attempted) connection.
        let error = d.last_error.unwrap_or_default();
        assert!(
            error.starts_with("refused:") && error.contains("allow_private_networks"),
            "{url}: {error}"
        );
    }
    assert!(
        receiver.received().is_empty(),
        "the receiver was called: {:?}",
        receiver.received()
    );

    // The client refuses on its own too, on the address it resolved: a name leading inwards
    // never gets a connection, even past the sender's own check.
    let err = client
        .post(format!("http://localhost:{port}/hook"))
        .timeout(Duration::from_secs(5))
        .body("{}")
        .send()
        .await
        .expect_err("the client connected to loopback");
    let chain = std::iter::successors(Some(&err as &dyn std::error::Error), |e| e.source())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ");
    assert!(chain.contains("not a public address"), "{chain}");
    assert!(receiver.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mailbox_hosts_on_internal_addresses_are_refused() {
    let app = locked_down_app().await;
    for host in ["10.0.0.1", "localhost", "127.0.0.1", "169.254.169.254", "[::1]"] {
        let body = json!({"name": "Support", "address": "support@example.com", "imap_host": host,
                          "imap_password": "pw", "enabled": false});
        let resp = app.api.post_json(&app.admin.token, "/mailboxes", &body).await;
        let err = expect_error(resp, 422, ErrorCode::ValidationFailed).await;
        assert!(err.message.contains("imap_host"), "{host}: {}", err.message);
    }
    let created: MailboxWithSecret = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                "/mailboxes",
                // Disabled: no worker ever looks the name up.
                &json!({"name": "Support", "address": "support@example.com", "imap_host": "imap.example.com",
                        "imap_password": "pw", "enabled": false}),
            )
            .await,
    )
    .await;
    let id = created.mailbox.id;
    let resp = app
        .api
        .patch_json(
            &app.admin.token,
            &format!("/mailboxes/{id}"),
            &json!({"imap_host": "10.0.0.1"}),
        )
        .await;
    let err = expect_error(resp, 422, ErrorCode::ValidationFailed).await;
    assert!(err.message.contains("imap_host"), "{}", err.message);

    // A host that leads inwards by the time of the connection (edited behind the check, or a
    // name that now resolves inwards) is refused before connecting.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback listener");
    listener.set_nonblocking(true).expect("non-blocking");
    let port = i32::from(listener.local_addr().expect("address").port());
    for host in ["localhost", "127.0.0.1", "10.0.0.1"] {
        let row = mailbox::Entity::find_by_id(id)
            .one(app.ctx.db())
            .await
            .expect("reading")
            .expect("row");
        let mut row: mailbox::ActiveModel = row.into();
        row.imap_host = Set(Some(host.into()));
        row.imap_port = Set(Some(port));
        let row = row.update(app.ctx.db()).await.expect("repointing the mailbox");
        let endpoint = Endpoint::of_mailbox(app.ctx.keys(), Egress::of(app.ctx.settings()), &row).expect("endpoint");
        let err = match connect::connect(&endpoint, Duration::from_secs(5)).await {
            Ok(_) => panic!("{host}: connected"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains("not a public address"), "{host}: {err}");
    }
    assert!(
        listener
            .accept()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock),
        "something connected to the loopback listener"
    );
}
