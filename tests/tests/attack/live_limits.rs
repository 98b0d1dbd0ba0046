//! Item 15: the WebSocket had no limits. One account could open sockets without end, flood
//! frames (each subscribe a rights check against the database), and a socket kept hearing a
//! ticket's presence after the ticket left its sight.

use std::time::Duration;

use maildesk_tests::client::{new_ticket, ok_json};
use maildesk_tests::live::{connect, try_connect};
use maildesk_tests::{Backend, TestApp, spawn_app_with};
use protocol::live::{Activity, ClientFrame, ServerFrame, Topic};
use protocol::{Category, Role};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_account_holds_a_bounded_number_of_sockets() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.limits.sockets_per_user = 3).await;
    let customer = app.new_user(Role::Customer).await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(connect(app.port, &customer.token).await);
    }
    let refused = try_connect(app.port, Some(&customer.token)).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 429),
        Err(e) => panic!("a fourth socket failed otherwise: {e}"),
        Ok(_) => panic!("a fourth socket was accepted"),
    }
    // Others are not affected, and a closed socket frees its place.
    let other = app.new_user(Role::Customer).await;
    connect(app.port, &other.token).await.close().await;
    open.pop().expect("a socket").close().await;
    maildesk_tests::poll::until(
        "the closed socket's place is free",
        Duration::from_secs(10),
        || async { try_connect(app.port, Some(&customer.token)).await.is_ok() },
        |ok| *ok,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_flood_is_refused_then_disconnected() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.limits.socket_frames_per_second = 2).await;
    let customer = app.new_user(Role::Customer).await;
    let mut live = connect(app.port, &customer.token).await;
    for _ in 0..200 {
        live.send(&ClientFrame::Ping { nonce: None }).await;
    }
    live.wait_for("a rate_limited error", Duration::from_secs(5), |f| match f {
        ServerFrame::Error { code, .. } if code == "rate_limited" => Some(()),
        _ => None,
    })
    .await;
    let reason = live.closed_within(Duration::from_secs(5)).await;
    assert_eq!(reason.as_deref(), Some("too many frames"));
    // The server is fine, and so is a polite client.
    let mut polite = connect(app.port, &customer.token).await;
    polite.subscribe_ok(Topic::Queue).await;
    assert_eq!(app.api.get_anon("/health").await.status(), 200);
}

async fn category(app: &TestApp, name: &str, agents: &[i64]) -> Category {
    let c: Category = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                "/categories",
                &json!({"name": name, "description": ""}),
            )
            .await,
    )
    .await;
    let r = app
        .api
        .put_json(
            &app.admin.token,
            &format!("/categories/{}/agents", c.id),
            &json!({"agent_ids": agents}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_stops_when_the_ticket_leaves_a_sockets_sight() {
    let app = maildesk_tests::spawn_app().await;
    let ann = app.new_user(Role::Agent).await;
    let bob = app.new_user(Role::Agent).await;
    let sales = category(&app, "Sales", &[ann.id, bob.id]).await;
    let legal = category(&app, "Legal", &[bob.id]).await;
    let mut req = new_ticket("Contract");
    req.category_id = Some(sales.id);
    let t = app.api.create_ticket(&app.admin.token, &req).await.ticket;

    let mut ann_live = connect(app.port, &ann.token).await;
    let mut bob_live = connect(app.port, &bob.token).await;
    ann_live.subscribe_ok(Topic::Ticket(t.id)).await;
    bob_live.subscribe_ok(Topic::Ticket(t.id)).await;

    // What subscribing told her of the ticket's presence so far is not what this test is about.
    let presence_of_t = |f: &ServerFrame| matches!(f, ServerFrame::Presence { ticket_id, .. } if *ticket_id == t.id);
    while ann_live
        .try_wait_for(Duration::from_millis(300), |f| presence_of_t(f).then_some(()))
        .await
        .is_some()
    {}

    // Moved to a category Ann does not work: her socket is told and stops watching.
    let r = app
        .api
        .patch_json(
            &app.admin.token,
            &format!("/tickets/{}", t.id),
            &json!({"version": t.version, "category_id": legal.id}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    ann_live
        .wait_for("the ticket leaving her sight", Duration::from_secs(5), |f| match f {
            ServerFrame::Error {
                code,
                topic: Some(topic),
                ..
            } if code == "forbidden" && *topic == Topic::Ticket(t.id) => Some(()),
            _ => None,
        })
        .await;

    // Bob starts typing a reply: only sockets that may see the ticket hear of it.
    bob_live
        .send(&ClientFrame::Presence {
            ticket_id: t.id,
            activity: Some(Activity::TypingReply),
        })
        .await;
    bob_live
        .wait_for("his own presence", Duration::from_secs(5), |f| match f {
            ServerFrame::Presence { ticket_id, people } if *ticket_id == t.id && !people.is_empty() => Some(()),
            _ => None,
        })
        .await;
    ann_live
        .expect_none(
            "presence of a ticket she may no longer see",
            Duration::from_secs(2),
            |f| presence_of_t(f) || matches!(f, ServerFrame::Ticket { ticket, .. } if ticket.id == t.id),
        )
        .await;
}
