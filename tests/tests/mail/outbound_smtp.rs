//! Outbound mail through a real SMTP server (the private Postfix of scripts/smtp.sh) into the
//! customer's real mailbox (Dovecot), read back over IMAP: the headers a mail client threads
//! by, the customer's answer threading back, retries when SMTP is down, 5xx shown on the
//! ticket, and a loop between two helpdesks stopping at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use maildesk_tests::client::ok_json;
use maildesk_tests::imap::{create_mailbox, unique_user};
use maildesk_tests::mail::mail;
use maildesk_tests::outbox::outbox;
use maildesk_tests::smtp::{from_of, header, received, smtp_port, wait_for_mail};
use maildesk_tests::{Backend, TestApp, spawn_app_with};
use protocol::{AfterImport, MessageKind, OutboundMail, OutboundStatus, Page, PostMessage, TicketDetail};

const WAIT: Duration = Duration::from_secs(30);

async fn app_with_smtp(port: u16) -> TestApp {
    spawn_app_with(Backend::Postgres, |s| {
        s.smtp.host = "127.0.0.1".into();
        s.smtp.port = port;
        s.smtp.tls = "none".into();
        s.outbound.poll_interval_ms = 100;
        s.outbound.retry_base_secs = 1;
        s.outbound.from_email = "desk@example.test".into();
    })
    .await
}

async fn wait_outbox(
    app: &TestApp,
    ticket_id: i64,
    what: &str,
    ok: impl Fn(&[OutboundMail]) -> bool,
) -> Vec<OutboundMail> {
    maildesk_tests::poll::until(
        &format!("the outbox to show {what}"),
        WAIT,
        || outbox(app, ticket_id),
        |items| ok(items),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_reaches_the_customer_threaded_and_their_answer_threads_back() {
    let app = app_with_smtp(smtp_port()).await;
    let support = unique_user("support");
    let customer = unique_user("carl");
    let mb = app.mailbox(&support).await;
    let first_id = format!("{}@client.example.test", uuid::Uuid::new_v4().simple());
    let accepted = app
        .deliver(
            &mb,
            &mail(&format!("Carl Kunde <{customer}>"), &support, "Printer on fire")
                .message_id(&first_id)
                .build(),
        )
        .await;
    let ticket_id = accepted.ticket_id.expect("a ticket");

    // The confirmation: an automatic answer, marked so no auto-responder answers it.
    let confirmation = wait_for_mail(&customer, WAIT, |m| m.contains("we received your request")).await;
    assert_eq!(header(&confirmation, "Auto-Submitted").as_deref(), Some("auto-replied"));
    assert_eq!(
        header(&confirmation, "X-Auto-Response-Suppress").as_deref(),
        Some("All")
    );
    assert!(
        header(&confirmation, "Subject")
            .unwrap()
            .contains(&format!("[#{ticket_id}]"))
    );

    let detail = app.admin_reply(ticket_id, "We put the fire out. Try again?").await;
    assert_eq!(detail.messages.last().unwrap().kind, MessageKind::Reply);
    let answer = wait_for_mail(&customer, WAIT, |m| m.contains("We put the fire out")).await;
    let (name, address) = from_of(&answer);
    assert_eq!(
        address.as_deref(),
        Some(support.as_str()),
        "From is the mailbox address"
    );
    let agent = app
        .api
        .ticket(&app.admin.token, ticket_id)
        .await
        .messages
        .last()
        .unwrap()
        .author
        .clone()
        .unwrap()
        .name;
    assert!(
        name.unwrap_or_default().starts_with(&agent),
        "a human reply carries the agent's name ({agent})"
    );
    assert_eq!(header(&answer, "Reply-To").as_deref(), Some(support.as_str()));
    let mid = header(&answer, "Message-ID").unwrap();
    assert!(
        maildesk::mail::signed_ids::verify_message_id(&app.keys(), &mid) == Some(ticket_id),
        "our Message-ID is signed for the ticket: {mid}"
    );
    assert_eq!(header(&answer, "In-Reply-To"), Some(format!("<{first_id}>")));
    assert!(
        header(&answer, "References")
            .unwrap()
            .contains(&format!("<{first_id}>"))
    );
    assert!(
        header(&answer, "Subject")
            .unwrap()
            .starts_with(&format!("[#{ticket_id}] Re: Printer on fire"))
    );
    assert!(header(&answer, "Thread-Index").is_some() && header(&answer, "Thread-Topic").is_some());
    assert!(
        header(&answer, "Auto-Submitted").is_none(),
        "a person's reply is not automatic"
    );
    assert!(
        answer.contains(&format!("[ref:md-{ticket_id}-")),
        "the body marker is there"
    );

    // The customer answers from their client: Re:, In-Reply-To, References, quoted text.
    let back = mail(
        &format!("Carl Kunde <{customer}>"),
        &support,
        &format!("Re: {}", header(&answer, "Subject").unwrap()),
    )
    .message_id(&format!("{}@client.example.test", uuid::Uuid::new_v4().simple()))
    .in_reply_to(mid.trim_matches(['<', '>']))
    .references(&[&first_id, mid.trim_matches(['<', '>'])])
    .body("Works now, thanks!\n\n> We put the fire out. Try again?\n")
    .build();
    let accepted = app.deliver(&mb, &back).await;
    assert_eq!(
        accepted.ticket_id,
        Some(ticket_id),
        "the answer threads into the same ticket"
    );
    let t = app.api.ticket(&app.admin.token, ticket_id).await;
    assert!(t.messages.iter().any(|m| m.body_text.contains("Works now")));

    // An internal note is never mailed: after it, another reply goes out, and only that one.
    let t = app.api.ticket(&app.admin.token, ticket_id).await;
    let note: TicketDetail = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                &format!("/tickets/{ticket_id}/notes"),
                &PostMessage {
                    body: "SECRET-NOTE: customer is on the watch list".into(),
                    version: t.ticket.version,
                    ..Default::default()
                },
            )
            .await,
    )
    .await;
    assert_eq!(note.messages.last().unwrap().kind, MessageKind::Note);
    app.admin_reply(ticket_id, "Closing this one, have a nice day").await;
    wait_for_mail(&customer, WAIT, |m| m.contains("Closing this one")).await;
    let all = received(&customer);
    assert!(
        all.iter().all(|m| !m.contains("SECRET-NOTE")),
        "a note reached the customer"
    );
    let items = outbox(&app, ticket_id).await;
    assert!(items.iter().all(|m| m.template != "note"));
    for m in &items {
        let full: OutboundMail = ok_json(app.api.get(&app.admin.token, &format!("/admin/outbox/{}", m.id)).await).await;
        assert!(
            !full.raw.unwrap_or_default().contains("SECRET-NOTE"),
            "mail {} carries the note",
            m.id
        );
    }
}

