//! `POST /inbound` takes raw mails from anyone (the signature covers the whole body, so it can
//! only be checked once the body is in). An attacker declares a huge body, streams an endless
//! chunked one, or opens many slow uploads at once to fill the server's memory. A declared size
//! over the mailbox's limit is refused before a byte is read, a chunked body is cut off at
//! the limit, and one address gets a bounded number of uploads in flight.

use std::time::Duration;

use maildesk_tests::mail::mail;
use maildesk_tests::{Backend, TestApp, poll, spawn_app, spawn_app_with};
use protocol::{MailboxSettings, MailboxWithSecret};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A mailbox taking attachments up to 100 kB: its raw mails stay well under 2 MB.
async fn small_mailbox(app: &TestApp) -> MailboxWithSecret {
    app.create_mailbox(MailboxSettings {
        name: Some("Small".into()),
        address: Some("small@help.example.com".into()),
        max_attachment_bytes: Some(100_000),
        ..Default::default()
    })
    .await
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(("127.0.0.1", app.port)).await.expect("connecting")
}

/// The request head of an upload to `mailbox`, with `extra` header lines.
fn head(mailbox: i64, extra: &str) -> String {
    format!(
        "POST /api/v1/inbound?mailbox={mailbox} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: message/rfc822\r\n\
         X-Maildesk-Signature: sha256=00\r\n{extra}\r\n"
    )
}

/// The status code of the response on `read`, failing if none comes within 15 s.
async fn status_of(read: impl AsyncRead + Unpin) -> u16 {
    let mut line = String::new();
    tokio::time::timeout(Duration::from_secs(15), BufReader::new(read).read_line(&mut line))
        .await
        .expect("no answer within 15 s: the server waits for the body")
        .expect("reading the status line");
    line.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP status line: {line:?}"))
}

/// A small upload with a wrong signature: 401 when it got in, 429 when it was turned away.
async fn probe(app: &TestApp, mailbox: i64, forwarded_for: Option<&str>) -> u16 {
    let mut req = app
        .api
        .http()
        .post(format!("{}?mailbox={mailbox}", app.api.url("/inbound")))
        .header("Content-Type", "message/rfc822")
        .header("X-Maildesk-Signature", "sha256=00")
        .body("From: a@b.example\r\n\r\nx\r\n");
    if let Some(ip) = forwarded_for {
        req = req.header("X-Forwarded-For", ip);
    }
    req.send().await.expect("probe").status().as_u16()
}

async fn assert_healthy(app: &TestApp, mb: &MailboxWithSecret) {
    assert_eq!(
        app.api.get_anon("/health").await.status(),
        200,
        "the server is not healthy"
    );
    let raw = mail("lee@customer.example", &mb.mailbox.address, "Still here").build();
    let accepted = app.deliver(mb, &raw).await;
    assert!(accepted.ticket_id.is_some(), "{accepted:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_size_over_the_limit_is_refused_before_the_body_is_sent() {
    let app = spawn_app().await;
    let mb = small_mailbox(&app).await;
    // Over what any mailbox takes (100 MB), and over what this one takes (2 MB): the headers
    // are all the server sees, and it answers at once.
    for declared in [100 * 1024 * 1024, 2_000_000] {
        let mut conn = connect(&app).await;
        let request = head(mb.mailbox.id, &format!("Content-Length: {declared}\r\n"));
        conn.write_all(request.as_bytes()).await.expect("sending the head");
        assert_eq!(status_of(&mut conn).await, 413, "declared {declared} bytes");
    }
    assert_healthy(&app, &mb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_body_over_the_limit_is_cut_off() {
    let app = spawn_app().await;
    let mb = small_mailbox(&app).await;
    let conn = connect(&app).await;
    let (read, mut write) = conn.into_split();
    let request = head(mb.mailbox.id, "Transfer-Encoding: chunked\r\n");
    // 8 MB in 64 KiB chunks, no size declared; the writer stops when the server hangs up.
    let writer = tokio::spawn(async move {
        write.write_all(request.as_bytes()).await?;
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..128 {
            write.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await?;
            write.write_all(&chunk).await?;
            write.write_all(b"\r\n").await?;
        }
        write.write_all(b"0\r\n\r\n").await
    });
    assert_eq!(status_of(read).await, 413);
    writer.abort();
    assert_healthy(&app, &mb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_uploads_at_once_from_one_address_are_turned_away() {
    // Two at once per address; loopback is a trusted proxy, so X-Forwarded-For names clients.
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.limits.inbound_uploads_per_client = 2;
        s.http.trusted_proxies = "127.0.0.1".into();
    })
    .await;
    let mb = small_mailbox(&app).await;
    // Three slow uploads that send a little of their body and then nothing: whichever two get
    // in first hold their slots for good, so the third is the one turned away.
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut conn = connect(&app).await;
        let request = head(mb.mailbox.id, "Content-Length: 100000\r\n");
        conn.write_all(request.as_bytes()).await.expect("head");
        conn.write_all(b"From: slow@evil.example\r\n")
            .await
            .expect("a little body");
        held.push(conn);
    }
    let answers = held.iter_mut().map(|c| Box::pin(status_of(c)));
    let (first_answer, _, _) = futures_util::future::select_all(answers).await;
    assert_eq!(first_answer, 429, "the upload over the limit was not refused");
    let id = mb.mailbox.id;
    // Another client is not held back by this one's uploads.
    assert_eq!(probe(&app, id, Some("203.0.113.9")).await, 401);
    // Once the slow uploads end, the address may upload again.
    drop(held);
    poll::until(
        "the address to get its slots back",
        Duration::from_secs(10),
        || probe(&app, id, None),
        |s| *s == 401,
    )
    .await;
    assert_healthy(&app, &mb).await;
}
