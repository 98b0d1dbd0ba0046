//! Retention with the clock injected: raw mail older than `retention.raw_mail_days` loses its
//! bytes (the messages stay; mail still waiting keeps them), closed tickets older than
//! `retention.closed_ticket_days` go with their files (a file another ticket shares stays), each
//! exactly once however many nodes sweep at the same time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::Utc;
use entity::{inbound_mail, ticket};
use maildesk::retention::{self, Swept};
use maildesk_tests::mail::mail;
use maildesk_tests::{Backend, TestApp, spawn_app_with};
use protocol::{InboundStatus, TicketStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

const SUPPORT: &str = "support@help.example.com";

async fn app_keeping(raw_days: i64, ticket_days: i64) -> TestApp {
    spawn_app_with(Backend::Postgres, move |s| {
        s.retention.raw_mail_days = raw_days;
        s.retention.closed_ticket_days = ticket_days;
    })
    .await
}

fn with_file(id: &str, content: &str) -> Vec<u8> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(content);
    mail("ann@customer.test", SUPPORT, &format!("Mail {id}"))
        .header("MIME-Version", "1.0")
        .header("Content-Type", "multipart/mixed; boundary=\"r1\"")
        .message_id(id)
        .body(&format!(
            "--r1\r\nContent-Type: text/plain\r\n\r\nSee file.\r\n--r1\r\nContent-Type: application/pdf\r\n\
             Content-Disposition: attachment; filename=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--r1--\r\n"
        ))
        .build()
}

#[tokio::test]
async fn raw_mail_goes_after_its_days_the_messages_stay_and_waiting_mail_keeps_it() {
    let app = app_keeping(30, 0).await;
    let mb = app.mailbox(SUPPORT).await;
    let done = app.deliver(&mb, &with_file("ret1@customer.test", "first file")).await;
    assert_eq!(done.status, InboundStatus::Processed);
    // Our own address: a loop, quarantined (waiting for an admin).
    let waiting = app
        .deliver(
            &mb,
            &mail(SUPPORT, SUPPORT, "Loop")
                .message_id("ret2@help.example.com")
                .build(),
        )
        .await;
    assert_eq!(waiting.status, InboundStatus::Quarantined);

    let early = retention::sweep(&app.ctx, Utc::now() + chrono::Duration::days(29), Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(early, Swept::default(), "nothing is old enough yet");
    let later = Utc::now() + chrono::Duration::days(31);
    let swept = retention::sweep(&app.ctx, later, Duration::ZERO).await.unwrap();
    assert_eq!(swept.raw_mails, 1, "{swept:?}");
    let again = retention::sweep(&app.ctx, later, Duration::ZERO).await.unwrap();
    assert_eq!(again.raw_mails, 0, "done once");

    let db = app.ctx.db().clone();
    let row = |id: i64| {
        let db = db.clone();
        async move { inbound_mail::Entity::find_by_id(id).one(&db).await.unwrap().unwrap() }
    };
    let purged = row(done.journal_id).await;
    assert!(purged.raw.is_empty() && purged.raw_purged_at.is_some());
    assert!(
        !row(waiting.journal_id).await.raw.is_empty(),
        "quarantined mail keeps its bytes"
    );
    let resp = app
        .api
        .get(&app.admin.token, &format!("/inbound/{}/raw", done.journal_id))
        .await;
    assert_eq!(resp.status(), 404);
    // The ticket, its message and its file are all still there.
    let d = app.api.ticket(&app.admin.token, done.ticket_id.unwrap()).await;
    assert_eq!(d.messages[0].attachments.len(), 1);
    let file = app
        .api
        .get(
            &app.admin.token,
            &format!("/attachments/{}", d.messages[0].attachments[0].id),
        )
        .await;
    assert_eq!(file.status(), 200);
    // A redelivery is still a duplicate (the entry stays).
    let dup = app.deliver(&mb, &with_file("ret1@customer.test", "first file")).await;
    assert!(dup.duplicate);
}

async fn close_at(app: &TestApp, id: i64) {
    ticket::Entity::update_many()
        .col_expr(ticket::Column::Status, Expr::value(TicketStatus::Closed.as_str()))
        .col_expr(ticket::Column::ClosedAt, Expr::value(Utc::now()))
        .filter(ticket::Column::Id.eq(id))
        .exec(app.ctx.db())
        .await
        .unwrap();
}

#[tokio::test]
async fn closed_tickets_go_with_their_files_once_across_nodes() {
    let app = app_keeping(0, 90).await;
    let node = app.spawn_node().await;
    let mb = app.mailbox(SUPPORT).await;
    let mut closed = Vec::new();
    for i in 0..6 {
        let got = app
            .deliver(
                &mb,
                &with_file(&format!("c{i}@customer.test"), &format!("only mine {i}")),
            )
            .await;
        closed.push(got.ticket_id.unwrap());
    }
    let shared_a = app
        .deliver(&mb, &with_file("s1@customer.test", "shared bytes"))
        .await
        .ticket_id
        .unwrap();
    let shared_b = app
        .deliver(&mb, &with_file("s2@customer.test", "shared bytes"))
        .await
        .ticket_id
        .unwrap();
    let open = shared_b;
    for &id in closed.iter().chain([&shared_a]) {
        close_at(&app, id).await;
    }
    let blob_of = |sha: &str| app.ctx.blobs().root().join(&sha[..2]).join(sha);
    let d = app.api.ticket(&app.admin.token, closed[0]).await;
    let own_sha = d.messages[0].attachments[0].sha256.clone();
    let shared_sha = app.api.ticket(&app.admin.token, shared_a).await.messages[0].attachments[0]
        .sha256
        .clone();
    assert!(blob_of(&own_sha).exists() && blob_of(&shared_sha).exists());

    // Two nodes sweep at the same moment: every ticket is deleted, and counted, once.
    let later = Utc::now() + chrono::Duration::days(91);
    let (a, b) = tokio::join!(
        retention::sweep(&app.ctx, later, Duration::ZERO),
        retention::sweep(&node.ctx, later, Duration::ZERO),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.tickets + b.tickets, 7, "{a:?} {b:?}");
    for id in closed.iter().chain([&shared_a]) {
        assert!(
            ticket::Entity::find_by_id(*id)
                .one(app.ctx.db())
                .await
                .unwrap()
                .is_none(),
            "ticket {id} stays"
        );
    }
    assert!(
        ticket::Entity::find_by_id(open)
            .one(app.ctx.db())
            .await
            .unwrap()
            .is_some(),
        "an open ticket went"
    );
    assert!(
        !blob_of(&own_sha).exists(),
        "the deleted ticket's own file stays on disk"
    );
    assert!(
        blob_of(&shared_sha).exists(),
        "a file the open ticket shares was removed"
    );
    let resp = app.api.get(&app.admin.token, &format!("/tickets/{}", closed[0])).await;
    assert_eq!(resp.status(), 404);
}
