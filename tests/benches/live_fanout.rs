//! Live fan-out benchmark: N agent sockets across two nodes (sharing PostgreSQL and Redis),
//! each subscribed to the queue and one ticket; a colleague's presence changes on node A, and
//! we time its arrival at every watcher, per node. Beside it, in the same run, the floor: a raw
//! Redis PUBLISH → subscriber receive round trip. And the servers' memory per idle connection.
//!
//!   cargo bench -p maildesk-tests --bench live_fanout           (1,000 agents, 100 rounds)
//!   MAILDESK_BENCH_AGENTS=10000 MAILDESK_BENCH_ROUNDS=10 cargo bench …
//!   MAILDESK_BENCH_ONE_NODE=1 …: every watcher on node A (how many one node holds)
//!   MAILDESK_BENCH_WORKERS=N …: HTTP workers per node (default 1: two nodes share two cores)
//!   MAILDESK_BENCH_ROUNDS_SHOWN=1 …: min / p50 / max of every round too
//!
//! The two server nodes run in this process; the clients run in a child process (this same
//! binary, started with `MAILDESK_BENCH_CLIENT=<config file>`), so each side has its own
//! descriptor limit and the resident-size growth of this process is the servers' cost alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use maildesk_tests::client::new_ticket;
use maildesk_tests::live::connect;
use maildesk_tests::{Backend, REDIS_URL, spawn_app_with};
use protocol::Role;
use protocol::live::{Activity, ClientFrame, ServerFrame, Topic};
use tokio::sync::mpsc;

// The same allocator as the `maildesk` binary, so the memory figures are the server's, with a
// count of the bytes allocated and not yet freed: the resident size alone moves by whatever
// the allocator kept from start-up, which at 1,000 sockets is as large as the sockets' cost.
#[global_allocator]
static ALLOCATOR: Counting = Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

struct Counting;

fn counted(delta: usize) -> isize {
    isize::try_from(delta).unwrap_or(isize::MAX)
}

