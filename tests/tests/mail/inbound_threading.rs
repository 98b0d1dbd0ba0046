//! Threading table: each rule of docs/ARCHITECTURE.md and its edge cases, through the real
//! signed `POST /api/v1/inbound` endpoint.

use maildesk_tests::client::{expect_error, ok_json};
use maildesk_tests::mail::mail;
use maildesk_tests::{Backend, TestApp, both_backends, spawn_app};
use protocol::{
    ErrorCode, InboundStatus, MailboxSettings, MessageKind, Page, PostMessage, Role, Ticket, TicketDetail, TicketStatus,
};

const SUPPORT: &str = "support@help.example.com";

async fn ticket(app: &TestApp, id: i64) -> TicketDetail {
    app.api.ticket(&app.admin.token, id).await
}

both_backends!(
    a_reply_threads_by_in_reply_to_then_references,
    |app: TestApp| async move {
        let mb = app.mailbox(SUPPORT).await;
        let first = app
            .deliver(
                &mb,
                &mail("Ann <ann@customer.example>", SUPPORT, "Printer broken")
                    .message_id("m1@customer.example")
                    .build(),
            )
            .await;
        assert_eq!(first.status, InboundStatus::Processed);
        let t = first.ticket_id.expect("a ticket");
        let by_irt = app
            .deliver(
                &mb,
                &mail("ann@customer.example", SUPPORT, "Re: Printer")
                    .message_id("m2@customer.example")
                    .in_reply_to("m1@customer.example")
                    .build(),
            )
            .await;
        assert_eq!(by_irt.ticket_id, Some(t));
        // Only References, newest last in the header: the newest known one wins.
        let by_refs = app
            .deliver(
                &mb,
                &mail("ann@customer.example", SUPPORT, "again")
                    .message_id("m3@customer.example")
                    .references(&["unknown@x.example", "m2@customer.example"])
                    .build(),
            )
            .await;
        assert_eq!(by_refs.ticket_id, Some(t));
        let d = ticket(&app, t).await;
        assert_eq!(d.messages.len(), 3);
        assert_eq!(d.ticket.requester.email, "ann@customer.example");
        assert_eq!(d.ticket.requester.name, "Ann");
        assert!(d.messages.iter().all(|m| m.kind == MessageKind::Customer));
    }
);

#[tokio::test]
async fn our_signed_message_id_and_body_marker_thread_and_forgeries_do_not() {
    let app = spawn_app().await;
    let mb = app.mailbox(SUPPORT).await;
    let t = app
        .deliver(
            &mb,
            &mail("bob@customer.example", SUPPORT, "VPN")
                .message_id("v1@c.example")
                .build(),
        )
        .await
        .ticket_id
        .unwrap();
    let keys = app.keys();
    let ours = maildesk::mail::signed_ids::message_id(&keys, t, 999, "help.example.com");
    let reply = app
        .deliver(
            &mb,
            &mail("bob@customer.example", SUPPORT, "Re: VPN")
                .message_id("v2@c.example")
                .in_reply_to(&ours)
                .build(),
        )
        .await;
    assert_eq!(reply.ticket_id, Some(t));
    let forged = ours.replace(&format!("maildesk.{t}."), &format!("maildesk.{t}0."));
    let f = app
        .deliver(
            &mb,
            &mail("bob@customer.example", SUPPORT, "Re: VPN")
                .message_id("v3@c.example")
                .in_reply_to(&forged)
                .build(),
        )
        .await;
    assert_ne!(f.ticket_id, Some(t), "a forged Message-ID must not thread");
    let marker = maildesk::mail::signed_ids::reference_marker(&keys, t);
    let body = format!("Thanks, works now.\n\n> old text\n> {marker}\n");
    let m = app
        .deliver(
            &mb,
            &mail("bob@customer.example", SUPPORT, "no headers kept")
                .message_id("v4@c.example")
                .body(&body)
                .build(),
        )
        .await;
    assert_eq!(m.ticket_id, Some(t));
}

