//! Merging a duplicate into another ticket, splitting a message off, logging time, and the
//! threading rule each inbound mail carries for agents (never for customers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::client::{expect_error, new_ticket, ok_json};
use maildesk_tests::mail::mail;
use maildesk_tests::{TestApp, both_backends};
use protocol::{
    ErrorCode, LogTime, MergeTicket, MessageKind, PostMessage, Role, SplitMessage, TicketDetail, TicketStatus,
};

async fn customer_ticket(app: &TestApp, subject: &str) -> (maildesk_tests::TestUser, TicketDetail) {
    let c = app.new_user(Role::Customer).await;
    let t = app.api.create_ticket(&c.token, &new_ticket(subject)).await;
    (c, t)
}

both_backends!(
    merging_moves_the_thread_and_the_people_and_closes_the_duplicate,
    |app: TestApp| async move {
        let (carl, keep) = customer_ticket(&app, "Printer broken").await;
        let (dora, dup) = customer_ticket(&app, "Printer still broken").await;
        let merged: TicketDetail = ok_json(
            app.api
                .post_json(
                    &app.admin.token,
                    &format!("/tickets/{}/merge", dup.ticket.id),
                    &MergeTicket {
                        into_ticket_id: keep.ticket.id,
                        version: dup.ticket.version,
                    },
                )
                .await,
        )
        .await;
        assert_eq!(merged.ticket.id, keep.ticket.id);
        assert_eq!(merged.messages.len(), 2, "both threads in one");
        assert!(
            merged.subscribers.iter().any(|s| s.email == dora.email),
            "the duplicate's requester follows"
        );
        assert!(merged.events.iter().any(|e| e.field == "merged_from"));
        let old = app.api.ticket(&app.admin.token, dup.ticket.id).await;
        assert_eq!(old.ticket.status, TicketStatus::Closed);
        assert!(old.messages.is_empty());
        assert!(old.events.iter().any(|e| e.field == "merged_into"));
        // A stale version is refused; customers cannot merge; nor into itself.
        let stale = app
            .api
            .post_json(
                &app.admin.token,
                &format!("/tickets/{}/merge", dup.ticket.id),
                &MergeTicket {
                    into_ticket_id: keep.ticket.id,
                    version: dup.ticket.version,
                },
            )
            .await;
        assert!(stale.status() == 409 || stale.status() == 422, "{}", stale.status());
        expect_error(
            app.api
                .post_json(
                    &carl.token,
                    &format!("/tickets/{}/merge", keep.ticket.id),
                    &MergeTicket {
                        into_ticket_id: dup.ticket.id,
                        version: 1,
                    },
                )
                .await,
            403,
            ErrorCode::Forbidden,
        )
        .await;
        expect_error(
            app.api
                .post_json(
                    &app.admin.token,
                    &format!("/tickets/{}/merge", keep.ticket.id),
                    &MergeTicket {
                        into_ticket_id: keep.ticket.id,
                        version: merged.ticket.version,
                    },
                )
                .await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
    }
);

both_backends!(
    splitting_moves_one_message_into_a_new_ticket,
    |app: TestApp| async move {
        let (carl, t) = customer_ticket(&app, "Two problems").await;
        let t = app.api.ticket(&carl.token, t.ticket.id).await;
        let second: TicketDetail = ok_json(
            app.api
                .post_json(
                    &carl.token,
                    &format!("/tickets/{}/replies", t.ticket.id),
                    &PostMessage {
                        body: "Also, the scanner is dead".into(),
                        version: t.ticket.version,
                        ..Default::default()
                    },
                )
                .await,
        )
        .await;
        let m = second.messages.last().unwrap().clone();
        let resp = app
            .api
            .post_json(
                &app.admin.token,
                &format!("/tickets/{}/split", t.ticket.id),
                &SplitMessage {
                    message_id: m.id,
                    version: second.ticket.version,
                },
            )
            .await;
        assert_eq!(resp.status(), 201);
        let new: TicketDetail = resp.json().await.unwrap();
        assert_ne!(new.ticket.id, t.ticket.id);
        assert_eq!(new.ticket.requester.id, carl.id, "the customer's mail stays theirs");
        assert_eq!(new.messages.len(), 1);
        assert_eq!(new.messages[0].body_text, "Also, the scanner is dead");
        let old = app.api.ticket(&app.admin.token, t.ticket.id).await;
        assert!(old.messages.iter().all(|x| x.id != m.id));
        assert!(old.events.iter().any(|e| e.field == "split_into"));
        // The customer sees both of their tickets.
        let mine = app.api.ticket_ids(&carl.token).await;
        assert!(mine.contains(&new.ticket.id) && mine.contains(&t.ticket.id));
        // The last message cannot be split off.
        let only = new.messages[0].id;
        expect_error(
            app.api
                .post_json(
                    &app.admin.token,
                    &format!("/tickets/{}/split", new.ticket.id),
                    &SplitMessage {
                        message_id: only,
                        version: new.ticket.version,
                    },
                )
                .await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
    }
);

both_backends!(time_spent_adds_up_for_staff_only, |app: TestApp| async move {
    let (carl, t) = customer_ticket(&app, "Slow one").await;
    let agent = app.new_user(Role::Agent).await;
    for (who, minutes, note) in [(&app.admin, 15, None), (&agent, 30, Some("  phone call with Carl "))] {
        let d: TicketDetail = ok_json(
            app.api
                .post_json(
                    &who.token,
                    &format!("/tickets/{}/time", t.ticket.id),
                    &LogTime {
                        minutes,
                        note: note.map(String::from),
                    },
                )
                .await,
        )
        .await;
        assert!(d.events.iter().any(|e| e.field == "time_spent"));
    }
    assert_eq!(
        app.api
            .ticket(&app.admin.token, t.ticket.id)
            .await
            .ticket
            .time_spent_minutes,
        45
    );
    let entries: Vec<protocol::TimeEntry> = ok_json(
        app.api
            .get(&app.admin.token, &format!("/tickets/{}/time", t.ticket.id))
            .await,
    )
    .await;
    let seen: Vec<(Option<i64>, i64, &str)> = entries
        .iter()
        .map(|e| (e.user_id, e.minutes, e.note.as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (Some(app.admin.id), 15, ""),
            (Some(agent.id), 30, "phone call with Carl")
        ]
    );
    assert!(entries[1].user_name.is_some());
    let too_long = LogTime {
        minutes: 5,
        note: Some("x".repeat(501)),
    };
    expect_error(
        app.api
            .post_json(&app.admin.token, &format!("/tickets/{}/time", t.ticket.id), &too_long)
            .await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    expect_error(
        app.api
            .get(&carl.token, &format!("/tickets/{}/time", t.ticket.id))
            .await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
    expect_error(
        app.api
            .post_json(
                &app.admin.token,
                &format!("/tickets/{}/time", t.ticket.id),
                &LogTime { minutes: 0, note: None },
            )
            .await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    expect_error(
        app.api
            .post_json(
                &carl.token,
                &format!("/tickets/{}/time", t.ticket.id),
                &LogTime { minutes: 5, note: None },
            )
            .await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
});

both_backends!(
    agents_see_why_a_mail_joined_the_ticket_customers_do_not,
    |app: TestApp| async move {
        let mb = app
            .mailbox(&format!("support-{}@example.test", uuid::Uuid::new_v4().simple()))
            .await;
        let carl = format!("carl-{}@example.test", uuid::Uuid::new_v4().simple());
        let first = format!("{}@client.example.test", uuid::Uuid::new_v4().simple());
        let raw = mail(&carl, &mb.mailbox.address, "Why joined")
            .message_id(&first)
            .build();
        let t = app.deliver(&mb, &raw).await.ticket_id.unwrap();
        let again = mail(&carl, &mb.mailbox.address, "Re: Why joined")
            .message_id(&format!("{}@client.example.test", uuid::Uuid::new_v4().simple()))
            .in_reply_to(&first)
            .build();
        assert_eq!(app.deliver(&mb, &again).await.ticket_id, Some(t));
        let staff = app.api.ticket(&app.admin.token, t).await;
        let rules: Vec<_> = staff
            .messages
            .iter()
            .filter(|m| m.kind == MessageKind::Customer)
            .map(|m| m.thread_rule.clone())
            .collect();
        assert_eq!(rules, vec![Some("new".to_owned()), Some("in_reply_to".to_owned())]);
        // The requester (an account created from the mail) sees no rule.
        let me = app
            .api
            .post_json(
                &app.admin.token,
                "/users",
                &serde_json::json!({ "email": format!("x-{}", carl), "name": "x", "role": "customer" }),
            )
            .await;
        assert!(me.status().is_success());
        let detail = maildesk::tickets::queries::detail(
            app.ctx.db(),
            &maildesk::tickets::access::Scope::Customer {
                user_id: staff.ticket.requester.id,
                company_id: None,
                only_ticket: None,
            },
            t,
        )
        .await
        .unwrap();
        assert!(detail.messages.iter().all(|m| m.thread_rule.is_none()));
    }
);

both_backends!(
    the_requester_rates_a_closed_ticket_from_the_portal,
    |app: TestApp| async move {
        let (carl, t) = customer_ticket(&app, "Rate me").await;
        let rate = |token: String, rating: &'static str| {
            let api = app.api.clone();
            async move {
                api.post_json(
                    &token,
                    &format!("/tickets/{}/rating", t.ticket.id),
                    &serde_json::json!({ "rating": rating }),
                )
                .await
            }
        };
        expect_error(rate(carl.token.clone(), "good").await, 422, ErrorCode::ValidationFailed).await;
        let d = app.api.ticket(&app.admin.token, t.ticket.id).await;
        let _: TicketDetail = ok_json(
            app.api
                .patch_json(
                    &app.admin.token,
                    &format!("/tickets/{}", t.ticket.id),
                    &protocol::UpdateTicket {
                        version: d.ticket.version,
                        status: Some(TicketStatus::Closed),
                        ..Default::default()
                    },
                )
                .await,
        )
        .await;
        let rated: TicketDetail = ok_json(rate(carl.token.clone(), "bad").await).await;
        assert_eq!(rated.ticket.rating.as_deref(), Some("bad"));
        let rated: TicketDetail = ok_json(rate(carl.token.clone(), "good").await).await;
        assert_eq!(rated.ticket.rating.as_deref(), Some("good"), "the last answer counts");
        let with_comment = serde_json::json!({ "rating": "ok", "comment": "  Took a while, but solved. " });
        let rated: TicketDetail = ok_json(
            app.api
                .post_json(&carl.token, &format!("/tickets/{}/rating", t.ticket.id), &with_comment)
                .await,
        )
        .await;
        assert_eq!(rated.ticket.rating.as_deref(), Some("ok"));
        assert_eq!(
            rated.ticket.rating_comment.as_deref(),
            Some("Took a while, but solved.")
        );
        let rated: TicketDetail = ok_json(rate(carl.token.clone(), "good").await).await;
        assert_eq!(
            rated.ticket.rating_comment.as_deref(),
            Some("Took a while, but solved."),
            "a rating without a comment keeps the comment"
        );
        let long = serde_json::json!({ "rating": "bad", "comment": "x".repeat(2001) });
        expect_error(
            app.api
                .post_json(&carl.token, &format!("/tickets/{}/rating", t.ticket.id), &long)
                .await,
            422,
            ErrorCode::ValidationFailed,
        )
        .await;
        let unchanged = app.api.ticket(&app.admin.token, t.ticket.id).await;
        assert_eq!(
            unchanged.ticket.rating.as_deref(),
            Some("good"),
            "a refused rating changes nothing"
        );
        expect_error(rate(app.admin.token.clone(), "ok").await, 403, ErrorCode::Forbidden).await;
        expect_error(rate(carl.token.clone(), "superb").await, 400, ErrorCode::InvalidJson).await;
    }
);
