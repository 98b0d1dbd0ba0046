//! Live collaboration across two server nodes sharing PostgreSQL and Redis: presence and
//! typing seen from the other node, a mail on one node showing up live on the other, presence
//! cleared on unsubscribe and on disconnect, and the rights check of every subscription.

use std::time::Duration;

use maildesk_tests::client::{expect_error, new_ticket, ok_json};
use maildesk_tests::live::{connect, try_connect};
use maildesk_tests::mail::mail;
use maildesk_tests::{Backend, TestApp, both_backends, spawn_app};
use protocol::live::{Activity, ChangeKind, ClientFrame, PresenceEntry, ServerFrame, Topic};
use protocol::{ErrorBody, ErrorCode, MessageKind, PostMessage, Role, TicketDetail};

const SOON: Duration = Duration::from_secs(5);

fn people_of(ticket: i64) -> impl FnMut(&ServerFrame) -> Option<Vec<PresenceEntry>> {
    move |f| match f {
        ServerFrame::Presence { ticket_id, people } if *ticket_id == ticket => Some(people.clone()),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn presence_and_typing_cross_nodes_and_leave_with_the_socket() {
    let a = spawn_app().await;
    let b = a.spawn_node().await;
    let ann = a.new_user(Role::Agent).await;
    let bob = a.new_user(Role::Agent).await;
    let customer = a.new_user(Role::Customer).await;
    let t = a
        .api
        .create_ticket(&customer.token, &new_ticket("Printer on fire"))
        .await
        .ticket;

    let mut bob_on_b = connect(b.port, &bob.token).await;
    bob_on_b.subscribe_ok(Topic::Ticket(t.id)).await;
    let mut ann_on_a = connect(a.port, &ann.token).await;
    ann_on_a.subscribe_ok(Topic::Ticket(t.id)).await;
    ann_on_a
        .send(&ClientFrame::Presence {
            ticket_id: t.id,
            activity: Some(Activity::Viewing),
        })
        .await;
    let mut people_seen = people_of(t.id);
    let viewing = bob_on_b
        .wait_for("Ann viewing, seen on node B", SOON, |f| {
            people_seen(f).filter(|p| p.iter().any(|e| e.user_id == ann.id))
        })
        .await;
    assert_eq!(viewing.len(), 1, "{viewing:?}");
    assert_eq!(viewing[0].activity, Activity::Viewing);

    // Ann opens a second tab on node B and types a reply there: one person, typing.
    let mut ann_tab2 = connect(b.port, &ann.token).await;
    ann_tab2.subscribe_ok(Topic::Ticket(t.id)).await;
    ann_tab2
        .send(&ClientFrame::Presence {
            ticket_id: t.id,
            activity: Some(Activity::TypingReply),
        })
        .await;
    let typing = bob_on_b
        .wait_for("Ann typing a reply", SOON, |f| {
            people_of(t.id)(f).filter(|p| p.iter().any(|e| e.activity == Activity::TypingReply))
        })
        .await;
    assert_eq!(typing.len(), 1, "two tabs of one person count once: {typing:?}");
    assert_eq!(typing[0].user_id, ann.id);
    // And Ann's first tab (node A) sees it too: the same people on every node.
    ann_on_a
        .wait_for("node A hears about the tab on node B", SOON, |f| {
            people_of(t.id)(f).filter(|p| p.iter().any(|e| e.activity == Activity::TypingReply))
        })
        .await;

    // The typing tab unsubscribes: Ann is back to viewing (her first tab).
    ann_tab2
        .send(&ClientFrame::Unsubscribe {
            topic: Topic::Ticket(t.id),
        })
        .await;
    let back = bob_on_b
        .wait_for("Ann back to viewing", SOON, |f| {
            people_of(t.id)(f).filter(|p| p.len() == 1 && p[0].activity == Activity::Viewing)
        })
        .await;
    assert_eq!(back[0].user_id, ann.id);

    // The first tab closes: Ann is gone, well within the 10 s presence TTL.
    ann_on_a.close().await;
    let started = std::time::Instant::now();
    bob_on_b
        .wait_for("Ann gone after closing her tab", Duration::from_secs(10), |f| {
            people_of(t.id)(f).filter(|p| p.is_empty())
        })
        .await;
    assert!(started.elapsed() < Duration::from_secs(10));
    ann_tab2.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_connection_cut_without_goodbye_loses_its_presence_within_ten_seconds() {
    let a = spawn_app().await;
    let b = a.spawn_node().await;
    let ann = a.new_user(Role::Agent).await;
    let bob = a.new_user(Role::Agent).await;
    let t = a
        .api
        .create_ticket(&a.admin.token, &new_ticket("Cut cable"))
        .await
        .ticket;
    let mut bob_on_b = connect(b.port, &bob.token).await;
    bob_on_b.subscribe_ok(Topic::Ticket(t.id)).await;
    let mut ann_on_a = connect(a.port, &ann.token).await;
    ann_on_a.subscribe_ok(Topic::Ticket(t.id)).await;
    ann_on_a
        .send(&ClientFrame::Presence {
            ticket_id: t.id,
            activity: Some(Activity::TypingNote),
        })
        .await;
    bob_on_b
        .wait_for("Ann typing a note", SOON, |f| {
            people_of(t.id)(f).filter(|p| !p.is_empty())
        })
        .await;
    // Ann's client stops reading and answering (the stream is kept open but never polled,
    // so no pong goes back): the server must give up on her within 10 s.
    let silent = ann_on_a.abandon();
    let started = std::time::Instant::now();
    bob_on_b
        .wait_for("Ann's presence dropped", Duration::from_secs(14), |f| {
            people_of(t.id)(f).filter(|p| p.is_empty())
        })
        .await;
    let took = started.elapsed();
    assert!(took <= Duration::from_secs(11), "took {took:?}");
    drop(silent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mail_on_node_a_shows_up_live_on_node_b() {
    let a = spawn_app().await;
    let b = a.spawn_node().await;
    let agent = a.new_user(Role::Agent).await;
    let mut on_b = connect(b.port, &agent.token).await;
    on_b.subscribe_ok(Topic::Queue).await;
    let mb = a.mailbox("help@example.test").await;
    let first_id = format!("{}@customer.test", uuid::Uuid::new_v4().simple());
    let raw = mail("pat@customer.test", "help@example.test", "Live from node A")
        .message_id(&first_id)
        .body("Hello, is anybody there?")
        .build();
    let accepted = a.deliver(&mb, &raw).await;
    let ticket_id = accepted.ticket_id.expect("a ticket was made");
    let (change, subject, message) = on_b
        .wait_for("the new ticket on node B", SOON, |f| match f {
            ServerFrame::Ticket {
                change,
                ticket,
                message,
                topic: Topic::Queue,
                ..
            } if ticket.id == ticket_id => Some((*change, ticket.subject.clone(), message.clone())),
            _ => None,
        })
        .await;
    assert_eq!(change, ChangeKind::Created);
    assert_eq!(subject, "Live from node A");
    assert!(message.is_some_and(|m| m.body_text.contains("anybody there")));

    // A reply by mail threads in and is published as a message, once.
    let reply = mail("pat@customer.test", "help@example.test", "Re: Live from node A")
        .message_id(&format!("{}@customer.test", uuid::Uuid::new_v4().simple()))
        .in_reply_to(&first_id)
        .body("Still waiting")
        .build();
    a.deliver(&mb, &reply).await;
    let kind = on_b
        .wait_for("the threaded reply", SOON, |f| match f {
            ServerFrame::Ticket {
                change: ChangeKind::Message,
                ticket,
                message: Some(m),
                ..
            } if ticket.id == ticket_id => Some(m.kind),
            _ => None,
        })
        .await;
    assert_eq!(kind, MessageKind::Customer);
    // Delivered again (a redelivery): nothing new is applied, so nothing is published.
    a.deliver(&mb, &reply).await;
    on_b.expect_none(
        "a duplicate mail published again",
        Duration::from_millis(800),
        |f| matches!(f, ServerFrame::Ticket { ticket, .. } if ticket.id == ticket_id),
    )
    .await;
}

both_backends!(sockets_need_a_valid_token, |app: TestApp| async move {
    for token in [None, Some("not-a-token"), Some("eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl")] {
        match try_connect(app.port, token).await {
            Ok(_) => panic!("a socket was opened with {token:?}"),
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                assert_eq!(resp.status(), 401, "{token:?}");
            }
            Err(e) => panic!("{token:?}: expected a 401 answer, got {e}"),
        }
    }
    // A refresh token is not an access token.
    let tokens = app
        .api
        .login_ok(maildesk_tests::ADMIN_EMAIL, maildesk_tests::ADMIN_PASSWORD)
        .await;
    assert!(try_connect(app.port, Some(&tokens.refresh_token)).await.is_err());
    assert!(try_connect(app.port, Some(&tokens.access_token)).await.is_ok());
});

both_backends!(
    customers_hear_only_about_their_own_tickets_and_never_about_notes,
    |app: TestApp| async move {
        let agent = app.new_user(Role::Agent).await;
        let alice = app.new_user(Role::Customer).await;
        let mallory = app.new_user(Role::Customer).await;
        let mine = app
            .api
            .create_ticket(&alice.token, &new_ticket("Alice's problem"))
            .await
            .ticket;
        let theirs = app
            .api
            .create_ticket(&mallory.token, &new_ticket("Mallory's"))
            .await
            .ticket;

        let mut alice_ws = connect(app.port, &alice.token).await;
        assert_eq!(
            alice_ws.subscribe(Topic::Ticket(theirs.id)).await,
            Err("not_found".into()),
            "another customer's ticket"
        );
        assert_eq!(alice_ws.subscribe(Topic::Dashboard).await, Err("forbidden".into()));
        alice_ws.subscribe_ok(Topic::Ticket(mine.id)).await;
        alice_ws.subscribe_ok(Topic::Queue).await;
        let mut agent_ws = connect(app.port, &agent.token).await;
        agent_ws.subscribe_ok(Topic::Ticket(mine.id)).await;
        assert_eq!(agent_ws.subscribe(Topic::Dashboard).await, Err("forbidden".into()));

        // An internal note: the agent's socket hears it, Alice's never does.
        let secret = "the customer is a known fraudster";
        let note = PostMessage {
            body: secret.into(),
            version: mine.version,
            ..Default::default()
        };
        let after_note: TicketDetail = ok_json(
            app.api
                .post_json(&agent.token, &format!("/tickets/{}/notes", mine.id), &note)
                .await,
        )
        .await;
        let seen = agent_ws
            .wait_for("the note on the agent's socket", SOON, |f| match f {
                ServerFrame::Ticket {
                    change: ChangeKind::Note,
                    message: Some(m),
                    ..
                } => Some(m.body_text.clone()),
                _ => None,
            })
            .await;
        assert_eq!(seen, secret);

        // Agent presence: Alice may learn only that an agent is replying, never who.
        agent_ws
            .send(&ClientFrame::Presence {
                ticket_id: mine.id,
                activity: Some(Activity::TypingReply),
            })
            .await;
        alice_ws
            .wait_for("an agent is replying", SOON, |f| match f {
                ServerFrame::AgentReplying {
                    ticket_id,
                    replying: true,
                } if *ticket_id == mine.id => Some(()),
                _ => None,
            })
            .await;

        let reply = PostMessage {
            body: "We are on it".into(),
            version: after_note.ticket.version,
            ..Default::default()
        };
        ok_json::<TicketDetail>(
            app.api
                .post_json(&agent.token, &format!("/tickets/{}/replies", mine.id), &reply)
                .await,
        )
        .await;
        let got = alice_ws
            .wait_for("the public reply", SOON, |f| match f {
                ServerFrame::Ticket {
                    change: ChangeKind::Message,
                    message: Some(m),
                    ticket,
                    ..
                } if ticket.id == mine.id => Some(m.body_text.clone()),
                _ => None,
            })
            .await;
        assert_eq!(got, "We are on it");
        // Mallory's ticket changes: Alice's queue hears nothing of it.
        ok_json::<TicketDetail>(
            app.api
                .post_json(
                    &agent.token,
                    &format!("/tickets/{}/replies", theirs.id),
                    &PostMessage {
                        body: "For Mallory".into(),
                        version: theirs.version,
                        ..Default::default()
                    },
                )
                .await,
        )
        .await;
        alice_ws
            .expect_none("anything Alice may not know", Duration::from_millis(800), |f| {
                let text = serde_json::to_string(f).unwrap_or_default();
                text.contains(secret)
                    || matches!(f, ServerFrame::Presence { .. })
                    || matches!(f, ServerFrame::Ticket { ticket, .. } if ticket.id == theirs.id)
                    || matches!(
                        f,
                        ServerFrame::Ticket {
                            change: ChangeKind::Note,
                            ..
                        }
                    )
            })
            .await;
        // Customers do not broadcast presence of their own.
        alice_ws
            .send(&ClientFrame::Presence {
                ticket_id: mine.id,
                activity: Some(Activity::Viewing),
            })
            .await;
        alice_ws
            .wait_for("a refusal", SOON, |f| {
                matches!(f, ServerFrame::Error { code, .. } if code == "forbidden").then_some(())
            })
            .await;
        // Garbage frames get an error, and the socket stays usable.
        alice_ws.send_text("{\"type\":\"launch_missiles\"}").await;
        alice_ws
            .wait_for("invalid_frame", SOON, |f| {
                matches!(f, ServerFrame::Error { code, .. } if code == "invalid_frame").then_some(())
            })
            .await;
        alice_ws
            .send(&ClientFrame::Ping {
                nonce: Some("n1".into()),
            })
            .await;
        alice_ws
            .wait_for("pong", SOON, |f| {
                matches!(f, ServerFrame::Pong { nonce: Some(n) } if n == "n1").then_some(())
            })
            .await;
    }
);

both_backends!(
    a_reply_written_against_an_old_version_is_refused_with_what_came_after,
    |app: TestApp| async move {
        let agent = app.new_user(Role::Agent).await;
        let customer = app.new_user(Role::Customer).await;
        let t = app.api.create_ticket(&customer.token, &new_ticket("Race")).await.ticket;
        // The agent opens the ticket (version v) and starts typing; meanwhile the customer writes.
        let seen = t.version;
        let customer_msg = PostMessage {
            body: "Actually, it is fixed now".into(),
            version: seen,
            ..Default::default()
        };
        ok_json::<TicketDetail>(
            app.api
                .post_json(&customer.token, &format!("/tickets/{}/replies", t.id), &customer_msg)
                .await,
        )
        .await;
        // A colleague's internal note lands too.
        let colleague = app.new_user(Role::Agent).await;
        let now = app.api.ticket(&colleague.token, t.id).await.ticket.version;
        ok_json::<TicketDetail>(
            app.api
                .post_json(
                    &colleague.token,
                    &format!("/tickets/{}/notes", t.id),
                    &PostMessage {
                        body: "I think it is the toner".into(),
                        version: now,
                        ..Default::default()
                    },
                )
                .await,
        )
        .await;
        let stale = PostMessage {
            body: "Have you tried turning it off and on?".into(),
            version: seen,
            ..Default::default()
        };
        let path = format!("/tickets/{}/replies", t.id);
        let err: ErrorBody = expect_error(
            app.api.post_json(&agent.token, &path, &stale).await,
            409,
            ErrorCode::VersionConflict,
        )
        .await;
        let bodies: Vec<&str> = err.new_messages.iter().map(|m| m.body_text.as_str()).collect();
        assert_eq!(bodies, ["Actually, it is fixed now", "I think it is the toner"]);
        let current = err.current.expect("the current ticket");
        assert!(current.version > seen);
        // The customer, writing against the old version too, never sees the note in theirs.
        let err: ErrorBody = expect_error(
            app.api
                .post_json(
                    &customer.token,
                    &path,
                    &PostMessage {
                        body: "again".into(),
                        version: seen,
                        ..Default::default()
                    },
                )
                .await,
            409,
            ErrorCode::VersionConflict,
        )
        .await;
        assert!(
            err.new_messages.iter().all(|m| m.kind != MessageKind::Note),
            "{:?}",
            err.new_messages
        );
        assert_eq!(err.new_messages.len(), 1);
        // Having reviewed them, the agent sends anyway against the version they now know.
        let again = PostMessage {
            version: current.version,
            ..stale
        };
        let done: TicketDetail = ok_json(app.api.post_json(&agent.token, &path, &again).await).await;
        assert_eq!(
            done.messages.last().map(|m| m.body_text.as_str()),
            Some("Have you tried turning it off and on?")
        );
    }
);

both_backends!(the_dashboard_moves_when_tickets_do, |app: TestApp| async move {
    let mut ws = connect(app.port, &app.admin.token).await;
    ws.subscribe_ok(Topic::Dashboard).await;
    let first = ws
        .wait_for("the first figures", SOON, |f| match f {
            ServerFrame::Dashboard { stats } => Some(stats.clone()),
            _ => None,
        })
        .await;
    let customer = app.new_user(Role::Customer).await;
    app.api.create_ticket(&customer.token, &new_ticket("One more")).await;
    let later = ws
        .wait_for("figures with the new ticket", SOON, |f| match f {
            ServerFrame::Dashboard { stats } if stats.open == first.open + 1 => Some(stats.clone()),
            _ => None,
        })
        .await;
    assert_eq!(later.unassigned, first.unassigned + 1);
    assert_eq!(later.new_today, first.new_today + 1);
    let uncategorised = later
        .by_category
        .iter()
        .find(|g| g.id.is_none())
        .expect("uncategorised group");
    assert!(uncategorised.open >= 1);
    // Created per day: 14 days, today last, one more than before.
    assert_eq!(later.per_day.len(), 14);
    let today = chrono::Utc::now().date_naive();
    assert_eq!(later.per_day.last().map(|d| d.date), Some(today));
    assert_eq!(
        later.per_day.last().map(|d| d.created),
        first.per_day.last().map(|d| d.created + 1)
    );

    // Agents online: the admin's socket; a second agent comes and goes.
    assert_eq!(first.agents_online, 1);
    let agent = app.new_user(Role::Agent).await;
    let other = connect(app.port, &agent.token).await;
    ws.wait_for("two agents online", SOON, |f| match f {
        ServerFrame::Dashboard { stats } if stats.agents_online == 2 => Some(()),
        _ => None,
    })
    .await;
    drop(other);
    ws.wait_for("one agent online again", SOON, |f| match f {
        ServerFrame::Dashboard { stats } if stats.agents_online == 1 => Some(()),
        _ => None,
    })
    .await;
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn take_is_announced_to_the_other_agents() {
    let app = maildesk_tests::spawn_app_on(Backend::Postgres).await;
    let ann = app.new_user(Role::Agent).await;
    let bob = app.new_user(Role::Agent).await;
    let t = app
        .api
        .create_ticket(&app.admin.token, &new_ticket("Take me"))
        .await
        .ticket;
    let mut bob_ws = connect(app.port, &bob.token).await;
    bob_ws.subscribe_ok(Topic::Queue).await;
    ok_json::<TicketDetail>(
        app.api
            .post_json(&ann.token, &format!("/tickets/{}/take", t.id), &serde_json::json!({}))
            .await,
    )
    .await;
    let holder = bob_ws
        .wait_for("the take", SOON, |f| match f {
            ServerFrame::Ticket {
                change: ChangeKind::Taken,
                ticket,
                actor_id,
                ..
            } if ticket.id == t.id => Some((ticket.assignee.as_ref().map(|a| a.id), *actor_id)),
            _ => None,
        })
        .await;
    assert_eq!(holder, (Some(ann.id), Some(ann.id)));
}

/// A change that is refused (a take against a stale version) is rolled back and publishes
/// nothing; the same take against the current version is announced once, after its commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_change_publishes_nothing() {
    let app = maildesk_tests::spawn_app_on(Backend::Postgres).await;
    let ann = app.new_user(Role::Agent).await;
    let bob = app.new_user(Role::Agent).await;
    let t = app
        .api
        .create_ticket(&app.admin.token, &new_ticket("Stale take"))
        .await
        .ticket;
    let mut bob_ws = connect(app.port, &bob.token).await;
    bob_ws.subscribe_ok(Topic::Queue).await;
    let take = |version: i64| serde_json::json!({ "version": version });
    expect_error(
        app.api
            .post_json(&ann.token, &format!("/tickets/{}/take", t.id), &take(t.version - 1))
            .await,
        409,
        ErrorCode::VersionConflict,
    )
    .await;
    bob_ws
        .expect_none(
            "an event for the refused take",
            Duration::from_millis(800),
            |f| matches!(f, ServerFrame::Ticket { ticket, .. } if ticket.id == t.id),
        )
        .await;
    ok_json::<TicketDetail>(
        app.api
            .post_json(&ann.token, &format!("/tickets/{}/take", t.id), &take(t.version))
            .await,
    )
    .await;
    let taken = bob_ws
        .wait_for("the take", SOON, |f| match f {
            ServerFrame::Ticket {
                change: ChangeKind::Taken,
                ticket,
                ..
            } if ticket.id == t.id => Some(ticket.assignee.as_ref().map(|a| a.id)),
            _ => None,
        })
        .await;
    assert_eq!(taken, Some(ann.id));
}
