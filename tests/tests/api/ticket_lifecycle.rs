//! A ticket's life through the API: created by a customer, answered, noted, changed, resolved;
//! every change audited; stale writes refused.

use maildesk_tests::client::{expect_error, new_ticket, ok_json};
use maildesk_tests::{TestApp, both_backends};
use protocol::{ErrorCode, MessageKind, PostMessage, Priority, Role, TicketDetail, TicketStatus, UpdateTicket};

fn post(body: &str, version: i64) -> PostMessage {
    PostMessage {
        body: body.into(),
        version,
        status: None,
        attachment_ids: vec![],
    }
}

both_backends!(
    customer_ticket_is_answered_resolved_and_audited,
    |app: TestApp| async move {
        let customer = app.new_user(Role::Customer).await;
        let agent = app.new_user(Role::Agent).await;

        let created = app
            .api
            .create_ticket(&customer.token, &new_ticket("Printer on fire"))
            .await;
        let id = created.ticket.id;
        assert_eq!(created.ticket.status, TicketStatus::Open);
        assert_eq!(created.ticket.requester.id, customer.id);
        assert_eq!(created.messages.len(), 1);
        assert_eq!(created.messages[0].kind, MessageKind::Customer);

        let mut reply = post("We are on it.", created.ticket.version);
        reply.status = Some(TicketStatus::Pending);
        let replied: TicketDetail = ok_json(
            app.api
                .post_json(&agent.token, &format!("/tickets/{id}/replies"), &reply)
                .await,
        )
        .await;
        assert_eq!(replied.ticket.status, TicketStatus::Pending);
        assert!(replied.ticket.first_response_at.is_some());
        assert_eq!(replied.ticket.version, created.ticket.version + 1);

        let noted: TicketDetail = ok_json(
            app.api
                .post_json(
                    &agent.token,
                    &format!("/tickets/{id}/notes"),
                    &post("Customer is VIP", replied.ticket.version),
                )
                .await,
        )
        .await;
        assert_eq!(noted.messages.last().map(|m| m.kind), Some(MessageKind::Note));

        let update = UpdateTicket {
            version: noted.ticket.version,
            status: Some(TicketStatus::Resolved),
            priority: Some(Priority::High),
            tags: Some(vec!["Hardware".into(), "fire".into()]),
            ..Default::default()
        };
        let updated: TicketDetail = ok_json(
            app.api
                .patch_json(&agent.token, &format!("/tickets/{id}"), &update)
                .await,
        )
        .await;
        assert_eq!(updated.ticket.status, TicketStatus::Resolved);
        assert!(updated.ticket.resolved_at.is_some());
        assert_eq!(updated.ticket.priority, Priority::High);
        assert_eq!(updated.ticket.tags, vec!["fire".to_string(), "hardware".to_string()]);

        // The audit trail names each change and who made it.
        let names: Vec<String> = updated.events.iter().map(|e| e.field.to_string()).collect();
        let fields: Vec<(&str, Option<&str>)> = (updated.events.iter().zip(&names))
            .map(|(e, name)| (name.as_str(), e.new_value.as_deref()))
            .collect();
        assert!(fields.contains(&("created", Some("portal"))), "{fields:?}");
        assert!(fields.contains(&("status", Some("pending"))), "{fields:?}");
        assert!(fields.contains(&("status", Some("resolved"))), "{fields:?}");
        assert!(fields.contains(&("priority", Some("high"))), "{fields:?}");
        assert!(fields.contains(&("tags", Some("fire,hardware"))), "{fields:?}");
        assert!(
            updated
                .events
                .iter()
                .filter(|e| e.field != "created")
                .all(|e| e.actor.as_ref().map(|a| a.id) == Some(agent.id))
        );

        // The customer writes again: the ticket reopens, and they still see no note or history.
        let again: TicketDetail = ok_json(
            app.api
                .post_json(
                    &customer.token,
                    &format!("/tickets/{id}/replies"),
                    &post("Still burning", updated.ticket.version),
                )
                .await,
        )
        .await;
        assert_eq!(again.ticket.status, TicketStatus::Open);
        assert!(again.messages.iter().all(|m| m.kind != MessageKind::Note));
        assert!(again.events.is_empty());
    }
);

both_backends!(
    a_stale_version_is_refused_with_the_current_ticket,
    |app: TestApp| async move {
        let agent = app.new_user(Role::Agent).await;
        let t = app
            .api
            .create_ticket(&agent.token, &new_ticket("Conflict"))
            .await
            .ticket;
        let first = app
            .api
            .post_json(
                &agent.token,
                &format!("/tickets/{}/replies", t.id),
                &post("one", t.version),
            )
            .await;
        assert_eq!(first.status(), 200);
        let second = app
            .api
            .post_json(
                &agent.token,
                &format!("/tickets/{}/replies", t.id),
                &post("two", t.version),
            )
            .await;
        let body = expect_error(second, 409, ErrorCode::VersionConflict).await;
        let current = body.current.expect("conflict carries the current ticket");
        assert_eq!(current.version, t.version + 1);
        // Nothing of the refused write was kept.
        let detail = app.api.ticket(&agent.token, t.id).await;
        assert!(detail.messages.iter().all(|m| m.body_text != "two"));
    }
);
