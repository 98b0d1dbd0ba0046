//! IMAP fetching against a real Dovecot (scripts/dovecot.sh): a worker in IDLE turns a
//! delivered mail into a ticket within a second and acknowledges it per `after_import`; mail is
//! taken by UID (already-read mail arrives too); a new UIDVALIDITY is followed; a bad mail does
//! not block the ones after it.

use std::time::{Duration, Instant};

use maildesk::mail::imap::{self, FetchReport, WorkerOptions};
use maildesk::mail::inbound::admin;
use maildesk_tests::imap::{TestMailbox, create_mailbox, eventually, mail, tickets, unique_user, wait_for_ticket};
use maildesk_tests::{Backend, TestApp, poll, spawn_app, spawn_app_on};
use protocol::{AfterImport, InboundStatus};

fn fast() -> WorkerOptions {
    WorkerOptions {
        scan_every: Duration::from_millis(200),
        ..WorkerOptions::default()
    }
}

/// The mailbox's row as it is now.
async fn mailbox(app: &TestApp, id: i64) -> entity::mailbox::Model {
    maildesk::mail::mailboxes::get(app.ctx.db(), id).await.unwrap()
}

/// Starts a supervisor and waits until its worker has done its first cycle (it is in IDLE then).
async fn start_worker(app: &TestApp, mb: &TestMailbox) -> tokio::task::JoinHandle<()> {
    let supervisor = imap::spawn_supervisor_with(app.ctx.clone(), fast());
    poll::until(
        "the worker to start (lease taken, first fetch done)",
        Duration::from_secs(10),
        || mailbox(app, mb.id),
        |m| m.lease_owner.is_some() && m.last_fetch_at.is_some(),
    )
    .await;
    // The first cycle is recorded just before IDLE starts; give IDLE a moment to be issued.
    tokio::time::sleep(Duration::from_millis(100)).await;
    supervisor
}

