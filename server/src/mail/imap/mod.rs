//! IMAP fetching: each mailbox with an IMAP server is worked by one node at a time, under an
//! expiring lease in the `mailboxes` row.
//!
//! The invariant, per mail: **journal commit → acknowledgement on the server → `last_uid`**.
//! A crash anywhere re-fetches the mail, and the journal's idempotency key returns the entry it
//! already has, so nothing is lost and nothing is applied twice.
//!
//! - [`connect`]: TCP, TLS (implicit, STARTTLS, or none on loopback only), login, capabilities.
//! - [`fetch`]: one fetch cycle (by UID, never by `UNSEEN`) and [`fetch_once`] ("fetch now").
//! - [`folder_name`]: folder names in IMAP's modified UTF-7.
//! - [`lease`]: taking, renewing and releasing the mailbox lease; persisting progress under it.
//! - [`status`]: the fetch status columns (last error, failure count, disabling after 5).
//! - [`worker`]: one mailbox's loop: IDLE (or polling), reconnecting with backoff.
//! - [`supervisor`]: starts and stops the workers of this node ([`spawn_supervisor`]).

pub mod connect;
pub mod fetch;
pub mod folder_name;
pub mod lease;
pub mod status;
pub mod supervisor;
pub mod worker;

use std::time::Duration;

use serde::Serialize;

pub use fetch::{FetchHooks, NoHooks, fetch_once, fetch_once_with};
pub use supervisor::{spawn_supervisor, spawn_supervisor_with};

/// What one fetch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FetchReport {
    /// Mails read from the server.
    pub fetched: u64,
    /// Mails the journal did not have before.
    pub journaled_new: u64,
    /// Mails the journal already had (a re-fetch after a crash, or a redelivery).
    pub duplicates: u64,
    /// Mails that could not be processed (dead letters) or not be taken at all (left on the
    /// server, e.g. over the size limit).
    pub failed: u64,
}

impl FetchReport {
    /// Hands one fetched mail to the pipeline (journal commit, then processing) and counts
    /// what happened. POP3 and Graph take mail one at a time through this; IMAP in batches.
    pub(crate) async fn ingest(
        &mut self,
        ctx: &crate::context::AppContext,
        mail: crate::mail::inbound::journal::NewMail<'_>,
    ) -> Result<(), FetchError> {
        let (journaled, outcome) = crate::mail::inbound::pipeline::ingest(ctx, mail)
            .await
            .map_err(FetchError::Db)?;
        if journaled.duplicate {
            self.duplicates += 1;
        } else {
            self.journaled_new += 1;
        }
        if outcome.status == crate::mail::inbound::journal::status::FAILED {
            self.failed += 1;
        }
        Ok(())
    }
}

/// Timing of the workers. The defaults are the production values.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// How long a lease lasts without renewal: a dead node's mailboxes are taken over after it.
    pub lease_ttl: Duration,
    /// How often the supervisor looks for mailboxes to start or stop.
    pub scan_every: Duration,
    /// First reconnect delay after a failure; doubled each time up to `backoff_max`.
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
    /// Consecutive failures after which a mailbox is disabled until an admin re-enables it.
    pub max_failures: i32,
    /// Wait for new mail with IDLE when the server offers it; `false` always polls every
    /// `poll_interval_secs` (for servers whose IDLE misbehaves).
    pub idle: bool,
    /// IDLE is re-issued this often (RFC 2177: at most 29 minutes).
    pub idle_restart: Duration,
    /// Connecting, TLS and login together.
    pub connect_timeout: Duration,
    /// Any one IMAP command (a batch fetch included).
    pub command_timeout: Duration,
    /// How long [`fetch_once`] waits for a lease held by someone else.
    pub manual_wait: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            lease_ttl: Duration::from_secs(60),
            scan_every: Duration::from_secs(5),
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            max_failures: 5,
            idle: true,
            idle_restart: Duration::from_secs(25 * 60),
            connect_timeout: Duration::from_secs(30),
            command_timeout: Duration::from_secs(120),
            manual_wait: Duration::from_secs(20),
        }
    }
}

impl WorkerOptions {
    /// The lease is renewed this often while a mailbox is worked.
    pub(crate) fn renew_every(&self) -> Duration {
        (self.lease_ttl / 3).max(Duration::from_millis(100))
    }
}

/// Why a fetch stopped.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The server, the network or the mailbox settings: counts towards disabling the mailbox.
    #[error("{0}")]
    Imap(String),
    /// Nothing can be fetched until an admin acts (the OAuth account is not connected, or its
    /// grant was refused): shown in the mailbox's status, not counted, checked again shortly.
    #[error("{0}")]
    Waiting(String),
    /// Another node took the mailbox over (our lease had expired).
    #[error("the mailbox lease was lost to another node")]
    LeaseLost,
    /// A [`FetchHooks`] stopped the fetch, as a crash would have.
    #[error("fetch aborted: {0}")]
    Aborted(String),
    /// Our own database: does not count against the mailbox.
    #[error(transparent)]
    Db(#[from] crate::error::AppError),
}

impl From<sea_orm::DbErr> for FetchError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Db(e.into())
    }
}

impl FetchError {
    pub(crate) fn imap(what: &str, e: impl std::fmt::Display) -> Self {
        Self::Imap(format!("{what}: {e}"))
    }

    /// Whether this failure is the mailbox's (counted, and disabling it after `max_failures`).
    pub fn counts_against_mailbox(&self) -> bool {
        matches!(self, Self::Imap(_))
    }
}
