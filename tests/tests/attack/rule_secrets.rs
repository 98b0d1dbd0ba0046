//! Item 11: rule webhook secrets were stored in clear and sent back by `GET /admin/rules`, so
//! a stolen admin session (or a database dump) gave away every receiver's signing key. Now they
//! are sealed at rest and write-only: answers say only `secret_set`.

use std::time::Duration;

use chrono::Utc;
use entity::{rule, webhook_delivery};
use maildesk::egress::Egress;
use maildesk::rules::webhooks::sender;
use maildesk::rules::webhooks::signature::sign;
use maildesk_tests::client::{expect_error, new_ticket, ok_json};
use maildesk_tests::webhook_receiver::{Received, Receiver};
use maildesk_tests::{Backend, TestApp, both_backends, poll, spawn_app_on};
use protocol::{ErrorCode, Rule};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

const SECRET: &str = "rule-secret-that-must-not-leak-7f3a";

fn webhook_rule(url: &str, secret: Option<&str>) -> Value {
    let mut hook = json!({"kind": "webhook", "url": url});
    if let Some(s) = secret {
        hook["secret"] = json!(s);
    }
    json!({"name": "Tell the CRM", "event": "ticket_created", "actions": [hook]})
}

async fn stored_actions(app: &TestApp, id: i64) -> String {
    rule::Entity::find_by_id(id)
        .one(app.ctx.db())
        .await
        .expect("reading the rule")
        .expect("the rule exists")
        .actions
}

/// Opens a ticket (which fires the rule) and returns what the receiver got for it.
async fn fire(app: &TestApp, receiver: &Receiver, subject: &str) -> Received {
    let id = app
        .api
        .create_ticket(&app.admin.token, &new_ticket(subject))
        .await
        .ticket
        .id;
    let client = sender::client(Egress::of(app.ctx.settings()));
    poll::until(
        "the webhook call",
        Duration::from_secs(20),
        || async {
            sender::run_once(&app.ctx, &client, Utc::now())
                .await
                .expect("a sender pass");
            receiver
                .received()
                .into_iter()
                .find(|r| serde_json::from_str::<Value>(&r.body).is_ok_and(|b| b["ticket"]["id"] == json!(id)))
        },
        Option::is_some,
    )
    .await
    .expect("found")
}

fn assert_signed_with(r: &Received, secret: &str) {
    let ts: i64 = r.headers["x-maildesk-timestamp"].parse().expect("a timestamp");
    assert_eq!(
        r.headers["x-maildesk-signature"],
        sign(secret, ts, &r.body),
        "wrong signature"
    );
}

