//! A small POP3 client (RFC 1939, STLS from RFC 2595, AUTH from RFC 5034 for the OAuth SASL
//! mechanisms): greeting, STLS, USER/PASS or AUTH, UIDL, RETR,
//! DELE, QUIT. Connection, TLS and the loopback-only rule for plain text are the IMAP code's
//! (`imap::connect`), so both protocols reach servers the same way.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::egress;
use crate::mail::imap::FetchError;
use crate::mail::imap::connect::{self, Credential, Endpoint, TlsMode, Transport};
use crate::mail::oauth::sasl::Mechanism;

/// Longest single line we accept from the server (RFC 1939 allows 512 octets for responses).
const MAX_LINE: usize = 8 * 1024;

pub struct Pop3 {
    io: BufReader<Transport>,
    timeout: Duration,
}

fn err(what: &str, e: impl std::fmt::Display) -> FetchError {
    FetchError::Imap(format!("POP3 {what}: {e}"))
}

impl Pop3 {
    /// Connects, secures and signs in.
    pub async fn connect(endpoint: &Endpoint, timeout: Duration) -> Result<Self, FetchError> {
        Self::connect_with(endpoint, timeout, None).await
    }

    /// [`Pop3::connect`] trusting `tls` (tests: a private CA) instead of the default roots.
    pub async fn connect_with(
        endpoint: &Endpoint,
        timeout: Duration,
        tls: Option<std::sync::Arc<tokio_rustls::rustls::ClientConfig>>,
    ) -> Result<Self, FetchError> {
        let config = || match &tls {
            Some(c) => Ok(c.clone()),
            None => connect::tls_config(),
        };
        if endpoint.tls == TlsMode::None && !crate::net::is_loopback(&endpoint.host) {
            return Err(FetchError::Imap(format!(
                "refusing to send the password unencrypted to {}: tls none is only allowed for a loopback host",
                endpoint.host
            )));
        }
        let host = endpoint.host.trim_start_matches('[').trim_end_matches(']');
        let tcp = tokio::time::timeout(timeout, egress::connect_tcp(host, endpoint.port, endpoint.egress))
            .await
            .map_err(|_| err("connecting", format!("{host}:{} did not answer", endpoint.port)))?
            .map_err(|e| err("connecting", e))?;
        let _ = tcp.set_nodelay(true);
        let transport = match endpoint.tls {
            TlsMode::Implicit => connect::tls_wrap(tcp, &endpoint.host, config()?).await?,
            TlsMode::Starttls | TlsMode::None => Transport::Plain(tcp),
        };
        let mut me = Self {
            io: BufReader::new(transport),
            timeout,
        };
        me.ok_line("greeting").await?;
        if endpoint.tls == TlsMode::Starttls {
            me.command("STLS", "STLS (the mailbox asks for STARTTLS)").await?;
            let Transport::Plain(tcp) = me.io.into_inner() else {
                return Err(FetchError::Imap("STLS on a connection that is already TLS".into()));
            };
            me = Self {
                io: BufReader::new(connect::tls_wrap(tcp, &endpoint.host, config()?).await?),
                timeout,
            };
        }
        match &endpoint.credential {
            Credential::Password(password) => {
                me.command(&format!("USER {}", endpoint.username), "USER").await?;
                me.command(
                    &format!("PASS {password}"),
                    &format!("signing in as {}", endpoint.username),
                )
                .await?;
            }
            Credential::OAuth { mechanism, token } => {
                let initial = mechanism.initial_response(&endpoint.username, token, host, endpoint.port);
                me.authenticate(*mechanism, &initial, &endpoint.username).await?;
            }
        }
        Ok(me)
    }

    /// RFC 5034 `AUTH` with the initial response on the command line. A refusing server sends
    /// a `+` challenge (its JSON error) first; the mechanism's abort reply gets its `-ERR`.
    async fn authenticate(&mut self, mechanism: Mechanism, initial: &str, user: &str) -> Result<(), FetchError> {
        let what = format!("signing in as {user} with {}", mechanism.name());
        let encoded = STANDARD.encode(initial);
        self.send_line(&format!("AUTH {} {encoded}", mechanism.name()), &what)
            .await?;
        let line = self.line().await?;
        if line.starts_with("+OK") {
            return Ok(());
        }
        let Some(challenge) = line.strip_prefix('+') else {
            return Err(FetchError::Imap(format!("POP3 {what}: {line}")));
        };
        let said = STANDARD
            .decode(challenge.trim())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_else(|_| challenge.trim().to_owned());
        self.send_line(&STANDARD.encode(mechanism.abort_response()), &what)
            .await?;
        let end = self.line().await?;
        Err(FetchError::Imap(format!("POP3 {what}: {end} (server said {said})")))
    }

