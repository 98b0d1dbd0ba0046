//! Mails submitted at the same moment share a journal commit and an apply transaction. A bad
//! mail in a batch must not take the others down, and nothing may be applied twice.

use std::collections::HashMap;

use futures_util::future::join_all;
use mail_parse::parsed::ParsedMail;
use mail_parse::{ParseOptions, parse_mail};
use maildesk::error::AppResult;
use maildesk::mail::inbound::apply::{self, Outcome};
use maildesk::mail::inbound::journal::{self, Journaled, NewMail, Source};
use maildesk::mail::inbound::known_ids::KnownIds;
use maildesk::mail::inbound::{batch, pipeline};
use maildesk::mail::outbound::facts::SubscribersRead;
use maildesk::memo::Memo;
use maildesk_tests::mail::{WITH_ATTACHMENT, mail};
use maildesk_tests::{TestApp, spawn_app};
use protocol::MailboxSettings;
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};

const SUPPORT: &str = "support@help.example.com";

async fn count(app: &TestApp, sql: &str) -> i64 {
    let row = app
        .ctx
        .db()
        .query_one_raw(Statement::from_string(app.ctx.db().get_database_backend(), sql))
        .await
        .unwrap()
        .expect("a row");
    row.try_get_by_index::<i64>(0).unwrap()
}

/// Every mail at once, as concurrent webhook posts would arrive.
async fn submit(app: &TestApp, mailbox: i64, raws: &[Vec<u8>]) -> Vec<AppResult<(Journaled, Outcome)>> {
    join_all(raws.iter().map(|raw| {
        pipeline::ingest(
            &app.ctx,
            NewMail {
                mailbox_id: Some(mailbox),
                source: Source::Http,
                raw,
                explicit_key: None,
                imap: None,
                envelope: None,
            },
        )
    }))
    .await
}

/// Journals the mails (mailbox, raw) together, then processes them as ONE batch, in order.
async fn as_one_batch(app: &TestApp, mails: &[(i64, &Vec<u8>)]) -> (Vec<Journaled>, HashMap<i64, Outcome>) {
    let new: Vec<NewMail<'_>> = mails
        .iter()
        .map(|(mailbox, raw)| NewMail {
            mailbox_id: Some(*mailbox),
            source: Source::Http,
            raw,
            explicit_key: None,
            imap: None,
            envelope: None,
        })
        .collect();
    let journaled: Vec<Journaled> = journal::record_many(app.ctx.db(), &new)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.expect("journaled"))
        .collect();
    let entries: Vec<_> = journaled.iter().map(|j| &j.entry).collect();
    let outcomes = batch::process(&app.ctx, &entries).await;
    (journaled, outcomes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_mail_in_a_batch_is_a_dead_letter_and_the_rest_go_through_once() {
    let app = spawn_app().await;
    let mb = app.mailbox(SUPPORT).await;
    // Storing an attachment fails, so the mail with one fails its batch.
    app.break_blob_store();
    let mut raws: Vec<Vec<u8>> = (0..12)
        .map(|i| {
            mail(&format!("c{i}@customer.example"), SUPPORT, &format!("Request {i}"))
                .message_id(&format!("req{i}@c.example"))
                .build()
        })
        .collect();
    raws.insert(5, WITH_ATTACHMENT.as_bytes().to_vec());
    let first = submit(&app, mb.mailbox.id, &raws).await;
    let outcomes: Vec<_> = first.into_iter().map(|r| r.expect("journaled").1).collect();
    assert_eq!(
        outcomes[5].status, "failed",
        "the mail whose attachment cannot be stored"
    );
    assert!(
        outcomes
            .iter()
            .enumerate()
            .all(|(i, o)| i == 5 || (o.status == "processed" && o.created)),
        "every other mail made its ticket: {outcomes:?}"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 12);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM inbound_mails WHERE status = 'failed'").await,
        1
    );

    // Delivered again, all at once (the source never heard back): nothing new is applied.
    let again = submit(&app, mb.mailbox.id, &raws).await;
    assert!(
        again.iter().all(|r| r.as_ref().is_ok_and(|(j, _)| j.duplicate)),
        "a second delivery is recognised in the journal"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 12);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM inbound_mails").await, 13);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM messages WHERE inbound_id IS NOT NULL").await,
        12,
        "one message per applied mail"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_copies_in_one_batch_make_one_message() {
    let app = spawn_app().await;
    let support = app.mailbox(SUPPORT).await;
    let sales = app.mailbox("sales@help.example.com").await;
    // One mail sent To support and CC sales: each mailbox journals its copy.
    let raw = mail("kim@customer.example", SUPPORT, "Both of you")
        .header("Cc", "sales@help.example.com")
        .message_id("both@c.example")
        .build();
    let copies = [support.mailbox.id, sales.mailbox.id].map(|id| {
        pipeline::ingest(
            &app.ctx,
            NewMail {
                mailbox_id: Some(id),
                source: Source::Http,
                raw: &raw,
                explicit_key: None,
                imap: None,
                envelope: None,
            },
        )
    });
    let results = join_all(copies).await;
    let outcomes: Vec<_> = results.into_iter().map(|r| r.expect("journaled").1).collect();
    assert!(outcomes.iter().all(|o| o.status == "processed"));
    assert_eq!(outcomes[0].ticket_id, outcomes[1].ticket_id, "one ticket");
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| o.rule.as_deref() == Some("duplicate"))
            .count(),
        1
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages").await, 1);
}

