//! POP3 mailboxes against the test Dovecot's POP3 service (`scripts/dovecot.sh`): messages
//! become tickets; with `after_import = delete` they leave the server only after the journal
//! has them, otherwise their UIDL is remembered and they are not taken twice; "Test connection"
//! and a wrong password show the server's words.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use entity::pop3_seen;
use maildesk::mail::imap::fetch_once;
use maildesk_tests::imap::{Imap, PASSWORD, dovecot_env, mail, ticket_with_subject, unique_user};
use maildesk_tests::{Backend, TestApp, spawn_app_on};
use protocol::{AfterImport, FetchProtocol, MailboxSettings, TlsMode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn pop3_port() -> u16 {
    dovecot_env()
        .get("MAILDESK_DOVECOT_POP3_PORT")
        .and_then(|p| p.parse().ok())
        .expect("the test Dovecot serves POP3 (restart it: bash scripts/dovecot.sh stop; bash scripts/dovecot.sh)")
}

async fn pop3_mailbox(app: &TestApp, user: &str, after: AfterImport, password: &str) -> i64 {
    maildesk::mail::mailboxes::create(
        app.ctx.db(),
        app.ctx.keys(),
        maildesk::egress::Egress::of(app.ctx.settings()),
        &MailboxSettings {
            name: Some(format!("POP3 {user}")),
            address: Some(user.to_owned()),
            fetch_protocol: Some(FetchProtocol::Pop3),
            imap_host: Some("127.0.0.1".into()),
            imap_port: Some(pop3_port()),
            imap_tls: Some(TlsMode::None),
            imap_username: Some(user.to_owned()),
            imap_password: Some(password.to_owned()),
            after_import: Some(after),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .mailbox
    .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop3_mail_becomes_tickets_and_is_deleted_after_the_journal_has_it() {
    let app = spawn_app_on(Backend::Postgres).await;
    let imap_port = maildesk_tests::imap::dovecot_port();
    let user = unique_user("pop-delete");
    let mut imap = Imap::login(imap_port, &user);
    for subject in ["POP one", "POP two"] {
        imap.append(
            "INBOX",
            "",
            &mail(
                "kim@customer.test",
                &format!("{subject} {user}"),
                ".dotted line\r\nbody",
            ),
        );
    }
    let id = pop3_mailbox(&app, &user, AfterImport::Delete, PASSWORD).await;
    let report = fetch_once(&app.ctx, id).await.unwrap();
    assert_eq!((report.fetched, report.journaled_new), (2, 2), "{report:?}");
    for subject in ["POP one", "POP two"] {
        assert!(
            ticket_with_subject(&app, &format!("{subject} {user}")).await.is_some(),
            "{subject}"
        );
    }
    assert!(
        imap.uids("INBOX").is_empty(),
        "deleted from the server after journaling"
    );
    let again = fetch_once(&app.ctx, id).await.unwrap();
    assert_eq!(again.fetched, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop3_mail_left_on_the_server_is_taken_once() {
    let app = spawn_app_on(Backend::Sqlite).await;
    let imap_port = maildesk_tests::imap::dovecot_port();
    let user = unique_user("pop-leave");
    let mut imap = Imap::login(imap_port, &user);
    imap.append(
        "INBOX",
        "",
        &mail("kim@customer.test", &format!("Left {user}"), "hello"),
    );
    let id = pop3_mailbox(&app, &user, AfterImport::MarkRead, PASSWORD).await;

    let check = maildesk::mail::checks::test_connection(
        &app.ctx,
        &maildesk::mail::mailboxes::get(app.ctx.db(), id).await.unwrap(),
    )
    .await
    .unwrap();
    assert!(
        check.ok && check.answer.contains("over POP3: 1 messages"),
        "{}",
        check.answer
    );

    assert_eq!(fetch_once(&app.ctx, id).await.unwrap().journaled_new, 1);
    assert_eq!(
        fetch_once(&app.ctx, id).await.unwrap().fetched,
        0,
        "remembered by its UIDL"
    );
    assert_eq!(imap.uids("INBOX").len(), 1, "still on the server");
    imap.append(
        "INBOX",
        "",
        &mail("kim@customer.test", &format!("Later {user}"), "again"),
    );
    assert_eq!(fetch_once(&app.ctx, id).await.unwrap().journaled_new, 1);
    let remembered = pop3_seen::Entity::find()
        .filter(pop3_seen::Column::MailboxId.eq(id))
        .count(app.ctx.db())
        .await
        .unwrap();
    assert_eq!(remembered, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_pop3_password_shows_the_servers_words() {
    let app = spawn_app_on(Backend::Sqlite).await;
    let user = unique_user("pop-wrong");
    let id = pop3_mailbox(&app, &user, AfterImport::Delete, "wrong").await;
    let e = fetch_once(&app.ctx, id).await.unwrap_err().to_string();
    assert!(e.contains("-ERR"), "{e}");
}

/// The mailbox worker (the same supervisor as IMAP) fetches a POP3 mailbox on its own, and
/// "fetch now" asks that worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_polls_a_pop3_mailbox() {
    use std::time::Duration;
    let app = spawn_app_on(Backend::Postgres).await;
    let user = unique_user("pop-worker");
    let mut imap = Imap::login(maildesk_tests::imap::dovecot_port(), &user);
    imap.append(
        "INBOX",
        "",
        &mail("kim@customer.test", &format!("Polled {user}"), "one"),
    );
    let id = pop3_mailbox(&app, &user, AfterImport::Delete, PASSWORD).await;
    let opts = maildesk::mail::imap::WorkerOptions {
        scan_every: Duration::from_millis(200),
        ..Default::default()
    };
    let supervisor = maildesk::mail::imap::spawn_supervisor_with(app.ctx.clone(), opts);
    let polled = format!("Polled {user}");
    maildesk_tests::poll::until(
        &format!("the worker to fetch the POP3 mailbox (a ticket {polled:?})"),
        Duration::from_secs(20),
        || ticket_with_subject(&app, &polled),
        Option::is_some,
    )
    .await;
    imap.append(
        "INBOX",
        "",
        &mail("kim@customer.test", &format!("Asked for {user}"), "two"),
    );
    let report = fetch_once(&app.ctx, id).await.unwrap();
    assert_eq!(report.journaled_new, 1, "{report:?}");
    assert!(ticket_with_subject(&app, &format!("Asked for {user}")).await.is_some());
    assert!(imap.uids("INBOX").is_empty());
    drop(supervisor);
}

/// STLS against the test Dovecot: with its CA trusted the session is encrypted before the
/// password goes; with the default roots the certificate is refused and nothing is sent in clear.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop3_stls_signs_in_over_tls_and_an_untrusted_certificate_is_refused() {
    use maildesk::mail::imap::connect::{self, Endpoint};
    use maildesk::mail::pop3::client::Pop3;
    let env = dovecot_env();
    let ca = std::fs::read(env.get("MAILDESK_DOVECOT_CA").expect(
        "the test Dovecot has a CA (is openssl installed? restart: bash scripts/dovecot.sh stop; bash scripts/dovecot.sh)",
    ))
    .unwrap();
    let user = unique_user("pop-tls");
    let ep = Endpoint::new("localhost", pop3_port(), connect::TlsMode::Starttls, &user, PASSWORD);
    let timeout = std::time::Duration::from_secs(10);
    let mut pop = Pop3::connect_with(&ep, timeout, Some(connect::tls_config_trusting(&ca).unwrap()))
        .await
        .unwrap();
    assert!(pop.is_encrypted(), "signed in after STLS");
    assert_eq!(pop.stat().await.unwrap().0, 0);
    pop.quit().await.unwrap();
    let refused = Pop3::connect(&ep, timeout)
        .await
        .err()
        .expect("an untrusted certificate");
    let text = refused.to_string().to_lowercase();
    assert!(text.contains("certificate") || text.contains("unknownissuer"), "{text}");
}
