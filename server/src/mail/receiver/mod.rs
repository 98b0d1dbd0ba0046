//! The built-in mail receiver: `serve` listens for SMTP (`receiver.smtp_bind`, the "forward
//! your support mail here" address) and LMTP (`receiver.lmtp_bind`, for an MTA that delivers
//! locally), optionally with STARTTLS. It takes mail only for configured mailboxes
//! (`recipients`), answers `250` only once the journal holds the mail (`session`), and bounds
//! what one client can take (`limits`).

pub mod limits;
pub mod recipients;
pub mod session;
mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

use crate::context::AppContext;
use crate::settings::ReceiverSettings;
use limits::{ClientLimits, Refused};
use session::{Conversation, Next};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Smtp,
    Lmtp,
}

/// What every conversation on one listener shares.
pub struct Shared {
    pub ctx: AppContext,
    pub protocol: Protocol,
    pub hostname: String,
    pub tls: Option<TlsAcceptor>,
    pub limits: Arc<ClientLimits>,
    pub directory: Arc<recipients::Directory>,
    pub max_bytes: usize,
    pub max_recipients: usize,
    pub timeout: Duration,
    pub hooks: Arc<dyn ReceiverHooks>,
}

/// Points in a delivery where a test can stop the process, as a crash would (the receiver's
/// counterpart of the fetcher's `FetchHooks`). Production runs [`NoHooks`].
#[async_trait::async_trait]
pub trait ReceiverHooks: Send + Sync {
    /// The mail is committed to the journal; its `250` has not been written yet.
    async fn after_commit(&self, _journal_id: i64) {}
}

pub struct NoHooks;

impl ReceiverHooks for NoHooks {}

/// The running listeners (their bound addresses: a test binds port 0).
pub struct Receiver {
    pub smtp: Option<SocketAddr>,
    pub lmtp: Option<SocketAddr>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Binds the configured listeners and starts accepting; `None` when neither is configured.
pub async fn start(ctx: AppContext) -> anyhow::Result<Option<Receiver>> {
    let s = ctx.settings().receiver.clone();
    start_with(ctx, &s).await
}

/// `start` with settings of the caller's (the benchmark binds its own port).
pub async fn start_with(ctx: AppContext, s: &ReceiverSettings) -> anyhow::Result<Option<Receiver>> {
    start_with_hooks(ctx, s, Arc::new(NoHooks)).await
}

/// [`start_with`] and [`ReceiverHooks`] (the crash tests).
pub async fn start_with_hooks(
    ctx: AppContext,
    s: &ReceiverSettings,
    hooks: Arc<dyn ReceiverHooks>,
) -> anyhow::Result<Option<Receiver>> {
    if s.smtp_bind.trim().is_empty() && s.lmtp_bind.trim().is_empty() {
        return Ok(None);
    }
    let tls = tls::acceptor(&s.tls_cert_file, &s.tls_key_file)?;
    let hostname = if s.hostname.trim().is_empty() {
        host_of(&ctx.settings().http.public_url)
    } else {
        s.hostname.trim().to_owned()
    };
    // One budget for both listeners: a client cannot double its share by using both.
    let limits = ClientLimits::new(
        s.max_connections,
        s.connections_per_client,
        s.messages_per_minute_per_client,
    );
    let directory = Arc::new(recipients::Directory::default());
    let mut receiver = Receiver {
        smtp: None,
        lmtp: None,
        tasks: Vec::new(),
    };
    for (bind, protocol) in [(&s.smtp_bind, Protocol::Smtp), (&s.lmtp_bind, Protocol::Lmtp)] {
        if bind.trim().is_empty() {
            continue;
        }
        let listener = TcpListener::bind(bind.trim())
            .await
            .with_context(|| format!("receiver: listening on {bind}"))?;
        let addr = listener.local_addr()?;
        match protocol {
            Protocol::Smtp => receiver.smtp = Some(addr),
            Protocol::Lmtp => receiver.lmtp = Some(addr),
        }
        let shared = Arc::new(Shared {
            ctx: ctx.clone(),
            protocol,
            hostname: hostname.clone(),
            tls: tls.clone(),
            limits: limits.clone(),
            directory: directory.clone(),
            max_bytes: s.max_message_bytes.min(crate::mail::mailboxes::MAX_INBOUND_BYTES),
            max_recipients: s.max_recipients.max(1),
            timeout: Duration::from_secs(s.timeout_secs.max(1)),
            hooks: hooks.clone(),
        });
        tracing::info!(%addr, ?protocol, "mail receiver listening");
        receiver.tasks.push(tokio::spawn(accept_loop(listener, shared)));
    }
    Ok(Some(receiver))
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let shared = shared.clone();
                tokio::spawn(async move { handle(shared, stream, peer).await });
            }
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!(error = %e, "receiver: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn handle(shared: Arc<Shared>, mut stream: TcpStream, peer: SocketAddr) {
    let _ = stream.set_nodelay(true);
    let ip = peer.ip();
    let _slot = match shared.limits.connect(ip) {
        Ok(slot) => slot,
        Err(why) => {
            let line = match why {
                Refused::Busy => "421 4.3.2 Too busy; try again later\r\n",
                Refused::TooManyFromYou => "421 4.7.0 Too many connections from your address\r\n",
            };
            let _ = stream.write_all(line.as_bytes()).await;
            return;
        }
    };
    let next = Conversation::new(&shared, ip, false).run(&mut stream, true).await;
    if next != Next::StartTls {
        return;
    }
    let Some(acceptor) = shared.tls.clone() else { return };
    match tokio::time::timeout(shared.timeout, acceptor.accept(stream)).await {
        Ok(Ok(mut tls)) => {
            // RFC 3207: after the handshake the client starts over with EHLO.
            Conversation::new(&shared, ip, true).run(&mut tls, false).await;
        }
        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "receiver: TLS handshake failed"),
        Err(_) => tracing::debug!(%peer, "receiver: TLS handshake timed out"),
    }
}

/// The host part of a URL, for the greeting.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', ':']).next().unwrap_or("");
    if host.is_empty() {
        "maildesk".into()
    } else {
        host.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_greeting_names_the_public_host() {
        assert_eq!(host_of("https://help.acme.test/"), "help.acme.test");
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_of(""), "maildesk");
    }
}