/// The batch claims all its entries at once; an entry another worker finished meanwhile makes
/// the claim fail as a whole (the batch is then redone mail by mail), and nothing is taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_claim_fails_whole_when_another_worker_took_a_mail() {
    let app = spawn_app().await;
    let mb = app.mailbox(SUPPORT).await;
    let raws: Vec<Vec<u8>> = (0..2)
        .map(|i| {
            mail(&format!("claim{i}@customer.example"), SUPPORT, "Claim me")
                .message_id(&format!("claim{i}@c.example"))
                .build()
        })
        .collect();
    // Journaled only: still pending, as when a worker is about to apply them.
    let mut entries = Vec::new();
    for raw in &raws {
        let mail = NewMail {
            mailbox_id: Some(mb.mailbox.id),
            source: Source::Http,
            raw,
            explicit_key: None,
            imap: None,
            envelope: None,
        };
        entries.push(journal::record(app.ctx.db(), mail).await.expect("journaled").entry);
    }
    let parsed: Vec<ParsedMail> = raws
        .iter()
        .map(|r| parse_mail(r, &ParseOptions::default()).expect("parses"))
        .collect();
    // Another worker finished the second mail.
    let db = app.ctx.db();
    let done = format!(
        "UPDATE inbound_mails SET status = 'processed' WHERE id = {}",
        entries[1].id
    );
    db.execute_unprepared(&done).await.unwrap();

    let txn = db.begin().await.unwrap();
    let claimed = apply::claim_batch(&txn, entries.iter().zip(&parsed)).await.unwrap();
    txn.rollback().await.unwrap();
    assert!(!claimed, "a batch with a finished mail must not claim");
    let attempts = format!(
        "SELECT CAST(SUM(attempts) AS BIGINT) FROM inbound_mails WHERE id IN ({}, {})",
        entries[0].id, entries[1].id
    );
    assert_eq!(count(&app, &attempts).await, 0, "nothing stays claimed");

    let txn = db.begin().await.unwrap();
    let claimed = apply::claim_batch(&txn, entries.iter().zip(&parsed).take(1))
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert!(claimed, "a batch of pending mails is claimed");
    assert_eq!(count(&app, &attempts).await, 1, "the pending mail was claimed once");
}

/// A batch creates its new customers before it opens its transaction: only for people whose
/// mail a mailbox accepts, never for a robot or a stranger a mailbox refuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_creates_accounts_only_for_senders_it_would_accept() {
    let app = spawn_app().await;
    let open = app.mailbox(SUPPORT).await;
    let closed = app
        .create_mailbox(MailboxSettings {
            name: Some("Closed".into()),
            address: Some("closed@help.example.com".into()),
            accept_unknown: Some(false),
            ..Default::default()
        })
        .await;
    let person = mail("new.person@customer.example", SUPPORT, "Hello")
        .message_id("acc1@c.example")
        .build();
    let robot = mail("robot@customer.example", SUPPORT, "Automatic reply: Hello")
        .header("Auto-Submitted", "auto-replied")
        .message_id("acc2@c.example")
        .build();
    let stranger = mail("stranger@nowhere.example", "closed@help.example.com", "Let me in")
        .message_id("acc3@n.example")
        .build();
    let jobs = [
        (open.mailbox.id, &person),
        (open.mailbox.id, &robot),
        (closed.mailbox.id, &stranger),
    ]
    .map(|(id, raw)| {
        pipeline::ingest(
            &app.ctx,
            NewMail {
                mailbox_id: Some(id),
                source: Source::Http,
                raw,
                explicit_key: None,
                imap: None,
                envelope: None,
            },
        )
    });
    let outcomes: Vec<Outcome> = join_all(jobs)
        .await
        .into_iter()
        .map(|r| r.expect("journaled").1)
        .collect();
    assert_eq!(outcomes[0].status, "processed");
    assert!(outcomes[0].created, "the person's mail opened a ticket");
    assert_eq!(
        outcomes[1].status, "quarantined",
        "an unanswered auto-reply is quarantined"
    );
    assert_eq!(
        outcomes[2].status, "quarantined",
        "the closed mailbox refuses strangers"
    );
    let accounts = |email: &str| format!("SELECT COUNT(*) FROM users WHERE email = '{email}'");
    assert_eq!(count(&app, &accounts("new.person@customer.example")).await, 1);
    assert_eq!(
        count(&app, &accounts("robot@customer.example")).await,
        0,
        "no account for a robot"
    );
    assert_eq!(
        count(&app, &accounts("stranger@nowhere.example")).await,
        0,
        "no account for a refused stranger"
    );
}

