//! What a customer sees in headless Chromium: sign in, the portal's list of their own tickets,
//! the thread with the agent's reply and without the internal note (invariant 4). Needs
//! `bash scripts/chromium.sh` and `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::browser::{Browser, person};
use maildesk_tests::client::{new_ticket, ok_json};
use maildesk_tests::spawn_app;
use protocol::{CreateTicket, MessageKind, PostMessage, Role, TicketDetail};

const NOTE: &str = "INTERNAL-7f3a: requester flagged by the fraud check, do not refund";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_sees_their_thread_without_internal_notes() {
    let app = spawn_app().await;
    let customer = person(&app, Role::Customer, "Dana Whitfield").await;
    let other = app.new_user(Role::Customer).await;
    let mine = app
        .api
        .create_ticket(
            &customer.token,
            &CreateTicket {
                body: "My order 8812 never arrived.".into(),
                ..new_ticket("Where is my order?")
            },
        )
        .await
        .ticket;
    let theirs = app
        .api
        .create_ticket(&other.token, &new_ticket("Someone else's ticket"))
        .await
        .ticket;
    let post = |kind: &'static str, body: &'static str| {
        let app = &app;
        async move {
            let version = app.api.ticket(&app.admin.token, mine.id).await.ticket.version;
            let msg = PostMessage {
                body: body.into(),
                version,
                ..Default::default()
            };
            let resp = app
                .api
                .post_json(&app.admin.token, &format!("/tickets/{}/{kind}", mine.id), &msg)
                .await;
            ok_json::<TicketDetail>(resp).await
        }
    };
    post("notes", NOTE).await;
    let reply = "We are sorry: a replacement parcel left our warehouse today.";
    let staff_view = post("replies", reply).await;
    // The note is there for staff, so its absence below means something.
    assert!(
        staff_view
            .messages
            .iter()
            .any(|m| m.kind == MessageKind::Note && m.body_text.contains(NOTE))
    );

    let b = Browser::open(app.address(), "customer").await;
    b.goto("/").await;
    b.goto("/login").await;
    b.submit_login(&customer).await;
    b.wait_for(&format!(
        "[data-testid=portal-ticket-row][data-ticket-id=\"{}\"]",
        mine.id
    ))
    .await;
    let rows = b
        .client()
        .execute(
            "return [...document.querySelectorAll('[data-testid=portal-ticket-row]')].map(r => r.dataset.ticketId)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(rows, serde_json::json!([mine.id.to_string()]), "only their own ticket");
    assert!(!b.html().await.contains(&theirs.subject));

    b.click(&format!(
        "[data-testid=portal-ticket-row][data-ticket-id=\"{}\"] a",
        mine.id
    ))
    .await;
    b.wait_for_text("[data-testid=thread] [data-testid=message]", reply)
        .await;
    b.wait_for_text("[data-testid=thread] [data-testid=message]", "never arrived")
        .await;
    let kinds = b
        .client()
        .execute(
            "return [...document.querySelectorAll('[data-testid=thread] [data-testid=message]')].map(m => m.dataset.kind)",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        !kinds.as_array().unwrap().iter().any(|k| k == "note"),
        "no note in the customer's thread: {kinds}"
    );
    assert_eq!(kinds.as_array().unwrap().len(), 2, "the request and the reply: {kinds}");
    b.screenshot("portal").await;
    let html = b.html().await;
    assert!(
        !html.contains("INTERNAL-7f3a"),
        "the note's text reached the customer's page"
    );
    assert!(
        b.text_if_any("[data-testid=mode-note]").await.is_none(),
        "customers get no note mode"
    );
    b.close().await;
}

/// The link in a notification mail signs the customer in, limited to that ticket, and opens it
/// (the page reads the ticket id from the token's claims).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_link_opens_its_ticket_without_a_password() {
    let app = spawn_app().await;
    let customer = person(&app, Role::Customer, "Ravi Okafor").await;
    let t = app
        .api
        .create_ticket(
            &customer.token,
            &CreateTicket {
                body: "The invoice total looks doubled.".into(),
                ..new_ticket("Invoice 4410")
            },
        )
        .await
        .ticket;
    let keys = app.keys();
    let links = maildesk::mail::outbound::links::LinkBase {
        public_url: app.address(),
        keys: &keys,
    };
    let link = links.autologin(customer.id, t.id).unwrap();

    let b = Browser::open(app.address(), "autologin").await;
    b.goto(link.strip_prefix(app.address()).expect("a link to this server"))
        .await;
    b.wait_js(
        "the ticket's page after the mail link",
        "return location.pathname === arguments[0];",
        vec![serde_json::json!(format!("/tickets/{}", t.id))],
    )
    .await;
    b.wait_for_text("[data-testid=thread] [data-testid=message]", "looks doubled")
        .await;
    b.close().await;
}
