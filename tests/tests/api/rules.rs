//! Automation rules end to end: administered over the API, run inside the change that caused
//! them (ticket created through the portal, the agent UI and real inbound mail; replies;
//! updates; take), every action audited under the rule's name, loops and deep chains stopped
//! without failing the request, round robin fair, and the dry run read-only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::client::{expect_error, new_ticket, ok_json};
use maildesk_tests::mail::mail;
use maildesk_tests::{TestApp, TestUser, both_backends, spawn_app};
use protocol::{
    Category, Company, CreateCategory, CreateCompany, DryRunResult, ErrorCode, MessageKind, PostMessage, Priority,
    Role, Rule, SetCategoryAgents, TicketDetail, TicketStatus,
};
use serde_json::{Value, json};

async fn create_rule(app: &TestApp, body: Value) -> Rule {
    let resp = app.api.post_json(&app.admin.token, "/admin/rules", &body).await;
    assert_eq!(
        resp.status(),
        201,
        "creating a rule: {}",
        resp.text().await.unwrap_or_default()
    );
    resp.json().await.expect("rule")
}

async fn category(app: &TestApp, name: &str, agents: &[i64]) -> Category {
    let req = CreateCategory {
        name: name.into(),
        description: String::new(),
    };
    let c: Category = ok_json(app.api.post_json(&app.admin.token, "/categories", &req).await).await;
    let set = SetCategoryAgents {
        agent_ids: agents.to_vec(),
    };
    ok_json(
        app.api
            .put_json(&app.admin.token, &format!("/categories/{}/agents", c.id), &set)
            .await,
    )
    .await
}

async fn ticket(app: &TestApp, id: i64) -> TicketDetail {
    app.api.ticket(&app.admin.token, id).await
}

/// The `rule` history lines of a ticket, oldest first.
fn rule_lines(d: &TicketDetail) -> Vec<String> {
    d.events
        .iter()
        .filter(|e| e.field == "rule")
        .filter_map(|e| e.new_value.clone())
        .collect()
}

fn has_event(d: &TicketDetail, field: &str) -> bool {
    d.events.iter().any(|e| e.field == field)
}

async fn patch(app: &TestApp, id: i64, mut fields: Value) -> reqwest::Response {
    fields["version"] = ticket(app, id).await.ticket.version.into();
    app.api
        .patch_json(&app.admin.token, &format!("/tickets/{id}"), &fields)
        .await
}