/// A batch writes its mails' results to the journal together; each row holds its own mail's
/// result, and a second delivery reads that result back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_records_each_mails_result_in_the_journal() {
    let app = spawn_app().await;
    let mb = app.mailbox(SUPPORT).await;
    let raws: Vec<Vec<u8>> = (0..6)
        .map(|i| {
            mail(&format!("rec{i}@customer.example"), SUPPORT, &format!("Record {i}"))
                .message_id(&format!("rec{i}@c.example"))
                .build()
        })
        .collect();
    let first: Vec<(Journaled, Outcome)> = submit(&app, mb.mailbox.id, &raws)
        .await
        .into_iter()
        .map(|r| r.expect("journaled"))
        .collect();
    for (j, o) in &first {
        assert_eq!(o.status, "processed");
        let ticket = o.ticket_id.expect("a ticket");
        let message = o.message_row_id.expect("a message");
        let row = format!(
            "SELECT COUNT(*) FROM inbound_mails WHERE id = {} AND status = 'processed' AND kind = 'normal' \
             AND thread_rule = 'new' AND ticket_id = {ticket} AND message_row_id = {message} \
             AND error IS NULL AND processed_at IS NOT NULL",
            j.entry.id
        );
        assert_eq!(
            count(&app, &row).await,
            1,
            "the journal row of entry {} holds its result",
            j.entry.id
        );
        let own = format!(
            "SELECT COUNT(*) FROM messages WHERE id = {message} AND ticket_id = {ticket} AND inbound_id = {}",
            j.entry.id
        );
        assert_eq!(count(&app, &own).await, 1, "the result names the mail's own message");
    }
    let again = submit(&app, mb.mailbox.id, &raws).await;
    for ((_, before), after) in first.iter().zip(again) {
        let (j, after) = after.expect("journaled");
        assert!(j.duplicate);
        assert_eq!(&after, before, "a second delivery returns the recorded result");
    }
}

/// Threading inside a batch reads the batch's Message-IDs once, up front: a mail must still
/// find a stored message, an earlier mail of the same batch, and its own second copy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mails_of_one_batch_thread_onto_each_other_and_onto_stored_mail() {
    let app = spawn_app().await;
    let support = app.mailbox(SUPPORT).await.mailbox.id;
    let sales = app.mailbox("sales@help.example.com").await.mailbox.id;
    let old = mail("olga@customer.example", SUPPORT, "Old question")
        .message_id("old@c.example")
        .build();
    let (_, stored) = submit(&app, support, &[old]).await.remove(0).expect("journaled");
    assert!(stored.created);

    let request = mail("rita@customer.example", SUPPORT, "New question")
        .message_id("req@c.example")
        .build();
    let reply = mail("rita@customer.example", SUPPORT, "Re: New question")
        .message_id("req-2@c.example")
        .in_reply_to("req@c.example")
        .build();
    let late = mail("olga@customer.example", SUPPORT, "Re: Old question")
        .message_id("old-2@c.example")
        .references(&["old@c.example"])
        .build();
    let mails = [
        (support, &request),
        (support, &reply),
        (support, &late),
        (sales, &request),
    ];
    let (journaled, outcomes) = as_one_batch(&app, &mails).await;
    let of = |i: usize| outcomes.get(&journaled[i].entry.id).expect("an outcome").clone();

    let opened = of(0);
    assert!(opened.created && opened.status == "processed", "{opened:?}");
    let answer = of(1);
    assert_eq!(
        answer.ticket_id, opened.ticket_id,
        "the reply joins the ticket its batch opened"
    );
    assert_eq!(answer.rule.as_deref(), Some("in_reply_to"));
    assert!(!answer.created);
    let later = of(2);
    assert_eq!(
        later.ticket_id, stored.ticket_id,
        "the late reply joins the stored ticket"
    );
    assert_eq!(later.rule.as_deref(), Some("references"));
    let copy = of(3);
    assert_eq!(copy.rule.as_deref(), Some("duplicate"));
    assert_eq!(
        copy.message_row_id, opened.message_row_id,
        "the copy is the first copy's message"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages").await, 4);
}

