//! The rules admin screen in headless Chromium: an admin builds a rule in the form ("ticket
//! created, subject contains invoice → category Billing, tag invoice"), first with a broken
//! regular expression that the server refuses and the form names in words; then moves it
//! above an older rule and switches that one off, and switches its own off and on again. A
//! ticket created over the API gets the category and the tag (and not the tag of the rule
//! that is off), and the dry run on it lists the rule with what it does. Last, the older rule
//! is deleted after the confirmation. Then a `ticket_idle` rule that mails the requester is
//! built: refused in the form without its idle hours, saved with them. Needs
//! `bash scripts/chromium.sh` and `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::browser::Browser;
use maildesk_tests::client::{new_ticket, ok_json};
use maildesk_tests::{TestApp, spawn_app};
use protocol::{Action, Category, Condition, CreateCategory, MatchMode, Rule, RuleEvent, TextOp};
use serde_json::json;

async fn rules(app: &TestApp) -> Vec<Rule> {
    ok_json(app.api.get(&app.admin.token, "/admin/rules").await).await
}

/// Waits until the server's rules satisfy `ok`, which the screen's last click must lead to.
async fn rules_until(app: &TestApp, what: &str, ok: impl Fn(&[Rule]) -> bool) -> Vec<Rule> {
    maildesk_tests::poll::until(what, maildesk_tests::browser::DEADLINE, || rules(app), |r| ok(r)).await
}

