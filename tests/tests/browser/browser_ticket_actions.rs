//! The ticket page's tools in headless Chromium: assignee, category, a tag added and removed, a
//! due date and a CC subscriber set from the actions panel — each checked through the API —
//! then a customer's quoted history folded behind its toggle, and a message split off into a
//! new ticket. Needs `bash scripts/chromium.sh` and `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::Datelike;
use maildesk_tests::browser::{Browser, person};
use maildesk_tests::client::{new_ticket, ok_json};
use maildesk_tests::{TestApp, spawn_app};
use protocol::{Category, CreateCategory, CreateTicket, PostMessage, Role, SetCategoryAgents, TicketDetail};
use serde_json::json;

/// Reads the ticket through the API until `ok` holds for it; returns it.
async fn until(app: &TestApp, id: i64, what: &str, ok: impl Fn(&TicketDetail) -> bool) -> TicketDetail {
    let read = || app.api.ticket(&app.admin.token, id);
    maildesk_tests::poll::until(
        &format!("{what} to reach the server"),
        Duration::from_secs(15),
        read,
        ok,
    )
    .await
}

/// Sets a select or input as a person's pick does: the value, then a bubbling `change`. Waits
/// until the control is enabled (one change at a time) and, for a select, offers `value`.
async fn choose(b: &Browser, css: &str, value: &str) {
    b.wait_js(
        &format!("{css} enabled, offering {value:?}"),
        "const e = document.querySelector(arguments[0]);
         if (!e || e.disabled) return false;
         return e.tagName !== 'SELECT' || [...e.options].some(o => o.value === arguments[1]);",
        vec![json!(css), json!(value)],
    )
    .await;
    b.client()
        .execute(
            "const e = document.querySelector(arguments[0]);
             e.value = arguments[1];
             e.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap();
}

/// Waits until the panel takes changes again: it sends one at a time and disables its controls
/// meanwhile, and a click on a disabled button is lost.
async fn panel_idle(b: &Browser) {
    b.wait_js(
        "the actions panel to take changes again",
        "const e = document.querySelector('[data-testid=action-status]'); return !!e && !e.disabled",
        vec![],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_actions_panel_quoted_history_and_split_work_from_the_ticket_page() {
    let app = spawn_app().await;
    let agent = person(&app, Role::Agent, "Ann Carter").await;
    let colleague = person(&app, Role::Agent, "Kim Lee").await;
    let customer = person(&app, Role::Customer, "Sam Okafor").await;
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
    // Agents see their categories' tickets: Ann must still see it once it is filed in Billing
    // and assigned to Kim.
    let _: Category = ok_json(
        app.api
            .put_json(
                &app.admin.token,
                &format!("/categories/{}/agents", billing.id),
                &SetCategoryAgents {
                    agent_ids: vec![agent.id, colleague.id],
                },
            )
            .await,
    )
    .await;
    let t = app
        .api
        .create_ticket(
            &customer.token,
            &CreateTicket {
                body: "The invoice for May is missing from my account.".into(),
                ..new_ticket("Missing invoice")
            },
        )
        .await
        .ticket;

    let b = Browser::signed_in(app.address(), "agent", &agent).await;
    b.goto(&format!("/tickets/{}", t.id)).await;
    b.wait_for("[data-testid=ticket-actions]").await;

    // Assignee: any agent, from the directory.
    choose(&b, "[data-testid=action-assignee]", &colleague.id.to_string()).await;
    until(&app, t.id, "the assignment to Kim", |d| {
        d.ticket.assignee.as_ref().map(|a| a.id) == Some(colleague.id)
    })
    .await;
    b.wait_for_text("[data-testid=ticket-assignee]", "Kim Lee").await;

    // Category.
    choose(&b, "[data-testid=action-category]", &billing.id.to_string()).await;
    until(&app, t.id, "the category", |d| d.ticket.category_id == Some(billing.id)).await;

    // A tag added, then removed with its chip's ×.
    b.type_into("[data-testid=tag-input]", "vip").await;
    panel_idle(&b).await;
    b.click("[data-testid=tag-add]").await;
    until(&app, t.id, "the tag vip", |d| d.ticket.tags == ["vip"]).await;
    panel_idle(&b).await;
    b.click("[data-testid=tag-chip][data-tag=vip] [data-testid=tag-remove]")
        .await;
    until(&app, t.id, "the tag's removal", |d| d.ticket.tags.is_empty()).await;
    b.wait_gone("[data-testid=tag-chip]").await;

    // Due date (the browser's time zone decides the instant; the year is the same anywhere).
    choose(&b, "[data-testid=action-due]", "2030-01-15T10:30").await;
    let d = until(&app, t.id, "the due date", |d| d.ticket.due_at.is_some()).await;
    assert_eq!(d.ticket.due_at.map(|at| at.year()), Some(2030));

    // A CC subscriber.
    b.type_into("[data-testid=subscriber-input]", "cc@example.test").await;
    panel_idle(&b).await;
    b.click("[data-testid=subscriber-add]").await;
    until(&app, t.id, "the subscriber", |d| {
        d.subscribers.iter().any(|s| s.email == "cc@example.test")
    })
    .await;
    b.wait_for("[data-testid=subscriber-row][data-email=\"cc@example.test\"]")
        .await;

    // The history says all of it in words, names instead of ids.
    b.click("[data-testid=history] summary").await;
    b.wait_for_text("[data-testid=history-item]", "assigned the ticket to Kim Lee")
        .await;
    b.wait_for_text("[data-testid=history-item]", "set category Billing")
        .await;
    b.wait_for_text("[data-testid=history-item]", "removed tag vip").await;
    b.wait_for_text("[data-testid=history-item]", "added subscriber cc@example.test")
        .await;

    // The customer answers above the quoted history: it arrives folded.
    let version = app.api.ticket(&customer.token, t.id).await.ticket.version;
    let answered: TicketDetail = ok_json(
        app.api
            .post_json(
                &customer.token,
                &format!("/tickets/{}/replies", t.id),
                &PostMessage {
                    body: "Thanks, that worked.\n\nOn Mon, Ann wrote:\n> old text".into(),
                    version,
                    ..Default::default()
                },
            )
            .await,
    )
    .await;
    let reply = answered.messages.last().expect("the customer's reply").id;
    let message = format!("[data-testid=message][data-message-id=\"{reply}\"]");
    b.wait_for_text(&message, "Thanks, that worked.").await;
    b.wait_for(&format!("{message} [data-testid=quoted-toggle]")).await;
    let shown = b
        .client()
        .execute(
            "const q = document.querySelector(arguments[0]);
             return !!q && q.getClientRects().length > 0",
            vec![json!(format!("{message} [data-testid=quoted-text]"))],
        )
        .await
        .unwrap();
    assert_eq!(
        shown,
        json!(false),
        "the quoted text shows before the toggle is clicked"
    );
    b.click(&format!("{message} [data-testid=quoted-toggle]")).await;
    b.wait_for(&format!("{message} [data-testid=quoted-text]")).await;
    b.wait_for_text(&format!("{message} [data-testid=quoted-text]"), "old text")
        .await;

    // Split the second message off: its new ticket opens.
    b.click(&format!("{message} [data-testid=message-split]")).await;
    let path = b
        .wait_js(
            "the new ticket's page",
            "const p = location.pathname;
             return p !== arguments[0] && /^\\/tickets\\/\\d+$/.test(p) && p",
            vec![json!(format!("/tickets/{}", t.id))],
        )
        .await;
    let new_id: i64 = path
        .as_str()
        .and_then(|p| p.strip_prefix("/tickets/"))
        .and_then(|id| id.parse().ok())
        .expect("a ticket path");
    b.wait_for_text("[data-testid=thread] [data-testid=message]", "Thanks, that worked.")
        .await;
    let split = app.api.ticket(&app.admin.token, new_id).await;
    assert!(
        split.messages.iter().any(|m| m.id == reply),
        "the reply moved to the new ticket"
    );
    let source = app.api.ticket(&app.admin.token, t.id).await;
    assert!(
        source.messages.iter().all(|m| m.id != reply),
        "the reply left the old ticket"
    );
    b.close().await;
}
