//! Item 2: a `From:` header naming an agent proves nothing. Such a mail joined ticket N by its
//! subject token as an agent reply (mailed to the customer, signed by us), subscribed its Cc
//! (who then got the history) and ran `#close#` / `#tech#`. Staff semantics now need proof that
//! the mail answers one of our mails to that agent; without it the address is a stranger's.

use maildesk_tests::mail::mail;
use maildesk_tests::outbox::outbox;
use maildesk_tests::{TestApp, spawn_app};
use protocol::{InboundStatus, MessageKind, Role, TicketStatus};

const SUPPORT: &str = "support@help.example.com";

struct Scene {
    app: TestApp,
    mb: protocol::MailboxWithSecret,
    agent: maildesk_tests::TestUser,
    ticket: i64,
}

async fn scene() -> Scene {
    let app = spawn_app().await;
    let mb = app.mailbox(SUPPORT).await;
    let agent = app.new_user(Role::Agent).await;
    let raw = mail("ivy@customer.example", SUPPORT, "Help with my invoice")
        .message_id("first@customer.example")
        .body("My invoice is wrong.")
        .build();
    let ticket = app.deliver(&mb, &raw).await.ticket_id.expect("a ticket");
    Scene { app, mb, agent, ticket }
}

async fn mails_to(app: &TestApp, ticket: i64, address: &str) -> Vec<protocol::OutboundMail> {
    outbox(app, ticket)
        .await
        .into_iter()
        .filter(|m| m.to.iter().chain(&m.cc).any(|a| a.eq_ignore_ascii_case(address)))
        .collect()
}

#[tokio::test]
async fn a_forged_agent_address_with_a_subject_token_is_a_stranger() {
    let Scene { app, mb, agent, ticket } = scene().await;
    let to_customer_before = mails_to(&app, ticket, "ivy@customer.example").await.len();
    let forged = mail(&agent.email, SUPPORT, &format!("Re: [#{ticket}] Help #close# #tech#"))
        .header("Cc", "attacker@evil.example")
        .message_id("forged-1@evil.example")
        .body("Your refund is approved, send your card number to attacker@evil.example")
        .build();
    let got = app.deliver(&mb, &forged).await;
    assert_ne!(got.ticket_id, Some(ticket), "the forged mail joined the ticket");

    let d = app.api.ticket(&app.admin.token, ticket).await;
    assert_eq!(d.ticket.status, TicketStatus::Open, "#close# ran");
    assert_eq!(d.messages.len(), 1, "{:?}", d.messages);
    assert!(d.subscribers.iter().all(|s| s.email != "attacker@evil.example"));
    assert!(mails_to(&app, ticket, "attacker@evil.example").await.is_empty());
    assert_eq!(
        mails_to(&app, ticket, "ivy@customer.example").await.len(),
        to_customer_before,
        "the customer was mailed the forged text"
    );
    // What it made instead: a ticket of its own, no note, no reply.
    let own = app
        .api
        .ticket(&app.admin.token, got.ticket_id.expect("its own ticket"))
        .await;
    assert!(
        own.messages.iter().all(|m| m.kind == MessageKind::Customer),
        "{:?}",
        own.messages
    );
}

#[tokio::test]
async fn a_forged_agent_address_answering_the_customers_mail_acts_as_nobody() {
    let Scene { app, mb, agent, ticket } = scene().await;
    // The attacker is the customer, or read the customer's mail: they hold the Message-ID of
    // the confirmation we sent the customer (and its marker).
    let confirmation = mails_to(&app, ticket, "ivy@customer.example").await;
    let confirmation = confirmation.first().expect("a confirmation to the customer");
    let marker = maildesk::mail::signed_ids::reference_marker_for(&app.keys(), ticket, "ivy@customer.example");
    let to_customer_before = mails_to(&app, ticket, "ivy@customer.example").await.len();
    let forged = mail(&agent.email, SUPPORT, "Re: Help #close# #tech#")
        .in_reply_to(&confirmation.message_id)
        .message_id("forged-2@evil.example")
        .body(&format!("Approved.\n\n> {marker}"))
        .build();
    let got = app.deliver(&mb, &forged).await;
    // Kept for an admin to judge, applied to nothing, mailed to nobody.
    assert_eq!(got.status, InboundStatus::Quarantined, "{got:?}");
    assert_eq!(got.ticket_id, None);
    let d = app.api.ticket(&app.admin.token, ticket).await;
    assert_eq!(d.ticket.status, TicketStatus::Open, "#close# ran");
    assert_eq!(d.messages.len(), 1, "{:?}", d.messages);
    assert!(d.ticket.first_response_at.is_none(), "counted as the first response");
    assert_eq!(
        mails_to(&app, ticket, "ivy@customer.example").await.len(),
        to_customer_before
    );
}

#[tokio::test]
async fn an_agent_answering_our_mail_to_them_still_acts_as_staff() {
    let Scene { app, mb, agent, ticket } = scene().await;
    // By the Message-ID of the alert we sent the agent.
    let alert = mails_to(&app, ticket, &agent.email).await;
    let alert = alert.first().expect("a new-ticket alert to the agent");
    let reply = mail(&agent.email, SUPPORT, "Re: Help")
        .in_reply_to(&alert.message_id)
        .message_id("agent-1@help.example.com")
        .body("We fixed the invoice.")
        .build();
    assert_eq!(app.deliver(&mb, &reply).await.ticket_id, Some(ticket));
    let d = app.api.ticket(&app.admin.token, ticket).await;
    assert_eq!(d.messages.last().map(|m| m.kind), Some(MessageKind::Reply));
    // By the marker bound to the agent's address (a client that drops In-Reply-To), with the
    // commands.
    let marker = maildesk::mail::signed_ids::reference_marker_for(&app.keys(), ticket, &agent.email);
    let note = mail(&agent.email, SUPPORT, "Re: Help #tech# #close#")
        .message_id("agent-2@help.example.com")
        .body(&format!("Internal: refunded.\n\n> {marker}"))
        .build();
    assert_eq!(app.deliver(&mb, &note).await.ticket_id, Some(ticket));
    let d = app.api.ticket(&app.admin.token, ticket).await;
    assert_eq!(d.messages.last().map(|m| m.kind), Some(MessageKind::Note));
    assert_eq!(d.ticket.status, TicketStatus::Closed);
}
