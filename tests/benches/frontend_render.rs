//! Frontend benchmark: the browser bundle's size (raw and gzip, as served), and the time from
//! navigation start to the first queue row in headless Chromium with 1,000 tickets in the
//! database (the queue shows one page of them; the server counts and sorts all).
//!
//!   cargo bench -p maildesk-tests --bench frontend_render
//!   MAILDESK_BENCH_TICKETS=5000 MAILDESK_BENCH_ROUNDS=10 cargo bench …
//!
//! Needs the built app (`bash scripts/build-frontend.sh`) and Chromium (`bash scripts/chromium.sh`).
//! Prints figures; asserts nothing about speed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use maildesk_tests::browser::Browser;
use maildesk_tests::client::new_ticket;
use maildesk_tests::{TestApp, spawn_app, workspace_root};
use serde_json::{Value, json};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap().len()
}

fn kib(n: usize) -> String {
    #[allow(clippy::cast_precision_loss)]
    let k = n as f64 / 1024.0;
    format!("{n} bytes ({k:.1} KiB)")
}

fn print_size(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        panic!(
            "reading {}: {e}\nBuild the browser app first: bash scripts/build-frontend.sh",
            path.display()
        )
    });
    let name = path.file_name().unwrap().to_string_lossy();
    println!(
        "  {name:<28} raw {:<26} gzip {}",
        kib(bytes.len()),
        kib(gzip_len(&bytes))
    );
}

async fn create_tickets(app: &TestApp, n: usize) -> Duration {
    let started = Instant::now();
    futures_util::stream::iter(0..n)
        .map(|i| {
            let req = protocol::CreateTicket {
                requester_email: Some(format!("customer{:03}@example.com", i % 250)),
                ..new_ticket(&format!("Bench ticket {i}: the printer on floor {} is jammed", i % 7))
            };
            async move { app.api.create_ticket(&app.admin.token, &req).await }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    started.elapsed()
}

/// Resolves with `performance.now()` (ms since this document's navigation started) when the
/// first queue row is in the DOM, observed by a MutationObserver; when it was there already,
/// resolves with `already: true` and the end of the queue's API response as a lower bound.
const FIRST_ROW: &str = r#"
const done = arguments[arguments.length - 1];
const sel = '[data-testid=ticket-row]';
const report = (already) => {
  const api = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/tickets?'));
  const nav = performance.getEntriesByType('navigation')[0];
  done({
    t: performance.now(), already,
    api_end: api.length ? api[0].responseEnd : null,
    wasm_end: (performance.getEntriesByType('resource').find(e => e.name.endsWith('.wasm')) || {}).responseEnd ?? null,
    dcl: nav ? nav.domContentLoadedEventEnd : null,
    rows: document.querySelectorAll(sel).length,
  });
};
if (document.querySelector(sel)) { report(true); return; }
const mo = new MutationObserver(() => {
  if (document.querySelector(sel)) { mo.disconnect(); report(false); }
});
mo.observe(document.documentElement, { childList: true, subtree: true });
"#;

fn ms(v: &Value, key: &str) -> String {
    v[key].as_f64().map_or("–".into(), |f| format!("{f:.0} ms"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let tickets = env_or("MAILDESK_BENCH_TICKETS", 1000);
    let rounds = env_or("MAILDESK_BENCH_ROUNDS", 5).max(1);
    let dist = workspace_root().join("frontend/dist");

    println!("== browser bundle (frontend/dist)");
    print_size(&dist.join("pkg/maildesk_frontend_bg.wasm"));
    print_size(&dist.join("pkg/maildesk_frontend.js"));
    for css in ["maildesk.css", "live.css"] {
        if dist.join(css).exists() {
            print_size(&dist.join(css));
        }
    }

    let app = spawn_app().await;
    let took = create_tickets(&app, tickets).await;
    println!("\n== queue with {tickets} tickets (created through the API in {took:.1?})");

    let b = Browser::signed_in(app.address(), "bench", &app.admin).await;
    for round in 1..=rounds {
        let wall = Instant::now();
        b.goto("/tickets").await;
        let v = b
            .client()
            .execute_async(FIRST_ROW, vec![])
            .await
            .expect("waiting for the first row");
        let wall = wall.elapsed();
        let label = if round == 1 { "first visit" } else { "reload" };
        let first = if v["already"] == json!(true) {
            format!(
                "<= {} (rendered before the probe ran; API answered at {})",
                ms(&v, "t"),
                ms(&v, "api_end")
            )
        } else {
            ms(&v, "t")
        };
        println!(
            "  round {round} ({label}): first row at {first}; DOMContentLoaded {}, wasm fetched {}, \
             queue API answered {}; {} rows; wall clock around WebDriver {:.0} ms",
            ms(&v, "dcl"),
            ms(&v, "wasm_end"),
            ms(&v, "api_end"),
            v["rows"],
            wall.as_secs_f64() * 1000.0
        );
    }
    b.close().await;
}