#[tokio::test]
async fn subject_token_joins_only_participants_and_a_stranger_gets_a_linked_ticket() {
    let app = spawn_app().await;
    let mb = app.mailbox(SUPPORT).await;
    // Here the token alone decides (a mailbox that only watches sender authentication; unsigned
    // mail of an enforcing one joins by token only when verified: sender_auth.rs).
    let watching = protocol::MailboxSettings {
        sender_policy: Some(protocol::SenderPolicy::Monitor),
        ..Default::default()
    };
    app.update_mailbox(&mb, &watching).await;
    let t = app
        .deliver(
            &mb,
            &mail("carol@customer.example", SUPPORT, "Invoice")
                .message_id("i1@c.example")
                .build(),
        )
        .await
        .ticket_id
        .unwrap();
    let own = app
        .deliver(
            &mb,
            &mail("carol@customer.example", SUPPORT, &format!("Re: [#{t}] Invoice"))
                .message_id("i2@c.example")
                .build(),
        )
        .await;
    assert_eq!(own.ticket_id, Some(t));
    let stranger = app
        .deliver(
            &mb,
            &mail("mallory@evil.example", SUPPORT, &format!("Re: [#{t}] Invoice"))
                .message_id("i3@e.example")
                .build(),
        )
        .await;
    let new_id = stranger.ticket_id.unwrap();
    assert_ne!(new_id, t, "a stranger quoting a ticket number must not join it");
    let d = ticket(&app, new_id).await;
    assert!(
        d.events
            .iter()
            .any(|e| e.field == "follows_up" && e.new_value.as_deref() == Some(&*t.to_string()))
    );
    assert_eq!(ticket(&app, t).await.messages.len(), 2);
}

#[tokio::test]
async fn duplicates_are_applied_once_even_across_two_of_our_mailboxes() {
    let app = spawn_app().await;
    let support = app.mailbox(SUPPORT).await;
    let billing = app.mailbox("billing@help.example.com").await;
    let raw = mail("dan@customer.example", SUPPORT, "Refund")
        .header("Cc", "billing@help.example.com")
        .message_id("d1@c.example")
        .build();
    let a = app.deliver(&support, &raw).await;
    let again = app.deliver(&support, &raw).await;
    assert!(again.duplicate);
    assert_eq!(again.journal_id, a.journal_id);
    let b = app.deliver(&billing, &raw).await;
    assert_eq!(
        b.ticket_id, a.ticket_id,
        "To + CC of two of our addresses is one ticket"
    );
    let d = ticket(&app, a.ticket_id.unwrap()).await;
    assert_eq!(d.messages.len(), 1);
    assert!(
        d.subscribers.is_empty(),
        "our own addresses are never subscribers: {:?}",
        d.subscribers
    );
    // Without a Message-ID, the Idempotency-Key makes a redelivery a duplicate.
    let no_id = mail("dan@customer.example", SUPPORT, "No id").build();
    let first: protocol::InboundAccepted = ok_json(app.post_inbound(&support, &no_id, Some("k-1")).await).await;
    let second: protocol::InboundAccepted = ok_json(app.post_inbound(&support, &no_id, Some("k-1")).await).await;
    assert!(second.duplicate);
    assert_eq!(first.ticket_id, second.ticket_id);
}

#[tokio::test]
async fn a_references_loop_and_unknown_ids_make_a_new_ticket() {
    let app = spawn_app().await;
    let mb = app.mailbox(SUPPORT).await;
    let r = app
        .deliver(
            &mb,
            &mail("eve@customer.example", SUPPORT, "Loop")
                .message_id("loop@c.example")
                .references(&["loop@c.example"])
                .in_reply_to("loop@c.example")
                .build(),
        )
        .await;
    assert_eq!(r.status, InboundStatus::Processed);
    assert!(r.ticket_id.is_some());
}

#[tokio::test]
async fn the_signature_is_required_and_checked() {
    let app = spawn_app().await;
    let mb = app.mailbox(SUPPORT).await;
    let raw = mail("x@customer.example", SUPPORT, "hi").build();
    let unsigned = app
        .api
        .http()
        .post(format!("{}?mailbox={}", app.api.url("/inbound"), mb.mailbox.id))
        .body(raw.clone())
        .send()
        .await
        .unwrap();
    expect_error(unsigned, 401, ErrorCode::Unauthorized).await;
    let mut wrong = mb.clone();
    wrong.webhook_secret = "not-the-secret".into();
    expect_error(app.post_inbound(&wrong, &raw, None).await, 401, ErrorCode::Unauthorized).await;
    let page: Page<Ticket> = ok_json(app.api.get(&app.admin.token, "/tickets").await).await;
    assert_eq!(page.total, 0, "a refused delivery must not create anything");
}

