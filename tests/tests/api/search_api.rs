//! Search through the API, on the embedded engine (Tantivy) over both databases and on the
//! shared engine (a real Meilisearch) over PostgreSQL: rights
//! (categories, customers, internal notes), freshness after a reply, knowledge-base search and
//! suggestions (also in the "new ticket" mail), restart catch-up and an idempotent reindex.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use entity::ticket;
use maildesk_tests::client::{expect_error, new_ticket, ok_json};
use maildesk_tests::mail::mail;
use maildesk_tests::outbox::{outbox, raw};
use maildesk_tests::{Backend, TestApp, TestUser, all_search_engines, poll, spawn_app_meili, spawn_app_on};
use protocol::{
    Category, CreateCategory, ErrorCode, KbArticle, KbHit, KbVisibility, Page, PostMessage, Role, SaveKbArticle,
    SetCategoryAgents, TicketHit,
};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};

// Generous: a Meilisearch of its own per test, six tests at once on two cores, can take well
// over ten seconds to index when the machine is busy (seen in CI); an answer ends the wait.
const WAIT: Duration = Duration::from_secs(30);

/// Polls a search until `done` holds (the indexer batches changes), or fails after `WAIT`.
async fn search_until(
    app_api: &maildesk_tests::Api,
    token: &str,
    path: &str,
    done: impl Fn(&[TicketHit]) -> bool,
) -> Vec<TicketHit> {
    let hits = || async { ok_json::<Page<TicketHit>>(app_api.get(token, path).await).await.items };
    poll::until(&format!("{path} to be indexed"), WAIT, hits, |h| done(h)).await
}

fn ids(hits: &[TicketHit]) -> Vec<i64> {
    let mut v: Vec<i64> = hits.iter().map(|h| h.ticket.id).collect();
    v.sort_unstable();
    v
}

async fn hits(app: &TestApp, who: &TestUser, q: &str) -> Vec<TicketHit> {
    let page: Page<TicketHit> = ok_json(app.api.get(&who.token, &format!("/search/tickets?q={q}")).await).await;
    page.items
}

async fn category(app: &TestApp, name: &str, agents: &[i64]) -> Category {
    let c: Category = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                "/categories",
                &CreateCategory {
                    name: name.into(),
                    description: String::new(),
                },
            )
            .await,
    )
    .await;
    let _: Category = ok_json(
        app.api
            .put_json(
                &app.admin.token,
                &format!("/categories/{}/agents", c.id),
                &SetCategoryAgents {
                    agent_ids: agents.to_vec(),
                },
            )
            .await,
    )
    .await;
    c
}

async fn post(app: &TestApp, who: &TestUser, ticket_id: i64, kind: &str, body: &str) {
    let t = app.api.ticket(&who.token, ticket_id).await;
    let resp = app
        .api
        .post_json(
            &who.token,
            &format!("/tickets/{ticket_id}/{kind}"),
            &PostMessage {
                body: body.into(),
                version: t.ticket.version,
                ..Default::default()
            },
        )
        .await;
    assert!(
        resp.status().is_success(),
        "{kind}: {}",
        resp.text().await.unwrap_or_default()
    );
}

