//! Sending through a mailbox's own SMTP account with its OAuth grant (SASL XOAUTH2 or
//! OAUTHBEARER). One connection per mail, signed in with a token fetched for it — tokens live
//! an hour, so pooled connections would outlive them. lettre's connection does the protocol
//! (EHLO, STARTTLS, DATA); the AUTH exchange is ours because lettre knows no OAUTHBEARER.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

use super::transport::{SendError, Transport, describe, envelope, tls_parameters};
use crate::context::WeakContext;
use crate::mail::oauth::sasl::Mechanism;

pub struct OAuthSmtp {
    pub ctx: WeakContext,
    pub mailbox_id: i64,
    pub host: String,
    pub port: u16,
    /// `implicit`, `starttls` or `none` (loopback only, checked on save).
    pub tls: String,
    /// Empty: the connected account.
    pub username: String,
    pub mechanism: Mechanism,
    pub ca_file: String,
    pub timeout: Duration,
}

/// A command line as lettre sends it.
struct Line(String);

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\r\n", self.0)
    }
}

fn transient(what: &str, e: &lettre::transport::smtp::Error) -> SendError {
    let text = format!("{what}: {}", describe(e));
    if e.is_permanent() {
        SendError::Permanent(text)
    } else {
        SendError::Transient(text)
    }
}

impl OAuthSmtp {
    async fn connect(&self, params: Option<TlsParameters>) -> Result<AsyncSmtpConnection, SendError> {
        let wrapped = match (self.tls.as_str(), &params) {
            ("implicit", Some(p)) => Some(p.clone()),
            _ => None,
        };
        let hello = ClientId::default();
        let mut conn = AsyncSmtpConnection::connect_tokio1(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &hello,
            wrapped,
            None,
        )
        .await
        .map_err(|e| transient("connecting", &e))?;
        if self.tls == "starttls" {
            let Some(p) = params else {
                return Err(SendError::Permanent("no TLS parameters for STARTTLS".into()));
            };
            conn.starttls(p, &hello)
                .await
                .map_err(|e| transient("STARTTLS (the mailbox asks for it)", &e))?;
        }
        Ok(conn)
    }

    async fn sign_in(&self, conn: &mut AsyncSmtpConnection, user: &str, token: &str) -> Result<(), SendError> {
        let initial = STANDARD.encode(self.mechanism.initial_response(user, token, &self.host, self.port));
        let what = format!("signing in as {user} with {}", self.mechanism.name());
        let answer = conn
            .command(Line(format!("AUTH {} {initial}", self.mechanism.name())))
            .await
            .map_err(|e| transient(&what, &e))?;
        if answer.has_code(334) {
            // The server's error challenge: answered so it ends the exchange with its code.
            let said = answer
                .first_line()
                .and_then(|l| STANDARD.decode(l.trim()).ok())
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let end = conn
                .command(Line(STANDARD.encode(self.mechanism.abort_response())))
                .await;
            let code = match &end {
                Err(e) => describe(e),
                Ok(r) => format!("{} {}", r.code(), r.message().collect::<Vec<_>>().join(" ")),
            };
            // A refused token is the grant's problem, which refreshing or reconnecting fixes:
            // retried later, not a bounce.
            return Err(SendError::Transient(format!("{what}: {code} (server said {said})")));
        }
        Ok(())
    }
}

#[async_trait]
impl Transport for OAuthSmtp {
    fn name(&self) -> &'static str {
        "smtp-oauth"
    }

    async fn send(&self, mail_from: &str, rcpts: &[String], raw: &[u8]) -> Result<String, SendError> {
        let Some(ctx) = self.ctx.upgrade() else {
            return Err(SendError::Transient("the server is shutting down".into()));
        };
        let bearer = crate::mail::oauth::tokens::bearer(&ctx, self.mailbox_id)
            .await
            // Without a token the mail waits (an admin reconnects, the provider comes back); it
            // is not the recipient's fault, so it never bounces for it.
            .map_err(|e| SendError::Transient(e.to_string()))?;
        let user = if self.username.is_empty() {
            bearer.account.clone()
        } else {
            self.username.clone()
        };
        let envelope = envelope(mail_from, rcpts)?;
        let params = match self.tls.as_str() {
            "none" => None,
            _ => Some(tls_parameters(&self.host, &self.ca_file).map_err(|e| SendError::Permanent(e.to_string()))?),
        };
        let mut conn = self.connect(params).await?;
        let sent = async {
            self.sign_in(&mut conn, &user, &bearer.token).await?;
            conn.send(&envelope, raw).await.map_err(|e| transient("sending", &e))
        }
        .await;
        let _ = conn.quit().await;
        let answer = sent?;
        Ok(format!(
            "{} {}",
            answer.code(),
            answer.message().collect::<Vec<_>>().join(" ")
        ))
    }
}
