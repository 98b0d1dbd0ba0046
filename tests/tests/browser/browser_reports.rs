//! The reports page in headless Chromium: an admin opens Reports from the header, picks
//! today and "group by category", and the table shows the tickets this test created (two,
//! one of them in Billing) as the API counts them; the "Download CSV" link carries the query
//! and no token (a click adds a one-time ticket, which the server accepts). Needs `bash scripts/chromium.sh` and
//! `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::browser::Browser;
use maildesk_tests::client::{new_ticket, ok_json};
use maildesk_tests::spawn_app;
use protocol::{Category, CreateCategory, CreateTicket, Report};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_reads_a_report_grouped_by_category_and_downloads_it() {
    let app = spawn_app().await;
    let billing: Category = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                "/categories",
                &CreateCategory {
                    name: "Billing".into(),
                    description: String::new(),
                },
            )
            .await,
    )
    .await;
    app.api
        .create_ticket(
            &app.admin.token,
            &CreateTicket {
                category_id: Some(billing.id),
                ..new_ticket("Invoice twice")
            },
        )
        .await;
    app.api
        .create_ticket(&app.admin.token, &new_ticket("Cannot sign in"))
        .await;
    let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
    let query = format!("from={today}&to={today}&group_by=category");
    let api: Report = ok_json(app.api.get(&app.admin.token, &format!("/reports?{query}")).await).await;
    assert_eq!(api.totals.created, 2, "{api:#?}");

    let b = Browser::signed_in(app.address(), "admin", &app.admin).await;
    b.click("[data-testid=nav-reports]").await;
    b.wait_js("the reports page", "return location.pathname === '/reports'", vec![])
        .await;
    b.fill("[data-testid=report-from]", &today).await;
    b.fill("[data-testid=report-to]", &today).await;
    b.choose("[data-testid=report-group]", "category").await;
    let billing_row = format!("[data-testid=report-row][data-key='{}']", billing.id);
    let row = b.wait_for_text(&billing_row, "Billing").await;
    assert_eq!(
        b.text_if_any(&format!("{billing_row} [data-cell=created]"))
            .await
            .as_deref(),
        Some("1"),
        "{row:?}"
    );
    assert_eq!(
        b.text_if_any("[data-testid=report-totals] [data-cell=created]")
            .await
            .as_deref(),
        Some(api.totals.created.to_string().as_str())
    );
    assert!(
        b.text_if_any("[data-testid=report-row][data-key=none]")
            .await
            .unwrap_or_default()
            .contains("No category"),
        "the ticket without a category has no row"
    );

    // The CSV link: the same query and no token; the click buys a one-time ticket for it.
    let href = b.attr("[data-testid=report-csv]", "href").await.expect("the CSV link");
    assert!(href.contains(&query), "{href}");
    assert!(!href.contains("token"), "{href}");
    let url = if href.starts_with("http") {
        href.clone()
    } else {
        format!("{}{href}", app.address())
    };
    assert_eq!(
        reqwest::get(&url).await.unwrap().status(),
        401,
        "{href} without a ticket"
    );
    let ticket = app.api.url_ticket_ok(&app.admin.token).await;
    let csv = reqwest::get(format!("{url}&ticket={ticket}")).await.unwrap();
    assert_eq!(csv.status(), 200, "{href}");
    let text = csv.text().await.unwrap();
    assert!(text.contains("Billing"), "{text}");

    b.client().set_window_size(1280, 700).await.unwrap();
    // Every column fits a laptop screen: the long headings wrap instead of widening the table.
    b.wait_js(
        "the report table fitting 1280 px without scrolling sideways",
        "const w = document.querySelector('[data-testid=report-table]').closest('.table-wrap'); \
         return w.scrollWidth <= w.clientWidth + 1;",
        vec![],
    )
    .await;
    b.screenshot("reports").await;
    b.close().await;
}