all_search_engines!(nobody_finds_what_they_may_not_see, |app: TestApp| async move {
    let member = app.new_user(Role::Agent).await;
    let outsider = app.new_user(Role::Agent).await;
    let billing = category(&app, "Billing", &[member.id]).await;
    let ann = app.new_user(Role::Customer).await;
    let bob = app.new_user(Role::Customer).await;
    let mut req = new_ticket("Invoice charged twice");
    req.body = "My October invoice shows the plan twice.".into();
    req.category_id = Some(billing.id);
    let anns = app.api.create_ticket(&ann.token, &req).await.ticket.id;
    post(
        &app,
        &member,
        anns,
        "notes",
        "Refund approved with the zebracorn voucher.",
    )
    .await;
    let bobs = app
        .api
        .create_ticket(&bob.token, &new_ticket("Printer jams on every page"))
        .await
        .ticket
        .id;

    let found = search_until(&app.api, &member.token, "/search/tickets?q=zebracorn", |h| {
        !h.is_empty()
    })
    .await;
    assert_eq!(ids(&found), vec![anns]);
    assert!(
        found[0]
            .snippets
            .iter()
            .any(|s| s.field == "notes" && s.text.contains("zebracorn"))
    );
    search_until(&app.api, &app.admin.token, "/search/tickets?q=printer", |h| {
        ids(h) == vec![bobs]
    })
    .await;

    // The agent outside Billing finds neither the ticket nor its note; the uncategorised
    // printer ticket is in everyone's shared inbox.
    assert!(hits(&app, &outsider, "invoice").await.is_empty());
    assert!(hits(&app, &outsider, "zebracorn").await.is_empty());
    assert_eq!(ids(&hits(&app, &outsider, "printer").await), vec![bobs]);
    // Customers: their own tickets, never a note — not even on their own ticket.
    assert!(hits(&app, &ann, "zebracorn").await.is_empty());
    assert!(hits(&app, &ann, "voucher").await.is_empty());
    let own = hits(&app, &ann, "invoice").await;
    assert_eq!(ids(&own), vec![anns]);
    assert!(own.iter().flat_map(|h| &h.snippets).all(|s| s.field != "notes"));
    assert!(hits(&app, &bob, "invoice").await.is_empty());
    assert!(hits(&app, &ann, "printer").await.is_empty());

    // Filters and bad input.
    let page: Page<TicketHit> = ok_json(
        app.api
            .get(
                &member.token,
                &format!("/search/tickets?category_id={}&sort=newest", billing.id),
            )
            .await,
    )
    .await;
    assert_eq!(ids(&page.items), vec![anns]);
    expect_error(
        app.api.get("", "/search/tickets?q=x").await,
        401,
        ErrorCode::Unauthorized,
    )
    .await;
    expect_error(
        app.api.get(&member.token, "/search/tickets?status=lost").await,
        400,
        ErrorCode::InvalidParameter,
    )
    .await;
    expect_error(
        app.api.get(&member.token, "/search/tickets?per_page=1000").await,
        400,
        ErrorCode::InvalidParameter,
    )
    .await;
    expect_error(
        app.api
            .get(&member.token, &format!("/search/tickets?q={}", "a".repeat(501)))
            .await,
        400,
        ErrorCode::InvalidParameter,
    )
    .await;
    expect_error(
        app.api.get(&member.token, "/search/tickets?sort=random").await,
        400,
        ErrorCode::InvalidParameter,
    )
    .await;
});

all_search_engines!(a_reply_is_found_moments_later, |app: TestApp| async move {
    let agent = app.new_user(Role::Agent).await;
    let customer = app.new_user(Role::Customer).await;
    let t = app
        .api
        .create_ticket(&customer.token, &new_ticket("Calendar does not sync"))
        .await
        .ticket
        .id;
    search_until(&app.api, &agent.token, "/search/tickets?q=calendar", |h| {
        ids(h) == vec![t]
    })
    .await;
    let started = Instant::now();
    post(
        &app,
        &agent,
        t,
        "replies",
        "Please remove and re-add the quokka account.",
    )
    .await;
    let found = search_until(&app.api, &customer.token, "/search/tickets?q=quokka", |h| !h.is_empty()).await;
    println!("reply searchable after {:?}", started.elapsed());
    assert_eq!(ids(&found), vec![t]);
    let snippet = found[0]
        .snippets
        .iter()
        .find(|s| s.field == "messages")
        .expect("a messages snippet");
    let [a, b] = snippet.highlights[0];
    assert_eq!(&snippet.text[a as usize..b as usize], "quokka");
});

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

async fn kb(app: &TestApp, token: &str, q: &str) -> Vec<i64> {
    let found: Vec<KbHit> = ok_json(app.api.get(token, &format!("/kb/search?q={q}")).await).await;
    found.iter().map(|h| h.id).collect()
}

