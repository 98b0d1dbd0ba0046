//! The agent workspace in headless Chromium against the built app and a real server: signing in
//! and opening a ticket from the queue, two agents seeing each other on a ticket (viewing,
//! typing, a reply arriving live), a take race, and a stale reply refused with the conflict
//! banner, then sent anyway. Needs `bash scripts/chromium.sh` and `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::browser::{Browser, person};
use maildesk_tests::mail::mail;
use maildesk_tests::{TestApp, TestUser, spawn_app};
use protocol::{MailboxWithSecret, MessageKind, Role, Ticket};

fn presence_of(user: &TestUser, activity: &str) -> String {
    format!(
        "[data-testid=viewers] [data-testid=presence][data-user-id=\"{}\"][data-activity={activity}]",
        user.id
    )
}

const MESSAGE: &str = "[data-testid=thread] [data-testid=message]";

/// A ticket opened by a customer's mail to the support mailbox.
async fn ticket_for(app: &TestApp, mb: &MailboxWithSecret, subject: &str, from: &str, body: &str) -> Ticket {
    let raw = mail(from, &mb.mailbox.address, subject)
        .message_id(&format!("{}@example.com", uuid::Uuid::new_v4().simple()))
        .body(body)
        .build();
    let accepted = app.deliver(mb, &raw).await;
    let id = accepted.ticket_id.expect("the mail opened a ticket");
    app.api.ticket(&app.admin.token, id).await.ticket
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_signs_in_and_opens_a_ticket_from_the_queue() {
    let app = spawn_app().await;
    let agent = person(&app, Role::Agent, "Ann Carter").await;
    let mb = app.mailbox("support@example.test").await;
    for (subject, from) in [
        (
            "Invoice shows the wrong VAT number",
            "Lena Fischer <lena.fischer@example.com>",
        ),
        ("Cannot reset my password", "Tom Baker <tom.baker@example.com>"),
        ("Parcel arrived damaged", "Ana Silva <ana.silva@example.com>"),
    ] {
        ticket_for(&app, &mb, subject, from, "Hello, could you help?").await;
    }
    let target = ticket_for(
        &app,
        &mb,
        "Printer prints only blank pages",
        "Sam Okafor <sam.okafor@example.com>",
        "Since this morning every page comes out blank.",
    )
    .await;

    let b = Browser::open(app.address(), "agent").await;
    // Not signed in: the queue sends us to the login form, which brings us back.
    b.goto("/tickets").await;
    b.wait_for("[data-testid=login-form]").await;
    assert!(b.path().await.starts_with("/login"), "{}", b.path().await);
    b.submit_login(&agent).await;
    assert_eq!(b.path().await, "/tickets");

    b.wait_js(
        "four tickets in the queue",
        "return document.querySelectorAll('[data-testid=ticket-row]').length === 4",
        vec![],
    )
    .await;
    b.wait_for_text("[data-testid=ticket-row]", "Printer prints only blank pages")
        .await;
    b.screenshot("queue").await;

    b.click(&format!(
        "[data-testid=ticket-row][data-ticket-id=\"{}\"] [data-testid=ticket-link]",
        target.id
    ))
    .await;
    b.wait_js(
        "the ticket's page",
        "return location.pathname === arguments[0]",
        vec![format!("/tickets/{}", target.id).into()],
    )
    .await;
    b.wait_for_text("[data-testid=ticket-subject]", "Printer prints only blank pages")
        .await;
    b.wait_for_text(MESSAGE, "every page comes out blank").await;
    let number = b.text_if_any("[data-testid=ticket-number]").await.unwrap_or_default();
    assert_eq!(number, format!("#{}", target.number));
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agents_see_each_other_typing_and_replies_arrive_live() {
    let app = spawn_app().await;
    let ann = person(&app, Role::Agent, "Ann Carter").await;
    let bob = person(&app, Role::Agent, "Bob Nguyen").await;
    let mb = app.mailbox("support@example.test").await;
    let t = ticket_for(
        &app,
        &mb,
        "VPN drops every ten minutes",
        "Maria Rossi <maria.rossi@example.com>",
        "The VPN disconnects every ten minutes since the update.",
    )
    .await;
    let (a, b) = tokio::join!(
        Browser::signed_in(app.address(), "Ann", &ann),
        Browser::signed_in(app.address(), "Bob", &bob)
    );
    let page = format!("/tickets/{}", t.id);
    tokio::join!(a.goto(&page), b.goto(&page));

    // Each sees the other viewing.
    a.wait_for(&presence_of(&bob, "viewing")).await;
    b.wait_for(&presence_of(&ann, "viewing")).await;

    // Bob types a reply: Ann sees him typing.
    let reply = "Please update the client to 5.2, it fixes the reconnect loop.";
    b.type_into("[data-testid=reply-body]", reply).await;
    a.wait_for(&presence_of(&bob, "typing_reply")).await;
    let typing = a.wait_for_text("[data-testid=typing]", "is writing a reply").await;
    let bob_name = a
        .text_if_any(&format!("{} .presence-name", presence_of(&bob, "typing_reply")))
        .await
        .unwrap_or_default();
    assert!(
        !bob_name.is_empty() && typing.contains(&format!("{bob_name} is writing a reply")),
        "the typing line {typing:?} should name Bob ({bob_name:?})"
    );
    a.screenshot("ticket-presence").await;

    // Bob sends: the reply shows up in Ann's thread without a reload, and Bob stops typing.
    b.click("[data-testid=reply-send]").await;
    a.wait_for_text(MESSAGE, reply).await;
    a.wait_for(&presence_of(&bob, "viewing")).await;
    a.wait_gone("[data-testid=typing]").await;
    b.wait_js(
        "Bob's reply box emptied after sending",
        "return document.querySelector('[data-testid=reply-body]').value === ''",
        vec![],
    )
    .await;
    let detail = app.api.ticket(&app.admin.token, t.id).await;
    let sent = detail.messages.last().expect("messages");
    assert_eq!((sent.kind, sent.body_text.trim()), (MessageKind::Reply, reply));
    tokio::join!(a.close(), b.close());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_take_race_and_a_stale_reply_show_what_the_colleague_did() {
    let app = spawn_app().await;
    let ann = person(&app, Role::Agent, "Ann Carter").await;
    let bob = person(&app, Role::Agent, "Bob Nguyen").await;
    let mb = app.mailbox("support@example.test").await;
    let t = ticket_for(
        &app,
        &mb,
        "Refund for a double charge",
        "Li Wei <li.wei@example.com>",
        "I was charged twice for order 4471.",
    )
    .await;
    let (a, b) = tokio::join!(
        Browser::signed_in(app.address(), "Ann", &ann),
        Browser::signed_in(app.address(), "Bob", &bob)
    );
    let page = format!("/tickets/{}", t.id);
    tokio::join!(a.goto(&page), b.goto(&page));
    a.wait_for(&presence_of(&bob, "viewing")).await;

    // Take race: Ann takes the ticket; Bob's page learns it live, and his own take is refused.
    a.click("[data-testid=take]").await;
    a.wait_for_text("[data-testid=ticket-assignee]", "Ann Carter").await;
    b.wait_for_text("[data-testid=ticket-assignee]", "Ann Carter").await;
    b.click("[data-testid=take]").await;
    // The refusal names who holds the ticket.
    b.wait_for_text("[data-testid=ticket-action-error]", "Already assigned to Ann Carter")
        .await;
    let taken = app.api.ticket(&app.admin.token, t.id).await.ticket;
    assert_eq!(taken.assignee.map(|a| a.id), Some(ann.id));

    // Bob starts a draft; meanwhile Ann answers first.
    let bobs = "Sorry about that, I have refunded the second charge.";
    b.type_into("[data-testid=reply-body]", bobs).await;
    a.wait_for(&presence_of(&bob, "typing_reply")).await;
    let anns = "The duplicate charge has been refunded; it shows within 3 days.";
    a.type_into("[data-testid=reply-body]", anns).await;
    a.click("[data-testid=reply-send]").await;
    a.wait_for_text(MESSAGE, anns).await;
    // Ann's reply reaches Bob live, above his untouched draft.
    b.wait_for_text(MESSAGE, anns).await;

    // Bob sends his draft, written against the old version: refused, with what Ann wrote.
    b.click("[data-testid=reply-send]").await;
    b.wait_for("[data-testid=conflict]").await;
    let title = b.text_if_any("[data-testid=conflict-title]").await.unwrap_or_default();
    assert!(title.ends_with("replied meanwhile"), "{title:?}");
    b.wait_for_text("[data-testid=conflict]", anns).await;
    let draft = b
        .client()
        .execute(
            "return document.querySelector('[data-testid=reply-body]').value",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(draft.as_str(), Some(bobs), "the draft is kept");
    let stored = app.api.ticket(&app.admin.token, t.id).await;
    assert!(
        !stored.messages.iter().any(|m| m.body_text.trim() == bobs),
        "the refused reply must not be stored"
    );

    // "Send anyway": the reply goes out after Ann's, and the banner goes.
    b.click("[data-testid=conflict-send]").await;
    b.wait_gone("[data-testid=conflict]").await;
    b.wait_for_text(MESSAGE, bobs).await;
    a.wait_for_text(MESSAGE, bobs).await;
    let detail = app.api.ticket(&app.admin.token, t.id).await;
    let bodies: Vec<&str> = detail
        .messages
        .iter()
        .skip(1)
        .filter(|m| m.kind == MessageKind::Reply)
        .map(|m| m.body_text.trim())
        .collect();
    assert_eq!(bodies, [anns, bobs], "Ann's reply, then Bob's sent anyway");
    tokio::join!(a.close(), b.close());
}

/// The app boots and works under the server's Content-Security-Policy (no inline script, no
/// eval), and a crafted `next=` on the login page cannot send the user to another site.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_runs_under_its_content_security_policy_and_login_stays_on_the_site() {
    let app = spawn_app().await;
    let b = Browser::open(app.address(), "admin").await;
    // A tab before the slash: browsers drop it while parsing, leaving `//evil.example`.
    b.goto("/login?next=%2F%09%2Fevil.example").await;
    b.wait_for("[data-testid=login-form]").await;
    // The bootstrap script ran (it removes the loading notice once the WebAssembly started).
    assert_eq!(
        b.client()
            .execute("return document.getElementById('boot') === null", vec![])
            .await
            .unwrap(),
        serde_json::json!(true),
        "the app did not boot under the policy"
    );
    // From here on the app only renders in this page: any policy violation is counted.
    b.client()
        .execute(
            "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', \
             (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
            vec![],
        )
        .await
        .unwrap();
    b.submit_login(&app.admin).await;
    b.wait_js(
        "to land on the ticket queue",
        "return location.pathname === '/tickets'",
        vec![],
    )
    .await;
    let host = b.client().execute("return location.host", vec![]).await.unwrap();
    assert_eq!(
        host.as_str(),
        app.address().strip_prefix("http://"),
        "the login left the site"
    );
    let violations = b
        .client()
        .execute("return window.__cspViolations", vec![])
        .await
        .unwrap();
    assert_eq!(violations, serde_json::json!([]), "the app breaks its own policy");
    b.close().await;
}
