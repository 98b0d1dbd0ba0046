//! Where the sender hands a mail over: an SMTP server (lettre), or — with no SMTP configured —
//! the dev outbox, where the stored row itself is the delivered mail.

use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::settings::SmtpSettings;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Try again later: 4xx, a network error, a timeout.
    Transient(String),
    /// The server refused for good (5xx) or the mail cannot be sent as it is.
    Permanent(String),
}

#[async_trait]
pub trait Transport: Send + Sync {
    fn name(&self) -> &'static str;
    /// Ok: the server's answer ("250 2.0.0 Ok: queued as …").
    async fn send(&self, mail_from: &str, rcpts: &[String], raw: &[u8]) -> Result<String, SendError>;
}

/// No SMTP server: the mail stays in the database for the admin to read.
pub struct DevOutbox;

#[async_trait]
impl Transport for DevOutbox {
    fn name(&self) -> &'static str {
        "outbox"
    }

    async fn send(&self, _from: &str, _rcpts: &[String], _raw: &[u8]) -> Result<String, SendError> {
        Ok("kept in the dev outbox (no SMTP server configured)".into())
    }
}

pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

/// TLS towards `host`, trusting the public roots and `ca_file` (`smtp.ca_file`) if set.
pub fn tls_parameters(host: &str, ca_file: &str) -> anyhow::Result<TlsParameters> {
    let mut params = TlsParameters::builder(host.to_owned());
    if !ca_file.is_empty() {
        let pem = std::fs::read(ca_file).with_context(|| format!("reading smtp.ca_file {ca_file}"))?;
        params =
            params.add_root_certificate(Certificate::from_pem(&pem).context("smtp.ca_file: not a PEM certificate")?);
    }
    Ok(params.build_rustls()?)
}

impl Smtp {
    pub fn new(s: &SmtpSettings) -> anyhow::Result<Self> {
        let host = s.host.trim();
        let params = tls_parameters(host, &s.ca_file)?;
        let tls = match s.tls.as_str() {
            "implicit" => Tls::Wrapper(params),
            "starttls" => Tls::Required(params),
            // Plain text; settings validation allows it for loopback hosts only.
            _ => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .tls(tls)
            .port(s.port)
            .timeout(Some(Duration::from_secs(s.timeout_secs.max(1))));
        if !s.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                s.username.clone(),
                s.password.expose_secret().to_owned(),
            ));
        }
        Ok(Self {
            transport: builder.build(),
        })
    }
}

#[async_trait]
impl Transport for Smtp {
    fn name(&self) -> &'static str {
        "smtp"
    }

    async fn send(&self, mail_from: &str, rcpts: &[String], raw: &[u8]) -> Result<String, SendError> {
        let envelope = envelope(mail_from, rcpts)?;
        match self.transport.send_raw(&envelope, raw).await {
            Ok(answer) => Ok(format!(
                "{} {}",
                answer.code(),
                answer.message().collect::<Vec<_>>().join(" ")
            )),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(describe(&e))),
            Err(e) => Err(SendError::Transient(describe(&e))),
        }
    }
}

/// The SMTP envelope; an address lettre cannot take is the mail's own problem (permanent).
pub fn envelope(mail_from: &str, rcpts: &[String]) -> Result<Envelope, SendError> {
    let parse = |a: &str| {
        a.parse::<Address>()
            .map_err(|_| SendError::Permanent(format!("invalid address {a:?}")))
    };
    let from = parse(mail_from)?;
    let to = rcpts.iter().map(|r| parse(r)).collect::<Result<Vec<_>, _>>()?;
    Envelope::new(Some(from), to).map_err(|e| SendError::Permanent(e.to_string()))
}

/// The server's own words where there are some ("550 5.1.1 no such user").
pub fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}
