//! Custom ticket fields end to end: admins define them, staff set typed values under the
//! ticket's lock, and visibility decides who sees and sets each field — in the API, in mail
//! placeholders (`#Custom_Fields#` public only, `#CF_<id>#` any) and in rule conditions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::client::{expect_error, new_ticket, ok_json};
use maildesk_tests::{TestApp, both_backends};
use protocol::{CustomField, DryRunResult, ErrorCode, Role, TemplatePreview, TicketDetail};
use serde_json::{Value, json};

async fn field(app: &TestApp, body: Value) -> CustomField {
    let resp = app.api.post_json(&app.admin.token, "/admin/custom-fields", &body).await;
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap_or_default());
    resp.json().await.unwrap()
}

/// Three fields, one per visibility.
async fn three_fields(app: &TestApp) -> (CustomField, CustomField, CustomField) {
    let plan = field(
        app,
        json!({"name": "Plan", "kind": "dropdown", "options": ["Gold", "Silver"], "visibility": "public"}),
    )
    .await;
    let hours = field(
        app,
        json!({"name": "Hours estimate", "kind": "number", "visibility": "agents"}),
    )
    .await;
    let margin = field(app, json!({"name": "Margin", "kind": "text", "visibility": "admins"})).await;
    (plan, hours, margin)
}

async fn set(app: &TestApp, token: &str, id: i64, values: Value) -> reqwest::Response {
    let version = app.api.ticket(&app.admin.token, id).await.ticket.version;
    app.api
        .put_json(
            token,
            &format!("/tickets/{id}/custom-fields"),
            &json!({"version": version, "values": values}),
        )
        .await
}

fn names(d: &TicketDetail) -> Vec<String> {
    d.custom_fields.iter().map(|v| v.name.clone()).collect()
}

