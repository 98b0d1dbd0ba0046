//! One mailbox's worker: holds the lease, keeps a connection, fetches, then waits for new mail
//! with IDLE (or polls every `poll_interval_secs` when the server has no IDLE). Failures
//! reconnect with exponential backoff (1 s, 2 s, 4 s … 5 min); after `max_failures` in a row the
//! mailbox is disabled until an admin re-enables it.

use std::pin::pin;
use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use async_imap::types::UnsolicitedResponse;
use entity::mailbox;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep, sleep_until};

use super::connect::{self, Connection, Endpoint};
use super::fetch::{self, NoHooks, within};
use super::lease::Lease;
use super::{FetchError, FetchReport, WorkerOptions, status};
use crate::context::AppContext;
use crate::egress::Egress;
use crate::error::{AppError, AppResult};

/// A "fetch now" request: answered with the report of the next cycle.
pub(crate) type Reply = oneshot::Sender<AppResult<FetchReport>>;

/// Why a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wake {
    /// IDLE reported a change (new mail, most likely).
    NewMail,
    /// The wait ran its course (poll interval, IDLE restart, backoff).
    Timeout,
    /// Someone asked for a fetch now.
    Request,
    /// Stop: the supervisor said so, or our lease is gone.
    Stop,
}

enum Exit {
    Stop,
    /// Settings changed: connect again, no failure.
    Reconnect,
    Failed(FetchError),
}

pub(crate) struct Worker {
    ctx: AppContext,
    lease: Lease,
    opts: WorkerOptions,
    stop: watch::Receiver<bool>,
    requests: mpsc::Receiver<Reply>,
    requests_open: bool,
    pending: Vec<Reply>,
    backoff: Duration,
}

/// Runs the worker of `mailbox_id` as `owner` until told to stop, the mailbox is disabled or
/// deleted, or another node holds its lease.
pub(crate) async fn run(
    ctx: AppContext,
    mailbox_id: i64,
    owner: String,
    opts: WorkerOptions,
    stop: watch::Receiver<bool>,
    requests: mpsc::Receiver<Reply>,
) {
    let lease = Lease::new(mailbox_id, owner, opts.lease_ttl);
    match lease.acquire(ctx.db()).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            tracing::warn!(mailbox = mailbox_id, error = %e, "taking the mailbox lease failed");
            return;
        }
    }
    tracing::info!(mailbox = mailbox_id, owner = %lease.owner, "mailbox worker started");
    let backoff = opts.backoff_initial;
    let mut worker = Worker {
        ctx,
        lease,
        opts,
        stop,
        requests,
        requests_open: true,
        pending: Vec::new(),
        backoff,
    };
    worker.main().await;
    if let Err(e) = worker.lease.release(worker.ctx.db()).await {
        tracing::warn!(mailbox = mailbox_id, error = %e, "releasing the mailbox lease failed; it expires by itself");
    }
    worker.answer(|| {
        Err(AppError::Conflict(format!(
            "the worker of mailbox {mailbox_id} stopped"
        )))
    });
    tracing::info!(mailbox = mailbox_id, "mailbox worker stopped");
}

impl Worker {
    fn id(&self) -> i64 {
        self.lease.mailbox_id
    }

    fn stopped(&self) -> bool {
        *self.stop.borrow() || self.stop.has_changed().is_err()
    }

    fn answer(&mut self, result: impl Fn() -> AppResult<FetchReport>) {
        for reply in self.pending.drain(..) {
            let _ = reply.send(result());
        }
    }

    async fn load(&self) -> Result<Option<mailbox::Model>, FetchError> {
        fetch::load(&self.ctx, self.id()).await
    }

