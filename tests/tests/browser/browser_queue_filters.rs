//! The agent queue's priority and tag filters in headless Chromium: each narrows the list to
//! the tickets the server's query picks, they combine, and they live in the URL, so a reload
//! shows the same list with the same choices. Needs `bash scripts/chromium.sh` and
//! `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fantoccini::key::Key;
use maildesk_tests::browser::Browser;
use maildesk_tests::client::new_ticket;
use maildesk_tests::{TestApp, spawn_app};
use protocol::Priority;
use serde_json::json;

async fn ticket(app: &TestApp, subject: &str, priority: Priority, tags: &[&str]) -> i64 {
    let req = protocol::CreateTicket {
        priority: Some(priority),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        ..new_ticket(subject)
    };
    app.api.create_ticket(&app.admin.token, &req).await.ticket.id
}

/// Waits until the queue shows exactly `ids` (in any order).
async fn shows(b: &Browser, what: &str, ids: &[i64]) {
    let mut want: Vec<i64> = ids.to_vec();
    want.sort_unstable();
    b.wait_js(
        &format!("the queue to show {what}: tickets {want:?}"),
        "const ids = [...document.querySelectorAll('[data-testid=ticket-row]')]
             .map(r => Number(r.dataset.ticketId)).sort((a, b) => a - b);
         return JSON.stringify(ids) === JSON.stringify(arguments[0]);",
        vec![json!(want)],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn priority_and_tag_filters_narrow_the_queue_and_survive_a_reload() {
    let app = spawn_app().await;
    let urgent_vip = ticket(&app, "Printer on fire", Priority::Urgent, &["vip"]).await;
    let low_vip = ticket(&app, "Password reset", Priority::Low, &["VIP", "account"]).await;
    let urgent = ticket(&app, "Invoice copy", Priority::Urgent, &["billing"]).await;
    let normal = ticket(&app, "Hello", Priority::Normal, &[]).await;

    let b = Browser::signed_in(app.address(), "admin", &app.admin).await;
    b.goto("/tickets").await;
    shows(&b, "every ticket", &[urgent_vip, low_vip, urgent, normal]).await;

    b.choose("[data-testid=filter-priority]", "urgent").await;
    shows(&b, "the urgent tickets", &[urgent_vip, urgent]).await;
    assert_eq!(b.path().await, "/tickets?priority=urgent");

    // Typed in capitals, committed with Enter: tags compare lower-cased.
    b.type_into("[data-testid=filter-tag]", "VIP").await;
    b.find("[data-testid=filter-tag]")
        .await
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    shows(&b, "the urgent VIP ticket", &[urgent_vip]).await;
    assert_eq!(b.path().await, "/tickets?priority=urgent&tag=vip");

    b.client().refresh().await.unwrap();
    shows(&b, "the urgent VIP ticket after a reload", &[urgent_vip]).await;
    let choices = b
        .wait_js(
            "the filters to show the URL's choices",
            "const p = document.querySelector('[data-testid=filter-priority]');
             const t = document.querySelector('[data-testid=filter-tag]');
             return p && t && p.value && t.value ? [p.value, t.value] : false;",
            vec![],
        )
        .await;
    assert_eq!(choices, json!(["urgent", "vip"]));

    b.choose("[data-testid=filter-priority]", "").await;
    shows(&b, "every VIP ticket", &[urgent_vip, low_vip]).await;
    assert_eq!(b.path().await, "/tickets?tag=vip");

    b.fill("[data-testid=filter-tag]", "billing").await;
    b.find("[data-testid=filter-tag]")
        .await
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    shows(&b, "the billing ticket", &[urgent]).await;

    b.fill("[data-testid=filter-tag]", "").await;
    b.find("[data-testid=filter-tag]")
        .await
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    shows(&b, "every ticket again", &[urgent_vip, low_vip, urgent, normal]).await;
    assert_eq!(b.path().await, "/tickets");
    b.close().await;
}
