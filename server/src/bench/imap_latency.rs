//! `maildesk bench imap`: delivery-to-ticket latency through a real IMAP server with IDLE. A
//! mailbox is worked by the production supervisor; mails are APPENDed one at a time and each
//! is timed until its message is committed in the database.

use std::time::{Duration, Instant};

use entity::message;
use protocol::{AfterImport, MailboxSettings, TlsMode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::bench::stats::{ms, summarize};
use crate::context::AppContext;
use crate::egress::Egress;
use crate::mail::imap::connect::{self, Endpoint};
use crate::mail::mailboxes;

pub struct ImapTarget {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
}

async fn committed(ctx: &AppContext, message_id: &str, within: Duration) -> anyhow::Result<Duration> {
    let started = Instant::now();
    while started.elapsed() < within {
        let found = message::Entity::find()
            .filter(message::Column::EmailMessageId.eq(message_id))
            .one(ctx.db())
            .await?;
        if found.is_some() {
            return Ok(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    anyhow::bail!("{message_id} did not become a ticket within {within:?}")
}

pub async fn run(ctx: AppContext, target: ImapTarget, count: usize) -> anyhow::Result<()> {
    if !crate::net::is_loopback(&target.host) {
        anyhow::bail!("the benchmark talks plain IMAP: use a loopback host");
    }
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let settings = MailboxSettings {
        name: Some("IMAP benchmark".into()),
        address: Some(format!("bench-{run_id}@help.example.com")),
        imap_host: Some(target.host.clone()),
        imap_port: Some(target.port),
        imap_tls: Some(TlsMode::None),
        imap_username: Some(target.user.clone()),
        imap_password: Some(target.password.clone()),
        after_import: Some(AfterImport::Delete),
        ..Default::default()
    };
    mailboxes::create(ctx.db(), ctx.keys(), Egress::of(ctx.settings()), &settings)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let supervisor = crate::mail::imap::spawn_supervisor(ctx.clone());
    let endpoint = Endpoint::new(
        &target.host,
        target.port,
        connect::TlsMode::None,
        &target.user,
        &target.password,
    );
    let mut appender = connect::connect(&endpoint, Duration::from_secs(10))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "IMAP latency benchmark: {count} mails appended one at a time to {}:{} (IDLE offered: {})",
        target.host, target.port, appender.caps.idle
    );
    let mut samples = Vec::with_capacity(count);
    // The first mail also waits for the worker to start and enter IDLE: not measured.
    for i in 0..=count {
        let id = format!("bench-imap.{run_id}.{i}@client.example");
        let raw = format!(
            "From: Customer {i} <c{i}@client.example>\r\nTo: bench@help.example.com\r\nSubject: Latency probe {i}\r\n\
             Message-ID: <{id}>\r\nDate: Mon, 3 Jun 2024 10:00:00 +0000\r\n\r\nProbe {i}.\r\n"
        );
        let sent = Instant::now();
        appender
            .session
            .append("INBOX", None, None, raw.as_bytes())
            .await
            .map_err(|e| anyhow::anyhow!("APPEND: {e}"))?;
        let within = if i == 0 {
            Duration::from_secs(60)
        } else {
            Duration::from_secs(15)
        };
        committed(&ctx, &id, within).await?;
        if i > 0 {
            samples.push(sent.elapsed());
        }
    }
    supervisor.abort();
    let _ = appender.session.logout().await;
    let s = summarize(samples);
    println!(
        "append → ticket committed: p50 {} · p99 {} · max {} over {} mails (Dovecot may hold an IDLE notification up to ~0.5 s)",
        ms(s.p50),
        ms(s.p99),
        ms(s.max),
        s.count
    );
    Ok(())
}