    async fn main(&mut self) {
        loop {
            if self.stopped() {
                return;
            }
            let m = match self.load().await {
                Ok(Some(m)) if m.enabled && crate::mail::mailboxes::fetches(&m) => m,
                Ok(_) => return,
                Err(e) => {
                    tracing::warn!(mailbox = self.id(), error = %e, "loading the mailbox failed");
                    if self.pause(self.backoff).await == Wake::Stop {
                        return;
                    }
                    self.grow_backoff();
                    continue;
                }
            };
            match self.connected(&m).await {
                Exit::Stop => return,
                Exit::Reconnect => continue,
                Exit::Failed(e) => {
                    let id = self.id();
                    self.answer(|| Err(fetch::app_error(id, &e)));
                    if matches!(e, FetchError::LeaseLost) {
                        tracing::warn!(mailbox = id, "lease lost to another node; stopping");
                        return;
                    }
                    if let FetchError::Waiting(why) = &e {
                        // Checked again soon and cheaply (a database read), so a reconnect
                        // resumes fetching within seconds; the backoff stays as it was.
                        if let Err(db) = status::record_waiting(self.ctx.db(), id, why).await {
                            tracing::warn!(mailbox = id, error = %db, "recording the mailbox's state failed");
                        }
                        if self.pause(WAITING_RECHECK).await == Wake::Stop {
                            return;
                        }
                        continue;
                    }
                    if e.counts_against_mailbox() {
                        tracing::warn!(mailbox = id, error = %e, retry_in = ?self.backoff, "fetching failed");
                        match status::record_failure(self.ctx.db(), id, &e.to_string(), self.opts.max_failures).await {
                            Ok(true) => {
                                tracing::warn!(mailbox = id, error = %e, "mailbox disabled after repeated failures");
                                return;
                            }
                            Ok(false) => {}
                            Err(db) => tracing::warn!(mailbox = id, error = %db, "recording a fetch failure failed"),
                        }
                    } else {
                        tracing::warn!(mailbox = id, error = %e, retry_in = ?self.backoff, "fetching failed (not the mailbox's fault)");
                    }
                    if self.pause(self.backoff).await == Wake::Stop {
                        return;
                    }
                    self.grow_backoff();
                }
            }
        }
    }

    fn grow_backoff(&mut self) {
        self.backoff = (self.backoff * 2).min(self.opts.backoff_max);
    }

    /// What a change of which restarts a polled (POP3, Graph) worker.
    fn polled_settings(&self, m: &mailbox::Model) -> Option<String> {
        if crate::mail::graph::is_graph(m) {
            return Some(format!(
                "graph|{}|{}",
                crate::mail::graph::user_of(m),
                fetch::folder_of(m)
            ));
        }
        Endpoint::of_mailbox(self.ctx.keys(), Egress::of(self.ctx.settings()), m)
            .map(|e| format!("pop3|{}", e.fingerprint()))
            .ok()
    }

    /// POP3 and Graph: a short session per cycle (a POP3 session sees no mail arriving during
    /// it; Graph is asked for its delta), then a pause of `poll_interval_secs` or until someone
    /// asks for a fetch.
    async fn polled(&mut self, first: &mailbox::Model) -> Exit {
        let settings = self.polled_settings(first);
        loop {
            let m = match self.load().await {
                Ok(Some(m)) if m.enabled && crate::mail::mailboxes::fetches(&m) => m,
                Ok(_) => return Exit::Stop,
                Err(e) => return Exit::Failed(e),
            };
            if self.polled_settings(&m) != settings || !is_polled(&m) {
                return Exit::Reconnect;
            }
            let mut report = FetchReport::default();
            let cycle = if crate::mail::graph::is_graph(&m) {
                crate::mail::graph::fetch::run_cycle(&self.ctx, &m, Some(&self.lease), &mut report).await
            } else {
                crate::mail::pop3::run_cycle(&self.ctx, &m, Some(&self.lease), &self.opts, &mut report).await
            };
            match cycle {
                Ok(note) => {
                    if let Err(e) = status::record_success(self.ctx.db(), m.id, &report, note).await {
                        return Exit::Failed(e);
                    }
                    if report.fetched > 0 {
                        tracing::info!(mailbox = m.id, protocol = %m.fetch_protocol, ?report, "fetched");
                    }
                    self.backoff = self.opts.backoff_initial;
                    self.answer(|| Ok(report));
                }
                Err(e) => {
                    let _ = status::record_progress(self.ctx.db(), m.id, &report).await;
                    return Exit::Failed(e);
                }
            }
            if self.take_queued_requests() {
                continue;
            }
            let every = Duration::from_secs(u64::try_from(m.poll_interval_secs).unwrap_or(60).max(1));
            if self.pause(every).await == Wake::Stop {
                return Exit::Stop;
            }
        }
    }

