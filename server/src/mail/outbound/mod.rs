//! Outbound mail: agents' replies and notifications, written to a transactional outbox with
//! the change that caused them and sent by a worker over SMTP (or kept in the dev outbox).
//!
//! [`notify`] decides who gets what (seed 002's rules) → [`templates`] fill the text →
//! [`compose`] builds the MIME message with our threading headers → [`queue`] stores it
//! (after [`policy`]: robots, bounces, loop caps) → [`sender`] delivers via a [`transport`].

pub mod admin;
pub mod compose;
pub mod facts;
pub mod link_actions;
pub mod links;
pub mod notification_settings;
pub mod notify;
pub mod policy;
pub mod queue;
pub mod routing;
pub mod sender;
pub mod smtp_oauth;
pub mod templates;
pub mod thread_index;
pub mod transport;

use std::sync::Arc;

use anyhow::Context;
use lettre::message::dkim::{DkimConfig, DkimSigningAlgorithm, DkimSigningKey};
use tokio::sync::Notify;

use crate::settings::Settings;
use transport::{DevOutbox, Smtp, Transport};

/// This node's outbound machinery: the transport, the DKIM key, and the bell that wakes the
/// sender when a transaction queued mail.
pub struct Outbound {
    /// The global transport; a mailbox with its own SMTP account sends through it (`routes`).
    pub transport: Arc<dyn Transport>,
    pub routes: routing::Routes,
    pub dkim: Option<DkimConfig>,
    pub wake: Notify,
}

impl Outbound {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let transport: Arc<dyn Transport> = if settings.smtp.enabled() {
            Arc::new(Smtp::new(&settings.smtp).context("setting up SMTP")?)
        } else {
            Arc::new(DevOutbox)
        };
        let o = &settings.outbound;
        let dkim = if o.dkim_key_file.is_empty() {
            None
        } else {
            let pem = std::fs::read_to_string(&o.dkim_key_file)
                .with_context(|| format!("reading outbound.dkim_key_file {}", o.dkim_key_file))?;
            let key = DkimSigningKey::new(&pem, DkimSigningAlgorithm::Rsa)
                .map_err(|e| anyhow::anyhow!("outbound.dkim_key_file: not an RSA private key (PKCS#1 PEM): {e}"))?;
            Some(DkimConfig::default_config(
                o.dkim_selector.clone(),
                o.dkim_domain.clone(),
                key,
            ))
        };
        Ok(Self {
            transport,
            routes: routing::Routes::default(),
            dkim,
            wake: Notify::new(),
        })
    }
}
