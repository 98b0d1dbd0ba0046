//! Mailbox rules and classification through the real endpoint: e-mail commands, robots,
//! quarantine and release, loop protection, strangers, routing, dead letters and replay.

use maildesk_tests::client::ok_json;
use maildesk_tests::mail::{WITH_ATTACHMENT, mail};
use maildesk_tests::{TestApp, spawn_app};
use protocol::{
    CreateCategory, InboundAccepted, InboundMail, InboundStatus, MailboxSettings, MessageKind, Page, Role,
    TicketDetail, TicketStatus,
};

const SUPPORT: &str = "support@help.example.com";

async fn ticket(app: &TestApp, id: i64) -> TicketDetail {
    app.api.ticket(&app.admin.token, id).await
}

#[tokio::test]
async fn email_commands_close_note_and_unsubscribe() {
    let app = spawn_app().await;
    let mb = app.mailbox(SUPPORT).await;
    let agent = app.new_user(Role::Agent).await;
    let raw = mail("ivy@customer.example", SUPPORT, "Help")
        .header("Cc", "boss@customer.example")
        .message_id("e1@c.example")
        .build();
    let t = app.deliver(&mb, &raw).await.ticket_id.unwrap();
    assert_eq!(ticket(&app, t).await.subscribers.len(), 1);
    // An agent answering by mail with #tech#: an internal note. (The agent answers our mail to
    // them, with its address-bound marker: a From: alone would not make them staff.)
    let marker = maildesk::mail::signed_ids::reference_marker_for(&app.keys(), t, &agent.email);
    app.deliver(
        &mb,
        &mail(&agent.email, SUPPORT, &format!("Re: [#{t}] Help #tech#"))
            .message_id("e2@c.example")
            .body(&format!("Checked logs\n\n> {marker}"))
            .build(),
    )
    .await;
    // A customer cannot make a note.
    app.deliver(
        &mb,
        &mail("ivy@customer.example", SUPPORT, &format!("Re: [#{t}] Help #tech#"))
            .header("In-Reply-To", "<e1@c.example>")
            .message_id("e3@c.example")
            .build(),
    )
    .await;
    let d = ticket(&app, t).await;
    let kinds: Vec<MessageKind> = d.messages.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        vec![MessageKind::Customer, MessageKind::Note, MessageKind::Customer]
    );
    // The CC'd boss unsubscribes.
    app.deliver(
        &mb,
        &mail("boss@customer.example", SUPPORT, &format!("Re: [#{t}] #unsub#"))
            .header("In-Reply-To", "<e1@c.example>")
            .message_id("e4@c.example")
            .build(),
    )
    .await;
    assert!(ticket(&app, t).await.subscribers.is_empty());
    // The requester closes it.
    app.deliver(
        &mb,
        &mail("ivy@customer.example", SUPPORT, &format!("Re: [#{t}] #close#"))
            .header("In-Reply-To", "<e1@c.example>")
            .message_id("e5@c.example")
            .body("Solved, thanks")
            .build(),
    )
    .await;
    assert_eq!(ticket(&app, t).await.ticket.status, TicketStatus::Closed);
}

#[tokio::test]
async fn an_auto_reply_to_our_mail_is_a_system_event_and_others_are_quarantined_until_released() {
    let app = spawn_app().await;
    let mb = app.mailbox(SUPPORT).await;
    let t = app
        .deliver(
            &mb,
            &mail("jo@customer.example", SUPPORT, "Question")
                .message_id("q1@c.example")
                .build(),
        )
        .await
        .ticket_id
        .unwrap();
    let before = ticket(&app, t).await.ticket;
    let ooo = mail("jo@customer.example", SUPPORT, "Automatic reply: Question")
        .header("Auto-Submitted", "auto-replied")
        .message_id("q2@c.example")
        .in_reply_to("q1@c.example")
        .body("I am out of the office until Monday.")
        .build();
    let r = app.deliver(&mb, &ooo).await;
    assert_eq!(r.ticket_id, Some(t));
    let after = ticket(&app, t).await;
    assert_eq!(after.messages.last().unwrap().kind, MessageKind::System);
    assert_eq!(after.ticket.status, before.status);
    assert_eq!(
        after.ticket.version, before.version,
        "an auto-reply does not change the ticket"
    );

    let stray = mail("robot@other.example", SUPPORT, "Out of Office")
        .header("Auto-Submitted", "auto-replied")
        .message_id("q3@o.example")
        .build();
    let q = app.deliver(&mb, &stray).await;
    assert_eq!(q.status, InboundStatus::Quarantined);
    assert_eq!(q.ticket_id, None);
    let listed: Page<InboundMail> = ok_json(app.api.get(&app.admin.token, "/inbound?status=quarantined").await).await;
    assert!(
        listed
            .items
            .iter()
            .any(|m| m.id == q.journal_id && m.kind.as_deref() == Some("auto_reply"))
    );
    let released: InboundAccepted = ok_json(
        app.api
            .post_json(&app.admin.token, &format!("/inbound/{}/release", q.journal_id), &())
            .await,
    )
    .await;
    assert_eq!(released.status, InboundStatus::Processed);
    assert!(released.ticket_id.is_some());
    // X-Auto-Response-Suppress alone is not a robot sign (Outlook sets it on human mail).
    let human = mail("kim@customer.example", SUPPORT, "Real question")
        .header("X-Auto-Response-Suppress", "All")
        .message_id("q4@c.example")
        .build();
    assert_eq!(app.deliver(&mb, &human).await.status, InboundStatus::Processed);
}

