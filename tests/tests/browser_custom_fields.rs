//! The custom fields admin screen in headless Chromium: an admin creates a public dropdown
//! (first without options, which the form refuses) and an agents-only text field, is told in
//! words that a second field of the same name cannot be, adds an option to the dropdown, and
//! deletes the text field after the confirmation ("Keep" keeps it). The API shows each step.
//! Needs `bash scripts/chromium.sh` and `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::browser::Browser;
use maildesk_tests::client::ok_json;
use maildesk_tests::{TestApp, spawn_app};
use protocol::{CustomField, CustomFieldKind, FieldVisibility};

async fn fields(app: &TestApp) -> Vec<CustomField> {
    ok_json(app.api.get(&app.admin.token, "/custom-fields").await).await
}

/// Waits until the server's fields satisfy `ok`, which the screen's last click must lead to.
async fn fields_until(app: &TestApp, what: &str, ok: impl Fn(&[CustomField]) -> bool) -> Vec<CustomField> {
    let deadline = std::time::Instant::now() + maildesk_tests::browser::DEADLINE;
    loop {
        let now = fields(app).await;
        if ok(&now) {
            return now;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waited for {what}; the fields are {now:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
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
