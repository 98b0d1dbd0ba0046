//! Twenty agents take one unassigned ticket at the same instant: exactly one wins, every other
//! one is told who did, and the history records a single take.

use std::sync::Arc;

use maildesk_tests::client::new_ticket;
use maildesk_tests::{TestApp, both_backends};
use protocol::{ErrorBody, ErrorCode, Role, TicketDetail};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

const AGENTS: usize = 20;

both_backends!(
    twenty_agents_take_one_ticket_and_exactly_one_wins,
    |app: TestApp| async move {
        let mut agents = Vec::with_capacity(AGENTS);
        for _ in 0..AGENTS {
            agents.push(app.new_user(Role::Agent).await);
        }
        let customer = app.new_user(Role::Customer).await;
        let t = app
            .api
            .create_ticket(&customer.token, &new_ticket("Who takes me?"))
            .await
            .ticket;
        assert!(t.assignee.is_none());

        // All twenty tasks are spawned and waiting before any request is sent.
        let start = Arc::new(Barrier::new(AGENTS));
        let mut set = JoinSet::new();
        for agent in agents.iter().cloned() {
            let (api, start, path) = (app.api.clone(), start.clone(), format!("/tickets/{}/take", t.id));
            set.spawn(async move {
                start.wait().await;
                let resp = api.post_json(&agent.token, &path, &serde_json::json!({})).await;
                let status = resp.status().as_u16();
                (agent.id, status, resp.text().await.expect("body"))
            });
        }
        let mut results = Vec::with_capacity(AGENTS);
        while let Some(r) = set.join_next().await {
            results.push(r.expect("task"));
        }
        assert_eq!(results.len(), AGENTS);

        let statuses: Vec<u16> = results.iter().map(|(_, s, _)| *s).collect();
        let winners: Vec<_> = results.iter().filter(|(_, s, _)| *s == 200).collect();
        assert_eq!(winners.len(), 1, "exactly one take must succeed: {statuses:?}");
        let (winner, _, body) = winners[0];
        let won: TicketDetail = serde_json::from_str(body).expect("ticket detail");
        let holder = won.ticket.assignee.clone().expect("the winner holds the ticket");
        assert_eq!(holder.id, *winner);

        for (agent, status, text) in results.iter().filter(|(id, _, _)| id != winner) {
            assert_eq!(*status, 409, "agent {agent}: {text}");
            let err: ErrorBody = serde_json::from_str(text).unwrap_or_else(|e| panic!("agent {agent}: {text:?}: {e}"));
            assert_eq!(err.code, ErrorCode::Conflict, "agent {agent}: {text}");
            assert!(
                err.message.contains(&holder.name),
                "agent {agent}: {:?} should name {:?}",
                err.message,
                holder.name
            );
            // The refusal carries the ticket as it is now, holder included.
            let current = err
                .current
                .as_ref()
                .unwrap_or_else(|| panic!("agent {agent}: no current ticket"));
            assert_eq!(current.assignee.as_ref().map(|a| a.id), Some(*winner));
        }

        let after = app.api.ticket(&app.admin.token, t.id).await;
        assert_eq!(after.ticket.assignee.map(|a| a.id), Some(*winner));
        assert_eq!(
            after.ticket.version,
            t.version + 1,
            "only the winning take changed the ticket"
        );
        let taken: Vec<_> = after.events.iter().filter(|e| e.field == "taken").collect();
        assert_eq!(taken.len(), 1, "{:?}", after.events);
        assert_eq!(taken[0].actor.as_ref().map(|a| a.id), Some(*winner));
        assert_eq!(taken[0].new_value.as_deref(), Some(winner.to_string().as_str()));
    }
);
