//! Items 3 and 4: every answer is built with the caller's own scope. Creating a ticket answered
//! with the admin view (a note a `ticket_created` rule added reached the customer), and the
//! history showed agents the values of admins-only custom fields.

use maildesk_tests::client::{new_ticket, ok_json};
use maildesk_tests::{TestApp, both_backends};
use protocol::{CustomField, MessageKind, Role, TicketDetail};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;

async fn post_created(app: &TestApp, path: &str, body: serde_json::Value) -> reqwest::Response {
    let r = app.api.post_json(&app.admin.token, path, &body).await;
    assert_eq!(r.status(), 201, "{path}: {}", r.text().await.unwrap_or_default());
    r
}

both_backends!(
    creating_a_ticket_answers_in_the_creators_view,
    |app: TestApp| async move {
        post_created(
            &app,
            "/admin/rules",
            json!({"name": "Flag", "event": "ticket_created", "conditions": [],
                   "actions": [{"kind": "add_note", "body": "INTERNAL: suspected fraud"}]}),
        )
        .await;
        let customer = app.new_user(Role::Customer).await;
        let r = app
            .api
            .post_json(&customer.token, "/tickets", &new_ticket("Hello"))
            .await;
        assert_eq!(r.status(), 201);
        let text = r.text().await.expect("body");
        assert!(!text.contains("suspected fraud"), "the customer got the note: {text}");
        let created: TicketDetail = serde_json::from_str(&text).expect("a ticket");
        assert!(created.messages.iter().all(|m| m.kind != MessageKind::Note));
        assert!(created.events.is_empty(), "{:?}", created.events);
        // The rule did run: staff see its note.
        let staff = app.api.ticket(&app.admin.token, created.ticket.id).await;
        assert!(staff.messages.iter().any(|m| m.kind == MessageKind::Note));
        // And the customer's own read agrees with the create answer.
        assert_eq!(app.api.ticket(&customer.token, created.ticket.id).await, created);
    }
);

both_backends!(
    the_history_hides_values_the_viewer_may_not_see,
    |app: TestApp| async move {
        let margin: CustomField = ok_json(
            post_created(
                &app,
                "/admin/custom-fields",
                json!({"name": "Margin", "kind": "text", "visibility": "admins"}),
            )
            .await,
        )
        .await;
        let plan: CustomField = ok_json(
            post_created(
                &app,
                "/admin/custom-fields",
                json!({"name": "Plan", "kind": "text", "visibility": "public"}),
            )
            .await,
        )
        .await;
        let agent = app.new_user(Role::Agent).await;
        let t = app
            .api
            .create_ticket(&app.admin.token, &new_ticket("Deal"))
            .await
            .ticket;
        let values = json!({"version": t.version, "values": {
            margin.id.to_string(): "SECRET-42%", plan.id.to_string(): "Gold"}});
        let r = app
            .api
            .put_json(&app.admin.token, &format!("/tickets/{}/custom-fields", t.id), &values)
            .await;
        assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
        // A line written before changes named their field by id: matched by the field's name.
        entity::ticket_event::ActiveModel {
            ticket_id: Set(t.id),
            actor_id: Set(Some(app.admin.id)),
            field: Set("custom_field".into()),
            old_value: Set(None),
            new_value: Set(Some("Margin: LEGACY-7%".into())),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(app.ctx.db())
        .await
        .expect("legacy line");

        let as_agent = app.api.get(&agent.token, &format!("/tickets/{}", t.id)).await;
        let text = as_agent.text().await.expect("body");
        assert!(
            !text.contains("SECRET-42"),
            "an agent read an admins-only value: {text}"
        );
        assert!(!text.contains("LEGACY-7"), "an agent read an admins-only value: {text}");
        let seen: TicketDetail = serde_json::from_str(&text).expect("a ticket");
        let lines: Vec<_> = seen.events.iter().filter_map(|e| e.new_value.clone()).collect();
        assert!(lines.iter().any(|l| l == "Plan: Gold"), "{lines:?}");
        // Admins still see the whole history.
        let all = app.api.ticket(&app.admin.token, t.id).await;
        let all: Vec<_> = all.events.iter().filter_map(|e| e.new_value.clone()).collect();
        assert!(all.iter().any(|l| l.contains("SECRET-42")), "{all:?}");
        assert!(all.iter().any(|l| l.contains("LEGACY-7")), "{all:?}");
    }
);

both_backends!(customers_never_see_agents_addresses, |app: TestApp| async move {
    let customer = app.new_user(Role::Customer).await;
    let agent = app.new_user(Role::Agent).await;
    let t = app
        .api
        .create_ticket(&customer.token, &new_ticket("Question"))
        .await
        .ticket;
    let r = app
        .api
        .patch_json(
            &app.admin.token,
            &format!("/tickets/{}", t.id),
            &json!({"version": t.version, "assignee_id": agent.id}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let version = app.api.ticket(&agent.token, t.id).await.ticket.version;
    let r = app
        .api
        .post_json(
            &agent.token,
            &format!("/tickets/{}/replies", t.id),
            &json!({"body": "Here is the answer", "version": version}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());

    for path in [format!("/tickets/{}", t.id), "/tickets".to_string()] {
        let text = app.api.get(&customer.token, &path).await.text().await.expect("body");
        assert!(!text.contains(&agent.email), "{path} shows the agent's address: {text}");
        assert!(
            text.contains(&customer.email),
            "{path}: the customer's own address is kept"
        );
    }
    // Nor through the help center: an article's author is staff.
    let article = json!({"title": "Reset your password", "body_html": "<p>Click reset.</p>",
                         "category_id": null, "tags": [], "visibility": "public"});
    let r = app.api.post_json(&agent.token, "/kb/articles", &article).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    for token in [Some(&customer.token), None] {
        let r = match token {
            Some(t) => app.api.get(t, "/kb/articles").await,
            None => app.api.get_anon("/kb/articles").await,
        };
        let text = r.text().await.expect("body");
        assert!(text.contains("Reset your password"), "{text}");
        assert!(
            !text.contains(&agent.email),
            "the help center shows the agent's address: {text}"
        );
    }
    // Staff still see it.
    let staff = app.api.ticket(&app.admin.token, t.id).await;
    assert_eq!(staff.ticket.assignee.map(|a| a.email), Some(agent.email.clone()));
});
