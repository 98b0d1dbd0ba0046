//! Item 1: one request for a page far past the end made the search engine allocate room for
//! every result up to it and aborted the server. Every list refuses to page past
//! `MAX_RESULT_WINDOW` with a 422 naming it, and the server keeps answering.

use maildesk_tests::client::{expect_error_for, new_ticket, ok_json};
use maildesk_tests::{Backend, TestApp, all_search_engines};
use protocol::{ErrorCode, MAX_RESULT_WINDOW, Page, Role, Ticket, TicketHit};

/// Lists and the deepest page each may still be asked for at its largest page size.
const LISTS: &[(&str, u64, bool)] = &[
    // (path, largest per_page, admins only)
    ("/tickets", 200, false),
    ("/search/tickets", 100, false),
    ("/kb/articles", 200, false),
    ("/users", 1000, false),
    ("/inbound", 200, true),
    ("/admin/outbox", 200, true),
];

all_search_engines!(no_list_pages_past_the_window, |app: TestApp| async move {
    let customer = app.new_user(Role::Customer).await;
    let agent = app.new_user(Role::Agent).await;
    app.api
        .create_ticket(&customer.token, &new_ticket("Something to find"))
        .await;
    for &(path, max, admin_only) in LISTS {
        let token = if admin_only {
            &app.admin.token
        } else if path == "/users" {
            &agent.token
        } else {
            &customer.token
        };
        for query in [
            "page=5000000000000&per_page=100".to_string(),
            format!("page={}&per_page={max}", u64::MAX),
            format!("page={}&per_page={max}", MAX_RESULT_WINDOW / max + 1),
            format!("page={}&per_page=1", MAX_RESULT_WINDOW + 1),
        ] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = format!("{path}{sep}{query}");
            let r = app.api.get(token, &url).await;
            let status = r.status().as_u16();
            // A page size over the list's own bound is a 400; a page past the window a 422
            // that names the window.
            if status == 400 {
                expect_error_for(&url, r, 400, ErrorCode::InvalidParameter).await;
                continue;
            }
            let body = expect_error_for(&url, r, 422, ErrorCode::ValidationFailed).await;
            assert!(
                body.message.contains(&MAX_RESULT_WINDOW.to_string()),
                "{url}: {}",
                body.message
            );
        }
        // The last page inside the window is still served.
        let last = format!("{path}?page={}&per_page={max}", MAX_RESULT_WINDOW / max);
        assert_eq!(app.api.get(token, &last).await.status(), 200, "{last}");
    }
    // Huge limits on the lists that take one.
    for url in [
        "/kb/search?q=x&limit=18446744073709551615",
        "/kb/search?q=x&limit=100000",
    ] {
        let r = app.api.get(&customer.token, url).await;
        expect_error_for(url, r, 400, ErrorCode::InvalidParameter).await;
    }
    // Still alive, and still finding things.
    assert_eq!(app.api.get_anon("/health").await.status(), 200);
    let tickets: Page<Ticket> = ok_json(app.api.get(&customer.token, "/tickets").await).await;
    assert_eq!(tickets.total, 1);
    maildesk_tests::poll::until(
        "the ticket is indexed",
        std::time::Duration::from_secs(20),
        || async {
            let hits: Page<TicketHit> = ok_json(app.api.get(&customer.token, "/search/tickets?q=find").await).await;
            hits.total
        },
        |total| *total == 1,
    )
    .await;
});

mod the_engine_clamps_a_window_its_caller_did_not_check {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn tantivy() {
        clamps(maildesk_tests::spawn_app_on(Backend::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn meilisearch() {
        clamps(maildesk_tests::spawn_app_meili(Backend::Postgres).await).await;
    }
}

/// The service refuses first; the engine bound holds on its own for any other caller.
async fn clamps(app: TestApp) {
    let q = maildesk::search::TicketQuery {
        text: String::new(),
        filters: Default::default(),
        access: maildesk::search::Access::All,
        sort: protocol::SearchSort::Newest,
        offset: usize::MAX / 2,
        limit: usize::MAX / 2,
    };
    let found = app
        .ctx
        .search()
        .engine()
        .search_tickets(&q)
        .await
        .expect("a clamped search answers");
    assert!(found.hits.len() <= 1, "{}", found.hits.len());
}