// SAFETY: every call is passed on unchanged to the server's allocator; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is forwarded as is.
        let p = unsafe { maildesk::Allocator.alloc(layout) };
        if !p.is_null() {
            LIVE_BYTES.fetch_add(counted(layout.size()), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { maildesk::Allocator.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE_BYTES.fetch_add(counted(layout.size()), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { maildesk::Allocator.dealloc(ptr, layout) };
        LIVE_BYTES.fetch_sub(counted(layout.size()), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { maildesk::Allocator.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE_BYTES.fetch_add(counted(new_size) - counted(layout.size()), Ordering::Relaxed);
        }
        p
    }
}

fn live_kib() -> f64 {
    LIVE_BYTES.load(Ordering::Relaxed) as f64 / 1024.0
}

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

/// One watcher: reads its socket like a browser does (which also answers the server's pings)
/// and reports when the typist's activity on the ticket changes, with the arrival time. It is
/// not woken per round: the harness stays out of the path it measures.
fn spawn_watcher(node: usize, mut ws: maildesk_tests::live::Live, tx: mpsc::UnboundedSender<Arrival>, typist_id: i64) {
    tokio::spawn(async move {
        let mut shown = None;
        while let Some(frame) = ws.next_frame().await {
            let ServerFrame::Presence { people, .. } = frame else {
                continue;
            };
            let now = people.iter().find(|p| p.user_id == typist_id).map(|p| p.activity);
            if now.is_some() && now != shown {
                shown = now;
                let at = Instant::now();
                if tx.send((node, now, at)).is_err() {
                    break;
                }
            }
        }
    });
}

/// A watcher saw the typist's activity change: its node, the activity, when.
type Arrival = (usize, Option<Activity>, Instant);

/// What the client process needs to know, written to a file by the parent.
#[derive(serde::Serialize, serde::Deserialize)]
struct ClientConfig {
    ports: [u16; 2],
    watcher_token: String,
    typist_token: String,
    typist_id: i64,
    ticket_id: i64,
    agents: usize,
    rounds: usize,
    /// Every watcher on node A instead of alternating.
    one_node: bool,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    match std::env::var("MAILDESK_BENCH_CLIENT") {
        Ok(path) => clients(&path).await,
        Err(_) => servers().await,
    }
}

/// The parent: two nodes, the people and the ticket; then the clients' process, and the figures.
async fn servers() {
    use std::io::{BufRead, Write};
    let agents = env_or("MAILDESK_BENCH_AGENTS", 1000);
    let rounds = env_or("MAILDESK_BENCH_ROUNDS", 100);
    // Two nodes sharing two cores: one HTTP worker each, as such a deployment is configured.
    let workers = env_or("MAILDESK_BENCH_WORKERS", 1);
    // Every watcher socket is one account's (the bench measures fan-out, not logins): lift
    // the per-account socket cap.
    let settings = |s: &mut maildesk::Settings| {
        s.http.workers = workers;
        s.limits.sockets_per_user = agents + 10;
    };
    let a = spawn_app_with(Backend::Postgres, settings).await;
    let b = a.spawn_node_with(settings).await;
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
    if std::env::var("MAILDESK_BENCH_ONE_NODE").is_ok_and(|v| v == "1") {
        println!("(all watchers on node A)");
    }
    let config = ClientConfig {
        ports: [a.port, b.port],
        watcher_token: watcher.token.clone(),
        typist_token: typist.token.clone(),
        typist_id: typist.id,
        ticket_id: t.id,
        agents,
        rounds,
        one_node: std::env::var("MAILDESK_BENCH_ONE_NODE").is_ok_and(|v| v == "1"),
    };
    let file = tempfile::NamedTempFile::new().expect("config file");
    std::fs::write(file.path(), serde_json::to_vec(&config).expect("config")).expect("writing the config");
    // Settle the servers' start-up allocations before the baseline (a figure, not a wait for
    // a condition).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = rss_kib();
    let live_before = live_kib();
    let mut child = std::process::Command::new(std::env::current_exe().expect("this binary"))
        .env("MAILDESK_BENCH_CLIENT", file.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("starting the client process");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("child stdout")).lines();
    let mut stdin = child.stdin.take().expect("child stdin");
    // The child's lines come through a blocking pipe: read them off the runtime's threads.
    let (line_tx, mut line_rx) = mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in lines.by_ref().map_while(Result::ok) {
            if line_tx.send(line).is_err() {
                break;
            }
        }
    });
    loop {
        let line = line_rx
            .recv()
            .await
            .expect("the client process ended before it was ready");
        if line == "READY" {
            break;
        }
        println!("{line}");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle = rss_kib();
    let live_idle = live_kib();
    writeln!(stdin, "GO").expect("telling the clients to start");
    while let Some(line) = line_rx.recv().await {
        println!("{line}");
    }
    let status = child.wait().expect("waiting for the client process");
    assert!(status.success(), "the client process failed: {status}");
    let (floor50, floor99) = redis_floor(500).await;
    println!(
        "floor, raw Redis PUBLISH → receive: p50 {} · p99 {}",
        ms(floor50),
        ms(floor99)
    );
    println!(
        "server memory per idle connection: {:.1} KiB allocated and in use ({:.0} → {:.0} KiB), {:.1} KiB of resident size (RSS {} → {} KiB); {agents} connected, two nodes in one process",
        (live_idle - live_before) / agents.max(1) as f64,
        live_before,
        live_idle,
        rss_idle.saturating_sub(rss_before) as f64 / agents.max(1) as f64,
        rss_before,
        rss_idle
    );
}

/// The child: every socket, the colleague who changes presence, and the timings.
async fn clients(config_path: &str) {
    let c: ClientConfig =
        serde_json::from_slice(&std::fs::read(config_path).expect("reading the config")).expect("config");
    let connecting = Instant::now();
    let (arrival_tx, mut arrivals) = mpsc::unbounded_channel::<Arrival>();
    for i in 0..c.agents {
        let node = if c.one_node { 0 } else { i % 2 };
        let mut ws = connect(c.ports[node], &c.watcher_token).await;
        ws.subscribe_ok(Topic::Queue).await;
        ws.subscribe_ok(Topic::Ticket(c.ticket_id)).await;
        spawn_watcher(node, ws, arrival_tx.clone(), c.typist_id);
    }
    println!(
        "connect + 2 subscriptions: {} sockets in {:.2} s",
        c.agents,
        connecting.elapsed().as_secs_f64()
    );
    println!("READY");
    // The parent measures the servers' memory with every socket idle, then says GO.
    let go = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) && line.trim() != "GO" {
            line.clear();
        }
    });
    go.await.expect("reading stdin");
    let mut typist_ws = connect(c.ports[0], &c.typist_token).await;
    typist_ws.subscribe_ok(Topic::Ticket(c.ticket_id)).await;
    let mut on_a = Vec::new();
    let mut on_b = Vec::new();
    let mut missed = 0usize;
    for r in 0..c.rounds {
        let activity = if r % 2 == 0 {
            Activity::TypingReply
        } else {
            Activity::Viewing
        };
        let sent = Instant::now();
        typist_ws
            .send(&ClientFrame::Presence {
                ticket_id: c.ticket_id,
                activity: Some(activity),
            })
            .await;
        let before = missed;
        let (a_before, b_before) = (on_a.len(), on_b.len());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let mut got = 0;
        while got < c.agents {
            match tokio::time::timeout_at(deadline, arrivals.recv()).await {
                Ok(Some((node, seen, at))) if seen == Some(activity) => {
                    got += 1;
                    let took = at.saturating_duration_since(sent);
                    if node == 0 { on_a.push(took) } else { on_b.push(took) }
                }
                // A change from an earlier round that came after its deadline.
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        missed += c.agents - got;
        if std::env::var("MAILDESK_BENCH_ROUNDS_SHOWN").is_ok() {
            let mut this: Vec<Duration> = on_a[a_before..].iter().chain(&on_b[b_before..]).copied().collect();
            this.sort();
            println!(
                "round {r}: min {} · p50 {} · max {}",
                ms(this.first().copied().unwrap_or_default()),
                ms(pct(&this, 50)),
                ms(this.last().copied().unwrap_or_default())
            );
        }
        if missed > before {
            println!("round {r}: {} watchers missed the change", missed - before);
        }
        // A pause between changes, as people make them (each round is timed on its own),
        // reading the typist's own frames so it answers pings.
        typist_ws.pump(Duration::from_millis(100)).await;
    }
    on_a.sort();
    on_b.sort();
    for (name, times) in [("A", &on_a), ("B", &on_b)] {
        if times.is_empty() {
            continue;
        }
        println!(
            "presence change on node A → watchers on node {name}: p50 {} · p99 {} · max {} ({} deliveries)",
            ms(pct(times, 50)),
            ms(pct(times, 99)),
            ms(times.last().copied().unwrap_or_default()),
            times.len()
        );
    }
    println!("missed deliveries (none within 5 s): {missed}");
}
