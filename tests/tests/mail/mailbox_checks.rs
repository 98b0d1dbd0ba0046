//! The admin's "Test connection" and "Send test e-mail" per mailbox, against the real test
//! servers (Dovecot, Postfix): they say whether it worked and show the server's own words.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::client::{expect_error, ok_json};
use maildesk_tests::imap::create_mailbox;
use maildesk_tests::smtp::smtp_port;
use maildesk_tests::{Backend, spawn_app_on, spawn_app_with};
use protocol::{AfterImport, ErrorCode, MailboxCheck, Role, TestMail};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_connection_signs_in_or_shows_why_not() {
    let app = spawn_app_on(Backend::Sqlite).await;
    let good = create_mailbox(&app, AfterImport::MarkRead, |_| {}).await;
    let check: MailboxCheck = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                &format!("/mailboxes/{}/test-connection", good.id),
                &(),
            )
            .await,
    )
    .await;
    assert!(check.ok, "{}", check.answer);
    assert!(check.answer.contains("opened INBOX"), "{}", check.answer);

    let bad = create_mailbox(&app, AfterImport::MarkRead, |s| s.imap_password = Some("wrong".into())).await;
    let check: MailboxCheck = ok_json(
        app.api
            .post_json(&app.admin.token, &format!("/mailboxes/{}/test-connection", bad.id), &())
            .await,
    )
    .await;
    assert!(!check.ok);
    assert!(
        check.answer.to_lowercase().contains("authentication failed"),
        "the server's words: {}",
        check.answer
    );

    // A webhook mailbox has nothing to connect to; agents may not ask.
    let hook = app.mailbox("hook@acme.test").await.mailbox;
    expect_error(
        app.api
            .post_json(
                &app.admin.token,
                &format!("/mailboxes/{}/test-connection", hook.id),
                &(),
            )
            .await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    let agent = app.new_user(Role::Agent).await;
    expect_error(
        app.api
            .post_json(&agent.token, &format!("/mailboxes/{}/test-connection", good.id), &())
            .await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_mail_goes_through_the_smtp_server_or_shows_its_refusal() {
    let port = tokio::task::spawn_blocking(smtp_port).await.unwrap();
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.smtp.host = "127.0.0.1".into();
        s.smtp.port = port;
        s.smtp.tls = "none".into();
    })
    .await;
    let mb = app.mailbox("help@maildesk.test").await.mailbox;
    let path = format!("/mailboxes/{}/test-mail", mb.id);
    let to = format!("check-{}@example.test", uuid::Uuid::new_v4().simple());
    let sent: MailboxCheck = ok_json(
        app.api
            .post_json(&app.admin.token, &path, &TestMail { to: Some(to.clone()) })
            .await,
    )
    .await;
    assert!(sent.ok, "{}", sent.answer);
    assert!(sent.answer.contains("250"), "the server's answer: {}", sent.answer);
    let raw = maildesk_tests::smtp::wait_for_mail(&to, std::time::Duration::from_secs(30), |m| {
        m.contains("Maildesk test mail from help@maildesk.test")
    })
    .await;
    assert_eq!(
        maildesk_tests::smtp::from_of(&raw).1.as_deref(),
        Some("help@maildesk.test"),
        "sent from the mailbox's address"
    );

    let refused: MailboxCheck = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                &path,
                &TestMail {
                    to: Some("reject-me@example.test".into()),
                },
            )
            .await,
    )
    .await;
    assert!(!refused.ok);
    assert!(refused.answer.contains("550"), "{}", refused.answer);

    expect_error(
        app.api
            .post_json(
                &app.admin.token,
                &path,
                &TestMail {
                    to: Some("not an address".into()),
                },
            )
            .await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
}