/// The ticket rows a batch reads up front serve one mail each: a later mail of the batch on
/// the same ticket sees what the earlier one did to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_mail_of_a_batch_sees_the_ticket_an_earlier_one_changed() {
    let app = spawn_app().await;
    let support = app.mailbox(SUPPORT).await.mailbox.id;
    let question = mail("rita@customer.example", SUPPORT, "Printer question")
        .message_id("q@c.example")
        .build();
    let (_, opened) = submit(&app, support, &[question]).await.remove(0).expect("journaled");
    let ticket = opened.ticket_id.expect("a ticket");

    let close = mail("rita@customer.example", SUPPORT, "Re: Printer question #close#")
        .message_id("q-2@c.example")
        .in_reply_to("q@c.example")
        .build();
    let again = mail("rita@customer.example", SUPPORT, "Re: Printer question")
        .message_id("q-3@c.example")
        .in_reply_to("q@c.example")
        .build();
    let (_, outcomes) = as_one_batch(&app, &[(support, &close), (support, &again)]).await;
    assert!(
        outcomes
            .values()
            .all(|o| o.ticket_id == Some(ticket) && o.status == "processed"),
        "{outcomes:?}"
    );
    // The first closed it; the second, a customer writing to a closed ticket, reopened it.
    let detail = app.api.ticket(&app.admin.token, ticket).await;
    assert_eq!(detail.ticket.status, protocol::TicketStatus::Open, "reopened");
    let version = count(&app, &format!("SELECT version FROM tickets WHERE id = {ticket}")).await;
    assert!(version >= 3, "each mail raised the version: {version}");
}

/// A batch locks the tickets its mails answer when it reads them, in id order, so two
/// batches answering the same tickets in opposite orders queue instead of deadlocking. The
/// lock is the one an UPDATE takes: new messages (their key reference) still go in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_locks_the_tickets_it_answers_when_it_reads_them() {
    let app = spawn_app().await;
    let support = app.mailbox(SUPPORT).await.mailbox.id;
    let question = mail("rita@customer.example", SUPPORT, "Scanner question")
        .message_id("scan@c.example")
        .build();
    let (_, opened) = submit(&app, support, &[question]).await.remove(0).expect("journaled");
    let ticket = opened.ticket_id.expect("a ticket");
    let reply = mail("rita@customer.example", SUPPORT, "Re: Scanner question")
        .message_id("scan-2@c.example")
        .in_reply_to("scan@c.example")
        .build();
    let parsed: ParsedMail = parse_mail(&reply, &ParseOptions::default()).expect("parses");

    let db = app.ctx.db();
    let try_lock = |strength: &'static str| async move {
        db.execute_unprepared(&format!(
            "SELECT id FROM tickets WHERE id = {ticket} FOR {strength} NOWAIT"
        ))
        .await
    };
    let txn = db.begin().await.unwrap();
    let memo = Memo::default();
    let known = KnownIds::load(&txn, &memo, [&parsed]).await.unwrap().expect("few ids");
    assert_eq!(known.get("scan@c.example").map(|s| s.last.1), Some(ticket));
    assert!(
        memo.get(&SubscribersRead(ticket)).is_some(),
        "the answered ticket's subscribers wait in the change's memo for its notifications"
    );
    assert!(
        try_lock("NO KEY UPDATE").await.is_err(),
        "the answered ticket is locked while the batch is open"
    );
    assert!(
        try_lock("KEY SHARE").await.is_ok(),
        "messages can still be added to it elsewhere"
    );
    txn.rollback().await.unwrap();
    assert!(try_lock("NO KEY UPDATE").await.is_ok(), "released with the batch");
}
