//! Tokens in URLs: a URL lands in proxy and server logs, browser history and `Referer`
//! headers, so the access token is never accepted there. The few URLs a browser opens itself
//! (the WebSocket, downloads, inline images) take a one-time ticket: random, bound to the user,
//! good once and for seconds.

use std::time::Duration;

use chrono::Utc;
use maildesk::auth::url_tickets::Grant;
use maildesk_tests::client::{expect_error_for, new_ticket};
use maildesk_tests::{Backend, TestApp, both_backends, live};
use protocol::{ErrorCode, Role};

/// What a browser would open itself: an attachment, the report CSV, a raw inbound mail.
struct Urls {
    attachment: String,
    csv: String,
    raw: String,
}

async fn urls(app: &TestApp) -> Urls {
    let customer = app.new_user(Role::Customer).await;
    let t = app
        .api
        .create_ticket(&customer.token, &new_ticket("Screenshot attached"))
        .await
        .ticket;
    let a = app
        .api
        .upload_ok(&customer.token, t.id, "notes.txt", b"hello".to_vec())
        .await;
    let mb = app
        .mailbox(&format!("help-{}@maildesk.test", uuid::Uuid::new_v4().simple()))
        .await;
    let raw = b"From: someone@example.test\r\nTo: help@maildesk.test\r\nSubject: Hi\r\nMessage-ID: <u1@example.test>\r\n\r\nHello\r\n";
    let journal = app.deliver(&mb, raw).await.journal_id;
    Urls {
        attachment: app.api.url(&format!("/attachments/{}", a.id)),
        csv: app.api.url("/reports.csv?from=2026-11-01&to=2026-11-30"),
        raw: app.api.url(&format!("/inbound/{journal}/raw")),
    }
}

fn with(url: &str, pair: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{pair}")
}

async fn get(app: &TestApp, url: &str) -> reqwest::Response {
    app.api.http().get(url).send().await.expect("GET")
}

both_backends!(an_access_token_in_a_url_is_refused, |app: TestApp| async move {
    let urls = urls(&app).await;
    let token = format!("access_token={}", app.admin.token);
    for (name, url) in [
        ("an attachment", &urls.attachment),
        ("the report CSV", &urls.csv),
        ("a raw inbound mail", &urls.raw),
        ("an API route", &app.api.url("/auth/me")),
    ] {
        expect_error_for(name, get(&app, &with(url, &token)).await, 401, ErrorCode::Unauthorized).await;
    }
    match live::try_connect_url(app.port, Some(token)).await {
        Ok(_) => panic!("a socket opened with the access token in its URL"),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 401),
        Err(e) => panic!("expected a 401 answer, got {e}"),
    }
});

both_backends!(a_ticket_opens_one_url_once, |app: TestApp| async move {
    let urls = urls(&app).await;
    for (name, url) in [
        ("an attachment", &urls.attachment),
        ("the report CSV", &urls.csv),
        ("a raw inbound mail", &urls.raw),
    ] {
        let ticket = format!("ticket={}", app.api.url_ticket_ok(&app.admin.token).await);
        let first = get(&app, &with(url, &ticket)).await;
        assert_eq!(first.status(), 200, "{name} with a fresh ticket");
        expect_error_for(
            &format!("{name} with a used ticket"),
            get(&app, &with(url, &ticket)).await,
            401,
            ErrorCode::Unauthorized,
        )
        .await;
    }
    // The socket: opened once with a ticket, refused with the same one again.
    let ticket = format!("ticket={}", app.api.url_ticket_ok(&app.admin.token).await);
    let socket = live::try_connect_url(app.port, Some(ticket.clone()))
        .await
        .expect("a socket with a fresh ticket");
    assert!(
        live::try_connect_url(app.port, Some(ticket)).await.is_err(),
        "a used ticket opened a second socket"
    );
    socket.close().await;
    // A ticket is the user's: a customer's ticket downloads nothing the customer may not see.
    let stranger = app.new_user(Role::Customer).await;
    let theirs = format!("ticket={}", app.api.url_ticket_ok(&stranger.token).await);
    expect_error_for(
        "another customer's attachment",
        get(&app, &with(&urls.attachment, &theirs)).await,
        404,
        ErrorCode::NotFound,
    )
    .await;
    // Tickets are not bought with a URL token either.
    let r = app
        .api
        .http()
        .post(with(
            &app.api.url("/auth/ticket"),
            &format!("access_token={}", app.admin.token),
        ))
        .send()
        .await
        .expect("POST");
    expect_error_for("a ticket bought without a header", r, 401, ErrorCode::Unauthorized).await;
});

both_backends!(
    an_expired_ticket_or_one_from_ended_sessions_is_refused,
    |app: TestApp| async move {
        let urls = urls(&app).await;
        let grant = |expires_in_ms: i64| Grant {
            user_id: app.admin.id,
            session_epoch: 0,
            only_ticket: None,
            ends: Utc::now().timestamp() + 600,
            expires_at_ms: Utc::now().timestamp_millis() + expires_in_ms,
        };
        let store = app.ctx.url_tickets();
        let put = |g: Grant| {
            let ticket = format!("{:0>64}", uuid::Uuid::new_v4().simple().to_string());
            async move {
                store
                    .put(&ticket, &g, Duration::from_secs(60))
                    .await
                    .expect("storing a ticket");
                format!("ticket={ticket}")
            }
        };
        // The same grant within its lifetime works (so the refusals below are about time)…
        let good = put(grant(60_000)).await;
        assert_eq!(get(&app, &with(&urls.attachment, &good)).await.status(), 200);
        // …past it, it does not, whatever the store still holds.
        let expired = put(grant(-1)).await;
        expect_error_for(
            "an expired ticket",
            get(&app, &with(&urls.attachment, &expired)).await,
            401,
            ErrorCode::Unauthorized,
        )
        .await;
        // A real ticket whose user then had every session ended is refused too.
        let manager = app.new_user(Role::Admin).await;
        let ticket = format!("ticket={}", app.api.url_ticket_ok(&manager.token).await);
        let reset = app
            .api
            .put_json(
                &app.admin.token,
                &format!("/users/{}/password", manager.id),
                &protocol::SetPassword {
                    password: "reset-password-789".into(),
                },
            )
            .await;
        assert_eq!(reset.status(), 204);
        expect_error_for(
            "a ticket from before a password reset",
            get(&app, &with(&urls.csv, &ticket)).await,
            401,
            ErrorCode::Unauthorized,
        )
        .await;
    }
);

/// With several nodes, a ticket fetched from one opens the socket on another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_from_one_node_works_on_another() {
    let app = maildesk_tests::spawn_app_on(Backend::Postgres).await;
    let other = app.spawn_node().await;
    let ticket = format!("ticket={}", app.api.url_ticket_ok(&app.admin.token).await);
    let socket = live::try_connect_url(other.port, Some(ticket))
        .await
        .expect("the other node takes the ticket");
    socket.close().await;
}