#[tokio::test]
async fn loop_protection_quarantines_a_sender_over_the_rate_limit() {
    let app = spawn_app().await;
    let mb = app
        .create_mailbox(MailboxSettings {
            name: Some("S".into()),
            address: Some(SUPPORT.into()),
            rate_limit_count: Some(3),
            rate_limit_minutes: Some(10),
            ..Default::default()
        })
        .await;
    let mut statuses = vec![];
    for i in 0..5 {
        let raw = mail("loop@robot.example", SUPPORT, &format!("Ticket {i}"))
            .message_id(&format!("r{i}@robot.example"))
            .build();
        statuses.push(app.deliver(&mb, &raw).await.status);
    }
    assert_eq!(&statuses[..3], &[InboundStatus::Processed; 3]);
    assert_eq!(&statuses[3..], &[InboundStatus::Quarantined; 2]);
}

#[tokio::test]
async fn strangers_are_refused_when_the_mailbox_says_so_and_routing_picks_the_category() {
    let app = spawn_app().await;
    let billing: protocol::Category = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                "/categories",
                &CreateCategory {
                    name: "billing".into(),
                    description: String::new(),
                },
            )
            .await,
    )
    .await;
    let mb = app
        .create_mailbox(MailboxSettings {
            name: Some("S".into()),
            address: Some(SUPPORT.into()),
            accept_unknown: Some(false),
            ..Default::default()
        })
        .await;
    let stranger = app
        .deliver(
            &mb,
            &mail("who@nowhere.example", SUPPORT, "Hi")
                .message_id("s1@n.example")
                .build(),
        )
        .await;
    assert_eq!(stranger.status, InboundStatus::Quarantined);
    let known = app.new_user(Role::Customer).await;
    let plus = app
        .deliver(
            &mb,
            &mail(&known.email, "support+billing@help.example.com", "Invoice")
                .message_id("s2@k.example")
                .build(),
        )
        .await;
    let t = ticket(&app, plus.ticket_id.unwrap()).await.ticket;
    assert_eq!(t.category_id, Some(billing.id));
    let suffix = app
        .deliver(
            &mb,
            &mail(
                &known.email,
                &format!("help-{}@help.example.com", billing.id),
                "Invoice 2",
            )
            .message_id("s3@k.example")
            .build(),
        )
        .await;
    assert_eq!(
        ticket(&app, suffix.ticket_id.unwrap()).await.ticket.category_id,
        Some(billing.id)
    );
}

#[tokio::test]
async fn a_mail_that_fails_is_kept_as_a_dead_letter_and_replays_after_the_fix() {
    let app = spawn_app().await;
    let mb = app.mailbox(SUPPORT).await;
    app.break_blob_store();
    let failed = app.deliver(&mb, WITH_ATTACHMENT.as_bytes()).await;
    assert_eq!(failed.status, InboundStatus::Failed);
    // The next mail is not blocked by it.
    let next = app
        .deliver(
            &mb,
            &mail("lee@customer.example", SUPPORT, "Plain")
                .message_id("f2@c.example")
                .build(),
        )
        .await;
    assert_eq!(next.status, InboundStatus::Processed);
    let dead: Page<InboundMail> = ok_json(app.api.get(&app.admin.token, "/inbound?status=failed").await).await;
    assert!(
        dead.items
            .iter()
            .any(|m| m.id == failed.journal_id && m.error.is_some())
    );
    app.mend_blob_store();
    let replayed: InboundAccepted = ok_json(
        app.api
            .post_json(&app.admin.token, &format!("/inbound/{}/replay", failed.journal_id), &())
            .await,
    )
    .await;
    assert_eq!(replayed.status, InboundStatus::Processed);
    let d = ticket(&app, replayed.ticket_id.unwrap()).await;
    assert_eq!(d.messages[0].attachments.len(), 1);
    assert_eq!(d.messages[0].attachments[0].filename, "report.pdf");
}