    async fn send_line(&mut self, text: &str, what: &str) -> Result<(), FetchError> {
        let io = self.io.get_mut();
        tokio::time::timeout(self.timeout, async {
            io.write_all(text.as_bytes()).await?;
            io.write_all(b"\r\n").await?;
            io.flush().await
        })
        .await
        .map_err(|_| err(what, "no answer in time"))?
        .map_err(|e| err(what, e))
    }

    async fn line(&mut self) -> Result<String, FetchError> {
        let mut buf = Vec::new();
        let read = tokio::time::timeout(
            self.timeout,
            (&mut self.io).take(MAX_LINE as u64).read_until(b'\n', &mut buf),
        )
        .await
        .map_err(|_| err("reading", "no answer in time"))?
        .map_err(|e| err("reading", e))?;
        if read == 0 {
            return Err(err("reading", "the server closed the connection"));
        }
        if !buf.ends_with(b"\n") {
            return Err(err("reading", "a line longer than 8 KiB"));
        }
        Ok(String::from_utf8_lossy(&buf).trim_end_matches(['\r', '\n']).to_owned())
    }

    /// Reads a status line: `+OK …` → the rest; `-ERR …` → an error with the server's words.
    async fn ok_line(&mut self, what: &str) -> Result<String, FetchError> {
        let line = self.line().await?;
        match line.strip_prefix("+OK") {
            Some(rest) => Ok(rest.trim().to_owned()),
            None => Err(FetchError::Imap(format!("POP3 {what}: {line}"))),
        }
    }

    async fn command(&mut self, cmd: &str, what: &str) -> Result<String, FetchError> {
        self.send_line(cmd, what).await?;
        self.ok_line(what).await
    }

    /// A multi-line answer's body, dot-unstuffed, lines ending in CRLF; at most `limit` bytes
    /// kept (`None` past it: the rest is read and dropped).
    async fn multiline(&mut self, limit: usize) -> Result<Option<Vec<u8>>, FetchError> {
        let mut out = Vec::new();
        let mut over = false;
        loop {
            let mut buf = Vec::new();
            let n = tokio::time::timeout(self.timeout, self.io.read_until(b'\n', &mut buf))
                .await
                .map_err(|_| err("reading", "no answer in time"))?
                .map_err(|e| err("reading", e))?;
            if n == 0 {
                return Err(err("reading", "the server closed the connection mid-answer"));
            }
            let body = buf.strip_suffix(b"\n").unwrap_or(&buf);
            let body = body.strip_suffix(b"\r").unwrap_or(body);
            if body == b"." {
                return Ok((!over).then_some(out));
            }
            let body = body.strip_prefix(b".").unwrap_or(body);
            if !over {
                out.extend_from_slice(body);
                out.extend_from_slice(b"\r\n");
                if out.len() > limit {
                    over = true;
                    out = Vec::new();
                }
            }
        }
    }

    /// `UIDL`: (message number, unique id) of every message.
    pub async fn uidl(&mut self) -> Result<Vec<(u32, String)>, FetchError> {
        self.command("UIDL", "UIDL (the server must support unique ids)")
            .await?;
        let body = self.multiline(64 * 1024 * 1024).await?.unwrap_or_default();
        Ok(String::from_utf8_lossy(&body)
            .lines()
            .filter_map(|l| {
                let (n, id) = l.trim().split_once(' ')?;
                Some((n.parse().ok()?, id.trim().to_owned()))
            })
            .collect())
    }

    /// `STAT`: (messages, bytes).
    /// Whether the session runs over TLS (implicit, or after STLS).
    pub fn is_encrypted(&self) -> bool {
        matches!(self.io.get_ref(), Transport::Tls(_))
    }

    pub async fn stat(&mut self) -> Result<(u64, u64), FetchError> {
        let rest = self.command("STAT", "STAT").await?;
        let mut parts = rest.split_whitespace().map(|p| p.parse::<u64>().unwrap_or(0));
        Ok((parts.next().unwrap_or(0), parts.next().unwrap_or(0)))
    }

    /// `RETR n`: the raw message, or `None` when it is larger than `limit`.
    pub async fn retr(&mut self, n: u32, limit: usize) -> Result<Option<Vec<u8>>, FetchError> {
        self.command(&format!("RETR {n}"), &format!("RETR {n}")).await?;
        self.multiline(limit).await
    }

    /// `DELE n`: marks it; the server removes it at `QUIT`.
    pub async fn dele(&mut self, n: u32) -> Result<(), FetchError> {
        self.command(&format!("DELE {n}"), &format!("DELE {n}"))
            .await
            .map(|_| ())
    }

    /// `QUIT`: the deletions take effect.
    pub async fn quit(mut self) -> Result<(), FetchError> {
        self.command("QUIT", "QUIT").await.map(|_| ())
    }
}