/// Delivers one mail while the worker idles; returns the ticket id, the delivered UID and the
/// delivery → ticket latency.
async fn deliver_and_wait(app: &TestApp, mb: &TestMailbox, subject: &str) -> (i64, u32, Duration) {
    let mut imap = mb.imap();
    let from = unique_user("customer");
    let started = Instant::now();
    let uid = imap.append("INBOX", "", &mail(&from, subject, "The printer is on fire."));
    let ticket = wait_for_ticket(app, subject, Duration::from_secs(10)).await;
    let latency = started.elapsed();
    eprintln!("append → ticket latency ({subject}): {latency:?}");
    imap.logout();
    (ticket, uid, latency)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_worker_imports_and_deletes() {
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::Delete, |_| {}).await;
    let supervisor = start_worker(&app, &mb).await;

    let (_, uid, latency) = deliver_and_wait(&app, &mb, "Delete me after import").await;
    assert!(
        latency < Duration::from_secs(3),
        "IDLE should deliver at once, took {latency:?}"
    );
    let mut imap = mb.imap();
    eventually("the source mail is expunged", Duration::from_secs(10), || {
        !imap.uids("INBOX").contains(&uid)
    })
    .await;

    // last_uid moves right after the acknowledgement.
    let m = poll::until(
        &format!("last_uid to reach {uid}"),
        Duration::from_secs(5),
        || mailbox(&app, mb.id),
        |m| m.last_uid == Some(i64::from(uid)),
    )
    .await;
    assert!(m.uid_validity.is_some());
    assert_eq!(m.consecutive_failures, 0);
    assert!(m.last_error.is_none(), "{:?}", m.last_error);
    supervisor.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_worker_imports_and_marks_read() {
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::MarkRead, |_| {}).await;
    let supervisor = start_worker(&app, &mb).await;

    let (_, uid, _) = deliver_and_wait(&app, &mb, "Mark me read").await;
    let mut imap = mb.imap();
    eventually("the source mail is flagged \\Seen", Duration::from_secs(10), || {
        imap.flags("INBOX", uid).iter().any(|f| f == "\\Seen")
    })
    .await;
    assert_eq!(imap.uids("INBOX"), vec![uid], "mark_read keeps the mail");

    // A second mail on the same connection: the worker went back to IDLE.
    let (_, uid2, latency) = deliver_and_wait(&app, &mb, "Second one").await;
    assert!(latency < Duration::from_secs(3), "took {latency:?}");
    eventually("the second is flagged \\Seen", Duration::from_secs(10), || {
        imap.flags("INBOX", uid2).iter().any(|f| f == "\\Seen")
    })
    .await;
    // The counters are written when the cycle ends, just after the acknowledgements.
    poll::until(
        "fetched_count to be 2",
        Duration::from_secs(5),
        || async { mailbox(&app, mb.id).await.fetched_count },
        |n| *n == 2,
    )
    .await;
    supervisor.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_worker_imports_and_moves_creating_the_folder() {
    let app = spawn_app().await;
    // "Processed" does not exist yet: the first move creates it.
    let mb = create_mailbox(&app, AfterImport::Move, |_| {}).await;
    let supervisor = start_worker(&app, &mb).await;

    let (_, uid, _) = deliver_and_wait(&app, &mb, "Move me").await;
    let mut imap = mb.imap();
    eventually("the source mail left INBOX", Duration::from_secs(10), || {
        !imap.uids("INBOX").contains(&uid)
    })
    .await;
    assert_eq!(imap.uids("Processed").len(), 1, "moved into Processed");
    supervisor.abort();
}

/// Folder names as admins type them (non-ASCII) reach the server in modified UTF-7: the worker
/// watches "Eingang Ü" and files into "Erledigt – Bestätigt", creating it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_ascii_folder_names_are_watched_and_filed_into() {
    use maildesk::mail::imap::folder_name::encode;
    let app = spawn_app().await;
    let (watched, done) = ("Eingang Ü", "Erledigt – Bestätigt");
    let mb = create_mailbox(&app, AfterImport::Move, |s| {
        s.imap_folder = Some(watched.into());
        s.move_to_folder = Some(done.into());
    })
    .await;
    let mut imap = mb.imap();
    imap.create(&encode(watched));
    let supervisor = start_worker(&app, &mb).await;
    let subject = "Umlaut folders";
    let uid = imap.append(&encode(watched), "", &mail(&unique_user("customer"), subject, "Hallo."));
    wait_for_ticket(&app, subject, Duration::from_secs(10)).await;
    eventually("the mail left the watched folder", Duration::from_secs(10), || {
        !imap.uids(&encode(watched)).contains(&uid)
    })
    .await;
    assert_eq!(imap.uids(&encode(done)).len(), 1, "filed into the new folder");
    let listed = imap.ok("LIST \"\" \"*\"").join("\n");
    assert!(
        listed.contains(&encode(done)),
        "the server lists it by its encoded name: {listed}"
    );
    let m = maildesk::mail::mailboxes::get(app.ctx.db(), mb.id).await.unwrap();
    assert_eq!(m.last_error, None);
    supervisor.abort();
}

/// Mail keeps arriving while the worker fetches: every one is imported once, none waits for
/// the next IDLE wake-up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_mail_while_idle_all_arrives_once() {
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::Delete, |s| s.batch_size = Some(3)).await;
    let supervisor = start_worker(&app, &mb).await;
    let mut imap = mb.imap();
    let from = unique_user("customer");
    let started = Instant::now();
    for i in 0..12 {
        imap.append("INBOX", "", &mail(&from, &format!("Burst {i}"), "x"));
        if i % 4 == 3 {
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }
    poll::until(
        "12 tickets",
        Duration::from_secs(20),
        || async { tickets(&app).await.len() },
        |n| *n >= 12,
    )
    .await;
    eprintln!("12 mails → 12 tickets in {:?}", started.elapsed());
    let journal = admin::list(app.ctx.db(), None, maildesk::paging::Paging { page: 1, per_page: 50 })
        .await
        .unwrap()
        .items;
    assert_eq!(journal.len(), 12);
    eventually("all expunged", Duration::from_secs(10), || {
        imap.uids("INBOX").is_empty()
    })
    .await;
    poll::until(
        "each mail fetched once: fetched_count to be 12",
        Duration::from_secs(5),
        || async { mailbox(&app, mb.id).await.fetched_count },
        |n| *n == 12,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        maildesk::mail::mailboxes::get(app.ctx.db(), mb.id)
            .await
            .unwrap()
            .fetched_count,
        12
    );
    supervisor.abort();
}