#[tokio::test]
async fn replies_reopen_closed_tickets_inside_the_window_and_open_a_follow_up_after_it() {
    let app = spawn_app().await;
    let mb = app
        .create_mailbox(MailboxSettings {
            name: Some("S".into()),
            address: Some(SUPPORT.into()),
            followup_days: Some(7),
            ..Default::default()
        })
        .await;
    let t = app
        .deliver(
            &mb,
            &mail("fay@customer.example", SUPPORT, "Login")
                .message_id("l1@c.example")
                .build(),
        )
        .await
        .ticket_id
        .unwrap();
    let close = |v| protocol::UpdateTicket {
        version: v,
        status: Some(TicketStatus::Closed),
        ..Default::default()
    };
    let v = ticket(&app, t).await.ticket.version;
    ok_json::<TicketDetail>(
        app.api
            .patch_json(&app.admin.token, &format!("/tickets/{t}"), &close(v))
            .await,
    )
    .await;
    let inside = app
        .deliver(
            &mb,
            &mail("fay@customer.example", SUPPORT, "Re: Login")
                .message_id("l2@c.example")
                .in_reply_to("l1@c.example")
                .build(),
        )
        .await;
    assert_eq!(inside.ticket_id, Some(t));
    assert_eq!(ticket(&app, t).await.ticket.status, TicketStatus::Open);
    let v = ticket(&app, t).await.ticket.version;
    ok_json::<TicketDetail>(
        app.api
            .patch_json(&app.admin.token, &format!("/tickets/{t}"), &close(v))
            .await,
    )
    .await;
    // Closed ten days ago: past the 7-day window.
    let db = sea_orm::Database::connect(app.database_url().unwrap()).await.unwrap();
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(&format!(
        "UPDATE tickets SET closed_at = now() - interval '10 days' WHERE id = {t}"
    ))
    .await
    .unwrap();
    let after = app
        .deliver(
            &mb,
            &mail("fay@customer.example", SUPPORT, "Re: Login")
                .message_id("l3@c.example")
                .in_reply_to("l2@c.example")
                .build(),
        )
        .await;
    let follow = after.ticket_id.unwrap();
    assert_ne!(follow, t);
    assert_eq!(ticket(&app, t).await.ticket.status, TicketStatus::Closed);
    assert!(
        ticket(&app, follow)
            .await
            .events
            .iter()
            .any(|e| e.field == "follows_up")
    );
}

#[tokio::test]
async fn an_inbound_reply_makes_an_agents_draft_stale() {
    let app = spawn_app().await;
    let mb = app.mailbox(SUPPORT).await;
    let agent = app.new_user(Role::Agent).await;
    let t = app
        .deliver(
            &mb,
            &mail("gil@customer.example", SUPPORT, "Crash")
                .message_id("c1@c.example")
                .build(),
        )
        .await
        .ticket_id
        .unwrap();
    let seen = app.api.ticket(&agent.token, t).await.ticket.version;
    app.deliver(
        &mb,
        &mail("gil@customer.example", SUPPORT, "Re: Crash")
            .message_id("c2@c.example")
            .in_reply_to("c1@c.example")
            .body("It crashed again")
            .build(),
    )
    .await;
    let reply = PostMessage {
        body: "Try restarting".into(),
        version: seen,
        status: None,
        attachment_ids: vec![],
    };
    let err = expect_error(
        app.api
            .post_json(&agent.token, &format!("/tickets/{t}/replies"), &reply)
            .await,
        409,
        ErrorCode::VersionConflict,
    )
    .await;
    assert!(err.current.unwrap().version > seen);
}

#[tokio::test]
async fn ticket_list_shows_mail_tickets_to_the_right_people_only() {
    let app = maildesk_tests::spawn_app_on(Backend::Postgres).await;
    let mb = app.mailbox(SUPPORT).await;
    app.deliver(
        &mb,
        &mail("hal@customer.example", SUPPORT, "Mine")
            .message_id("h1@c.example")
            .build(),
    )
    .await;
    let other = app.new_user(Role::Customer).await;
    let page: Page<Ticket> = ok_json(app.api.get(&other.token, "/tickets").await).await;
    assert_eq!(page.total, 0);
}
