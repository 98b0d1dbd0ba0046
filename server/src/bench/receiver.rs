//! `maildesk bench receiver`: the same kind of generated mails (the ingest mix) through the
//! built-in SMTP receiver over N connections — each a real SMTP session on loopback, MAIL, RCPT
//! and DATA pipelined — and, in the same run, as many mails handed to the pipeline N at a time
//! the way the webhook does. Prints both rates and their ratio; asserts nothing.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::bench::ingest::bench_mailbox;
use crate::bench::mails::{BENCH_ADDRESS, BenchMail, generate};
use crate::context::AppContext;
use crate::mail::inbound::journal::{NewMail, Source};
use crate::mail::inbound::pipeline;
use crate::settings::ReceiverSettings;

pub async fn run(ctx: AppContext, count: usize, connections: usize) -> anyhow::Result<()> {
    let connections = connections.max(1);
    let mailbox = bench_mailbox(&ctx).await?;
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    // Two sets, so neither run sees the other's Message-IDs as duplicates.
    let for_webhook = Arc::new(generate(count, 42, &format!("{run_id}w")));
    let for_smtp = Arc::new(generate(count, 42, &format!("{run_id}s")));
    println!(
        "receiver benchmark: {count} mails each way, {connections} at a time, database {}",
        crate::db::backend_name(ctx.db())
    );

    let webhook = webhook_rate(&ctx, mailbox, for_webhook, connections).await?;
    println!("webhook path (pipeline, {connections} at a time): {webhook:.0} mails/s");

    let receiver = crate::mail::receiver::start_with(ctx.clone(), &bench_settings(&ctx, connections))
        .await?
        .ok_or_else(|| anyhow::anyhow!("the receiver did not start"))?;
    let addr = receiver.smtp.ok_or_else(|| anyhow::anyhow!("no SMTP listener"))?;
    let (smtp, refused) = smtp_rate(addr, for_smtp, connections).await?;
    println!("SMTP receiver ({connections} connections): {smtp:.0} mails/s, {refused} not accepted");
    println!("SMTP / webhook: {:.0}%", 100.0 * smtp / webhook.max(f64::EPSILON));
    drop(receiver);
    Ok(())
}

/// Hands the mails to the pipeline `connections` at a time, as the webhook does; mails per second.
async fn webhook_rate(
    ctx: &AppContext,
    mailbox: i64,
    mails: Arc<Vec<BenchMail>>,
    connections: usize,
) -> anyhow::Result<f64> {
    let count = mails.len();
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (ctx, mails, next) = (ctx.clone(), mails.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            while let Some(BenchMail { raw }) = mails.get(next.fetch_add(1, Ordering::Relaxed)) {
                let mail = NewMail::new(Source::Http, Some(mailbox), raw);
                pipeline::ingest(&ctx, mail).await?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(count as f64 / started.elapsed().as_secs_f64().max(f64::EPSILON))
}

/// The receiver's settings for the run: SMTP only, on a free loopback port, no TLS, no rate limit.
fn bench_settings(ctx: &AppContext, connections: usize) -> ReceiverSettings {
    let mut settings = ctx.settings().receiver.clone();
    settings.smtp_bind = "127.0.0.1:0".into();
    settings.lmtp_bind = String::new();
    settings.tls_cert_file = String::new();
    settings.tls_key_file = String::new();
    settings.messages_per_minute_per_client = u32::MAX;
    settings.connections_per_client = connections;
    settings.max_connections = connections;
    settings
}

/// Sends the mails over `connections` SMTP sessions to `addr`; mails per second and how many
/// were not accepted.
async fn smtp_rate(addr: SocketAddr, mails: Arc<Vec<BenchMail>>, connections: usize) -> anyhow::Result<(f64, usize)> {
    let count = mails.len();
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (mails, next, refused) = (mails.clone(), next.clone(), refused.clone());
        tasks.push(tokio::spawn(async move {
            let (read, mut write) = TcpStream::connect(addr).await?.into_split();
            let mut read = BufReader::new(read);
            reply(&mut read).await?;
            write.write_all(b"EHLO bench.test\r\n").await?;
            reply(&mut read).await?;
            while let Some(BenchMail { raw }) = mails.get(next.fetch_add(1, Ordering::Relaxed)) {
                let envelope = format!("MAIL FROM:<bench@sender.test>\r\nRCPT TO:<{BENCH_ADDRESS}>\r\nDATA\r\n");
                write.write_all(envelope.as_bytes()).await?;
                for _ in 0..3 {
                    reply(&mut read).await?;
                }
                write.write_all(&dot_stuffed(raw)).await?;
                if !reply(&mut read).await?.starts_with("250") {
                    refused.fetch_add(1, Ordering::Relaxed);
                }
            }
            write.write_all(b"QUIT\r\n").await?;
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let rate = count as f64 / started.elapsed().as_secs_f64().max(f64::EPSILON);
    Ok((rate, refused.load(Ordering::Relaxed)))
}

/// One whole reply (its last line).
async fn reply(read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> anyhow::Result<String> {
    loop {
        let mut line = String::new();
        if read.read_line(&mut line).await? == 0 {
            anyhow::bail!("the receiver closed the connection");
        }
        if line.len() < 4 || line.as_bytes()[3] == b' ' {
            return Ok(line);
        }
    }
}

/// The mail as DATA carries it: lines starting with '.' doubled, CRLF line ends, the final dot.
fn dot_stuffed(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + 64);
    for line in raw.split_inclusive(|b| *b == b'\n') {
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        out.extend_from_slice(body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_dot_stuffed_with_crlf() {
        assert_eq!(dot_stuffed(b"a\n.b\r\nc"), b"a\r\n..b\r\nc\r\n.\r\n".to_vec());
    }
}