/// The embedded default (SQLite) runs the same lease and status SQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_worker_on_sqlite() {
    let app = spawn_app_on(Backend::Sqlite).await;
    let mb = create_mailbox(&app, AfterImport::MarkRead, |_| {}).await;
    let supervisor = start_worker(&app, &mb).await;
    let (_, uid, _) = deliver_and_wait(&app, &mb, "Hello from SQLite").await;
    let mut imap = mb.imap();
    eventually("flagged \\Seen", Duration::from_secs(10), || {
        imap.flags("INBOX", uid).iter().any(|f| f == "\\Seen")
    })
    .await;
    supervisor.abort();
}

/// Without IDLE the worker polls every `poll_interval_secs` on the same connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_worker_without_idle() {
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::MarkRead, |s| s.poll_interval_secs = Some(5)).await;
    let opts = WorkerOptions { idle: false, ..fast() };
    let supervisor = imap::spawn_supervisor_with(app.ctx.clone(), opts);
    poll::until(
        "the worker to start (first fetch done)",
        Duration::from_secs(10),
        || async { mailbox(&app, mb.id).await.last_fetch_at },
        Option::is_some,
    )
    .await;
    let mut imap = mb.imap();
    let started = Instant::now();
    imap.append("INBOX", "", &mail(&unique_user("customer"), "Polled", "x"));
    wait_for_ticket(&app, "Polled", Duration::from_secs(10)).await;
    eprintln!("append → ticket when polling every 5 s: {:?}", started.elapsed());
    supervisor.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn already_read_mail_is_imported_and_fetching_does_not_mark_read() {
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::MarkRead, |_| {}).await;
    let mut imap = mb.imap();
    let from = unique_user("customer");
    // Someone read this one in their mail client before we fetched.
    imap.append(
        "INBOX",
        "\\Seen",
        &mail(&from, "Read elsewhere", "I read this already."),
    );
    let fresh = imap.append("INBOX", "", &mail(&from, "Not read yet", "Fresh."));

    let report = imap::fetch_once(&app.ctx, mb.id).await.unwrap();
    assert_eq!(
        report,
        FetchReport {
            fetched: 2,
            journaled_new: 2,
            duplicates: 0,
            failed: 0
        }
    );
    wait_for_ticket(&app, "Read elsewhere", Duration::from_secs(1)).await;
    wait_for_ticket(&app, "Not read yet", Duration::from_secs(1)).await;
    assert!(imap.flags("INBOX", fresh).iter().any(|f| f == "\\Seen"));

    // Nothing new: nothing fetched, nothing doubled.
    let again = imap::fetch_once(&app.ctx, mb.id).await.unwrap();
    assert_eq!(again, FetchReport::default());
    assert_eq!(tickets(&app).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_uidvalidity_restarts_from_the_first_uid() {
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::MarkRead, |s| s.imap_folder = Some("Support".into())).await;
    let mut imap = mb.imap();
    imap.create("Support");
    let from = unique_user("customer");
    let first = mail(&from, "Before the reset 1", "one");
    imap.append("Support", "", &first);
    imap.append("Support", "", &mail(&from, "Before the reset 2", "two"));
    let old_validity = imap.uid_validity("Support");

    assert_eq!(imap::fetch_once(&app.ctx, mb.id).await.unwrap().journaled_new, 2);
    let m = maildesk::mail::mailboxes::get(app.ctx.db(), mb.id).await.unwrap();
    assert_eq!((m.uid_validity, m.last_uid), (Some(i64::from(old_validity)), Some(2)));

    // The folder is recreated (a server migration, a restore): UIDs start again at 1.
    imap.delete("Support");
    imap.create("Support");
    let new_validity = imap.uid_validity("Support");
    assert_ne!(new_validity, old_validity);
    let uid = imap.append("Support", "", &mail(&from, "After the reset", "three"));
    assert_eq!(uid, 1, "below the stored last_uid of 2");
    imap.append("Support", "", &first); // the same mail again (same Message-ID)

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
    wait_for_ticket(&app, "After the reset", Duration::from_secs(1)).await;
    assert_eq!(
        tickets(&app).await.len(),
        3,
        "the re-delivered mail made no second ticket"
    );
    let m = maildesk::mail::mailboxes::get(app.ctx.db(), mb.id).await.unwrap();
    assert_eq!((m.uid_validity, m.last_uid), (Some(i64::from(new_validity)), Some(2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_mail_does_not_block_the_next_ones() {
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::MarkRead, |_| {}).await;
    let mut imap = mb.imap();
    let from = unique_user("customer");
    let garbage = imap.append("INBOX", "", b"\x01\x02\x03 this is not a mail at all\r\n\xff\xfe");
    let no_sender = imap.append("INBOX", "", b"Subject: nobody sent this\r\n\r\nbody\r\n");
    let good = imap.append("INBOX", "", &mail(&from, "After the bad ones", "fine"));

    let report = imap::fetch_once(&app.ctx, mb.id).await.unwrap();
    assert_eq!(report.fetched, 3);
    assert_eq!(report.journaled_new, 3);
    wait_for_ticket(&app, "After the bad ones", Duration::from_secs(1)).await;
    assert_eq!(tickets(&app).await.len(), 1);

    let journal = admin::list(app.ctx.db(), None, maildesk::paging::Paging { page: 1, per_page: 50 })
        .await
        .unwrap()
        .items;
    assert_eq!(journal.len(), 3);
    let kept: Vec<_> = journal.iter().filter(|e| e.ticket_id.is_none()).collect();
    assert_eq!(kept.len(), 2, "{journal:?}");
    for e in kept {
        assert!(
            matches!(e.status, InboundStatus::Failed | InboundStatus::Quarantined),
            "{e:?}"
        );
        assert!(e.error.is_some() || e.reason.is_some(), "the reason is kept: {e:?}");
    }
    // All three are acknowledged: the bad ones live on in the journal (replayable).
    for uid in [garbage, no_sender, good] {
        assert!(imap.flags("INBOX", uid).iter().any(|f| f == "\\Seen"), "UID {uid}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_text_to_a_remote_host_is_refused() {
    let app = spawn_app().await;
    let mb = create_mailbox(&app, AfterImport::MarkRead, |_| {}).await;
    // Stored directly (the settings API refuses it too): the fetcher must refuse on its own.
    let m = maildesk::mail::mailboxes::get(app.ctx.db(), mb.id).await.unwrap();
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let mut am = m.into_active_model();
    am.imap_host = Set(Some("imap.example.com".into()));
    am.update(app.ctx.db()).await.unwrap();

    let err = imap::fetch_once(&app.ctx, mb.id).await.unwrap_err();
    assert!(err.to_string().contains("only allowed for a loopback host"), "{err}");
    let m = maildesk::mail::mailboxes::get(app.ctx.db(), mb.id).await.unwrap();
    assert!(m.last_error.unwrap_or_default().contains("loopback"));
    assert_eq!(m.consecutive_failures, 1);
}
