//! `maildesk bench ingest`: N generated mails through the whole pipeline (journal → parse →
//! thread → apply) into the configured database, with the parse-only rate of the same mails
//! in the same run as the ceiling.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use mail_parse::{ParseOptions, parse_mail};
use protocol::MailboxSettings;
use tokio::sync::Mutex;

use crate::bench::mails::{BENCH_ADDRESS, BenchMail, generate};
use crate::bench::stats::{Summary, ms, summarize};
use crate::context::AppContext;
use crate::egress::Egress;
use crate::mail::inbound::journal::{NewMail, Source};
use crate::mail::inbound::pipeline;

pub async fn run(ctx: AppContext, count: usize, concurrency: usize) -> anyhow::Result<()> {
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let mails = Arc::new(generate(count, 42, &run_id));
    let bytes: usize = mails.iter().map(|m| m.raw.len()).sum();
    println!(
        "ingest benchmark: {count} mails, {:.1} MB (avg {:.1} KB), database {}, concurrency {concurrency}",
        bytes as f64 / 1e6,
        bytes as f64 / count.max(1) as f64 / 1e3,
        crate::db::backend_name(ctx.db()),
    );

    // As in production: the mails arrive for a configured support mailbox (its address is
    // ours, so it never becomes a subscriber), through the webhook source.
    let mailbox = bench_mailbox(&ctx).await?;

    parse_only(&mails)?;

    let pass = drive(&ctx, mailbox, mails, concurrency).await?;
    println!(
        "end to end (journal commit + parse + thread + apply commit): {:.0} mails/s · per mail p50 {} · p99 {} · max {}",
        pass.rate,
        ms(pass.latency.p50),
        ms(pass.latency.p99),
        ms(pass.latency.max)
    );
    println!(
        "outcomes: {} new tickets, {} threaded, {} not processed · wall {:.2} s",
        pass.created,
        count - pass.created - pass.failed,
        pass.failed,
        pass.wall.as_secs_f64()
    );
    Ok(())
}

/// One pass of mails through the pipeline, `concurrency` at a time.
pub(crate) struct Pass {
    pub rate: f64,
    pub latency: Summary,
    pub created: usize,
    pub failed: usize,
    pub wall: std::time::Duration,
}

/// Sends `mails` to `mailbox` through the pipeline, `concurrency` at a time (as an MTA posting
/// to the webhook would), and measures each mail's time to its applied outcome.
pub(crate) async fn drive(
    ctx: &AppContext,
    mailbox: i64,
    mails: Arc<Vec<BenchMail>>,
    concurrency: usize,
) -> anyhow::Result<Pass> {
    let count = mails.len();
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(count)));
    let failures = Arc::new(AtomicUsize::new(0));
    let created = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (ctx, mails, next, latencies, failures, created) = (
            ctx.clone(),
            mails.clone(),
            next.clone(),
            latencies.clone(),
            failures.clone(),
            created.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(BenchMail { raw }) = mails.get(i) else { break };
                let t = Instant::now();
                let mail = NewMail::new(Source::Http, Some(mailbox), raw);
                match pipeline::ingest(&ctx, mail).await {
                    Ok((_, o)) if o.status == "processed" => {
                        if o.created {
                            created.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    _ => {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
                latencies.lock().await.push(t.elapsed());
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let wall = started.elapsed();
    let latency = summarize(std::mem::take(&mut *latencies.lock().await));
    Ok(Pass {
        rate: count as f64 / wall.as_secs_f64().max(f64::EPSILON),
        latency,
        created: created.load(Ordering::Relaxed),
        failed: failures.load(Ordering::Relaxed),
        wall,
    })
}

/// Times parsing alone (one core, no database) and prints the rate and the per-mail latencies.
fn parse_only(mails: &[BenchMail]) -> anyhow::Result<()> {
    let count = mails.len();
    let started = Instant::now();
    let options = ParseOptions::default();
    let mut parse_times = Vec::with_capacity(count);
    for m in mails.iter() {
        let t = Instant::now();
        parse_mail(&m.raw, &options).map_err(|e| anyhow::anyhow!("parse: {e}"))?;
        parse_times.push(t.elapsed());
    }
    let parse_wall = started.elapsed();
    let parse = summarize(parse_times);
    println!(
        "parse only (mail-parser + normalisation, one core): {:.0} mails/s · p50 {} · p99 {}",
        count as f64 / parse_wall.as_secs_f64(),
        ms(parse.p50),
        ms(parse.p99)
    );
    Ok(())
}

/// The support mailbox the generated mails are addressed to (created on the first run).
pub(crate) async fn bench_mailbox(ctx: &AppContext) -> anyhow::Result<i64> {
    let settings = MailboxSettings {
        name: Some("Bench support".into()),
        address: Some(BENCH_ADDRESS.into()),
        // Loop protection stays on, with room for every generated customer's mails.
        rate_limit_count: Some(10_000),
        ..MailboxSettings::default()
    };
    match crate::mail::mailboxes::create(ctx.db(), ctx.keys(), Egress::of(ctx.settings()), &settings).await {
        Ok(created) => Ok(created.mailbox.id),
        Err(crate::error::AppError::Conflict(_)) => crate::mail::mailboxes::list(ctx.db())
            .await?
            .into_iter()
            .find(|m| m.address == BENCH_ADDRESS)
            .map(|m| m.id)
            .ok_or_else(|| anyhow::anyhow!("the bench mailbox vanished")),
        Err(e) => Err(e.into()),
    }
}
