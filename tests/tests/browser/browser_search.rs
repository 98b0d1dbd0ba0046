//! Search and the knowledge base in headless Chromium: a visitor searches the help center with
//! a typo and rates an article; a customer typing a new ticket's subject gets public articles
//! suggested (never agents-only ones); an agent finds a ticket by the text of an internal note
//! with the word highlighted, and inserts a suggested article into the reply draft. Needs
//! `bash scripts/chromium.sh` and `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use maildesk_tests::browser::{Browser, person};
use maildesk_tests::client::{new_ticket, ok_json};
use maildesk_tests::{TestApp, spawn_app};
use protocol::{CreateTicket, KbArticle, KbHit, KbVisibility, PostMessage, Role, SaveKbArticle, TicketDetail};

async fn article(app: &TestApp, token: &str, title: &str, body: &str, visibility: KbVisibility) -> KbArticle {
    let resp = app
        .api
        .post_json(
            token,
            "/kb/articles",
            &SaveKbArticle {
                title: title.into(),
                body_html: body.into(),
                category_id: None,
                tags: vec![],
                visibility,
            },
        )
        .await;
    assert_eq!(resp.status(), 201);
    resp.json().await.unwrap()
}

/// Waits until the indexer has the articles (it batches changes).
async fn indexed(app: &TestApp, token: &str, q: &str, n: usize) {
    let path = format!("/kb/search?q={q}");
    let hits = || async { ok_json::<Vec<KbHit>>(app.api.get(token, &path).await).await };
    maildesk_tests::poll::until(
        &format!("{n} articles indexed for {q:?}"),
        Duration::from_secs(10),
        hits,
        |h| h.len() >= n,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_and_customers_find_answers_before_writing() {
    let app = spawn_app().await;
    let agent = person(&app, Role::Agent, "Kim Agent").await;
    let public = article(
        &app,
        &agent.token,
        "Reset your password",
        "<p>Open the sign-in page and choose <b>Forgot password</b>.</p>",
        KbVisibility::Public,
    )
    .await;
    article(
        &app,
        &agent.token,
        "Password vault for administrators",
        "<p>The admin password vault is on the internal wiki.</p>",
        KbVisibility::Agents,
    )
    .await;
    indexed(&app, &agent.token, "password", 2).await;

    // Not signed in: the help center, searched with a typo.
    let b = Browser::open(app.address(), "visitor").await;
    b.goto("/kb").await;
    b.type_into("[data-testid=kb-search-input]", "pasword").await;
    b.wait_for_text("[data-testid=kb-hit]", "Reset your password").await;
    assert!(
        !b.html().await.contains("Password vault"),
        "an agents-only article shown to a visitor"
    );
    b.goto(&format!("/kb/{}", public.id)).await;
    b.wait_for_text("[data-testid=kb-article-title]", "Reset your password")
        .await;
    b.click("[data-testid=kb-helpful-yes]").await;
    b.wait_for("[data-testid=kb-helpful-thanks]").await;
    let read: KbArticle = ok_json(app.api.get("", &format!("/kb/articles/{}", public.id)).await).await;
    assert_eq!(read.helpful_yes, 1);
    b.close().await;

    // A customer typing a new ticket's subject.
    let customer = person(&app, Role::Customer, "Dana Whitfield").await;
    let b = Browser::signed_in(app.address(), "customer", &customer).await;
    b.goto("/tickets/new").await;
    b.type_into("[data-testid=new-ticket-subject]", "I forgot my passw")
        .await;
    b.wait_for_text("[data-testid=kb-suggestion]", "Reset your password")
        .await;
    b.screenshot("kb-suggestions").await;
    assert!(
        !b.html().await.contains("Password vault"),
        "an agents-only article suggested to a customer"
    );

    // The article did not help: the customer sends the ticket, then adds a reply on the portal.
    b.type_into("[data-testid=new-ticket-body]", "The reset link never arrives.")
        .await;
    b.click("[data-testid=new-ticket-submit]").await;
    b.wait_for("[data-testid=portal-reply-body]").await;
    b.type_into("[data-testid=portal-reply-body]", "I also checked the spam folder.")
        .await;
    b.click("[data-testid=portal-reply-send]").await;
    b.wait_for_text("[data-testid=message]", "I also checked the spam folder.")
        .await;
    let mine: Vec<i64> = app.api.ticket_ids(&customer.token).await;
    assert_eq!(mine.len(), 1, "one ticket from the portal");
    let detail = app.api.ticket(&customer.token, mine[0]).await;
    assert_eq!(detail.ticket.subject, "I forgot my passw");
    assert!(detail.messages.iter().any(|m| m.body_text.contains("spam folder")));
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_find_tickets_and_insert_suggested_articles() {
    let app = spawn_app().await;
    let agent = person(&app, Role::Agent, "Kim Agent").await;
    let customer = app.new_user(Role::Customer).await;
    let ticket = app
        .api
        .create_ticket(
            &customer.token,
            &CreateTicket {
                body: "The printer on floor 3 shows a paper jam on every page.".into(),
                ..new_ticket("Printer paper jam")
            },
        )
        .await
        .ticket;
    let version = app.api.ticket(&agent.token, ticket.id).await.ticket.version;
    let _: TicketDetail = ok_json(
        app.api
            .post_json(
                &agent.token,
                &format!("/tickets/{}/notes", ticket.id),
                &PostMessage {
                    body: "Technician says the fuser is worn; code zebracorn.".into(),
                    version,
                    ..Default::default()
                },
            )
            .await,
    )
    .await;
    article(
        &app,
        &agent.token,
        "Clearing a paper jam",
        "<p>Open the front tray, remove the stuck paper and press resume.</p>",
        KbVisibility::Public,
    )
    .await;
    indexed(&app, &agent.token, "paper", 1).await;

    let b = Browser::signed_in(app.address(), "agent", &agent).await;
    b.goto("/search").await;
    b.type_into("[data-testid=search-input]", "zebracorn").await;
    b.wait_for(&format!("[data-testid=search-hit][data-ticket-id=\"{}\"]", ticket.id))
        .await;
    b.wait_for_text("[data-testid=search-mark]", "zebracorn").await;
    b.screenshot("search").await;

    b.goto(&format!("/tickets/{}", ticket.id)).await;
    b.wait_for_text("[data-testid=kb-suggested]", "Clearing a paper jam")
        .await;
    b.click("[data-testid=kb-suggested] [data-testid=kb-insert]").await;
    b.wait_js(
        "the article in the reply draft",
        "return document.querySelector('[data-testid=reply-body]').value.includes('Clearing a paper jam')",
        vec![],
    )
    .await;
    b.close().await;
}
