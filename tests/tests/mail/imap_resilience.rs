//! IMAP fetching when things go wrong: a crash between journal and acknowledgement loses
//! nothing and doubles nothing; a mailbox whose server keeps failing is disabled after 5 tries
//! and works again once re-enabled; concurrent fetches and nodes import each mail once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use maildesk::egress::Egress;
use maildesk::mail::imap::lease::Lease;
use maildesk::mail::imap::{self, FetchHooks, FetchReport, WorkerOptions};
use maildesk::mail::inbound::admin;
use maildesk::mail::inbound::journal::Journaled;
use maildesk::mail::mailboxes;
use maildesk_tests::imap::{create_mailbox, mail, tickets, unique_user, wait_for_ticket};
use maildesk_tests::{poll, spawn_app};
use protocol::{AfterImport, InboundStatus, MailboxSettings};

/// Stops the first fetch at one point, as a crash there would.
#[derive(Default)]
struct CrashOnce {
    after_journal: bool,
    crashed: AtomicBool,
}

impl CrashOnce {
    fn crash(&self) -> Result<(), String> {
        if self.crashed.swap(true, Ordering::SeqCst) {
            Ok(())
        } else {
            Err("simulated crash".into())
        }
    }
}

impl FetchHooks for CrashOnce {
    fn after_journal(&self, _uid: u32, _j: &Journaled) -> Result<(), String> {
        if self.after_journal { self.crash() } else { Ok(()) }
    }