/// A port nothing listens on (for "SMTP is down").
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Forwards connections on `port` to the real SMTP server: "SMTP is back".
async fn forward(port: u16, to: u16) -> tokio::task::JoinHandle<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(("127.0.0.1", to)).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_down_then_up_the_mail_is_retried_and_sent_once() {
    let real = smtp_port();
    let port = free_port();
    let app = app_with_smtp(port).await;
    let customer = unique_user("dora");
    let t = app
        .api
        .create_ticket(
            &app.admin.token,
            &protocol::CreateTicket {
                requester_email: Some(customer.clone()),
                ..maildesk_tests::client::new_ticket("Down and up")
            },
        )
        .await;
    let items = wait_outbox(&app, t.ticket.id, "a failed first attempt", |items| {
        items
            .iter()
            .any(|m| m.attempts >= 1 && m.status == OutboundStatus::Queued && m.last_error.is_some())
    })
    .await;
    let mail_id = items[0].message_id.clone();
    assert!(
        items[0].next_attempt_at > items[0].created_at,
        "retry is scheduled later"
    );

    let proxy = forward(port, real).await;
    let items = wait_outbox(&app, t.ticket.id, "the mail sent", |items| {
        items.iter().all(|m| m.status == OutboundStatus::Sent)
    })
    .await;
    assert!(items[0].attempts >= 2, "sent on a retry: {items:?}");
    let got = wait_for_mail(&customer, WAIT, |m| m.contains(&mail_id)).await;
    assert!(got.contains("Down and up"));
    // Once: a further sender pass finds nothing due, and the mailbox has one copy.
    let handled = maildesk::mail::outbound::sender::run_once(&app.ctx, app.ctx.outbound().transport.as_ref())
        .await
        .unwrap();
    assert_eq!(handled, 0);
    let copies = received(&customer).iter().filter(|m| m.contains(&mail_id)).count();
    assert_eq!(copies, 1);
    proxy.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_fails_for_good_and_the_ticket_says_so() {
    let app = app_with_smtp(smtp_port()).await;
    let bad = format!("reject-{}", unique_user("x"));
    let t = app
        .api
        .create_ticket(
            &app.admin.token,
            &protocol::CreateTicket {
                requester_email: Some(bad.clone()),
                ..maildesk_tests::client::new_ticket("Nobody home")
            },
        )
        .await;
    let items = wait_outbox(&app, t.ticket.id, "a failed mail", |items| {
        items.iter().any(|m| m.status == OutboundStatus::Failed)
    })
    .await;
    let failed = items.iter().find(|m| m.status == OutboundStatus::Failed).unwrap();
    assert_eq!(failed.attempts, 1, "a 5xx is not retried");
    assert!(failed.last_error.as_deref().unwrap().contains("550"), "{failed:?}");
    let detail = app.api.ticket(&app.admin.token, t.ticket.id).await;
    assert!(
        detail
            .messages
            .iter()
            .any(|m| m.kind == MessageKind::System && m.body_text.contains("Delivery failed")),
        "agents see the failure in the thread"
    );
    assert!(detail.events.iter().any(|e| e.field == "delivery_failed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_4xx_is_retried_with_backoff() {
    let app = app_with_smtp(smtp_port()).await;
    let busy = format!("tempfail-{}", unique_user("x"));
    let t = app
        .api
        .create_ticket(
            &app.admin.token,
            &protocol::CreateTicket {
                requester_email: Some(busy),
                ..maildesk_tests::client::new_ticket("Busy mailbox")
            },
        )
        .await;
    // Read between attempts: during one the mail is `sending`.
    let items = wait_outbox(&app, t.ticket.id, "two attempts", |items| {
        items
            .iter()
            .any(|m| m.attempts >= 2 && m.status != OutboundStatus::Sending)
    })
    .await;
    let m = &items[0];
    assert_eq!(m.status, OutboundStatus::Queued, "still retrying: {m:?}");
    assert!(m.last_error.as_deref().unwrap().contains("450"), "{m:?}");
}

/// Two helpdesks, each answering new mail automatically, pointed at each other: A confirms
/// B's mail; B sees `Auto-Submitted` and answers nothing. The loop ends after one mail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_helpdesks_answering_each_other_stop_at_once() {
    let port = smtp_port();
    let a = app_with_smtp(port).await;
    let b = app_with_smtp(port).await;
    let a_box = create_mailbox(&a, AfterImport::Delete, |_| {}).await;
    let b_box = create_mailbox(&b, AfterImport::Delete, |_| {}).await;
    let fast = || maildesk::mail::imap::WorkerOptions {
        scan_every: Duration::from_millis(200),
        ..Default::default()
    };
    let sa = maildesk::mail::imap::spawn_supervisor_with(a.ctx.clone(), fast());
    let sb = maildesk::mail::imap::spawn_supervisor_with(b.ctx.clone(), fast());
    // B's first mail to A, as B's own notification would be (no auto header: the worst case).
    let first = mail(&b_box.user, &a_box.user, "Hello from the other desk").build();
    a_box.imap().append("INBOX", "", &first);
    let ticket_a = maildesk_tests::imap::wait_for_ticket(&a, "Hello from the other desk", WAIT).await;
    wait_outbox(&a, ticket_a, "A's confirmation sent", |items| {
        items
            .iter()
            .any(|m| m.status == OutboundStatus::Sent && m.to == vec![b_box.user.clone()])
    })
    .await;
    // B fetches A's confirmation and keeps it out of its tickets: no ticket, nothing sent.
    let quarantined = || async {
        ok_json::<Page<protocol::InboundMail>>(b.api.get(&b.admin.token, "/inbound?status=quarantined").await)
            .await
            .items
    };
    maildesk_tests::poll::until("B to quarantine A's auto-reply", WAIT, quarantined, |items| {
        items.iter().any(|m| m.kind.as_deref() == Some("auto_reply"))
    })
    .await;
    let b_out: Page<OutboundMail> = ok_json(b.api.get(&b.admin.token, "/admin/outbox").await).await;
    assert_eq!(b_out.total, 0, "B answered an automatic mail: {:?}", b_out.items);
    let a_out = outbox(&a, ticket_a).await;
    assert_eq!(a_out.iter().filter(|m| m.to == vec![b_box.user.clone()]).count(), 1);
    sa.abort();
    sb.abort();
}

/// The relay's STARTTLS (submission) and implicit-TLS ports, both requiring SMTP AUTH.
fn tls_ports() -> (u16, u16) {
    let port = |var: &str, default: u16| std::env::var(var).ok().and_then(|p| p.parse().ok()).unwrap_or(default);
    (
        port("MAILDESK_SMTP_SUBMISSION_PORT", 10587),
        port("MAILDESK_SMTP_SMTPS_PORT", 10465),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_and_implicit_tls_with_auth_deliver_and_a_wrong_password_fails() {
    smtp_port();
    let ca = maildesk_tests::imap::dovecot_env()
        .get("MAILDESK_DOVECOT_CA")
        .cloned()
        .expect("the test Dovecot has a CA (is openssl installed? restart: bash scripts/dovecot.sh stop; bash scripts/smtp.sh)");
    let (submission, smtps) = tls_ports();
    for (mode, port, password, ok) in [
        ("starttls", submission, "secret", true),
        ("implicit", smtps, "secret", true),
        ("starttls", submission, "wrong", false),
    ] {
        let ca = ca.clone();
        let app = spawn_app_with(Backend::Sqlite, |s| {
            s.smtp.host = "localhost".into();
            s.smtp.port = port;
            s.smtp.tls = mode.into();
            s.smtp.username = "desk@example.test".into();
            s.smtp.password = password.to_owned().into();
            s.smtp.ca_file = ca;
            s.outbound.poll_interval_ms = 100;
        })
        .await;
        let customer = unique_user("tls");
        let t = app
            .api
            .create_ticket(
                &app.admin.token,
                &protocol::CreateTicket {
                    requester_email: Some(customer.clone()),
                    ..maildesk_tests::client::new_ticket(&format!("Over {mode}"))
                },
            )
            .await;
        if ok {
            wait_outbox(&app, t.ticket.id, "sent", |items| {
                items.iter().all(|m| m.status == OutboundStatus::Sent)
            })
            .await;
            wait_for_mail(&customer, WAIT, |m| m.contains(&format!("Over {mode}"))).await;
        } else {
            let items = wait_outbox(&app, t.ticket.id, "failed", |items| {
                items.iter().any(|m| m.status == OutboundStatus::Failed)
            })
            .await;
            let err = items[0].last_error.clone().unwrap_or_default();
            assert!(err.contains("535") || err.to_lowercase().contains("auth"), "{err}");
        }
    }
}

/// A mailbox with its own SMTP account (STARTTLS with AUTH on the relay's submission port)
/// sends its replies and its test mail through it, while the global transport stays the dev
/// outbox; a wrong password shows the server's refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mailbox_with_its_own_smtp_account_sends_through_it() {
    smtp_port();
    let ca = maildesk_tests::imap::dovecot_env()
        .get("MAILDESK_DOVECOT_CA")
        .cloned()
        .expect("the test Dovecot has a CA (is openssl installed? restart: bash scripts/dovecot.sh stop; bash scripts/smtp.sh)");
    let (submission, _) = tls_ports();
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.smtp.ca_file = ca;
        s.outbound.poll_interval_ms = 100;
    })
    .await;
    assert_eq!(app.ctx.outbound().transport.name(), "outbox", "no global SMTP server");
    let support = unique_user("own-smtp");
    let mb = app
        .create_mailbox(protocol::MailboxSettings {
            name: Some("Own SMTP".into()),
            address: Some(support.clone()),
            smtp_host: Some("localhost".into()),
            smtp_port: Some(submission),
            smtp_tls: Some(protocol::TlsMode::Starttls),
            smtp_username: Some(support.clone()),
            smtp_password: Some("secret".into()),
            ..Default::default()
        })
        .await;
    assert!(mb.mailbox.has_smtp_password && mb.mailbox.smtp_host.as_deref() == Some("localhost"));
    let customer = unique_user("own-smtp-customer");
    let ticket_id = app
        .deliver(&mb, &mail(&customer, &support, "Through our own relay").build())
        .await
        .ticket_id
        .expect("a ticket");
    app.admin_reply(ticket_id, "Sent through the mailbox's own account.")
        .await;
    let got = wait_for_mail(&customer, WAIT, |m| {
        m.contains("Sent through the mailbox's own account")
    })
    .await;
    assert_eq!(from_of(&got).1.as_deref(), Some(support.as_str()));

    let check: protocol::MailboxCheck = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                &format!("/mailboxes/{}/test-mail", mb.mailbox.id),
                &protocol::TestMail {
                    to: Some(customer.clone()),
                },
            )
            .await,
    )
    .await;
    assert!(
        check.ok && check.answer.contains("through smtp: 250"),
        "{}",
        check.answer
    );

    let patched = app
        .api
        .patch_json(
            &app.admin.token,
            &format!("/mailboxes/{}", mb.mailbox.id),
            &protocol::MailboxSettings {
                smtp_password: Some("wrong".into()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(patched.status(), 200);
    let check: protocol::MailboxCheck = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                &format!("/mailboxes/{}/test-mail", mb.mailbox.id),
                &protocol::TestMail {
                    to: Some(customer.clone()),
                },
            )
            .await,
    )
    .await;
    assert!(!check.ok, "{}", check.answer);
    assert!(check.answer.contains("535"), "the server's refusal: {}", check.answer);
}