both_backends!(
    webhook_secrets_are_write_only_and_sealed_at_rest,
    |app: TestApp| async move {
        let receiver = Receiver::start(&[]).await;
        let resp = app
            .api
            .post_json(
                &app.admin.token,
                "/admin/rules",
                &webhook_rule(&receiver.url, Some(SECRET)),
            )
            .await;
        assert_eq!(resp.status(), 201);
        let created = resp.text().await.expect("body");
        assert!(
            !created.contains(SECRET),
            "the create answer holds the secret: {created}"
        );
        let created: Rule = serde_json::from_str(&created).expect("a rule");

        for path in ["/admin/rules".to_owned(), format!("/admin/rules/{}", created.id)] {
            let body = app.api.get(&app.admin.token, &path).await.text().await.expect("body");
            assert!(!body.contains(SECRET), "GET {path} gives the secret away: {body}");
            assert!(
                body.contains("\"secret_set\":true"),
                "GET {path} does not say a secret is set: {body}"
            );
            assert!(!body.contains("\"secret\""), "GET {path} has a secret field: {body}");
        }
        let stored = stored_actions(&app, created.id).await;
        assert!(
            !stored.contains(SECRET),
            "rules.actions holds the secret in clear: {stored}"
        );

        // The rule as answered, saved back unchanged (the admin renamed it): the secret stays.
        let mut again = serde_json::to_value(&created).expect("json");
        again["name"] = json!("Tell the CRM, renamed");
        for read_only in ["id", "created_at", "updated_at"] {
            again.as_object_mut().expect("object").remove(read_only);
        }
        let resp = app
            .api
            .put_json(&app.admin.token, &format!("/admin/rules/{}", created.id), &again)
            .await;
        let saved: Rule = ok_json(resp).await;
        assert_eq!(saved.name, "Tell the CRM, renamed");

        let got = fire(&app, &receiver, "Refund please").await;
        assert_signed_with(&got, SECRET);
        let deliveries = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::RuleId.eq(created.id))
            .all(app.ctx.db())
            .await
            .expect("deliveries");
        assert!(!deliveries.is_empty());
        for d in &deliveries {
            assert!(
                !d.secret.contains(SECRET),
                "a delivery holds the secret in clear: {}",
                d.secret
            );
        }

        // A webhook to another receiver needs its own secret; a new one replaces the old.
        let other = webhook_rule("http://127.0.0.1:9/elsewhere", None);
        let resp = app
            .api
            .put_json(&app.admin.token, &format!("/admin/rules/{}", created.id), &other)
            .await;
        let err = expect_error(resp, 422, ErrorCode::ValidationFailed).await;
        assert!(err.message.contains("actions[0]: secret"), "{}", err.message);
        let rotated = webhook_rule(&receiver.url, Some("a-brand-new-secret-123"));
        let resp = app
            .api
            .put_json(&app.admin.token, &format!("/admin/rules/{}", created.id), &rotated)
            .await;
        let _: Rule = ok_json(resp).await;
        assert_signed_with(&fire(&app, &receiver, "Second refund").await, "a-brand-new-secret-123");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_stored_in_clear_by_an_older_version_still_sign_and_are_sealed_at_start() {
    let app = spawn_app_on(Backend::Postgres).await;
    let receiver = Receiver::start(&[]).await;
    let created: Rule = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                "/admin/rules",
                &webhook_rule(&receiver.url, Some(SECRET)),
            )
            .await,
    )
    .await;
    // As an older version stored it: the secret in clear inside the actions.
    let legacy = json!([{"kind": "webhook", "url": receiver.url, "secret": SECRET}]).to_string();
    let mut row: rule::ActiveModel = rule::Entity::find_by_id(created.id)
        .one(app.ctx.db())
        .await
        .expect("reading the rule")
        .expect("the rule")
        .into();
    row.actions = Set(legacy);
    row.update(app.ctx.db()).await.expect("writing the legacy rule");

    // Read as it is: never answered, still signs.
    let body = app
        .api
        .get(&app.admin.token, "/admin/rules")
        .await
        .text()
        .await
        .expect("body");
    assert!(!body.contains(SECRET), "{body}");
    assert_signed_with(&fire(&app, &receiver, "Old rule").await, SECRET);

    // A delivery an older version wrote, marked by the migration.
    let pending = webhook_delivery::ActiveModel {
        rule_id: Set(Some(created.id)),
        ticket_id: Set(None),
        url: Set(receiver.url.clone()),
        secret: Set(format!("clear:{SECRET}")),
        payload: Set("{\"legacy\":true}".into()),
        status: Set("pending".into()),
        attempts: Set(0),
        next_attempt_at: Set(Utc::now() + chrono::Duration::hours(1)),
        lease_until: Set(None),
        last_error: Set(None),
        created_at: Set(Utc::now()),
        delivered_at: Set(None),
        ..Default::default()
    }
    .insert(app.ctx.db())
    .await
    .expect("a legacy delivery");

    // The next start seals both.
    let _node = app.spawn_node().await;
    let stored = stored_actions(&app, created.id).await;
    assert!(!stored.contains(SECRET), "still in clear after a restart: {stored}");
    let d = webhook_delivery::Entity::find_by_id(pending.id)
        .one(app.ctx.db())
        .await
        .expect("reading")
        .expect("the delivery");
    assert!(
        d.secret.starts_with("sealed:") && !d.secret.contains(SECRET),
        "{}",
        d.secret
    );
    let client = sender::client(Egress::of(app.ctx.settings()));
    sender::run_once(&app.ctx, &client, Utc::now() + chrono::Duration::hours(2))
        .await
        .expect("a pass");
    let legacy = receiver
        .received()
        .into_iter()
        .find(|r| r.body.contains("legacy"))
        .expect("the legacy delivery was sent");
    assert_signed_with(&legacy, SECRET);
    assert_signed_with(&fire(&app, &receiver, "After the restart").await, SECRET);
}