/// The CSS of a field of the `n`th (1-based) condition or action row.
fn row_field(what: &str, n: usize, field: &str) -> String {
    format!("[data-testid={what}-row]:nth-child({n}) [data-testid={field}]")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_builds_orders_and_switches_rules_and_a_new_ticket_follows_them() {
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
    // An older rule that tags every new ticket; switched off below.
    let older: Rule = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                "/admin/rules",
                &json!({"name": "Tag everything new", "event": "ticket_created",
                        "actions": [{"kind": "add_tag", "tag": "triage"}]}),
            )
            .await,
    )
    .await;

    let b = Browser::signed_in(app.address(), "admin", &app.admin).await;
    b.click("[data-testid=nav-admin]").await;
    b.click("[data-testid=admin-tab-rules]").await;
    b.wait_js("the rules tab", "return location.pathname === '/admin/rules'", vec![])
        .await;
    b.wait_for_text("[data-testid=rule-row-name]", "Tag everything new")
        .await;

    // The form: one condition, two actions.
    b.click("[data-testid=rule-new]").await;
    b.type_into("[data-testid=rule-name]", "Invoices to Billing").await;
    b.choose("[data-testid=rule-event]", "ticket_created").await;
    b.click("[data-testid=condition-add]").await;
    b.choose(&row_field("condition", 1, "condition-kind"), "subject").await;
    b.choose(&row_field("condition", 1, "field-op"), "regex").await;
    b.fill(&row_field("condition", 1, "field-value"), "invoice (unclosed")
        .await;
    b.click("[data-testid=action-add]").await;
    b.choose(&row_field("action", 1, "action-kind"), "set_category").await;
    b.choose(&row_field("action", 1, "field-id"), &billing.id.to_string())
        .await;
    b.click("[data-testid=action-add]").await;
    b.choose(&row_field("action", 2, "action-kind"), "add_tag").await;
    b.fill(&row_field("action", 2, "field-tag"), "invoice").await;

    // The broken regular expression is refused, named in words next to the form.
    b.click("[data-testid=rule-save]").await;
    let said = b
        .wait_for_text("[data-testid=rule-form] [data-testid=form-error]", "regular expression")
        .await;
    assert!(
        said.starts_with("Condition 1 (Subject): the text is not a valid regular expression ("),
        "{said:?}"
    );
    assert!(!said.contains("conditions[0]"), "the wire path leaked: {said:?}");
    b.wait_attr(
        &row_field("condition", 1, "field-value"),
        "aria-invalid",
        "the condition marked as refused",
        |v| v == "true",
    )
    .await;
    assert_eq!(rules(&app).await.len(), 1, "a refused rule was stored");

    b.choose(&row_field("condition", 1, "field-op"), "contains").await;
    b.fill(&row_field("condition", 1, "field-value"), "invoice").await;
    b.click("[data-testid=rule-save]").await;
    b.wait_gone("[data-testid=rule-form]").await;
    b.wait_for_text("[data-testid=rule-row-name]", "Invoices to Billing")
        .await;
    let saved = rules(&app).await;
    let rule = saved
        .iter()
        .find(|r| r.name == "Invoices to Billing")
        .expect("the new rule");
    assert_eq!(rule.event, RuleEvent::TicketCreated);
    assert_eq!(rule.match_mode, MatchMode::All);
    assert!(rule.enabled);
    assert_eq!(
        rule.conditions,
        [Condition::Subject {
            op: TextOp::Contains,
            value: "invoice".into()
        }]
    );
    assert_eq!(
        rule.actions,
        [
            Action::SetCategory { id: Some(billing.id) },
            Action::AddTag { tag: "invoice".into() }
        ]
    );
    let id = rule.id;
    let mine = format!("[data-testid=rule-row][data-rule-id='{id}']");
    b.wait_for_text(
        &format!("{mine} [data-testid=rule-row-summary]"),
        "Set category: Billing",
    )
    .await;

    // Moved to the top: the server's order follows.
    b.click(&format!("{mine} [data-testid=rule-up]")).await;
    rules_until(&app, "the new rule first", |r| {
        r.iter().map(|r| r.id).collect::<Vec<_>>() == [id, older.id]
    })
    .await;
    b.wait_attr(
        "[data-testid=rule-row]",
        "data-rule-id",
        "the new rule shown first",
        |v| v == id.to_string(),
    )
    .await;

    // The older rule off; the new one off and on again.
    let theirs = format!("[data-testid=rule-row][data-rule-id='{}']", older.id);
    b.click(&format!("{theirs} [data-testid=rule-toggle]")).await;
    b.wait_attr(&theirs, "data-enabled", "the older rule shown off", |v| v == "false")
        .await;
    rules_until(&app, "the older rule off", |r| {
        r.iter().any(|r| r.id == older.id && !r.enabled)
    })
    .await;
    b.click(&format!("{mine} [data-testid=rule-toggle]")).await;
    b.wait_attr(&mine, "data-enabled", "the new rule shown off", |v| v == "false")
        .await;
    rules_until(&app, "the new rule off", |r| r.iter().any(|r| r.id == id && !r.enabled)).await;
    b.click(&format!("{mine} [data-testid=rule-toggle]")).await;
    b.wait_attr(&mine, "data-enabled", "the new rule shown on", |v| v == "true")
        .await;
    let now = rules_until(&app, "the new rule on again", |r| {
        r.iter().any(|r| r.id == id && r.enabled)
    })
    .await;
    assert_eq!(
        now.iter().map(|r| r.id).collect::<Vec<_>>(),
        [id, older.id],
        "toggling kept the order"
    );

    // A new ticket follows the rules that are on.
    let ticket = app
        .api
        .create_ticket(&app.admin.token, &new_ticket("Invoice missing"))
        .await
        .ticket;
    assert_eq!(ticket.category_id, Some(billing.id), "{ticket:?}");
    assert!(ticket.tags.contains(&"invoice".to_owned()), "{:?}", ticket.tags);
    assert!(
        !ticket.tags.contains(&"triage".to_owned()),
        "a rule that is off ran: {:?}",
        ticket.tags
    );
    let other = app
        .api
        .create_ticket(&app.admin.token, &new_ticket("Password reset"))
        .await
        .ticket;
    assert_eq!(other.category_id, None, "the rule matched a subject without 'invoice'");

    // The dry run on that ticket lists the rule and what it would do.
    b.type_into("[data-testid=dry-run-ticket]", &format!("#{}", ticket.number))
        .await;
    b.click("[data-testid=dry-run-submit]").await;
    let hit = format!("[data-testid=dry-run-rule][data-rule-id='{id}']");
    b.wait_attr(&hit, "data-matched", "the rule listed as matching", |v| v == "true")
        .await;
    let would = b
        .wait_for_text(&format!("{hit} [data-testid=dry-run-actions]"), "Billing")
        .await;
    assert!(would.contains("Add tag: “invoice”"), "{would:?}");
    assert!(
        b.text_if_any("[data-testid=dry-run-result]")
            .await
            .unwrap_or_default()
            .contains("1 rule would match"),
        "only the enabled rule was considered"
    );
    // Tall enough for the tabs, both rules and the dry run's answer.
    b.client().set_window_size(1280, 1200).await.unwrap();
    b.client().execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    b.screenshot("admin-rules").await;

    // Deleting asks first; "Keep" leaves the rule, the second "Delete" removes it.
    b.click(&format!("{theirs} [data-testid=rule-delete]")).await;
    b.click(&format!("{theirs} .confirm-delete button:last-child")).await;
    b.wait_for(&format!("{theirs} [data-testid=rule-delete]")).await;
    assert_eq!(rules(&app).await.len(), 2, "Keep deleted the rule");
    b.click(&format!("{theirs} [data-testid=rule-delete]")).await;
    b.click(&format!("{theirs} [data-testid=rule-delete-confirm]")).await;
    b.wait_gone(&theirs).await;
    let left = rules_until(&app, "the older rule deleted", |r| r.len() == 1).await;
    assert_eq!(left[0].id, id, "the wrong rule was deleted");

    // A time-based rule: the idle time is asked for only for that event, and required.
    b.click("[data-testid=rule-new]").await;
    assert!(
        b.attr("[data-testid=rule-idle-hours]", "id").await.is_none(),
        "the idle time is offered for a ticket_created rule"
    );
    b.type_into("[data-testid=rule-name]", "Nudge quiet tickets").await;
    b.choose("[data-testid=rule-event]", "ticket_idle").await;
    b.wait_for("[data-testid=rule-idle-hours]").await;
    b.click("[data-testid=action-add]").await;
    b.choose(&row_field("action", 1, "action-kind"), "send_mail").await;
    b.fill(&row_field("action", 1, "field-subject"), "Still waiting?").await;
    b.fill(&row_field("action", 1, "field-body"), "Ticket #TicketID# is quiet.")
        .await;
    b.click("[data-testid=rule-save]").await;
    b.wait_for_text("[data-testid=rule-form] [data-testid=form-error]", "Idle for")
        .await;
    assert_eq!(rules(&app).await.len(), 1, "an idle rule without hours was stored");
    b.fill("[data-testid=rule-idle-hours]", "48").await;
    b.click("[data-testid=rule-save]").await;
    b.wait_gone("[data-testid=rule-form]").await;
    let all = rules_until(&app, "the idle rule saved", |r| r.len() == 2).await;
    let idle = all
        .iter()
        .find(|r| r.name == "Nudge quiet tickets")
        .expect("the idle rule");
    assert_eq!(idle.event, RuleEvent::TicketIdle);
    assert_eq!(idle.idle_hours, Some(48));
    assert_eq!(
        idle.actions,
        [Action::SendMail {
            to: "requester".into(),
            subject: "Still waiting?".into(),
            body: "Ticket #TicketID# is quiet.".into(),
        }]
    );
    b.wait_for_text(
        &format!(
            "[data-testid=rule-row][data-rule-id='{}'] [data-testid=rule-row-event]",
            idle.id
        ),
        "not been updated for 48 h",
    )
    .await;
    b.close().await;
}