both_backends!(
    admins_define_fields_and_each_role_sees_its_share,
    |app: TestApp| async move {
        let (plan, hours, margin) = three_fields(&app).await;
        let admin = &app.admin.token;
        let agent = app.new_user(Role::Agent).await;
        let carl = app.new_user(Role::Customer).await;
        let listed = |token: String| {
            let api = app.api.clone();
            async move {
                let f: Vec<CustomField> = ok_json(api.get(&token, "/custom-fields").await).await;
                f.into_iter().map(|f| f.id).collect::<Vec<_>>()
            }
        };
        assert_eq!(listed(admin.clone()).await, vec![plan.id, hours.id, margin.id]);
        assert_eq!(listed(agent.token.clone()).await, vec![plan.id, hours.id]);
        assert_eq!(listed(carl.token.clone()).await, vec![plan.id]);

        let bad = [
            (
                json!({"name": "X", "kind": "dropdown", "visibility": "public"}),
                "options",
            ),
            (
                json!({"name": "X", "kind": "text", "options": ["a"], "visibility": "public"}),
                "options",
            ),
            (
                json!({"name": "X", "kind": "dropdown", "options": ["a", "A"], "visibility": "public"}),
                "twice",
            ),
            (json!({"name": " ", "kind": "text", "visibility": "public"}), "name"),
        ];
        for (body, what) in bad {
            let err = expect_error(
                app.api.post_json(admin, "/admin/custom-fields", &body).await,
                422,
                ErrorCode::ValidationFailed,
            )
            .await;
            assert!(err.message.contains(what), "{what}: {}", err.message);
        }
        let dup = json!({"name": "Plan", "kind": "text", "visibility": "public"});
        expect_error(
            app.api.post_json(admin, "/admin/custom-fields", &dup).await,
            409,
            ErrorCode::Conflict,
        )
        .await;
        let by_agent = json!({"name": "Mine", "kind": "text", "visibility": "public"});
        expect_error(
            app.api.post_json(&agent.token, "/admin/custom-fields", &by_agent).await,
            403,
            ErrorCode::Forbidden,
        )
        .await;
        expect_error(app.api.get_anon("/custom-fields").await, 401, ErrorCode::Unauthorized).await;

        // Values, each role seeing only its share.
        let t = app
            .api
            .create_ticket(&carl.token, &new_ticket("Upgrade"))
            .await
            .ticket
            .id;
        let d: TicketDetail = ok_json(
            set(
                &app,
                admin,
                t,
                json!({plan.id.to_string(): "gold", hours.id.to_string(): 2.5, margin.id.to_string(): "  12% "}),
            )
            .await,
        )
        .await;
        assert_eq!(names(&d), vec!["Plan", "Hours estimate", "Margin"]);
        let values: Vec<Value> = d.custom_fields.iter().map(|v| v.value.clone()).collect();
        assert_eq!(values, vec![json!("Gold"), json!(2.5), json!("12%")]);
        assert_eq!(
            names(&app.api.ticket(&agent.token, t).await),
            vec!["Plan", "Hours estimate"]
        );
        let seen_by_carl = app.api.ticket(&carl.token, t).await;
        assert_eq!(names(&seen_by_carl), vec!["Plan"]);
        assert!(
            !serde_json::to_string(&seen_by_carl).unwrap().contains("12%"),
            "a private value leaked"
        );
        let history: Vec<String> = app
            .api
            .ticket(admin, t)
            .await
            .events
            .iter()
            .filter(|e| e.field == format!("custom_field:{}", plan.id).as_str())
            .filter_map(|e| e.new_value.clone())
            .collect();
        assert!(history.contains(&"Plan: Gold".to_string()), "{history:?}");

        // Who may set what, and bad values name the field; nothing changes on refusal.
        expect_error(
            set(&app, &agent.token, t, json!({margin.id.to_string(): "5%"})).await,
            403,
            ErrorCode::Forbidden,
        )
        .await;
        expect_error(
            set(&app, &carl.token, t, json!({plan.id.to_string(): "Silver"})).await,
            403,
            ErrorCode::Forbidden,
        )
        .await;
        let err = expect_error(
            set(&app, &agent.token, t, json!({plan.id.to_string(): "Bronze"})).await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        assert!(err.message.contains(&format!("values.{}", plan.id)), "{}", err.message);
        expect_error(
            set(&app, &agent.token, t, json!({hours.id.to_string(): "three"})).await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        expect_error(
            set(&app, admin, t, json!({"999999": "x"})).await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        let stale = json!({"version": 1, "values": {plan.id.to_string(): "Silver"}});
        expect_error(
            app.api
                .put_json(admin, &format!("/tickets/{t}/custom-fields"), &stale)
                .await,
            409,
            ErrorCode::VersionConflict,
        )
        .await;
        let d = app.api.ticket(admin, t).await;
        assert_eq!(
            d.custom_fields[0].value,
            json!("Gold"),
            "refused changes left the value alone"
        );

        // null clears; an agent may set public and agents-only fields.
        let d: TicketDetail = ok_json(
            set(
                &app,
                &agent.token,
                t,
                json!({plan.id.to_string(): null, hours.id.to_string(): 4}),
            )
            .await,
        )
        .await;
        assert_eq!(names(&d), vec!["Hours estimate"]);
        assert_eq!(d.custom_fields[0].value, json!(4));

        // A kind change is refused while values exist; deleting a field removes its values.
        let to_text = json!({"name": "Hours estimate", "kind": "text", "visibility": "agents"});
        expect_error(
            app.api
                .put_json(admin, &format!("/admin/custom-fields/{}", hours.id), &to_text)
                .await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        let gone = app
            .api
            .delete(admin, &format!("/admin/custom-fields/{}", hours.id))
            .await;
        assert_eq!(gone.status(), 204);
        assert_eq!(
            names(&app.api.ticket(admin, t).await),
            vec!["Margin"],
            "its value went with it"
        );
    }
);

both_backends!(
    mail_placeholders_and_rule_conditions_read_the_values,
    |app: TestApp| async move {
        let (plan, _hours, margin) = three_fields(&app).await;
        let admin = &app.admin.token;
        let t = app.api.create_ticket(admin, &new_ticket("Renewal")).await.ticket.id;
        let rule: protocol::Rule = ok_json(
            app.api
                .post_json(
                    admin,
                    "/admin/rules",
                    &json!({"name": "Gold customers", "event": "message_added",
                            "conditions": [{"kind": "custom_field", "field_id": plan.id, "op": "equals", "value": "gold"}],
                            "actions": [{"kind": "set_priority", "value": "high"}]}),
                )
                .await,
        )
        .await;
        let dry = |app: &TestApp| {
            let api = app.api.clone();
            let token = admin.clone();
            async move {
                let r: DryRunResult = ok_json(
                    api.post_json(
                        &token,
                        "/admin/rules/dry-run",
                        &json!({"ticket_id": t, "rule_id": rule.id}),
                    )
                    .await,
                )
                .await;
                r.rules[0].matched
            }
        };
        assert!(!dry(&app).await, "no value yet");
        let _: TicketDetail = ok_json(
            set(
                &app,
                admin,
                t,
                json!({plan.id.to_string(): "Gold", margin.id.to_string(): "12%"}),
            )
            .await,
        )
        .await;
        assert!(dry(&app).await, "the rule sees the value");
        let bad_rule = json!({"name": "x", "event": "ticket_created",
                              "conditions": [{"kind": "custom_field", "field_id": 424242, "op": "equals", "value": "a"}],
                              "actions": [{"kind": "close"}]});
        expect_error(
            app.api.post_json(admin, "/admin/rules", &bad_rule).await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;

        app.api
            .post_json(
                admin,
                &format!("/tickets/{t}/time"),
                &json!({"minutes": 75, "note": "setup"}),
            )
            .await;
        let template = json!({
            "subject": "About #TicketID#",
            "body_text": format!("[#Custom_Fields#] [#CF_{}#] [#TimeSpent#]", margin.id),
            "body_html": "",
        });
        let p: TemplatePreview = ok_json(
            app.api
                .post_json(
                    admin,
                    &format!("/admin/templates/reply/preview?ticket_id={t}"),
                    &template,
                )
                .await,
        )
        .await;
        assert_eq!(p.body_text, "[Plan: Gold] [12%] [1 h 15 min]");
    }
);
