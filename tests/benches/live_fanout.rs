//! Live fan-out benchmark: N agent sockets across two nodes (sharing PostgreSQL and Redis),
//! each subscribed to the queue and one ticket; a colleague's presence changes on node A, and
//! we time its arrival at every watcher, per node. Beside it, in the same run, the floor: a raw
//! Redis PUBLISH → subscriber receive round trip. And memory per connection.
//!
//!   cargo bench -p maildesk-tests --bench live_fanout           (1,000 agents, 30 rounds)
//!   MAILDESK_BENCH_AGENTS=2000 MAILDESK_BENCH_ROUNDS=50 cargo bench …
//!
//! Clients and servers share this process (so 10,000 sockets would need 20,000 descriptors,
//! the machine's limit): the memory figure counts both ends of each connection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use maildesk_tests::client::new_ticket;
use maildesk_tests::live::connect;
use maildesk_tests::{REDIS_URL, spawn_app};
use protocol::Role;
use protocol::live::{Activity, ClientFrame, ServerFrame, Topic};
use tokio::sync::{broadcast, mpsc};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn pct(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn redis_floor(samples: usize) -> (Duration, Duration) {
    let client = redis::Client::open(REDIS_URL).expect("redis url");
    let channel = format!("mdbench:{}", uuid::Uuid::new_v4().simple());
    let mut sub = client
        .get_async_pubsub()
        .await
        .expect("redis pubsub (is Redis running on 6379?)");
    sub.subscribe(&channel).await.expect("subscribe");
    let mut messages = sub.into_on_message();
    let mut conn = client.get_multiplexed_async_connection().await.expect("redis");
    let mut times = Vec::with_capacity(samples);
    for i in 0..samples {
        let t = Instant::now();
        let _: i64 = redis::cmd("PUBLISH")
            .arg(&channel)
            .arg(i)
            .query_async(&mut conn)
            .await
            .expect("publish");
        messages.next().await.expect("message");
        times.push(t.elapsed());
    }
    times.sort();
    (pct(&times, 50), pct(&times, 99))
}

fn spawn_watcher(
    node: usize,
    mut ws: maildesk_tests::live::Live,
    mut rounds_rx: broadcast::Receiver<(Activity, Instant)>,
    tx: mpsc::Sender<(usize, Option<Duration>)>,
    typist_id: i64,
) {
    tokio::spawn(async move {
        loop {
            // Between rounds the client keeps reading, so it answers the server's pings.
            let (activity, sent) = tokio::select! {
                round = rounds_rx.recv() => match round {
                    Ok(r) => r,
                    Err(_) => break,
                },
                () = ws.pump(Duration::from_secs(1)) => continue,
            };
            let got = ws
                .try_wait_for(Duration::from_secs(5), |f| match f {
                    ServerFrame::Presence { people, .. }
                        if people.iter().any(|p| p.user_id == typist_id && p.activity == activity) =>
                    {
                        Some(())
                    }
                    _ => None,
                })
                .await;
            let _ = tx.send((node, got.map(|_| sent.elapsed()))).await;
        }
    });
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let agents = env_or("MAILDESK_BENCH_AGENTS", 1000);
    let rounds = env_or("MAILDESK_BENCH_ROUNDS", 30);
    let a = spawn_app().await;
    let b = a.spawn_node().await;
    let watcher = a.new_user(Role::Agent).await;
    let typist = a.new_user(Role::Agent).await;
    let t = a
        .api
        .create_ticket(&a.admin.token, &new_ticket("Fan-out bench"))
        .await
        .ticket;
    println!(
        "live fan-out benchmark: {agents} agent sockets over 2 nodes (PostgreSQL + Redis), {rounds} presence changes"
    );

    let rss_before = rss_kib();
    let connecting = Instant::now();
    let (round_tx, _) = broadcast::channel::<(Activity, Instant)>(16);
    let (result_tx, mut results) = mpsc::channel::<(usize, Option<Duration>)>(agents.max(1));
    for i in 0..agents {
        let node = i % 2;
        let port = if node == 0 { a.port } else { b.port };
        let mut ws = connect(port, &watcher.token).await;
        ws.subscribe_ok(Topic::Queue).await;
        ws.subscribe_ok(Topic::Ticket(t.id)).await;
        spawn_watcher(node, ws, round_tx.subscribe(), result_tx.clone(), typist.id);
    }
    let connect_time = connecting.elapsed();
    // Let the last sockets' buffers settle before reading the resident size (a figure, not a wait
    // for a condition).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_after = rss_kib();
    let mut typist_ws = connect(a.port, &typist.token).await;
    typist_ws.subscribe_ok(Topic::Ticket(t.id)).await;
    let mut on_a = Vec::new();
    let mut on_b = Vec::new();
    let mut missed = 0usize;
    for r in 0..rounds {
        let activity = if r % 2 == 0 {
            Activity::TypingReply
        } else {
            Activity::Viewing
        };
        round_tx.send((activity, Instant::now())).expect("watchers");
        typist_ws
            .send(&ClientFrame::Presence {
                ticket_id: t.id,
                activity: Some(activity),
            })
            .await;
        let before = missed;
        for _ in 0..agents {
            match results.recv().await.expect("results") {
                (0, Some(d)) => on_a.push(d),
                (_, Some(d)) => on_b.push(d),
                (_, None) => missed += 1,
            }
        }
        if missed > before {
            println!("round {r}: {} watchers missed the change", missed - before);
        }
        // A pause between changes, as people make them: each round is timed on its own.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    on_a.sort();
    on_b.sort();
    let (floor50, floor99) = redis_floor(500).await;
    println!(
        "connect + 2 subscriptions: {agents} sockets in {:.2} s",
        connect_time.as_secs_f64()
    );
    println!(
        "presence change on node A → watchers on node A: p50 {} · p99 {} · max {} ({} deliveries)",
        ms(pct(&on_a, 50)),
        ms(pct(&on_a, 99)),
        ms(on_a.last().copied().unwrap_or_default()),
        on_a.len()
    );
    println!(
        "presence change on node A → watchers on node B: p50 {} · p99 {} · max {} ({} deliveries)",
        ms(pct(&on_b, 50)),
        ms(pct(&on_b, 99)),
        ms(on_b.last().copied().unwrap_or_default()),
        on_b.len()
    );
    println!(
        "floor, raw Redis PUBLISH → receive: p50 {} · p99 {}",
        ms(floor50),
        ms(floor99)
    );
    println!(
        "memory: {:.1} KiB per connection (client and server ends, one process; RSS {} → {} KiB)",
        rss_after.saturating_sub(rss_before) as f64 / agents.max(1) as f64,
        rss_before,
        rss_after
    );
    println!("missed deliveries (none within 5 s): {missed}");
}
