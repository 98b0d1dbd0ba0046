//! A crash between the journal commit and processing loses nothing and duplicates nothing:
//! the entry stays pending, the sweeper (or a redelivery) applies it exactly once.

use std::time::Duration;

use maildesk::mail::inbound::journal::{self, NewMail, Source};
use maildesk::mail::inbound::pipeline;
use maildesk_tests::client::ok_json;
use maildesk_tests::mail::mail;
use maildesk_tests::{TestApp, both_backends, spawn_app};
use protocol::{InboundStatus, Page, Ticket};
use sea_orm::{ConnectionTrait, EntityTrait, Statement};

/// A mail with no mailbox (as the HTTP endpoint and imports take them).
fn new_mail(raw: &[u8], source: Source, imap: Option<(u32, u32)>) -> NewMail<'_> {
    NewMail {
        imap,
        ..NewMail::new(source, None, raw)
    }
}

both_backends!(
    a_journaled_but_unprocessed_mail_is_applied_once_after_restart,
    |app: TestApp| async move {
        let raw = mail("nia@customer.example", "support@help.example.com", "Lost?")
            .message_id("crash1@c.example")
            .build();
        // The "crash": the mail reached the journal, processing never ran.
        let journaled = journal::record(app.ctx.db(), new_mail(&raw, Source::Imap, Some((7, 42))))
            .await
            .unwrap();
        assert!(!journaled.duplicate);
        assert_eq!(journaled.entry.status, "pending");
        // The entry comes back from the insert itself, not read again: it must be the row as
        // stored, or processing would work from something else than the journal holds.
        let stored = entity::inbound_mail::Entity::find_by_id(journaled.entry.id)
            .one(app.ctx.db())
            .await
            .unwrap()
            .expect("the journal row");
        assert_eq!(stored, journaled.entry);
        assert_eq!(stored.raw, raw);
        let none: Page<Ticket> = ok_json(app.api.get(&app.admin.token, "/tickets").await).await;
        assert_eq!(none.total, 0);

        // The source redelivers (the acknowledgement never happened) while the sweeper runs.
        let (again, outcome) = pipeline::ingest(&app.ctx, new_mail(&raw, Source::Imap, Some((7, 42))))
            .await
            .unwrap();
        assert!(again.duplicate);
        assert_eq!(again.entry.id, journaled.entry.id);
        let swept = pipeline::process_pending(&app.ctx, 10, Duration::ZERO).await.unwrap();
        assert!(swept.iter().all(|o| o.status == "processed"));
        assert_eq!(outcome.status, "processed");

        let page: Page<Ticket> = ok_json(app.api.get(&app.admin.token, "/tickets").await).await;
        assert_eq!(page.total, 1, "exactly one ticket");
        let detail = app.api.ticket(&app.admin.token, page.items[0].id).await;
        assert_eq!(detail.messages.len(), 1, "applied once");
        let listed: Page<protocol::InboundMail> = ok_json(app.api.get(&app.admin.token, "/inbound").await).await;
        assert_eq!(listed.total, 1);
        assert_eq!(listed.items[0].status, InboundStatus::Processed);
    }
);

both_backends!(
    concurrent_processing_of_one_entry_applies_it_once,
    |app: TestApp| async move {
        let raw = mail("oli@customer.example", "support@help.example.com", "Race")
            .message_id("race1@c.example")
            .build();
        let j = journal::record(app.ctx.db(), new_mail(&raw, Source::Http, None))
            .await
            .unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let ctx = app.ctx.clone();
                let id = j.entry.id;
                tokio::spawn(async move { pipeline::process(&ctx, id, false).await })
            })
            .collect();
        let mut tickets = vec![];
        for t in tasks {
            tickets.push(t.await.unwrap().unwrap().ticket_id);
        }
        assert!(tickets.iter().all(|t| t.is_some() && *t == tickets[0]), "{tickets:?}");
        let page: Page<Ticket> = ok_json(app.api.get(&app.admin.token, "/tickets").await).await;
        assert_eq!(page.total, 1);
        assert_eq!(
            app.api.ticket(&app.admin.token, page.items[0].id).await.messages.len(),
            1
        );
    }
);

/// Raw mails and bodies are compressed with lz4 on PostgreSQL (pglz was a large share of the
/// database's CPU per ingested mail: `docs/PERFORMANCE.md`), and such a row still reads back
/// whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_columns_use_lz4_on_postgres() {
    let app = spawn_app().await;
    let rows = app
        .ctx
        .db()
        .query_all_raw(Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT c.relname || '.' || a.attname, a.attcompression::text FROM pg_attribute a \
             JOIN pg_class c ON c.oid = a.attrelid \
             WHERE (c.relname, a.attname) IN (('inbound_mails', 'raw'), ('outbound_mails', 'raw'), \
             ('messages', 'body_text'), ('messages', 'body_html')) ORDER BY 1",
        ))
        .await
        .unwrap();
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.try_get_by_index(0).unwrap(), r.try_get_by_index(1).unwrap()))
        .collect();
    let want: Vec<(String, String)> = [
        "inbound_mails.raw",
        "messages.body_html",
        "messages.body_text",
        "outbound_mails.raw",
    ]
    .iter()
    .map(|c| (c.to_string(), "l".to_string()))
    .collect();
    assert_eq!(got, want, "column compression (l = lz4)");

    let body = "A long question about the invoice, repeated. ".repeat(2000);
    let raw = mail("lz@customer.example", "support@help.example.com", "Large")
        .body(&body)
        .build();
    let (_, outcome) = pipeline::ingest(&app.ctx, new_mail(&raw, Source::Http, None))
        .await
        .unwrap();
    assert_eq!(outcome.status, "processed");
    let detail = app
        .api
        .ticket(&app.admin.token, outcome.ticket_id.expect("a ticket"))
        .await;
    assert!(
        detail.messages[0].body_text.contains(body.trim()),
        "the body reads back whole"
    );
}
