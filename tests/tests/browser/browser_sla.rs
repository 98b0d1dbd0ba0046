//! SLAs in headless Chromium: an admin sets up a 24/7 business calendar (a refused time zone
//! is named next to the form first) and a one-hour first-response policy for normal priority
//! on the SLA tab; a customer's ticket then shows its SLA block with the due time; once the
//! overdue checker flags it, the open page shows it overdue without a reload, and the queue's
//! "Overdue only" filter lists it with its badge. The checker is run by the test with its own
//! `now`, never waited for. Needs `bash scripts/chromium.sh` and `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use maildesk::sla::scheduler;
use maildesk_tests::browser::{Browser, person};
use maildesk_tests::client::{new_ticket, ok_json};
use maildesk_tests::{Backend, spawn_app_quiet_sla};
use protocol::{BusinessCalendar, Priority, Role, SlaPolicy, WorkInterval};
use sea_orm::Set;
use serde_json::json;

/// A server whose own overdue checker stays out of the way (it runs once at start-up, then
/// hourly): the test runs the check itself.
/// Sets a select as a person's pick does: the value, then a bubbling `change`. Waits until the
/// select is enabled and offers `value`.
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

/// Replaces the text of an input that already holds some (typing would append to it), with
/// the `input` event typing sends.
async fn fill(b: &Browser, css: &str, value: &str) {
    b.wait_for(css).await;
    b.client()
        .execute(
            "const e = document.querySelector(arguments[0]);
             e.value = arguments[1];
             e.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap();
}

/// Waits until a button is enabled: a click on a disabled one is lost.
async fn enabled(b: &Browser, css: &str) {
    b.wait_js(
        &format!("{css} enabled"),
        "const e = document.querySelector(arguments[0]); return !!e && !e.disabled",
        vec![json!(css)],
    )
    .await;
}

fn around_the_clock() -> Vec<WorkInterval> {
    vec![WorkInterval {
        start: "00:00".into(),
        end: "24:00".into(),
    }]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sla_set_up_in_the_admin_shows_on_the_ticket_and_its_breach_shows_live_and_in_the_queue() {
    let app = spawn_app_quiet_sla(Backend::Postgres).await;
    let customer = person(&app, Role::Customer, "Sam Okafor").await;
    let b = Browser::signed_in(app.address(), "admin", &app.admin).await;

    // The SLA tab.
    b.click("[data-testid=nav-admin]").await;
    b.click("[data-testid=admin-tab-sla]").await;
    b.wait_js("the SLA tab", "return location.pathname === '/admin/sla'", vec![])
        .await;

    // A calendar around the clock; first with a zone the server does not know.
    b.click("[data-testid=calendar-new]").await;
    b.type_into("[data-testid=calendar-name]", "Around the clock").await;
    fill(&b, "[data-testid=calendar-zone]", "Mars/Olympus").await;
    b.click("[data-testid=calendar-preset-always]").await;
    b.wait_js(
        "Sunday worked 00:00–24:00",
        "const e = document.querySelector('[data-testid=calendar-day][data-day=sun] [data-testid=interval-end]');
         return !!e && e.value === '24:00'",
        vec![],
    )
    .await;
    // An interval added and removed again.
    b.click("[data-testid=calendar-day][data-day=mon] [data-testid=interval-add]")
        .await;
    b.wait_js(
        "a second interval on Monday",
        "return document.querySelectorAll('[data-testid=calendar-day][data-day=mon] [data-testid=interval]').length === 2",
        vec![],
    )
    .await;
    b.click("[data-testid=calendar-day][data-day=mon] [data-testid=interval]:last-child [data-testid=interval-remove]")
        .await;
    b.wait_js(
        "Monday back to one interval",
        "return document.querySelectorAll('[data-testid=calendar-day][data-day=mon] [data-testid=interval]').length === 1",
        vec![],
    )
    .await;
    b.click("[data-testid=calendar-save]").await;
    b.wait_for_text("[data-testid=calendar-form] [data-testid=form-error]", "time_zone")
        .await;
    b.wait_attr(
        "[data-testid=calendar-zone]",
        "aria-invalid",
        "the time zone marked as refused",
        |v| v == "true",
    )
    .await;
    let none: Vec<BusinessCalendar> = ok_json(app.api.get(&app.admin.token, "/admin/calendars").await).await;
    assert!(none.is_empty(), "a refused calendar was stored: {none:?}");

    fill(&b, "[data-testid=calendar-zone]", "UTC").await;
    b.click("[data-testid=calendar-save]").await;
    b.wait_for_text("[data-testid=calendar-row]", "Around the clock").await;
    b.wait_gone("[data-testid=calendar-form]").await;
    let calendars: Vec<BusinessCalendar> = ok_json(app.api.get(&app.admin.token, "/admin/calendars").await).await;
    assert_eq!(calendars.len(), 1, "{calendars:?}");
    let calendar = &calendars[0];
    assert_eq!(calendar.name, "Around the clock");
    assert_eq!(calendar.time_zone, "UTC");
    for (day, hours) in calendar.hours.days() {
        assert_eq!(hours, around_the_clock().as_slice(), "{day}");
    }

    // A policy: normal priority, first response within one hour.
    enabled(&b, "[data-testid=policy-new]").await;
    b.click("[data-testid=policy-new]").await;
    b.type_into("[data-testid=policy-name]", "Normal: answer within the hour")
        .await;
    choose(&b, "[data-testid=policy-priority]", "normal").await;
    choose(&b, "[data-testid=policy-calendar]", &calendar.id.to_string()).await;
    b.type_into("[data-testid=policy-first-response-hours]", "1").await;
    b.click("[data-testid=policy-save]").await;
    b.wait_for_text("[data-testid=policy-row]", "Normal: answer within the hour")
        .await;
    b.wait_for_text("[data-testid=policy-row-targets]", "First response within 1 h")
        .await;
    let policies: Vec<SlaPolicy> = ok_json(app.api.get(&app.admin.token, "/admin/sla-policies").await).await;
    assert_eq!(policies.len(), 1, "{policies:?}");
    let policy = &policies[0];
    assert_eq!(policy.priority, Some(Priority::Normal));
    assert_eq!(policy.first_response_minutes, Some(60));
    assert_eq!(policy.resolution_minutes, None);
    assert_eq!(policy.calendar_id, calendar.id);
    assert_eq!((policy.category_id, policy.company_id), (None, None));

    // The customer's tickets get it; one will be late, one on time.
    let late = app
        .api
        .create_ticket(&customer.token, &new_ticket("Printer on fire"))
        .await
        .ticket;
    let on_time = app
        .api
        .create_ticket(&customer.token, &new_ticket("Toner running low"))
        .await
        .ticket;
    assert_eq!(late.priority, Priority::Normal);
    assert_eq!(late.sla_policy_id, Some(policy.id));
    assert!(late.first_response_due_at.is_some(), "{late:?}");

    b.goto(&format!("/tickets/{}", late.id)).await;
    b.wait_for("[data-testid=sla-block]").await;
    b.wait_for_text("[data-testid=sla-policy]", "Normal: answer within the hour")
        .await;
    b.wait_for_text("[data-testid=sla-first-response-due]", "in ").await;
    b.wait_attr(
        "[data-testid=sla-first-response-due]",
        "title",
        "the due time on hover",
        |v| v.starts_with("Due "),
    )
    .await;
    b.wait_for_text("[data-testid=sla-resolution-due]", "No target").await;
    // The SLA sets the due date: no manual control.
    b.wait_for("[data-testid=action-due-sla]").await;
    let html = b.html().await;
    assert!(
        !html.contains("data-testid=\"action-due\""),
        "a manual due control under an SLA"
    );
    assert!(!html.contains("data-testid=\"sla-overdue\""), "overdue before its time");

    // Its hour runs out (two hours ago, and a few minutes: the page floors to whole hours), and
    // the checker finds it. The page is the same page.
    b.client().execute("window.slaTestMark = true", vec![]).await.unwrap();
    let past = Utc::now() - chrono::Duration::minutes(125);
    app.edit_ticket_row(late.id, |t| {
        t.first_response_due_at = Set(Some(past));
        t.due_at = Set(Some(past));
    })
    .await;
    let checked = scheduler::run_once(&app.ctx, Utc::now()).await.unwrap();
    assert_eq!(checked.alerted, vec![late.id]);
    b.wait_for("[data-testid=sla-block] [data-testid=sla-overdue]").await;
    b.wait_for_text("[data-testid=sla-first-response-due]", "2 h overdue")
        .await;
    b.wait_js(
        "the page not to have reloaded",
        "return window.slaTestMark === true",
        vec![],
    )
    .await;

    // The queue: a badge on the late ticket's row, and the filter that lists only such.
    b.click(".app-nav a[href=\"/tickets\"]").await;
    let late_row = format!("[data-testid=ticket-row][data-ticket-id=\"{}\"]", late.id);
    let on_time_row = format!("[data-testid=ticket-row][data-ticket-id=\"{}\"]", on_time.id);
    b.wait_for(&format!("{late_row} [data-testid=ticket-overdue-badge]"))
        .await;
    b.wait_for(&on_time_row).await;
    assert!(
        b.text_if_any(&format!("{on_time_row} [data-testid=ticket-overdue-badge]"))
            .await
            .is_none(),
        "the ticket on time is marked overdue"
    );
    b.click("[data-testid=filter-overdue]").await;
    b.wait_js(
        "the overdue filter in the URL",
        "return new URLSearchParams(location.search).get('overdue') === 'true'",
        vec![],
    )
    .await;
    b.wait_gone(&on_time_row).await;
    b.wait_for(&format!("{late_row} [data-testid=ticket-overdue-badge]"))
        .await;
    b.wait_js(
        "the filter shown as set",
        "return document.querySelector('[data-testid=filter-overdue]').checked",
        vec![],
    )
    .await;
    b.close().await;
}
