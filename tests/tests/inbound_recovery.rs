//! A crash between the journal commit and processing loses nothing and duplicates nothing:
//! the entry stays pending, the sweeper (or a redelivery) applies it exactly once.

use std::time::Duration;

use maildesk::mail::inbound::journal::{self, NewMail, Source};
use maildesk::mail::inbound::pipeline;
use maildesk_tests::client::ok_json;
use maildesk_tests::mail::mail;
use maildesk_tests::{TestApp, both_backends};
use protocol::{InboundStatus, Page, Ticket};

both_backends!(
    a_journaled_but_unprocessed_mail_is_applied_once_after_restart,
    |app: TestApp| async move {
        let raw = mail("nia@customer.example", "support@help.example.com", "Lost?")
            .message_id("crash1@c.example")
            .build();
        // The "crash": the mail reached the journal, processing never ran.
        let journaled = journal::record(
            app.ctx.db(),
            NewMail {
                mailbox_id: None,
                source: Source::Imap,
                raw: &raw,
                explicit_key: None,
                imap: Some((7, 42)),
            },
        )
        .await
        .unwrap();
        assert!(!journaled.duplicate);
        assert_eq!(journaled.entry.status, "pending");
        let none: Page<Ticket> = ok_json(app.api.get(&app.admin.token, "/tickets").await).await;
        assert_eq!(none.total, 0);

        // The source redelivers (the acknowledgement never happened) while the sweeper runs.
        let (again, outcome) = pipeline::ingest(
            &app.ctx,
            NewMail {
                mailbox_id: None,
                source: Source::Imap,
                raw: &raw,
                explicit_key: None,
                imap: Some((7, 42)),
            },
        )
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
        let j = journal::record(
            app.ctx.db(),
            NewMail {
                mailbox_id: None,
                source: Source::Http,
                raw: &raw,
                explicit_key: None,
                imap: None,
            },
        )
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
