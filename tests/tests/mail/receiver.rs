//! The built-in SMTP/LMTP receiver (`mail::receiver`): mail sent with Python's `smtplib` (a
//! real client) and raw conversations becomes tickets of the right mailbox; other addresses,
//! oversized mail, garbage, pipelining tricks and a client vanishing mid-DATA are answered as
//! the RFCs ask and store nothing; a retry after a crash between the journal commit and the
//! `250` makes no second ticket.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::Duration;

use entity::{inbound_mail, ticket};
use maildesk::mail::inbound::journal::{self, NewMail, Source};
use maildesk::mail::receiver::{self, Receiver};
use maildesk_tests::mail::mail;
use maildesk_tests::{Backend, TestApp, poll, spawn_app_with};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

async fn app_with_receiver(backend: Backend, max_bytes: usize) -> (TestApp, Receiver) {
    let app = spawn_app_with(backend, |s| {
        s.receiver.smtp_bind = "127.0.0.1:0".into();
        s.receiver.lmtp_bind = "127.0.0.1:0".into();
        s.receiver.hostname = "mx.maildesk.test".into();
        s.receiver.max_message_bytes = max_bytes;
        s.receiver.timeout_secs = 5;
    })
    .await;
    let r = receiver::start(app.ctx.clone())
        .await
        .expect("receiver starts")
        .expect("receiver configured");
    (app, r)
}

/// A raw client: sends lines, reads whole (multi-line) replies.
struct Client {
    read: BufReader<OwnedReadHalf>,
    write: OwnedWriteHalf,
}

impl Client {
    async fn connect(addr: SocketAddr) -> (Self, String) {
        let (r, w) = TcpStream::connect(addr).await.unwrap().into_split();
        let mut c = Self {
            read: BufReader::new(r),
            write: w,
        };
        let greeting = c.reply().await;
        (c, greeting)
    }

    /// One reply (all its lines), or "" when the server closed the connection.
    async fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(Duration::from_secs(20), self.read.read_line(&mut line))
                .await
                .expect("a reply within 20 s")
                .unwrap_or(0);
            if n == 0 {
                return all;
            }
            all.push_str(&line);
            if line.len() < 4 || line.as_bytes()[3] == b' ' {
                return all;
            }
        }
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.write.write_all(bytes).await.unwrap();
    }

    async fn cmd(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes()).await;
        self.reply().await
    }
}

async fn journal_rows(app: &TestApp) -> u64 {
    inbound_mail::Entity::find().count(app.ctx.db()).await.unwrap()
}

async fn tickets_with_subject(app: &TestApp, subject: &str) -> u64 {
    ticket::Entity::find()
        .filter(ticket::Column::Subject.eq(subject))
        .count(app.ctx.db())
        .await
        .unwrap()
}