both_backends!(
    admins_manage_rules_and_bad_input_names_the_field,
    |app: TestApp| async move {
        let admin = &app.admin.token;
        let first = create_rule(
            &app,
            json!({"name": "Urgent", "event": "ticket_created",
                   "conditions": [{"kind": "subject", "op": "contains", "value": "outage"}],
                   "actions": [{"kind": "set_priority", "value": "urgent"}]}),
        )
        .await;
        assert!(first.enabled, "enabled by default");
        let second = create_rule(
            &app,
            json!({"name": "Spam", "event": "ticket_created", "match_mode": "any",
                   "conditions": [{"kind": "subject", "op": "regex", "value": "v[i1]agra"}],
                   "actions": [{"kind": "close"}]}),
        )
        .await;
        assert!(second.position > first.position, "a new rule goes last");
        let mut moved = json!({"name": "Spam!", "event": "ticket_created", "position": first.position - 1,
                               "actions": [{"kind": "add_tag", "tag": "spam"}]});
        let replaced: Rule = ok_json(
            app.api
                .put_json(admin, &format!("/admin/rules/{}", second.id), &moved)
                .await,
        )
        .await;
        assert_eq!(replaced.name, "Spam!");
        let listed: Vec<Rule> = ok_json(app.api.get(admin, "/admin/rules").await).await;
        assert_eq!(
            listed.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![second.id, first.id]
        );
        let got: Rule = ok_json(app.api.get(admin, &format!("/admin/rules/{}", first.id)).await).await;
        assert_eq!(got, first);

        // Invalid regex: 422 naming the condition.
        let bad = json!({"name": "Bad", "event": "ticket_created",
                         "conditions": [{"kind": "subject", "op": "regex", "value": "(unclosed"}],
                         "actions": [{"kind": "close"}]});
        let body = expect_error(
            app.api.post_json(admin, "/admin/rules", &bad).await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        assert!(
            body.message.contains("conditions[0]") && body.message.contains("regex"),
            "{}",
            body.message
        );
        moved["actions"] = json!([{"kind": "assign", "agent_id": 999_999}]);
        let body = expect_error(
            app.api
                .put_json(admin, &format!("/admin/rules/{}", second.id), &moved)
                .await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        assert!(body.message.contains("actions[0]: agent_id"), "{}", body.message);
        let no_actions = json!({"name": "Nothing", "event": "ticket_created", "actions": []});
        let body = expect_error(
            app.api.post_json(admin, "/admin/rules", &no_actions).await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        assert!(body.message.starts_with("actions"), "{}", body.message);
        // Unknown fields and kinds are refused by the typed body.
        let unknown = json!({"name": "X", "event": "ticket_created", "actions": [{"kind": "explode"}]});
        expect_error(
            app.api.post_json(admin, "/admin/rules", &unknown).await,
            400,
            ErrorCode::InvalidJson,
        )
        .await;
        let extra = json!({"name": "X", "event": "ticket_created", "actions": [{"kind": "close", "when": 1}]});
        expect_error(
            app.api.post_json(admin, "/admin/rules", &extra).await,
            400,
            ErrorCode::InvalidJson,
        )
        .await;

        // Agents may not administer rules.
        let agent = app.new_user(Role::Agent).await;
        expect_error(
            app.api.get(&agent.token, "/admin/rules").await,
            403,
            ErrorCode::Forbidden,
        )
        .await;

        let resp = app.api.delete(admin, &format!("/admin/rules/{}", first.id)).await;
        assert_eq!(resp.status(), 204);
        expect_error(
            app.api.get(admin, &format!("/admin/rules/{}", first.id)).await,
            404,
            ErrorCode::NotFound,
        )
        .await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_notifications_are_routed_to_a_category_and_tagged_on_the_inbound_path() {
    let app = spawn_app().await;
    let mb = app.mailbox("support@acme.test").await;
    let vendors = category(&app, "Vendors", &[]).await;
    let rule = create_rule(
        &app,
        json!({"name": "Vendor notifications", "event": "ticket_created",
               "conditions": [
                   {"kind": "mailbox", "id": mb.mailbox.id},
                   {"kind": "sender_domain", "op": "equals", "value": "VENDOR.example"},
                   {"kind": "recipient", "op": "equals", "value": "support@acme.test"},
                   {"kind": "channel", "value": "email"},
                   {"kind": "auto_reply", "value": false}],
               "actions": [{"kind": "set_category", "id": vendors.id}, {"kind": "add_tag", "tag": "Vendor"}]}),
    )
    .await;

    let from_vendor = mail(
        "Alerts <alerts@vendor.example>",
        "support@acme.test",
        "Your invoice is ready",
    )
    .message_id("inv-1@vendor.example")
    .build();
    let routed = app.deliver(&mb, &from_vendor).await.ticket_id.expect("a ticket");
    let customer = mail("bob@customer.example", "support@acme.test", "Printer broken")
        .message_id("bob-1@customer.example")
        .build();
    let untouched = app.deliver(&mb, &customer).await.ticket_id.expect("a ticket");

    let d = ticket(&app, routed).await;
    assert_eq!(d.ticket.category_id, Some(vendors.id));
    assert_eq!(d.ticket.tags, vec!["vendor".to_string()]);
    let lines = rule_lines(&d);
    assert_eq!(lines.len(), 2, "one history line per action: {lines:?}");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with(&format!("Vendor notifications (rule {})", rule.id))),
        "{lines:?}"
    );
    let category_row = d
        .events
        .iter()
        .find(|e| e.field == "category")
        .expect("the category change itself");
    assert!(category_row.actor.is_none(), "made by a rule, not a person");

    let d = ticket(&app, untouched).await;
    assert_eq!(d.ticket.category_id, None);
    assert!(d.ticket.tags.is_empty());
    assert!(rule_lines(&d).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auto_reply_on_a_thread_is_tagged_by_a_message_rule() {
    let app = spawn_app().await;
    let mb = app.mailbox("help@acme.test").await;
    create_rule(
        &app,
        json!({"name": "Tag auto-replies", "event": "message_added",
               "conditions": [{"kind": "auto_reply", "value": true}, {"kind": "message_kind", "value": "system"}],
               "actions": [{"kind": "add_tag", "tag": "auto-reply"}]}),
    )
    .await;
    let first = mail("carol@customer.example", "help@acme.test", "Question")
        .message_id("q-1@customer.example")
        .build();
    let id = app.deliver(&mb, &first).await.ticket_id.expect("a ticket");
    assert!(
        ticket(&app, id).await.ticket.tags.is_empty(),
        "a normal mail is no auto-reply"
    );

    let ooo = mail("carol@customer.example", "help@acme.test", "Out of office: Question")
        .header("Auto-Submitted", "auto-replied")
        .in_reply_to("q-1@customer.example")
        .message_id("ooo-1@customer.example")
        .build();
    let got = app.deliver(&mb, &ooo).await;
    assert_eq!(got.ticket_id, Some(id), "kept on the thread");
    let d = ticket(&app, id).await;
    assert_eq!(d.ticket.tags, vec!["auto-reply".to_string()]);
    assert!(d.messages.iter().any(|m| m.kind == MessageKind::System));
}

both_backends!(
    a_portal_ticket_rule_tests_ticket_fields_and_runs_every_kind_of_change,
    |app: TestApp| async move {
        let admin = &app.admin.token;
        let company: Company = ok_json(
            app.api
                .post_json(
                    admin,
                    "/companies",
                    &CreateCompany {
                        name: "Big Co".into(),
                        domain: None,
                    },
                )
                .await,
        )
        .await;
        let customer = app.new_user_in(Role::Customer, Some(company.id)).await;
        let agent = app.new_user(Role::Agent).await;
        create_rule(
            &app,
            json!({"name": "Big Co VIP", "event": "ticket_created",
                   "conditions": [
                       {"kind": "company", "id": company.id},
                       {"kind": "channel", "value": "portal"},
                       {"kind": "sender", "op": "equals", "value": customer.email.to_uppercase()},
                       {"kind": "subject", "op": "starts_with", "value": "login"},
                       {"kind": "body", "op": "contains", "value": "BODY OF"},
                       {"kind": "priority", "value": "normal"},
                       {"kind": "status", "value": "open"},
                       {"kind": "category", "id": null},
                       {"kind": "message_kind", "value": "customer"}],
                   "actions": [
                       {"kind": "set_priority", "value": "high"},
                       {"kind": "assign", "agent_id": agent.id},
                       {"kind": "add_subscriber", "email": "Account.Manager@bigco.example"},
                       {"kind": "add_note", "body": "VIP customer: call back within the hour"},
                       {"kind": "add_tag", "tag": "vip"},
                       {"kind": "add_tag", "tag": "new"},
                       {"kind": "remove_tag", "tag": "new"}]}),
        )
        .await;
        let vip = app.api.create_ticket(&customer.token, &new_ticket("Login fails")).await;
        let other = app
            .api
            .create_ticket(&customer.token, &new_ticket("Invoice question"))
            .await;

        let d = ticket(&app, vip.ticket.id).await;
        assert_eq!(d.ticket.priority, Priority::High);
        assert_eq!(d.ticket.assignee.as_ref().map(|a| a.id), Some(agent.id));
        assert_eq!(d.ticket.tags, vec!["vip".to_string()]);
        assert!(d.subscribers.iter().any(|s| s.email == "account.manager@bigco.example"));
        let note = d
            .messages
            .iter()
            .find(|m| m.kind == MessageKind::Note)
            .expect("the rule's note");
        assert!(note.body_text.contains("VIP customer"));
        assert_eq!(rule_lines(&d).len(), 7, "{:?}", rule_lines(&d));
        // The customer never sees the note.
        let theirs = app.api.ticket(&customer.token, vip.ticket.id).await;
        assert!(theirs.messages.iter().all(|m| m.kind != MessageKind::Note));

        let d = ticket(&app, other.ticket.id).await;
        assert_eq!(d.ticket.priority, Priority::Normal, "subject does not start with login");
        assert!(rule_lines(&d).is_empty());
    }
);

both_backends!(
    of_two_rules_setting_the_priority_the_later_one_wins,
    |app: TestApp| async move {
        let high = create_rule(
            &app,
            json!({"name": "High first", "event": "ticket_created", "position": 1,
                   "actions": [{"kind": "set_priority", "value": "high"}]}),
        )
        .await;
        let urgent = create_rule(
            &app,
            json!({"name": "Urgent later", "event": "ticket_created", "position": 2,
                   "actions": [{"kind": "set_priority", "value": "urgent"}]}),
        )
        .await;
        let t = app.api.create_ticket(&app.admin.token, &new_ticket("Both match")).await;
        let d = ticket(&app, t.ticket.id).await;
        assert_eq!(d.ticket.priority, Priority::Urgent);
        let lines = rule_lines(&d);
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0].contains(&format!("(rule {})", high.id)) && lines[1].contains(&format!("(rule {})", urgent.id)),
            "{lines:?}"
        );
    }
);

both_backends!(
    spam_is_closed_and_replies_and_takes_run_their_rules,
    |app: TestApp| async move {
        create_rule(
            &app,
            json!({"name": "Spam", "event": "ticket_created", "match_mode": "any",
                   "conditions": [{"kind": "subject", "op": "regex", "value": "v[i1]agra"},
                                  {"kind": "subject", "op": "contains", "value": "casino"}],
                   "actions": [{"kind": "add_tag", "tag": "spam"}, {"kind": "close"}]}),
        )
        .await;
        create_rule(
            &app,
            json!({"name": "Customer says urgent", "event": "message_added",
                   "conditions": [{"kind": "message_kind", "value": "customer"},
                                  {"kind": "body", "op": "contains", "value": "urgent"}],
                   "actions": [{"kind": "set_priority", "value": "urgent"}]}),
        )
        .await;
        create_rule(
            &app,
            json!({"name": "Mark taken", "event": "assignment_changed",
                   "actions": [{"kind": "add_tag", "tag": "assigned"}]}),
        )
        .await;
        let customer = app.new_user(Role::Customer).await;
        let spam = app
            .api
            .create_ticket(&customer.token, &new_ticket("Cheap V1AGRA"))
            .await;
        let d = ticket(&app, spam.ticket.id).await;
        assert_eq!(d.ticket.status, TicketStatus::Closed);
        assert_eq!(d.ticket.tags, vec!["spam".to_string()]);

        let t = app.api.create_ticket(&customer.token, &new_ticket("Printer")).await;
        assert_eq!(t.ticket.status, TicketStatus::Open);
        let reply = PostMessage {
            body: "This is URGENT now".into(),
            version: t.ticket.version,
            status: None,
            attachment_ids: vec![],
        };
        let after: TicketDetail = ok_json(
            app.api
                .post_json(&customer.token, &format!("/tickets/{}/replies", t.ticket.id), &reply)
                .await,
        )
        .await;
        assert_eq!(after.ticket.priority, Priority::Urgent);

        let agent = app.new_user(Role::Agent).await;
        let resp = app
            .api
            .post_json(&agent.token, &format!("/tickets/{}/take", t.ticket.id), &json!({}))
            .await;
        assert!(
            resp.status().is_success(),
            "take: {}",
            resp.text().await.unwrap_or_default()
        );
        let d = ticket(&app, t.ticket.id).await;
        assert_eq!(d.ticket.assignee.as_ref().map(|a| a.id), Some(agent.id));
        assert_eq!(d.ticket.tags, vec!["assigned".to_string()]);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_rules_undoing_each_other_stop_and_the_history_says_so() {
    let app = spawn_app().await;
    let to_pending = create_rule(
        &app,
        json!({"name": "Park open tickets", "event": "status_changed",
               "conditions": [{"kind": "status", "value": "open"}],
               "actions": [{"kind": "set_status", "value": "pending"}]}),
    )
    .await;
    let to_open = create_rule(
        &app,
        json!({"name": "Reopen pending tickets", "event": "status_changed",
               "conditions": [{"kind": "status", "value": "pending"}],
               "actions": [{"kind": "set_status", "value": "open"}]}),
    )
    .await;
    let t = app.api.create_ticket(&app.admin.token, &new_ticket("Ping pong")).await;
    let resp = patch(&app, t.ticket.id, json!({"status": "pending"})).await;
    assert_eq!(
        resp.status(),
        200,
        "the request succeeds: {}",
        resp.text().await.unwrap_or_default()
    );
    let d = ticket(&app, t.ticket.id).await;
    // pending (agent) → open (reopen rule) → pending (park rule) → reopen rule stopped.
    assert_eq!(d.ticket.status, TicketStatus::Pending);
    let stops: Vec<_> = d.events.iter().filter(|e| e.field == "rule_loop_stopped").collect();
    assert_eq!(stops.len(), 1, "recorded once: {:?}", d.events);
    let why = stops[0].new_value.clone().unwrap_or_default();
    assert!(
        why.contains(&format!("(rule {})", to_open.id)) && why.contains("twice"),
        "{why}"
    );
    let lines = rule_lines(&d);
    assert_eq!(lines.len(), 2, "each rule fired once: {lines:?}");
    assert!(lines[0].contains(&format!("(rule {})", to_open.id)));
    assert!(lines[1].contains(&format!("(rule {})", to_pending.id)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_of_rule_caused_events_is_capped() {
    let app = spawn_app().await;
    // Step i: on a status change, a ticket tagged step{i} moves to step{i+1} and flips its
    // status, which is the next status change. Later steps come first in the list, so each
    // step runs one event deeper than the one before.
    for i in (1..=8).rev() {
        let next = if i % 2 == 1 { "open" } else { "pending" };
        create_rule(
            &app,
            json!({"name": format!("step {i}"), "event": "status_changed",
                   "conditions": [{"kind": "has_tag", "tag": format!("step{i}")}],
                   "actions": [{"kind": "remove_tag", "tag": format!("step{i}")},
                               {"kind": "add_tag", "tag": format!("step{}", i + 1)},
                               {"kind": "set_status", "value": next}]}),
        )
        .await;
    }
    let mut req = new_ticket("Deep chain");
    req.tags = vec!["step1".into()];
    let t = app.api.create_ticket(&app.admin.token, &req).await;
    let resp = patch(&app, t.ticket.id, json!({"status": "pending"})).await;
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap_or_default());
    let d = ticket(&app, t.ticket.id).await;
    // Steps 1–6 ran (depths 0–5); step 7 would be depth 6.
    assert_eq!(d.ticket.tags, vec!["step7".to_string()]);
    assert!(has_event(&d, "rule_chain_capped"), "{:?}", d.events);
    assert_eq!(d.ticket.status, TicketStatus::Pending);
}

async fn agents(app: &TestApp, n: usize) -> Vec<TestUser> {
    let mut v = Vec::new();
    for _ in 0..n {
        v.push(app.new_user(Role::Agent).await);
    }
    v.sort_by_key(|a| a.id);
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_robin_gives_each_agent_their_turn_and_least_loaded_picks_the_idlest() {
    let app = spawn_app().await;
    let team = agents(&app, 3).await;
    let ids: Vec<i64> = team.iter().map(|a| a.id).collect();
    let sales = category(&app, "Sales", &ids).await;
    create_rule(
        &app,
        json!({"name": "Rotate sales", "event": "ticket_created",
               "conditions": [{"kind": "category", "id": sales.id}],
               "actions": [{"kind": "assign_round_robin"}]}),
    )
    .await;
    let mut got = Vec::new();
    for i in 0..6 {
        let mut req = new_ticket(&format!("Lead {i}"));
        req.category_id = Some(sales.id);
        let t = app.api.create_ticket(&app.admin.token, &req).await;
        got.push(
            ticket(&app, t.ticket.id)
                .await
                .ticket
                .assignee
                .as_ref()
                .map(|a| a.id)
                .expect("assigned"),
        );
    }
    assert_eq!(got, [ids.clone(), ids.clone()].concat(), "in rotation, two each");
    // The pointer is in the database: a second node continues the rotation.
    let node = app.spawn_node().await;
    let mut req = new_ticket("Lead 6");
    req.category_id = Some(sales.id);
    let t = node.api.create_ticket(&app.admin.token, &req).await;
    assert_eq!(
        ticket(&app, t.ticket.id).await.ticket.assignee.as_ref().map(|a| a.id),
        Some(ids[0])
    );

    let pair = agents(&app, 2).await;
    let support = category(&app, "Support", &[pair[0].id, pair[1].id]).await;
    let busy = app.api.create_ticket(&app.admin.token, &new_ticket("Busy work")).await;
    let resp = patch(&app, busy.ticket.id, json!({"assignee_id": pair[0].id})).await;
    assert_eq!(resp.status(), 200);
    create_rule(
        &app,
        json!({"name": "Least loaded support", "event": "ticket_created",
               "conditions": [{"kind": "category", "id": support.id}],
               "actions": [{"kind": "assign_least_loaded"}]}),
    )
    .await;
    let mut req = new_ticket("Help");
    req.category_id = Some(support.id);
    let t = app.api.create_ticket(&app.admin.token, &req).await;
    let d = ticket(&app, t.ticket.id).await;
    assert_eq!(
        d.ticket.assignee.as_ref().map(|a| a.id),
        Some(pair[1].id),
        "the agent without open tickets"
    );
    assert!(
        rule_lines(&d).iter().any(|l| l.contains("least loaded")),
        "{:?}",
        rule_lines(&d)
    );
}

both_backends!(
    a_dry_run_reports_matches_and_changes_nothing,
    |app: TestApp| async move {
        let admin = &app.admin.token;
        let t = app.api.create_ticket(admin, &new_ticket("Database outage")).await;
        let matching = create_rule(
            &app,
            json!({"name": "Outages", "event": "ticket_created",
                   "conditions": [{"kind": "subject", "op": "contains", "value": "outage"}],
                   "actions": [{"kind": "set_priority", "value": "urgent"}, {"kind": "close"}]}),
        )
        .await;
        let other = create_rule(
            &app,
            json!({"name": "Billing", "event": "ticket_created",
                   "conditions": [{"kind": "subject", "op": "contains", "value": "invoice"}],
                   "actions": [{"kind": "add_tag", "tag": "billing"}]}),
        )
        .await;
        let before = ticket(&app, t.ticket.id).await;
        let result: DryRunResult = ok_json(
            app.api
                .post_json(admin, "/admin/rules/dry-run", &json!({"ticket_id": t.ticket.id}))
                .await,
        )
        .await;
        assert_eq!(result.rules.len(), 2);
        assert_eq!(result.rules[0].rule_id, matching.id);
        assert!(result.rules[0].matched);
        assert_eq!(result.rules[0].actions, matching.actions);
        assert_eq!(result.rules[1].rule_id, other.id);
        assert!(!result.rules[1].matched && result.rules[1].actions.is_empty());
        let only: DryRunResult = ok_json(
            app.api
                .post_json(
                    admin,
                    "/admin/rules/dry-run",
                    &json!({"ticket_id": t.ticket.id, "rule_id": other.id}),
                )
                .await,
        )
        .await;
        assert_eq!(only.rules.len(), 1);
        assert_eq!(ticket(&app, t.ticket.id).await, before, "nothing changed");

        let body = expect_error(
            app.api
                .post_json(admin, "/admin/rules/dry-run", &json!({"ticket_id": 999_999}))
                .await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        assert!(body.message.starts_with("ticket_id"), "{}", body.message);
    }
);
