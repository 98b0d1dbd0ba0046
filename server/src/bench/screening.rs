//! `maildesk bench screening`: the ingest mix through the whole pipeline with screening off,
//! with sender authentication on (against a real DNS server with the senders' SPF, DKIM and
//! DMARC records, every mail DKIM-signed, the resolver's cache warmed first) and with
//! authentication plus clamd, in one run: mails/s and p99 for each, and what each costs against
//! screening off. After a warm-up, the three modes alternate over two rounds (half the count a
//! pass), so neither warm-up nor the database's growth favours one of them.
//! Prints figures; asserts nothing.

use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;

use base64::Engine;
use mail_auth::common::crypto::Ed25519Key;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;

use crate::bench::ingest::{Pass, bench_mailbox, drive};
use crate::bench::mails::{BenchMail, generate};
use crate::bench::stats::ms;
use crate::cli_mail;
use crate::settings::Settings;

/// The senders' domains of the ingest mix (`client0.example` … `client39.example`).
const DOMAINS: usize = 40;

/// Where the DNS records go and where clamd listens.
pub struct Rigs {
    /// The DNS server sender authentication asks.
    pub dns: SocketAddr,
    /// `unbound-control` and its config, to publish the records.
    pub unbound_control: String,
    pub unbound_conf: String,
    /// clamd's socket.
    pub clamd: String,
}

pub async fn run(settings: Settings, rigs: Rigs, count: usize, concurrency: usize) -> anyhow::Result<()> {
    let pkcs8 = Ed25519Key::generate_pkcs8().map_err(|e| anyhow::anyhow!("generating a DKIM key: {e}"))?;
    publish(&rigs, &pkcs8)?;
    let with = |auth: bool, clamd: bool| {
        let mut s = settings.clone();
        s.scan.sender_auth = auth;
        s.scan.dns_resolvers = rigs.dns.to_string();
        s.scan.clamd_socket = if clamd { rigs.clamd.clone() } else { String::new() };
        s
    };
    let off = cli_mail::context(with(false, false)).await?;
    let auth = cli_mail::context(with(true, false)).await?;
    let both = cli_mail::context(with(true, true)).await?;
    let mailbox = bench_mailbox(&off).await?;
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let mails = |tag: &str, n: usize| -> anyhow::Result<Arc<Vec<BenchMail>>> {
        Ok(Arc::new(signed(generate(n, 42, &format!("{run_id}{tag}")), &pkcs8)?))
    };
    println!(
        "screening benchmark: {count} mails a mode in two passes, concurrency {concurrency}, database {}, DNS {}, clamd {}",
        crate::db::backend_name(off.db()),
        rigs.dns,
        rigs.clamd
    );
    // Warm: the pool, the caches, the journal's pages (screening off), then every sender
    // domain's key, DMARC and SPF records in the resolver's cache.
    drive(&off, mailbox, mails("w0", 300)?, concurrency).await?;
    drive(&auth, mailbox, mails("w1", 200)?, concurrency).await?;
    // Two rounds of the three, alternating, so neither warm-up nor the database's growth
    // favours one mode: each mode's figures are the mean of its two passes.
    let per_pass = (count / 2).max(1);
    let mut passes: [Vec<Pass>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for round in 0..2 {
        for (mode, ctx) in [&off, &auth, &both].into_iter().enumerate() {
            let tag = format!("r{round}m{mode}");
            passes[mode].push(drive(ctx, mailbox, mails(&tag, per_pass)?, concurrency).await?);
        }
    }
    let [off_passes, auth_passes, both_passes] = passes;
    let baseline = mean_rate(&off_passes);
    line("screening off", &off_passes, None);
    line("sender authentication on (warm DNS)", &auth_passes, Some(baseline));
    line("sender authentication + clamd on", &both_passes, Some(baseline));
    Ok(())
}

fn mean_rate(passes: &[Pass]) -> f64 {
    passes.iter().map(|p| p.rate).sum::<f64>() / passes.len().max(1) as f64
}

/// A mode's figures: the mean rate of its passes, and the worst of their p50 and p99.
fn line(what: &str, passes: &[Pass], baseline: Option<f64>) {
    let rate = mean_rate(passes);
    let p50 = passes.iter().map(|p| p.latency.p50).max().unwrap_or_default();
    let p99 = passes.iter().map(|p| p.latency.p99).max().unwrap_or_default();
    let failed: usize = passes.iter().map(|p| p.failed).sum();
    let each: Vec<String> = passes.iter().map(|p| format!("{:.0}", p.rate)).collect();
    let cost = baseline
        .map(|b| {
            format!(
                " · costs {:.1}% of the throughput with screening off",
                (1.0 - rate / b) * 100.0
            )
        })
        .unwrap_or_default();
    println!(
        "{what}: {rate:.0} mails/s (passes: {}) · p50 {} · p99 {} · {failed} not processed{cost}",
        each.join(", "),
        ms(p50),
        ms(p99)
    );
}

/// Every sender domain publishes the key (selector `bench`), DMARC `p=none` and SPF, with a
/// TTL of an hour (so the cache keeps them).
fn publish(rigs: &Rigs, pkcs8: &[u8]) -> anyhow::Result<()> {
    let key = Ed25519Key::from_pkcs8_der(pkcs8).map_err(|e| anyhow::anyhow!("{e}"))?;
    let public = base64::engine::general_purpose::STANDARD.encode(key.public_key());
    for d in 0..DOMAINS {
        let domain = format!("client{d}.example");
        for rr in [
            format!("bench._domainkey.{domain}. 3600 TXT \"v=DKIM1; k=ed25519; p={public}\""),
            format!("_dmarc.{domain}. 3600 TXT \"v=DMARC1; p=none\""),
            format!("{domain}. 3600 TXT \"v=spf1 ip4:127.0.0.1 -all\""),
        ] {
            let out = Command::new(&rigs.unbound_control)
                .args(["-c", &rigs.unbound_conf, "local_data", &rr])
                .output()?;
            anyhow::ensure!(
                out.status.success(),
                "unbound-control local_data {rr}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    Ok(())
}

/// The mails, each DKIM-signed by its sender's domain.
fn signed(mails: Vec<BenchMail>, pkcs8: &[u8]) -> anyhow::Result<Vec<BenchMail>> {
    mails
        .into_iter()
        .map(|m| {
            let domain = from_domain(&m.raw).ok_or_else(|| anyhow::anyhow!("a bench mail without a From domain"))?;
            let key = Ed25519Key::from_pkcs8_der(pkcs8).map_err(|e| anyhow::anyhow!("{e}"))?;
            let signature = DkimSigner::from_key(key)
                .domain(domain)
                .selector("bench")
                .headers(["From", "To", "Subject", "Date", "Message-ID"])
                .sign(&m.raw)
                .map_err(|e| anyhow::anyhow!("signing: {e}"))?;
            let mut raw = signature.to_header().into_bytes();
            raw.extend_from_slice(&m.raw);
            Ok(BenchMail { raw })
        })
        .collect()
}

fn from_domain(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw.get(..2000).unwrap_or(raw));
    let from = text.lines().find(|l| l.starts_with("From:"))?;
    let (_, rest) = from.rsplit_once('@')?;
    Some(rest.trim_end_matches(['>', '\r', ' ']).to_owned())
}