fn python_send(port: u16, to: &[&str], subject: &str) -> String {
    let script = r#"
import smtplib, sys
from email.message import EmailMessage
port, subject, rcpts = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
m = EmailMessage()
m["From"] = "Kim Customer <kim@customer.test>"
m["To"] = ", ".join(rcpts)
m["Subject"] = subject
m["Message-ID"] = "<" + subject.replace(" ", "-") + "@customer.test>"
m.set_content("Hello, my printer is on fire.\n")
with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
    s.ehlo("client.customer.test")
    try:
        refused = s.send_message(m, from_addr="kim@customer.test", to_addrs=rcpts)
        print("refused:" + ",".join(sorted(refused)))
    except smtplib.SMTPRecipientsRefused as e:
        print("all refused:" + ",".join(sorted(e.recipients)))
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(port.to_string())
        .arg(subject)
        .args(to)
        .output()
        .expect("python3 runs (install Debian's python3)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtplib_delivers_to_mailboxes_and_is_refused_elsewhere() {
    let (app, r) = app_with_receiver(Backend::Sqlite, 1 << 20).await;
    let support = app.mailbox("support@acme.test").await.mailbox;
    let port = r.smtp.unwrap().port();
    let out = tokio::task::spawn_blocking(move || {
        python_send(
            port,
            &["support+printers@acme.test", "nobody@acme.test"],
            "Printer on fire",
        )
    })
    .await
    .unwrap();
    assert_eq!(out, "refused:nobody@acme.test");
    let row = inbound_mail::Entity::find()
        .filter(inbound_mail::Column::Source.eq("smtp"))
        .one(app.ctx.db())
        .await
        .unwrap()
        .expect("journaled");
    assert_eq!(row.mailbox_id, Some(support.id));
    assert_eq!(tickets_with_subject(&app, "Printer on fire").await, 1);
    // Only strangers: nothing is taken.
    let out = tokio::task::spawn_blocking(move || python_send(port, &["sales@evil.test"], "Spam"))
        .await
        .unwrap();
    assert_eq!(out, "all refused:sales@evil.test");
    assert_eq!(journal_rows(&app).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lmtp_answers_each_recipient_and_refuses_smtp_greetings() {
    let (app, r) = app_with_receiver(Backend::Postgres, 1 << 20).await;
    app.mailbox("support@acme.test").await;
    app.mailbox("billing@acme.test").await;
    let (mut c, greeting) = Client::connect(r.lmtp.unwrap()).await;
    assert!(greeting.starts_with("220 mx.maildesk.test LMTP"), "{greeting}");
    assert!(c.cmd("EHLO mta.test").await.starts_with("500 5.5.1"));
    let caps = c.cmd("LHLO mta.test").await;
    assert!(
        caps.contains("250-PIPELINING") && caps.contains("SIZE 1048576"),
        "{caps}"
    );
    assert!(!caps.contains("STARTTLS"), "no certificate configured: {caps}");
    assert!(c.cmd("MAIL FROM:<kim@customer.test>").await.starts_with("250"));
    assert!(c.cmd("RCPT TO:<support@acme.test>").await.starts_with("250"));
    assert!(c.cmd("RCPT TO:<stranger@acme.test>").await.starts_with("550 5.1.1"));
    assert!(c.cmd("RCPT TO:<billing@acme.test>").await.starts_with("250"));
    assert!(c.cmd("DATA").await.starts_with("354"));
    let raw = mail("kim@customer.test", "support@acme.test, billing@acme.test", "Two desks")
        .message_id("two-desks@customer.test")
        .body("..a line that starts with a dot\nand another\n")
        .build();
    c.send(&raw).await;
    c.send(b".\r\n").await;
    // One answer per accepted recipient.
    let first = c.reply().await;
    let second = c.reply().await;
    assert!(
        first.starts_with("250 2.0.0") && second.starts_with("250 2.0.0"),
        "{first}{second}"
    );
    assert!(c.cmd("QUIT").await.starts_with("221"));
    assert_eq!(journal_rows(&app).await, 2, "once per mailbox");
    let stored = inbound_mail::Entity::find().one(app.ctx.db()).await.unwrap().unwrap();
    assert_eq!(stored.source, "lmtp");
    let text = String::from_utf8_lossy(&stored.raw);
    assert!(
        text.contains("\r\n.a line that starts with a dot"),
        "dot-stuffing undone: {text}"
    );
    assert!(
        text.ends_with("and another\r\n"),
        "the terminator is not part of the mail: {text:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_clients_are_answered_and_store_nothing() {
    let (app, r) = app_with_receiver(Backend::Sqlite, 2_000).await;
    app.mailbox("support@acme.test").await;
    let addr = r.smtp.unwrap();

    // Garbage and commands out of order.
    let (mut c, _) = Client::connect(addr).await;
    assert!(c.cmd("HELLO THERE").await.starts_with("500"));
    assert!(c.cmd("MAIL FROM:<a@b.test>").await.starts_with("503"), "hello first");
    assert!(c.cmd("LHLO x").await.starts_with("500"));
    assert!(c.cmd("EHLO client.test").await.starts_with("250"));
    assert!(c.cmd("DATA").await.starts_with("503"));
    assert!(c.cmd("RCPT TO:<support@acme.test>").await.starts_with("503"));
    assert!(c.cmd("MAIL FROM:<not an address>").await.starts_with("501"));
    assert!(c.cmd("STARTTLS").await.starts_with("454"), "no certificate configured");
    let long = format!("NOOP {}", "x".repeat(40_000));
    let answer = c.cmd(&long).await;
    assert!(answer.starts_with("500 5.5.2"), "{answer}");
    assert!(
        c.cmd("NOOP").await.starts_with("250"),
        "still talking after a long line"
    );
    // A declared size over the limit, then a body over it.
    assert!(
        c.cmd("MAIL FROM:<kim@customer.test> SIZE=999999")
            .await
            .starts_with("552")
    );
    assert!(c.cmd("MAIL FROM:<kim@customer.test>").await.starts_with("250"));
    assert!(c.cmd("RCPT TO:<support@acme.test>").await.starts_with("250"));
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send(&vec![b'a'; 5_000]).await;
    let answer = c.cmd("\r\n.").await;
    assert!(answer.starts_with("552 5.3.4"), "{answer}");
    assert!(c.cmd("NOOP").await.starts_with("250"), "the session goes on after 552");

    // Pipelined commands get their answers in order.
    c.send(b"RSET\r\nMAIL FROM:<kim@customer.test>\r\nRCPT TO:<nobody@acme.test>\r\nRCPT TO:<support@acme.test>\r\n")
        .await;
    let answers = [c.reply().await, c.reply().await, c.reply().await, c.reply().await];
    assert!(answers[0].starts_with("250") && answers[1].starts_with("250"));
    assert!(
        answers[2].starts_with("550") && answers[3].starts_with("250"),
        "{answers:?}"
    );
    // The client vanishes mid-DATA.
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send(b"Subject: half\r\n\r\nthe first half of a mail").await;
    // Half-close: the server sees the end mid-DATA and closes; its close (our EOF) means the
    // conversation is over, so the journal is checked after the server decided.
    c.write.shutdown().await.unwrap();
    assert_eq!(c.reply().await, "", "the server closes a connection cut off mid-DATA");
    assert_eq!(journal_rows(&app).await, 0, "nothing stored from a cut-off DATA");

    // Too many errors: the server closes.
    let (mut c, _) = Client::connect(addr).await;
    let mut last = String::new();
    for _ in 0..25 {
        last = c.cmd("XYZZY").await;
        if last.starts_with("421") || last.is_empty() {
            break;
        }
    }
    assert!(last.starts_with("421"), "{last}");

    // And the receiver still takes good mail afterwards.
    let (mut c, _) = Client::connect(addr).await;
    c.cmd("EHLO client.test").await;
    c.cmd("MAIL FROM:<kim@customer.test>").await;
    c.cmd("RCPT TO:<support@acme.test>").await;
    c.cmd("DATA").await;
    c.send(&mail("kim@customer.test", "support@acme.test", "Fine").build())
        .await;
    assert!(c.cmd(".").await.starts_with("250"));
    assert_eq!(journal_rows(&app).await, 1);
}

/// The node died after the journal commit and before its `250` reached the sender: the sender
/// retries the same message, and it stays one ticket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_a_lost_250_is_one_ticket() {
    let (app, r) = app_with_receiver(Backend::Postgres, 1 << 20).await;
    let mb = app.mailbox("support@acme.test").await.mailbox;
    let raw = mail("kim@customer.test", "support@acme.test", "Lost answer")
        .message_id("lost-answer@customer.test")
        .build();
    // What the first attempt left behind: the journal row, committed; no answer sent.
    journal::record(
        app.ctx.db(),
        NewMail {
            mailbox_id: Some(mb.id),
            source: Source::Smtp,
            raw: &raw,
            explicit_key: None,
            imap: None,
            envelope: None,
        },
    )
    .await
    .unwrap();
    for _ in 0..2 {
        let (mut c, _) = Client::connect(r.smtp.unwrap()).await;
        c.cmd("EHLO mta.test").await;
        c.cmd("MAIL FROM:<kim@customer.test>").await;
        c.cmd("RCPT TO:<support@acme.test>").await;
        c.cmd("DATA").await;
        c.send(&raw).await;
        let answer = c.cmd(".").await;
        assert!(answer.starts_with("250"), "{answer}");
    }
    assert_eq!(journal_rows(&app).await, 1);
    assert_eq!(tickets_with_subject(&app, "Lost answer").await, 1);
}

/// Mail whose headers name only the main address (the customer put the category address in
/// Bcc, or an alias forwarded it) still routes by the envelope: the receiver writes the
/// envelope recipients on top as `Delivered-To`, as a delivery agent does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_envelope_only_category_address_routes_the_ticket() {
    let (app, r) = app_with_receiver(Backend::Sqlite, 1 << 20).await;
    app.mailbox("support@acme.test").await;
    let printers: protocol::Category = maildesk_tests::client::ok_json(
        app.api
            .post_json(
                &app.admin.token,
                "/categories",
                &protocol::CreateCategory {
                    name: "Printers".into(),
                    description: String::new(),
                },
            )
            .await,
    )
    .await;
    let raw = mail("kim@customer.test", "support@acme.test", "Bcc to the printers desk")
        .message_id("bcc-printers@customer.test")
        .build();
    let (mut c, _) = Client::connect(r.smtp.unwrap()).await;
    c.cmd("EHLO mta.test").await;
    c.cmd("MAIL FROM:<kim@customer.test>").await;
    let rcpt = c.cmd(&format!("RCPT TO:<printers-{}@acme.test>", printers.id)).await;
    assert!(rcpt.starts_with("250"), "{rcpt}");
    c.cmd("DATA").await;
    c.send(&raw).await;
    let answer = c.cmd(".").await;
    assert!(answer.starts_with("250"), "{answer}");
    let t = ticket::Entity::find()
        .filter(ticket::Column::Subject.eq("Bcc to the printers desk"))
        .one(app.ctx.db())
        .await
        .unwrap()
        .expect("a ticket");
    assert_eq!(t.category_id, Some(printers.id), "routed by the envelope recipient");
}

/// A throw-away CA and a certificate for 127.0.0.1 signed by it: (chain, key, CA).
fn certificates(dir: &std::path::Path) -> (String, String, String) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl runs (install Debian's openssl)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-subj",
        "/CN=Maildesk test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.pem",
    ]);
    let p = |f: &str| dir.join(f).display().to_string();
    (p("server.pem"), p("server.key"), p("ca.pem"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_carries_the_mail_and_refuses_smuggled_commands() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, ca) = certificates(dir.path());
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.receiver.smtp_bind = "127.0.0.1:0".into();
        s.receiver.tls_cert_file = cert.clone();
        s.receiver.tls_key_file = key.clone();
        s.receiver.timeout_secs = 5;
    })
    .await;
    let r = receiver::start(app.ctx.clone()).await.unwrap().unwrap();
    app.mailbox("support@acme.test").await;
    let addr = r.smtp.unwrap();

    // Commands pipelined behind STARTTLS, in the clear: refused, connection closed.
    let (mut c, _) = Client::connect(addr).await;
    assert!(c.cmd("EHLO client.test").await.contains("STARTTLS"));
    c.send(b"STARTTLS\r\nMAIL FROM:<evil@attacker.test>\r\n").await;
    assert!(c.reply().await.starts_with("554"));
    assert_eq!(c.reply().await, "", "closed");

    let script = r#"
