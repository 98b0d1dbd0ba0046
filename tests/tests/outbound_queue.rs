//! The outbox under failure and concurrency: a mail a crashed sender left half-sent goes out
//! again under the same Message-ID (never dropped, never a second different mail), a live
//! claim is left alone, and two nodes draining one queue send every mail exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use entity::outbound_mail;
use maildesk::mail::outbound::compose::{Draft, Origin, Person};
use maildesk::mail::outbound::queue::{self, Outgoing};
use maildesk::mail::outbound::sender;
use maildesk::mail::outbound::transport::{SendError, Transport};
use maildesk_tests::client::new_ticket;
use maildesk_tests::{Backend, TestApp, spawn_app_with};
use protocol::{CreateTicket, NotificationSettings, OutboundStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

/// Records every hand-over, by Message-ID, taking a little time like a real server.
#[derive(Default)]
struct Counting {
    sent: Mutex<HashMap<String, usize>>,
}

#[async_trait]
impl Transport for Counting {
    fn name(&self) -> &'static str {
        "counting"
    }

    async fn send(&self, _from: &str, _rcpts: &[String], raw: &[u8]) -> Result<(), SendError> {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let text = String::from_utf8_lossy(raw);
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: "))
            .unwrap_or_default()
            .to_owned();
        *self.sent.lock().unwrap().entry(id).or_default() += 1;
        Ok(())
    }
}

async fn quiet_app(backend: Backend) -> TestApp {
    // The background sender only runs when woken: the test drives the queue itself.
    spawn_app_with(backend, |s| s.outbound.poll_interval_ms = 3_600_000).await
}

