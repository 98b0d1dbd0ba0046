//! Redis stopped and started again under two running nodes: each node keeps serving its own
//! sockets meanwhile, and afterwards the nodes resubscribe, tell their clients to resync,
//! events flow between them again and presence converges, all without a restart.

use std::time::Duration;

use maildesk_tests::client::new_ticket;
use maildesk_tests::live::{Live, connect};
use maildesk_tests::redis_server::OwnRedis;
use maildesk_tests::{Backend, spawn_app_with};
use protocol::live::{Activity, ClientFrame, ServerFrame, Topic};
use protocol::{Role, Ticket};

async fn sees_ticket(ws: &mut Live, subject: &str, within: Duration) -> i64 {
    ws.wait_for(&format!("ticket {subject:?}"), within, |f| match f {
        ServerFrame::Ticket { ticket, .. } if ticket.subject == subject => Some(ticket.id),
        _ => None,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_ride_out_a_redis_restart() {
    let mut redis = OwnRedis::start();
    let url = redis.url();
    let a = spawn_app_with(Backend::Postgres, |s| s.redis.url = url.clone().into()).await;
    let b = a.spawn_node_with(|s| s.redis.url = url.clone().into()).await;
    let ann = a.new_user(Role::Agent).await;
    let bob = a.new_user(Role::Agent).await;
    let mut ann_on_a = connect(a.port, &ann.token).await;
    let mut bob_on_b = connect(b.port, &bob.token).await;
    ann_on_a.subscribe_ok(Topic::Queue).await;
    bob_on_b.subscribe_ok(Topic::Queue).await;
    let t: Ticket = a
        .api
        .create_ticket(&a.admin.token, &new_ticket("Before the outage"))
        .await
        .ticket;
    sees_ticket(&mut bob_on_b, "Before the outage", Duration::from_secs(5)).await;
    for ws in [&mut ann_on_a, &mut bob_on_b] {
        ws.subscribe_ok(Topic::Ticket(t.id)).await;
    }
    ann_on_a
        .send(&ClientFrame::Presence {
            ticket_id: t.id,
            activity: Some(Activity::TypingReply),
        })
        .await;
    bob_on_b
        .wait_for("Ann typing, before the outage", Duration::from_secs(5), |f| match f {
            ServerFrame::Presence { people, .. } if people.iter().any(|p| p.user_id == ann.id) => Some(()),
            _ => None,
        })
        .await;

    redis.stop();
    // Node A still serves its own sockets: a change made on A reaches Ann on A.
    a.api
        .create_ticket(&a.admin.token, &new_ticket("During the outage"))
        .await;
    sees_ticket(&mut ann_on_a, "During the outage", Duration::from_secs(5)).await;

    redis.resume();
    // B's listener resubscribes and tells its clients to resync what they missed.
    let reason = bob_on_b
        .wait_for(
            "a resync after the link is back",
            Duration::from_secs(15),
            |f| match f {
                ServerFrame::Resync { reason } => Some(reason.clone()),
                _ => None,
            },
        )
        .await;
    assert!(!reason.is_empty());
    // Events flow between the nodes again (A's publisher reconnects too: retry until one lands).
    let mut delivered = false;
    for i in 0..20 {
        let subject = format!("After the outage {i}");
        a.api.create_ticket(&a.admin.token, &new_ticket(&subject)).await;
        let seen = bob_on_b
            .try_wait_for(Duration::from_millis(700), |f| match f {
                ServerFrame::Ticket { ticket, .. } if ticket.subject == subject => Some(()),
                _ => None,
            })
            .await;
        if seen.is_some() {
            delivered = true;
            break;
        }
    }
    assert!(delivered, "no event from node A reached node B after Redis came back");
    // Presence converges: the restarted Redis lost every entry; Ann's heartbeat restores hers.
    // (The one frame with Ann from before the outage was consumed above, so this is a new one.)
    bob_on_b
        .wait_for(
            "Ann typing again, after the restart",
            Duration::from_secs(15),
            |f| match f {
                ServerFrame::Presence { people, .. } if people.iter().any(|p| p.user_id == ann.id) => Some(()),
                _ => None,
            },
        )
        .await;
}