    /// Connects, then fetches and waits in turn until something ends the connection.
    /// What a fetch cycle of mailbox `m` runs with.
    fn cycle<'a>(&'a self, m: &'a mailbox::Model) -> fetch::Cycle<'a> {
        fetch::Cycle {
            ctx: &self.ctx,
            m,
            lease: &self.lease,
            hooks: &NoHooks,
            opts: &self.opts,
        }
    }

    async fn connected(&mut self, first: &mailbox::Model) -> Exit {
        if is_polled(first) {
            return self.polled(first).await;
        }
        let endpoint = match Endpoint::of_mailbox(self.ctx.keys(), Egress::of(self.ctx.settings()), first) {
            Ok(e) => e,
            Err(e) => return Exit::Failed(e),
        };
        let endpoint = match endpoint.authorized(&self.ctx).await {
            Ok(e) => e,
            Err(e) => return Exit::Failed(e),
        };
        let settings = (endpoint.fingerprint(), fetch::folder_of(first));
        let mut conn = match connect::connect(&endpoint, self.opts.connect_timeout).await {
            Ok(c) => c,
            Err(e) => return Exit::Failed(e),
        };
        tracing::debug!(mailbox = self.id(), caps = ?conn.caps, "connected");
        loop {
            let m = match self.load().await {
                Ok(Some(m)) if m.enabled && crate::mail::mailboxes::fetches(&m) => m,
                Ok(_) => {
                    logout(&mut conn).await;
                    return Exit::Stop;
                }
                Err(e) => return Exit::Failed(e),
            };
            let now = Endpoint::of_mailbox(self.ctx.keys(), Egress::of(self.ctx.settings()), &m)
                .map(|e| (e.fingerprint(), fetch::folder_of(&m)));
            if now.as_ref().ok() != Some(&settings) || is_polled(&m) {
                logout(&mut conn).await;
                return Exit::Reconnect;
            }
            let mut report = FetchReport::default();
            let cycle = fetch::run_cycle(self.cycle(&m), &mut conn, &mut report).await;
            match cycle {
                Ok(note) => {
                    if let Err(e) = status::record_success(self.ctx.db(), m.id, &report, note).await {
                        return Exit::Failed(e);
                    }
                    if report.fetched > 0 {
                        tracing::info!(mailbox = m.id, ?report, "fetched");
                    }
                    self.backoff = self.opts.backoff_initial;
                    self.answer(|| Ok(report));
                }
                Err(e) => {
                    let _ = status::record_progress(self.ctx.db(), m.id, &report).await;
                    return Exit::Failed(e);
                }
            }
            // A request that came in during the cycle wants a cycle that starts after it; mail
            // that arrived during the cycle (EXISTS seen meanwhile) is fetched before waiting.
            if self.take_queued_requests() || new_mail_hint(&conn) {
                continue;
            }
            let wake = if conn.caps.idle && self.opts.idle {
                match self.idle(conn).await {
                    Ok((c, wake)) => {
                        conn = c;
                        wake
                    }
                    Err(e) => return Exit::Failed(e),
                }
            } else {
                let every = Duration::from_secs(u64::try_from(m.poll_interval_secs).unwrap_or(60).max(1));
                self.pause(every).await
            };
            if wake == Wake::Stop {
                logout(&mut conn).await;
                return Exit::Stop;
            }
        }
    }

    fn take_queued_requests(&mut self) -> bool {
        let mut any = false;
        while let Ok(reply) = self.requests.try_recv() {
            self.pending.push(reply);
            any = true;
        }
        any
    }

    /// Renews the lease; `false` when it is gone.
    async fn renew(&self) -> bool {
        match self.lease.renew(self.ctx.db()).await {
            Ok(held) => held,
            Err(e) => {
                // Our database is down: keep going, the next renewal may work.
                tracing::warn!(mailbox = self.id(), error = %e, "renewing the mailbox lease failed");
                true
            }
        }
    }