async fn enqueue_many(app: &TestApp, n: usize) -> Vec<String> {
    let settings = NotificationSettings::default();
    let env = queue::Env {
        keys: app.ctx.keys(),
        domain: app.ctx.settings().mail_domain(),
        dkim: None,
        notifications: &settings,
    };
    let txn = app.ctx.db().begin().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let q = queue::enqueue(
            &txn,
            &env,
            Outgoing {
                ticket_id: None,
                ticket_started: None,
                message_row_id: None,
                template: "test".into(),
                automatic: false,
                draft: Draft {
                    from: Person {
                        name: Some("Desk".into()),
                        email: "desk@example.test".into(),
                    },
                    reply_to: None,
                    to: vec![Person {
                        name: None,
                        email: format!("r{i}@example.test"),
                    }],
                    cc: vec![],
                    subject: format!("Mail {i}"),
                    message_id: String::new(),
                    in_reply_to: None,
                    references: vec![],
                    thread_index: None,
                    thread_topic: None,
                    origin: Origin::Human,
                    text: "Hello".into(),
                    html: None,
                    attachments: vec![],
                },
            },
        )
        .await
        .unwrap();
        assert_eq!(q.status, OutboundStatus::Queued);
        ids.push(format!("<{}>", q.message_id));
    }
    txn.commit().await.unwrap();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_draining_one_queue_send_every_mail_exactly_once() {
    let app = quiet_app(Backend::Postgres).await;
    let node = app.spawn_node_with(|s| s.outbound.poll_interval_ms = 3_600_000).await;
    let ids = enqueue_many(&app, 60).await;
    let transport = Arc::new(Counting::default());
    let (a, b) = tokio::join!(
        sender::run_once(&app.ctx, transport.as_ref()),
        sender::run_once(&node.ctx, transport.as_ref())
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a + b, 60, "every mail handled once ({a} + {b})");
    assert!(a > 0 && b > 0, "both nodes took a share ({a} + {b})");
    let sent = transport.sent.lock().unwrap().clone();
    for id in &ids {
        assert_eq!(sent.get(id), Some(&1), "{id} sent {:?} times", sent.get(id));
    }
    let rows = outbound_mail::Entity::find().all(app.ctx.db()).await.unwrap();
    assert!(rows.iter().all(|r| r.status == "sent" && r.attempts == 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_mail_goes_again_under_the_same_message_id_postgres() {
    half_sent_mail_goes_again(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_mail_goes_again_under_the_same_message_id_sqlite() {
    half_sent_mail_goes_again(Backend::Sqlite).await;
}

async fn half_sent_mail_goes_again(backend: Backend) {
    // The background sender runs only when a route wakes it, so it cannot race the test.
    let app = quiet_app(backend).await;
    let t = app
        .api
        .create_ticket(
            &app.admin.token,
            &CreateTicket {
                requester_email: Some(format!("eve-{}@example.test", uuid::Uuid::new_v4().simple())),
                ..new_ticket("Crash in the middle")
            },
        )
        .await;
    // Wait for the (dev outbox) sender to deliver what the ticket caused.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let row = loop {
        let rows = outbound_mail::Entity::find()
            .filter(outbound_mail::Column::TicketId.eq(t.ticket.id))
            .all(app.ctx.db())
            .await
            .unwrap();
        if let Some(r) = rows.into_iter().find(|r| r.status == "sent") {
            break r;
        }
        assert!(std::time::Instant::now() < deadline, "nothing was sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // A sender that claimed it and died before recording the result: `sending`, lease over.
    let crashed = |until: chrono::DateTime<Utc>| {
        outbound_mail::Entity::update_many()
            .col_expr(outbound_mail::Column::Status, Expr::value("sending"))
            .col_expr(outbound_mail::Column::LockedUntil, Expr::value(until))
            .filter(outbound_mail::Column::Id.eq(row.id))
    };
    // While another sender's lease runs, the mail is left alone.
    crashed(Utc::now() + chrono::Duration::seconds(300))
        .exec(app.ctx.db())
        .await
        .unwrap();
    let transport = Counting::default();
    assert_eq!(sender::run_once(&app.ctx, &transport).await.unwrap(), 0);
    // Once it ran out, the mail goes again — the same message, the same Message-ID.
    crashed(Utc::now() - chrono::Duration::seconds(1))
        .exec(app.ctx.db())
        .await
        .unwrap();
    assert_eq!(sender::run_once(&app.ctx, &transport).await.unwrap(), 1);
    let after = outbound_mail::Entity::find_by_id(row.id)
        .one(app.ctx.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.status, "sent");
    assert_eq!(after.message_id, row.message_id);
    assert_eq!(after.raw, row.raw, "the very same message");
    assert_eq!(after.attempts, row.attempts + 1);
    let sent = transport.sent.lock().unwrap().clone();
    assert_eq!(sent.get(&format!("<{}>", row.message_id)), Some(&1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_autologin_links_customers_get_the_plain_ticket_link() {
    let app = quiet_app(Backend::Sqlite).await;
    let mut s: NotificationSettings =
        maildesk_tests::client::ok_json(app.api.get(&app.admin.token, "/admin/notification-settings").await).await;
    s.autologin_links = false;
    let _: NotificationSettings = maildesk_tests::client::ok_json(
        app.api
            .put_json(&app.admin.token, "/admin/notification-settings", &s)
            .await,
    )
    .await;
    let t = app
        .api
        .create_ticket(
            &app.admin.token,
            &CreateTicket {
                requester_email: Some(format!("fay-{}@example.test", uuid::Uuid::new_v4().simple())),
                ..new_ticket("No autologin")
            },
        )
        .await;
    let rows = outbound_mail::Entity::find()
        .filter(outbound_mail::Column::TicketId.eq(t.ticket.id))
        .all(app.ctx.db())
        .await
        .unwrap();
    let reply = rows
        .iter()
        .find(|r| r.template == "reply")
        .expect("the agent's words are mailed");
    let msg = mail_parser::MessageParser::default().parse(&reply.raw).unwrap();
    let text = msg.body_text(0).unwrap();
    assert!(!text.contains("/autologin"), "{text}");
    assert!(text.contains(&format!("/tickets/{}", t.ticket.id)), "{text}");
}