all_search_engines!(articles_are_found_and_suggested, |app: TestApp| async move {
    let agent = app.new_user(Role::Agent).await;
    let public = article(
        &app,
        &agent.token,
        "Reset your password",
        "<p>Open the sign-in page, choose <b>Forgot password</b> and follow the mailed link.</p>",
        KbVisibility::Public,
    )
    .await;
    let internal = article(
        &app,
        &agent.token,
        "Password vault for administrators",
        "The admin password vault lives on the internal wiki.",
        KbVisibility::Agents,
    )
    .await;
    poll::until(
        "both articles indexed",
        WAIT,
        || kb(&app, &agent.token, "password"),
        |found| found.len() >= 2,
    )
    .await;
    // Anonymous visitors (the portal's KB is public by default) and customers: public only,
    // typos and unfinished words allowed.
    let customer = app.new_user(Role::Customer).await;
    for token in ["", customer.token.as_str()] {
        assert_eq!(kb(&app, token, "pasword").await, vec![public.id]);
        assert_eq!(kb(&app, token, "forgot my passw").await, vec![public.id]);
    }
    let staff = kb(&app, &agent.token, "password").await;
    assert!(staff.contains(&public.id) && staff.contains(&internal.id), "{staff:?}");
    let hit: Vec<KbHit> = ok_json(app.api.get("", "/kb/search?q=forgot").await).await;
    assert!(hit[0].url.ends_with(&format!("/kb/{}", public.id)), "{}", hit[0].url);
    assert!(hit[0].snippet.as_ref().is_some_and(|s| !s.highlights.is_empty()));
    expect_error(
        app.api.get("", "/kb/search?q=x&limit=0").await,
        400,
        ErrorCode::InvalidParameter,
    )
    .await;

    // Suggestions for a ticket: staff only, agents-only articles included.
    let mut req = new_ticket("I forgot my password");
    req.body = "I cannot sign in since I forgot my password.".into();
    let t = app.api.create_ticket(&customer.token, &req).await.ticket.id;
    let suggested: Vec<KbHit> = ok_json(app.api.get(&agent.token, &format!("/tickets/{t}/kb-suggestions")).await).await;
    assert_eq!(suggested.first().map(|h| h.id), Some(public.id), "{suggested:?}");
    assert!(suggested.len() <= 5);
    expect_error(
        app.api
            .get(&customer.token, &format!("/tickets/{t}/kb-suggestions"))
            .await,
        403,
        ErrorCode::Forbidden,
    )
    .await;

    // #Suggested_KB_articles# in the confirmation of a mailed-in ticket: public articles only.
    let mb = app.mailbox("help@maildesk.test").await;
    let raw_mail = mail("Carl <carl@example.test>", "help@maildesk.test", "Forgot password")
        .message_id(&format!("{}@example.test", uuid::Uuid::new_v4().simple()))
        .body("I forgot my password, how do I reset it?\n")
        .build();
    let mailed = app.deliver(&mb, &raw_mail).await.ticket_id.expect("a ticket");
    let confirmation = outbox(&app, mailed)
        .await
        .into_iter()
        .find(|m| m.template == "new_ticket_confirmation")
        .expect("a confirmation");
    let text = raw(&app, confirmation.id).await;
    assert!(text.contains("Reset your password"), "{text}");
    assert!(
        !text.contains("Password vault"),
        "an agents-only article was mailed: {text}"
    );

    // A deleted article leaves the index.
    let resp = app
        .api
        .delete(&agent.token, &format!("/kb/articles/{}", internal.id))
        .await;
    assert_eq!(resp.status(), 204);
    poll::until(
        "the deleted article to leave the index",
        WAIT,
        || kb(&app, &agent.token, "vault"),
        |found| !found.contains(&internal.id),
    )
    .await;
});

/// A change the running node never heard of (written while its indexer was down, or lost
/// with a crash) is picked up by the catch-up of the next node to start; a full reindex twice
/// gives the same index. Two nodes share one index: Tantivy's in the shared data dir, or one
/// Meilisearch.
mod a_restart_catches_up_and_reindex_is_idempotent {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn tantivy() {
        restart_and_reindex(spawn_app_on(Backend::Postgres).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn meilisearch() {
        let app = spawn_app_meili(Backend::Postgres).await;
        assert_eq!(app.ctx.search().engine().name(), "meilisearch");
        restart_and_reindex(app).await;
    }
}

async fn restart_and_reindex(app: TestApp) {
    let customer = app.new_user(Role::Customer).await;
    let mut ticket_ids = Vec::new();
    for subject in ["Scanner offline", "Monitor flickers", "Keyboard missing keys"] {
        ticket_ids.push(
            app.api
                .create_ticket(&customer.token, &new_ticket(subject))
                .await
                .ticket
                .id,
        );
    }
    search_until(&app.api, &app.admin.token, "/search/tickets?q=keyboard", |h| {
        !h.is_empty()
    })
    .await;

    // Straight into the database: no event, so only a catch-up can find it.
    let db = app.ctx.db();
    let row = ticket::Entity::find_by_id(ticket_ids[0])
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut row = row.into_active_model();
    row.subject = Set("Scanner offline platypus".into());
    row.updated_at = Set(chrono::Utc::now());
    row.update(db).await.unwrap();

    let node = app.spawn_node().await;
    let found = search_until(&node.api, &app.admin.token, "/search/tickets?q=platypus", |h| {
        !h.is_empty()
    })
    .await;
    assert_eq!(ids(&found), vec![ticket_ids[0]]);

    let engine = app.ctx.search().engine();
    let before = engine.counts().await.unwrap();
    for _ in 0..2 {
        let n = maildesk::search::reindex::run(engine, db, false).await.unwrap();
        assert!(n >= 3, "reindexed {n}");
        assert_eq!(
            engine.counts().await.unwrap(),
            before,
            "a reindex neither loses nor duplicates"
        );
        let all: Page<TicketHit> = ok_json(app.api.get(&app.admin.token, "/search/tickets?per_page=100").await).await;
        assert_eq!(all.total, before.0);
        assert_eq!(ids(&hits(&app, &app.admin, "platypus").await), vec![ticket_ids[0]]);
    }
    assert_eq!(before.0, ticket::Entity::find().all(db).await.unwrap().len() as u64);
}