    /// Waits `dur`, keeping the lease; cut short by a request or a stop.
    async fn pause(&mut self, dur: Duration) -> Wake {
        let until = Instant::now() + dur;
        let every = self.opts.renew_every();
        let mut renew = interval_at(Instant::now() + every, every);
        renew.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = sleep_until(until) => return Wake::Timeout,
                _ = renew.tick() => {
                    if !self.renew().await {
                        return Wake::Stop;
                    }
                }
                r = self.requests.recv(), if self.requests_open => match r {
                    Some(reply) => {
                        self.pending.push(reply);
                        return Wake::Request;
                    }
                    None => self.requests_open = false,
                },
                _ = self.stop.changed() => {
                    if self.stopped() {
                        return Wake::Stop;
                    }
                }
            }
        }
    }

    /// IDLE until the server reports a change, a request or a stop comes, or `idle_restart`
    /// passes; the lease is renewed meanwhile. Hands the connection back.
    async fn idle(&mut self, conn: Connection) -> Result<(Connection, Wake), FetchError> {
        let caps = conn.caps;
        let t = self.opts.command_timeout;
        let queue = conn.session.unsolicited_responses.clone();
        let mut handle = conn.session.idle();
        within(t, "starting IDLE", handle.init()).await?;
        // A mail that arrived just before IDLE started was announced before the continuation:
        // stop waiting at once.
        let arrived = new_mail_hint_in(&queue);
        let mut reason = arrived.then_some(Wake::NewMail);
        let result = {
            let (fut, stop_idle) = handle.wait_with_timeout(self.opts.idle_restart + Duration::from_secs(60));
            let mut stop_idle = (!arrived).then_some(stop_idle);
            let mut fut = pin!(fut);
            let restart = sleep(self.opts.idle_restart);
            let mut restart = pin!(restart);
            let every = self.opts.renew_every();
            let mut renew = interval_at(Instant::now() + every, every);
            renew.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                // Dropping `stop_idle` makes `fut` end with ManualInterrupt.
                tokio::select! {
                    r = &mut fut => break r,
                    _ = &mut restart, if stop_idle.is_some() => {
                        reason = Some(Wake::Timeout);
                        stop_idle = None;
                    }
                    _ = renew.tick(), if stop_idle.is_some() => {
                        if !self.renew().await {
                            reason = Some(Wake::Stop);
                            stop_idle = None;
                        }
                    }
                    r = self.requests.recv(), if stop_idle.is_some() && self.requests_open => match r {
                        Some(reply) => {
                            self.pending.push(reply);
                            reason = Some(Wake::Request);
                            stop_idle = None;
                        }
                        None => self.requests_open = false,
                    },
                    _ = self.stop.changed(), if stop_idle.is_some() => {
                        if self.stopped() {
                            reason = Some(Wake::Stop);
                            stop_idle = None;
                        }
                    }
                }
            }
        };
        let wake = match result {
            Ok(IdleResponse::NewData(_)) => Wake::NewMail,
            Ok(IdleResponse::Timeout) => Wake::Timeout,
            Ok(IdleResponse::ManualInterrupt) => {
                reason.ok_or_else(|| FetchError::Imap("the server closed the connection during IDLE".into()))?
            }
            Err(e) => return Err(FetchError::imap("waiting in IDLE", e)),
        };
        let session = within(t, "ending IDLE", handle.done()).await?;
        Ok((Connection { session, caps }, wake))
    }
}

/// Whether the server announced new mail (EXISTS / RECENT) since the responses were last read;
/// a full queue may have dropped one, so it counts as a yes.
fn new_mail_hint_in(queue: &async_channel::Receiver<UnsolicitedResponse>) -> bool {
    let mut hint = queue.is_full();
    while let Ok(r) = queue.try_recv() {
        hint |= matches!(r, UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_));
    }
    hint
}

fn new_mail_hint(conn: &Connection) -> bool {
    new_mail_hint_in(&conn.session.unsolicited_responses)
}

async fn logout(conn: &mut Connection) {
    let _ = tokio::time::timeout(Duration::from_secs(5), conn.session.logout()).await;
}

/// How often a mailbox waiting for an admin (OAuth not connected) is looked at again.
const WAITING_RECHECK: Duration = Duration::from_secs(3);

/// Mailboxes fetched in short polled sessions rather than over a kept IMAP connection.
fn is_polled(m: &mailbox::Model) -> bool {
    crate::mail::pop3::is_pop3(m) || crate::mail::graph::is_graph(m)
}
