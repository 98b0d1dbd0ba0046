//! The agent's tools on the ticket page in headless Chromium: a canned response inserted into
//! the draft, the status changed and time logged from the actions panel — each checked
//! through the API. Needs `bash scripts/chromium.sh` and `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::browser::{Browser, DEADLINE, person};
use maildesk_tests::client::{new_ticket, ok_json};
use maildesk_tests::spawn_app;
use protocol::{CannedResponse, CreateCannedResponse, CreateTicket, Role, TicketStatus};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canned_responses_status_and_time_from_the_ticket_page() {
    let app = spawn_app().await;
    let agent = person(&app, Role::Agent, "Ann Carter").await;
    let canned: CannedResponse = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                "/canned-responses",
                &CreateCannedResponse {
                    title: "Restart first".into(),
                    body: "Please restart the device and tell us if it helps.".into(),
                    category_id: None,
                },
            )
            .await,
    )
    .await;
    let t = app
        .api
        .create_ticket(
            &app.admin.token,
            &CreateTicket {
                requester_email: Some("sam.okafor@example.com".into()),
                ..new_ticket("Scanner jams")
            },
        )
        .await
        .ticket;

    let b = Browser::signed_in(app.address(), "agent", &agent).await;
    b.goto(&format!("/tickets/{}", t.id)).await;
    b.wait_for("[data-testid=ticket-actions]").await;
    b.wait_for_text("[data-testid=canned-picker]", "Restart first").await;
    let picker = b.find("[data-testid=canned-picker]").await;
    picker.select_by_value(&canned.id.to_string()).await.unwrap();
    b.wait_js(
        "the canned text in the draft",
        "return document.querySelector('[data-testid=reply-body]').value.includes(arguments[0]);",
        vec![serde_json::json!("restart the device")],
    )
    .await;

    let status = b.find("[data-testid=action-status]").await;
    status.select_by_value("pending").await.unwrap();
    let ticket = || async { app.api.ticket(&app.admin.token, t.id).await.ticket };
    maildesk_tests::poll::until("the status to change to pending", DEADLINE, ticket, |now| {
        now.status == TicketStatus::Pending
    })
    .await;

    b.type_into("[data-testid=action-minutes]", "25").await;
    b.type_into("[data-testid=action-time-note]", "Checked the invoice")
        .await;
    b.click("[data-testid=action-log-time]").await;
    maildesk_tests::poll::until("the 25 minutes to be logged", DEADLINE, ticket, |now| {
        now.time_spent_minutes == 25
    })
    .await;
    b.wait_for_text(".ticket-sidebar", "0 h 25 min").await;
    // The entry, with its note, in the list and over the API.
    let entry = b.wait_for_text("[data-testid=time-entry]", "Checked the invoice").await;
    assert!(entry.contains("25 min"), "{entry:?}");
    let entries: Vec<protocol::TimeEntry> =
        maildesk_tests::client::ok_json(app.api.get(&app.admin.token, &format!("/tickets/{}/time", t.id)).await).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].minutes, entries[0].note.as_str()),
        (25, "Checked the invoice")
    );
    b.close().await;
}