import smtplib, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
msg = "From: kim@customer.test\r\nTo: support@acme.test\r\nSubject: Over TLS\r\nMessage-ID: <tls@customer.test>\r\n\r\nSecret printer.\r\n"
with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
    s.ehlo("client.test")
    s.starttls(context=ssl.create_default_context(cafile=ca))
    code, caps = s.ehlo("client.test")
    assert b"STARTTLS" not in caps, caps
    s.sendmail("kim@customer.test", ["support@acme.test"], msg)
print("sent")
"#;
    let port = addr.port().to_string();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .args(["-c", script, &port, &ca])
            .output()
            .expect("python3 runs")
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(tickets_with_subject(&app, "Over TLS").await, 1);
}

/// Postfix (the test rig's, `scripts/smtp.sh`) relays into the receiver: over LMTP to
/// `…@lmtp.relay.test` (port 10031) and over SMTP to `…@smtp.relay.test` (port 10032).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postfix_relays_into_the_receiver_over_lmtp_and_smtp() {
    let postfix = tokio::task::spawn_blocking(maildesk_tests::smtp::smtp_port)
        .await
        .unwrap();
    let port = |var: &str, default: u16| std::env::var(var).ok().and_then(|p| p.parse().ok()).unwrap_or(default);
    let (lmtp, smtp) = (
        port("MAILDESK_RELAY_LMTP_PORT", 10031),
        port("MAILDESK_RELAY_SMTP_PORT", 10032),
    );
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.receiver.smtp_bind = format!("127.0.0.1:{smtp}");
        s.receiver.lmtp_bind = format!("127.0.0.1:{lmtp}");
    })
    .await;
    let _r = receiver::start(app.ctx.clone())
        .await
        .unwrap_or_else(|e| panic!("the receiver must listen on the ports Postfix relays to ({lmtp}, {smtp}): {e:#}"))
        .unwrap();
    let lmtp_box = "support@lmtp.relay.test".to_owned();
    let smtp_box = "support@smtp.relay.test".to_owned();
    for (address, subject) in [(&lmtp_box, "Relayed over LMTP"), (&smtp_box, "Relayed over SMTP")] {
        app.mailbox(address).await;
        let raw = mail("kim@customer.test", address, subject)
            .message_id(&format!("{}@customer.test", uuid::Uuid::new_v4().simple()))
            .build();
        let (to, raw) = (address.clone(), raw.clone());
        tokio::task::spawn_blocking(move || {
            let mut s = std::net::TcpStream::connect(("127.0.0.1", postfix)).unwrap();
            use std::io::{BufRead, Write};
            let mut r = std::io::BufReader::new(s.try_clone().unwrap());
            let mut line = String::new();
            let mut expect = |r: &mut std::io::BufReader<std::net::TcpStream>, code: &str| loop {
                line.clear();
                r.read_line(&mut line).unwrap();
                assert!(line.starts_with(code), "Postfix said {line:?}, wanted {code}");
                if line.as_bytes().get(3) == Some(&b' ') {
                    break;
                }
            };
            expect(&mut r, "220");
            for (cmd, code) in [
                ("EHLO client.test".to_owned(), "250"),
                ("MAIL FROM:<kim@customer.test>".to_owned(), "250"),
                (format!("RCPT TO:<{to}>"), "250"),
                ("DATA".to_owned(), "354"),
            ] {
                write!(s, "{cmd}\r\n").unwrap();
                expect(&mut r, code);
            }
            s.write_all(&raw).unwrap();
            s.write_all(b".\r\n").unwrap();
            expect(&mut r, "250");
            s.write_all(b"QUIT\r\n").unwrap();
        })
        .await
        .unwrap();
        poll::until(
            &format!("a ticket {subject:?} (see /tmp/maildesk-postfix/postfix.log)"),
            Duration::from_secs(60),
            || tickets_with_subject(&app, subject),
            |n| *n > 0,
        )
        .await;
        let row = inbound_mail::Entity::find()
            .filter(inbound_mail::Column::Source.eq(if subject.contains("LMTP") { "lmtp" } else { "smtp" }))
            .one(app.ctx.db())
            .await
            .unwrap()
            .expect("journaled by the receiver");
        assert!(String::from_utf8_lossy(&row.raw).contains(subject));
    }
    assert_eq!(journal_rows(&app).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_gets_its_share_and_no_more() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.receiver.smtp_bind = "127.0.0.1:0".into();
        s.receiver.connections_per_client = 2;
        s.receiver.messages_per_minute_per_client = 1;
    })
    .await;
    let r = receiver::start(app.ctx.clone()).await.unwrap().unwrap();
    app.mailbox("support@acme.test").await;
    let addr = r.smtp.unwrap();
    let (mut first, hello) = Client::connect(addr).await;
    assert!(hello.starts_with("220"));
    let (_second, hello) = Client::connect(addr).await;
    assert!(hello.starts_with("220"));
    let (_third, refused) = Client::connect(addr).await;
    assert!(refused.starts_with("421 4.7.0"), "{refused}");
    first.cmd("EHLO client.test").await;
    assert!(first.cmd("MAIL FROM:<kim@customer.test>").await.starts_with("250"));
    assert!(first.cmd("RSET").await.starts_with("250"));
    let over = first.cmd("MAIL FROM:<kim@customer.test>").await;
    assert!(
        over.starts_with("451 4.7.1"),
        "a second message within the minute: {over}"
    );
    assert!(first.cmd("QUIT").await.starts_with("221"));
    assert_eq!(first.reply().await, "", "closed after QUIT");
    // The server gives the place back as its conversation task ends: poll with a deadline.
    poll::until(
        "a closed connection to free its place (a 220 greeting)",
        Duration::from_secs(5),
        || async { Client::connect(addr).await.1 },
        |hello| hello.starts_with("220"),
    )
    .await;
}
