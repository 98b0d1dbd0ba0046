//! Quality checks of the browser app in headless Chromium, page by page: every form control
//! has a label a screen reader can announce, every page has its landmarks (header, nav, main)
//! and a skip link; and the customer's pages fit a 375 px phone without sideways scrolling.
//! Needs `bash scripts/chromium.sh` and `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::browser::{Browser, person};
use maildesk_tests::client::new_ticket;
use maildesk_tests::spawn_app;
use protocol::Role;
use serde_json::Value;

/// Unlabelled controls and missing landmarks on the page shown now (empty = fine).
const AUDIT: &str = r##"
const problems = [];
for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || el.closest('[hidden]')) continue;
    const labelled = el.labels?.length > 0 || el.getAttribute('aria-label')
        || el.getAttribute('aria-labelledby') || el.getAttribute('title');
    if (!labelled) problems.push('unlabelled ' + el.tagName.toLowerCase() + (el.dataset.testid ? '[' + el.dataset.testid + ']' : '') + (el.name ? ' name=' + el.name : ''));
}
for (const landmark of ['header', 'main']) {
    if (!document.querySelector(landmark + ', [role=' + (landmark === 'header' ? 'banner' : 'main') + ']')) problems.push('no <' + landmark + '>');
}
if (!document.querySelector('a[href="#main"], a.skip-link, [data-testid=skip-link]')) problems.push('no skip link');
return problems;
"##;

async fn audit(b: &Browser, path: &str, ready: &str) -> Vec<String> {
    b.goto(path).await;
    b.wait_for(ready).await;
    let found: Value = b.client().execute(AUDIT, vec![]).await.expect("audit script");
    found
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(|p| format!("{path}: {p}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_control_is_labelled_and_the_portal_fits_a_phone() {
    let app = spawn_app().await;
    let customer = person(&app, Role::Customer, "Dana Whitfield").await;
    let ticket = app
        .api
        .create_ticket(&customer.token, &new_ticket("Where is my order?"))
        .await
        .ticket;

    let b = Browser::signed_in(app.address(), "admin", &app.admin).await;
    let mut problems = Vec::new();
    for (path, ready) in [
        ("/tickets", "[data-testid=ticket-row]"),
        (&format!("/tickets/{}", ticket.id) as &str, "[data-testid=reply-body]"),
        ("/search", "[data-testid=search-input]"),
        ("/dashboard", "[data-testid=stat-open]"),
        ("/admin/mailboxes", "main"),
        ("/admin/kb", "main"),
        ("/admin/sla", "[data-testid=admin-tab-sla]"),
        ("/admin/rules", "[data-testid=dry-run-ticket]"),
    ] {
        problems.extend(audit(&b, path, ready).await);
    }
    b.close().await;

    let phone = Browser::signed_in(app.address(), "customer", &customer).await;
    phone
        .client()
        .set_window_size(375, 800)
        .await
        .expect("resizing the window");
    for (path, ready) in [
        ("/tickets", "[data-testid=portal-ticket-row]"),
        (
            &format!("/tickets/{}", ticket.id) as &str,
            "[data-testid=portal-reply-body]",
        ),
        ("/tickets/new", "[data-testid=new-ticket-subject]"),
        ("/kb", "[data-testid=kb-search-input]"),
    ] {
        problems.extend(audit(&phone, path, ready).await);
        let overflow: Value = phone
            .client()
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
                vec![],
            )
            .await
            .expect("measuring");
        if overflow.as_i64().unwrap_or(0) > 0 {
            problems.push(format!("{path}: {overflow} px wider than a 375 px phone"));
        }
    }
    phone.close().await;
    assert!(problems.is_empty(), "{problems:#?}");
}
