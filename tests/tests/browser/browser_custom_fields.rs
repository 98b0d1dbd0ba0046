//! The custom fields admin screen in headless Chromium: an admin creates a public dropdown
//! (first without options, which the form refuses) and an agents-only text field, is told in
//! words that a second field of the same name cannot be, adds an option to the dropdown, and
//! deletes the text field after the confirmation ("Keep" keeps it). The API shows each step.
//! Then values: an admin sets a dropdown in the ticket's "Fields" block, and the customer's
//! portal shows that public value but not the agents-only one. Needs `bash scripts/chromium.sh` and `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::browser::{Browser, person};
use maildesk_tests::client::{new_ticket, ok_json};
use maildesk_tests::{TestApp, spawn_app};
use protocol::{CustomField, CustomFieldKind, FieldVisibility, Role, TicketDetail};
use serde_json::json;

async fn fields(app: &TestApp) -> Vec<CustomField> {
    ok_json(app.api.get(&app.admin.token, "/custom-fields").await).await
}

/// Waits until the server's fields satisfy `ok`, which the screen's last click must lead to.
async fn fields_until(app: &TestApp, what: &str, ok: impl Fn(&[CustomField]) -> bool) -> Vec<CustomField> {
    maildesk_tests::poll::until(what, maildesk_tests::browser::DEADLINE, || fields(app), |f| ok(f)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_creates_edits_and_deletes_custom_fields() {
    let app = spawn_app().await;
    let b = Browser::signed_in(app.address(), "admin", &app.admin).await;
    b.click("[data-testid=nav-admin]").await;
    b.click("[data-testid=admin-tab-custom-fields]").await;
    b.wait_js(
        "the custom fields tab",
        "return location.pathname === '/admin/custom-fields'",
        vec![],
    )
    .await;

    // A dropdown without options is refused before it is sent.
    b.click("[data-testid=custom-field-new]").await;
    b.type_into("[data-testid=custom-field-name]", "Plan").await;
    b.choose("[data-testid=custom-field-kind]", "dropdown").await;
    b.choose("[data-testid=custom-field-visibility]", "public").await;
    b.click("[data-testid=custom-field-save]").await;
    b.wait_for_text(
        "[data-testid=custom-field-form] [data-testid=form-error]",
        "at least one option",
    )
    .await;
    assert!(fields(&app).await.is_empty(), "a dropdown without options was stored");
    b.fill("[data-testid=custom-field-options]", "Gold\n\nSilver\n").await;
    b.click("[data-testid=custom-field-save]").await;
    b.wait_gone("[data-testid=custom-field-form]").await;
    let now = fields_until(&app, "the dropdown", |f| f.len() == 1).await;
    let plan = &now[0];
    assert_eq!(
        (plan.name.as_str(), plan.kind, plan.visibility),
        ("Plan", CustomFieldKind::Dropdown, FieldVisibility::Public)
    );
    assert_eq!(plan.options, ["Gold", "Silver"]);

    b.click("[data-testid=custom-field-new]").await;
    b.type_into("[data-testid=custom-field-name]", "Internal code").await;
    b.choose("[data-testid=custom-field-visibility]", "agents").await;
    b.click("[data-testid=custom-field-save]").await;
    b.wait_gone("[data-testid=custom-field-form]").await;
    let now = fields_until(&app, "the text field", |f| f.len() == 2).await;
    let code = now.iter().find(|f| f.name == "Internal code").expect("the text field");
    assert_eq!(
        (code.kind, code.visibility),
        (CustomFieldKind::Text, FieldVisibility::Agents)
    );

    // The same name again: the server refuses, the form says so without the wire path.
    b.click("[data-testid=custom-field-new]").await;
    b.type_into("[data-testid=custom-field-name]", "Plan").await;
    b.click("[data-testid=custom-field-save]").await;
    let said = b
        .wait_for_text("[data-testid=custom-field-form] [data-testid=form-error]", "Plan")
        .await;
    assert!(said.contains("Name: a field named"), "{said:?}");
    assert_eq!(fields(&app).await.len(), 2);
    b.click("[data-testid=custom-field-cancel]").await;

    // Edit: one more option.
    let plan_row = format!("[data-testid=custom-field-row][data-field-id='{}']", plan.id);
    b.click(&format!("{plan_row} [data-testid=custom-field-edit]")).await;
    b.fill("[data-testid=custom-field-options]", "Gold\nSilver\nBronze")
        .await;
    b.click("[data-testid=custom-field-save]").await;
    b.wait_for_text(&format!("{plan_row} [data-testid=custom-field-row-options]"), "Bronze")
        .await;
    fields_until(&app, "the third option", |f| {
        f.iter()
            .any(|f| f.id == plan.id && f.options == ["Gold", "Silver", "Bronze"])
    })
    .await;
    b.client().set_window_size(1280, 800).await.unwrap();
    b.client().execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    b.screenshot("admin-custom-fields").await;

    // Delete asks first.
    let code_row = format!("[data-testid=custom-field-row][data-field-id='{}']", code.id);
    b.click(&format!("{code_row} [data-testid=custom-field-delete]")).await;
    b.click(&format!("{code_row} [data-testid=custom-field-delete-keep]"))
        .await;
    b.wait_for(&format!("{code_row} [data-testid=custom-field-delete]"))
        .await;
    assert_eq!(fields(&app).await.len(), 2, "Keep deleted the field");
    b.click(&format!("{code_row} [data-testid=custom-field-delete]")).await;
    b.click(&format!("{code_row} [data-testid=custom-field-delete-confirm]"))
        .await;
    b.wait_gone(&code_row).await;
    let left = fields_until(&app, "the text field deleted", |f| f.len() == 1).await;
    assert_eq!(left[0].id, plan.id, "the wrong field was deleted");
    b.close().await;
}

async fn field(app: &TestApp, save: serde_json::Value) -> CustomField {
    ok_json(app.api.post_json(&app.admin.token, "/admin/custom-fields", &save).await).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_set_values_in_the_sidebar_and_customers_see_only_the_public_ones() {
    let app = spawn_app().await;
    let plan = field(
        &app,
        json!({"name": "Plan", "kind": "dropdown", "options": ["Gold", "Silver"], "visibility": "public"}),
    )
    .await;
    let code = field(
        &app,
        json!({"name": "Internal code", "kind": "text", "visibility": "agents"}),
    )
    .await;
    let customer = person(&app, Role::Customer, "Dana Whitfield").await;
    let ticket = app
        .api
        .create_ticket(&customer.token, &new_ticket("Upgrade my plan"))
        .await
        .ticket;
    let set: TicketDetail = ok_json(
        app.api
            .put_json(
                &app.admin.token,
                &format!("/tickets/{}/custom-fields", ticket.id),
                &json!({"version": ticket.version, "values": {code.id.to_string(): "X-42"}}),
            )
            .await,
    )
    .await;
    assert_eq!(set.custom_fields.len(), 1);

    // Staff: the agents-only value shown in its input; the dropdown set from the sidebar.
    let b = Browser::signed_in(app.address(), "admin", &app.admin).await;
    b.goto(&format!("/tickets/{}", ticket.id)).await;
    let code_input = format!("[data-testid=custom-field-input-{}]", code.id);
    b.wait_js(
        "the internal code shown",
        "const e = document.querySelector(arguments[0]); return !!e && e.value === 'X-42';",
        vec![json!(code_input)],
    )
    .await;
    b.choose(&format!("[data-testid=custom-field-input-{}]", plan.id), "Silver")
        .await;
    let values = maildesk_tests::poll::until(
        "the plan saved",
        maildesk_tests::browser::DEADLINE,
        || async { app.api.ticket(&app.admin.token, ticket.id).await.custom_fields },
        |now| now.iter().any(|v| v.field_id == plan.id),
    )
    .await;
    let value = |id: i64| values.iter().find(|v| v.field_id == id).map(|v| v.value.clone());
    assert_eq!(value(plan.id), Some(json!("Silver")));
    assert_eq!(value(code.id), Some(json!("X-42")), "setting the plan touched the code");
    b.close().await;

    // The customer: the public value, not the agents-only one, and no inputs.
    let c = Browser::open(app.address(), "customer").await;
    c.goto("/login").await;
    c.submit_login(&customer).await;
    c.goto(&format!("/tickets/{}", ticket.id)).await;
    let shown = c.wait_for_text("[data-testid=custom-field-values]", "Silver").await;
    assert!(shown.contains("Plan"), "{shown:?}");
    assert!(!shown.contains("X-42") && !shown.contains("Internal code"), "{shown:?}");
    assert!(
        !c.html().await.contains("X-42"),
        "the agents-only value reached the portal"
    );
    assert!(c.attr("[data-testid=custom-field-editor]", "id").await.is_none());
    c.close().await;
}