    fn before_ack(&self, _uid: u32) -> Result<(), String> {
        if self.after_journal { Ok(()) } else { self.crash() }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_after_journal_before_processing_and_ack_loses_nothing() {
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::Delete, |_| {}).await;
    let mut imap = mb.imap();
    let from = unique_user("customer");
    let first = imap.append(
        "INBOX",
        "",
        &mail(&from, "Crash victim", "journaled, then the node died"),
    );
    imap.append("INBOX", "", &mail(&from, "Crash bystander", "after it"));

    let hooks = CrashOnce {
        after_journal: true,
        ..Default::default()
    };
    let err = imap::fetch_once_with(&app.ctx, mb.id, &hooks).await.unwrap_err();
    assert!(err.to_string().contains("simulated crash"), "{err}");

    // The journal holds the mail; the server was told nothing, and BODY.PEEK left it unread.
    let journal = admin::list(app.ctx.db(), None, maildesk::paging::Paging { page: 1, per_page: 50 })
        .await
        .unwrap()
        .items;
    assert_eq!(journal.len(), 1);
    // Pending; unless the server's pending-mail worker (every 10 s) has processed it already.
    assert!(
        matches!(journal[0].status, InboundStatus::Pending | InboundStatus::Processed),
        "{journal:?}"
    );
    assert_eq!(imap.uids("INBOX").len(), 2);
    assert!(
        !imap.flags("INBOX", first).iter().any(|f| f == "\\Seen"),
        "fetching must not set \\Seen"
    );
    let m = mailboxes::get(app.ctx.db(), mb.id).await.unwrap();
    assert_eq!(
        m.last_uid.unwrap_or(0),
        0,
        "last_uid only moves after the acknowledgement"
    );
    assert_eq!(m.consecutive_failures, 0, "a crash is not the mailbox's failure");

    // The next run (another node, a restart) fetches it again: the journal knows it.
    let report = imap::fetch_once(&app.ctx, mb.id).await.unwrap();
    assert_eq!(
        report,
        FetchReport {
            fetched: 2,
            journaled_new: 1,
            duplicates: 1,
            failed: 0
        }
    );
    wait_for_ticket(&app, "Crash victim", Duration::from_secs(1)).await;
    wait_for_ticket(&app, "Crash bystander", Duration::from_secs(1)).await;
    assert_eq!(tickets(&app).await.len(), 2);
    assert!(imap.uids("INBOX").is_empty(), "both acknowledged (deleted) now");
    let journal = admin::list(app.ctx.db(), None, maildesk::paging::Paging { page: 1, per_page: 50 })
        .await
        .unwrap()
        .items;
    assert_eq!(journal.len(), 2);
    assert!(
        journal.iter().all(|e| e.status == InboundStatus::Processed),
        "{journal:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_after_processing_before_ack_makes_no_second_ticket() {
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::MarkRead, |_| {}).await;
    let mut imap = mb.imap();
    let uid = imap.append(
        "INBOX",
        "",
        &mail(&unique_user("customer"), "Processed, not acknowledged", "x"),
    );

    let hooks = CrashOnce::default();
    imap::fetch_once_with(&app.ctx, mb.id, &hooks).await.unwrap_err();
    let ticket = wait_for_ticket(&app, "Processed, not acknowledged", Duration::from_secs(1)).await;
    assert!(
        !imap.flags("INBOX", uid).iter().any(|f| f == "\\Seen"),
        "not acknowledged yet"
    );

    let report = imap::fetch_once(&app.ctx, mb.id).await.unwrap();
    assert_eq!(
        report,
        FetchReport {
            fetched: 1,
            journaled_new: 0,
            duplicates: 1,
            failed: 0
        }
    );
    let all = tickets(&app).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, ticket);
    let detail = app.api.ticket(&app.admin.token, ticket).await;
    assert_eq!(detail.messages.len(), 1, "the mail was applied once");
    assert!(
        imap.flags("INBOX", uid).iter().any(|f| f == "\\Seen"),
        "acknowledged now"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_failures_disable_the_mailbox_and_re_enabling_resumes() {
    let app = spawn_app().await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mb = create_mailbox(&app, AfterImport::MarkRead, |s| s.imap_port = Some(closed)).await;
    let opts = WorkerOptions {
        scan_every: Duration::from_millis(100),
        backoff_initial: Duration::from_millis(20),
        backoff_max: Duration::from_millis(100),
        ..WorkerOptions::default()
    };
    let supervisor = imap::spawn_supervisor_with(app.ctx.clone(), opts);

    let m = poll::until(
        "the mailbox to be disabled",
        Duration::from_secs(10),
        || async { mailboxes::get(app.ctx.db(), mb.id).await.unwrap() },
        |m| !m.enabled,
    )
    .await;
    assert_eq!(m.consecutive_failures, 5);
    assert!(m.disabled_at.is_some());
    let error = m.last_error.clone().unwrap_or_default();
    assert!(
        error.contains(&format!("127.0.0.1:{closed}")) && error.contains("connecting"),
        "{error}"
    );
    // Disabled means left alone: no more attempts, and "fetch now" says why.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        mailboxes::get(app.ctx.db(), mb.id).await.unwrap().consecutive_failures,
        5
    );
    let refused = imap::fetch_once(&app.ctx, mb.id).await.unwrap_err();
    assert!(refused.to_string().contains("disabled"), "{refused}");

    // The admin fixes the port and re-enables it (the settings API does exactly this).
    let fix = MailboxSettings {
        enabled: Some(true),
        imap_port: Some(mb.port),
        ..Default::default()
    };
    mailboxes::update(
        app.ctx.db(),
        app.ctx.keys(),
        Egress::of(app.ctx.settings()),
        mb.id,
        &fix,
    )
    .await
    .unwrap();
    let mut imap = mb.imap();
    imap.append(
        "INBOX",
        "",
        &mail(&unique_user("customer"), "After re-enabling", "works again"),
    );
    wait_for_ticket(&app, "After re-enabling", Duration::from_secs(10)).await;
    let m = mailboxes::get(app.ctx.db(), mb.id).await.unwrap();
    assert!(m.enabled);
    assert_eq!(m.consecutive_failures, 0);
    supervisor.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_fetches_import_each_mail_once() {
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::MarkRead, |s| s.batch_size = Some(2)).await;
    let mut imap = mb.imap();
    let from = unique_user("customer");
    for i in 0..5 {
        imap.append("INBOX", "", &mail(&from, &format!("Concurrent {i}"), "x"));
    }

    let (a, b) = tokio::join!(imap::fetch_once(&app.ctx, mb.id), imap::fetch_once(&app.ctx, mb.id));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.fetched + b.fetched, 5, "{a:?} {b:?}");
    assert_eq!(a.journaled_new + b.journaled_new, 5);
    assert_eq!(
        a.duplicates + b.duplicates,
        0,
        "the lease kept the second out while the first worked"
    );
    assert_eq!(tickets(&app).await.len(), 5);
    assert_eq!(
        admin::list(app.ctx.db(), None, maildesk::paging::Paging { page: 1, per_page: 50 })
            .await
            .unwrap()
            .items
            .len(),
        5
    );
    let m = mailboxes::get(app.ctx.db(), mb.id).await.unwrap();
    assert_eq!((m.last_uid, m.fetched_count, m.lease_owner), (Some(5), 5, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_now_is_run_by_the_worker_holding_the_lease() {
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::MarkRead, |_| {}).await;
    let opts = WorkerOptions {
        scan_every: Duration::from_millis(100),
        ..WorkerOptions::default()
    };
    let supervisor = imap::spawn_supervisor_with(app.ctx.clone(), opts);
    poll::until(
        "the worker to start (first fetch done)",
        Duration::from_secs(10),
        || async { mailboxes::get(app.ctx.db(), mb.id).await.unwrap().last_fetch_at },
        Option::is_some,
    )
    .await;
    let holder = mailboxes::get(app.ctx.db(), mb.id).await.unwrap().lease_owner;
    assert!(holder.is_some());

    // The worker holds the lease for as long as it runs: "fetch now" goes to it, not to a wait.
    let started = Instant::now();
    let report = imap::fetch_once(&app.ctx, mb.id).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(report, FetchReport::default());
    assert_eq!(
        mailboxes::get(app.ctx.db(), mb.id).await.unwrap().lease_owner,
        holder,
        "the worker kept its lease"
    );
    supervisor.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_nodes_lease_is_taken_over_when_it_expires() {
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::MarkRead, |_| {}).await;
    // Another node took the mailbox and died: its lease runs out in 2 s.
    let dead = Lease::new(mb.id, "dead-node-1234", Duration::from_secs(2));
    assert!(dead.acquire(app.ctx.db()).await.unwrap());
    let died_at = Instant::now();

    let opts = WorkerOptions {
        scan_every: Duration::from_millis(100),
        ..WorkerOptions::default()
    };
    let supervisor = imap::spawn_supervisor_with(app.ctx.clone(), opts);
    let mut imap = mb.imap();
    imap.append(
        "INBOX",
        "",
        &mail(&unique_user("customer"), "Waiting for a live node", "x"),
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(
        tickets(&app).await.is_empty(),
        "nobody may fetch while the lease is held"
    );
    assert_eq!(
        mailboxes::get(app.ctx.db(), mb.id)
            .await
            .unwrap()
            .lease_owner
            .as_deref(),
        Some("dead-node-1234")
    );

    wait_for_ticket(&app, "Waiting for a live node", Duration::from_secs(10)).await;
    let took = died_at.elapsed();
    eprintln!("takeover after the lease expired: {took:?}");
    assert!(took >= Duration::from_secs(2), "taken over before expiry: {took:?}");
    let owner = mailboxes::get(app.ctx.db(), mb.id)
        .await
        .unwrap()
        .lease_owner
        .unwrap_or_default();
    assert_ne!(owner, "dead-node-1234");
    // The dead node, were it to wake up, cannot write progress any more.
    assert!(dead.save_last_uid(app.ctx.db(), 99).await.is_err());
    supervisor.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_node_works_a_mailbox_and_another_takes_over_when_it_stops() {
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::MarkRead, |_| {}).await;
    let opts = WorkerOptions {
        scan_every: Duration::from_millis(100),
        ..WorkerOptions::default()
    };
    let node_a = imap::spawn_supervisor_with(app.ctx.clone(), opts.clone());
    let owner = |app_ctx: maildesk::context::AppContext| async move {
        mailboxes::get(app_ctx.db(), mb.id).await.unwrap().lease_owner
    };
    let owner_a = poll::until(
        "node A to take the mailbox",
        Duration::from_secs(10),
        || owner(app.ctx.clone()),
        Option::is_some,
    )
    .await
    .expect("until returns an owner");
    let node_b = imap::spawn_supervisor_with(app.ctx.clone(), opts);
    let mut imap = mb.imap();
    let from = unique_user("customer");
    imap.append("INBOX", "", &mail(&from, "While A works", "x"));
    wait_for_ticket(&app, "While A works", Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        owner(app.ctx.clone()).await.as_deref(),
        Some(owner_a.as_str()),
        "B must not take a held lease"
    );

    // Node A shuts down: its worker gives the lease up and B takes over at its next look.
    node_a.abort();
    let stopped = Instant::now();
    poll::until(
        "node B to take over from node A",
        Duration::from_secs(10),
        || owner(app.ctx.clone()),
        |o| o.as_ref().is_some_and(|o| *o != owner_a),
    )
    .await;
    eprintln!("takeover after a clean stop: {:?}", stopped.elapsed());
    imap.append("INBOX", "", &mail(&from, "After A stopped", "y"));
    wait_for_ticket(&app, "After A stopped", Duration::from_secs(10)).await;
    assert_eq!(
        admin::list(app.ctx.db(), None, maildesk::paging::Paging { page: 1, per_page: 50 })
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    assert_eq!(tickets(&app).await.len(), 2);
    node_b.abort();
}
