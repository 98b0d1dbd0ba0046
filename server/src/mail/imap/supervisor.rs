//! The supervisor `maildesk serve` starts: every few seconds it lists the enabled mailboxes
//! that have an IMAP server, starts a worker for each one whose lease this node can take, and
//! stops the workers of mailboxes that were disabled, deleted or changed (a changed one is
//! started again with its new settings).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::mailbox;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use super::worker::{self, Reply};
use super::{FetchReport, WorkerOptions, lease};
use crate::context::AppContext;
use crate::error::{AppError, AppResult};

/// The workers of every supervisor in this process, by node id then mailbox, so "fetch now"
/// reaches the worker that holds a mailbox's lease here.
type Registry = HashMap<String, HashMap<i64, mpsc::Sender<Reply>>>;

fn registry() -> &'static Mutex<Registry> {
    static REGISTRY: OnceLock<Mutex<Registry>> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

fn with_registry<T>(f: impl FnOnce(&mut Registry) -> T) -> T {
    let mut guard = registry().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut guard)
}

fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".to_owned())
}

/// `hostname-pid`: names this process in lease owners.
pub fn process_tag() -> String {
    format!("{}-{}", hostname(), std::process::id())
}

/// A fresh node id: hostname, pid and a random part (two supervisors never share one).
pub fn new_node_id() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{}-{}", process_tag(), &random[..8])
}

/// The local worker of `mailbox_id`, if the lease `holder` is a supervisor of this process.
pub(crate) fn local_worker(holder: &str, mailbox_id: i64) -> Option<mpsc::Sender<Reply>> {
    with_registry(|r| r.get(holder).and_then(|w| w.get(&mailbox_id)).cloned())
}

/// Asks a worker for a cycle now and waits for its report.
pub(crate) async fn ask(worker: mpsc::Sender<Reply>, mailbox_id: i64) -> AppResult<FetchReport> {
    let gone = || AppError::Conflict(format!("the worker of mailbox {mailbox_id} stopped; try again"));
    let (tx, rx) = oneshot::channel();
    worker.send(tx).await.map_err(|_| gone())?;
    match tokio::time::timeout(Duration::from_secs(600), rx).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(gone()),
        Err(_) => Err(AppError::Conflict(format!(
            "the worker of mailbox {mailbox_id} did not answer within 10 minutes"
        ))),
    }
}

/// Starts the supervisor with the production timings.
pub fn spawn_supervisor(ctx: AppContext) -> JoinHandle<()> {
    spawn_supervisor_with(ctx, WorkerOptions::default())
}

/// Starts the supervisor. Aborting the returned task (or dropping the runtime) stops its
/// workers; their leases expire after `lease_ttl` if they cannot release them.
pub fn spawn_supervisor_with(ctx: AppContext, opts: WorkerOptions) -> JoinHandle<()> {
    let node = new_node_id();
    tracing::info!(node = %node, "IMAP supervisor started");
    with_registry(|r| r.insert(node.clone(), HashMap::new()));
    let supervisor = Supervisor {
        ctx,
        opts,
        node,
        workers: HashMap::new(),
    };
    tokio::spawn(supervisor.run())
}

struct Running {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    updated_at: DateTime<Utc>,
}

struct Supervisor {
    ctx: AppContext,
    opts: WorkerOptions,
    node: String,
    workers: HashMap<i64, Running>,
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        with_registry(|r| r.remove(&self.node));
        for w in self.workers.values() {
            let _ = w.stop.send(true);
        }
    }
}

impl Supervisor {
    async fn run(mut self) {
        loop {
            if let Err(e) = self.scan().await {
                tracing::warn!(error = %e, "listing mailboxes failed");
            }
            tokio::time::sleep(self.opts.scan_every).await;
        }
    }

    async fn scan(&mut self) -> Result<(), sea_orm::DbErr> {
        let boxes = mailbox::Entity::find()
            .filter(mailbox::Column::Enabled.eq(true))
            .filter(crate::mail::mailboxes::fetches_condition())
            .all(self.ctx.db())
            .await?;
        let wanted: HashMap<i64, &mailbox::Model> = boxes
            .iter()
            .filter(|m| crate::mail::mailboxes::fetches(m))
            .map(|m| (m.id, m))
            .collect();

        let finished: Vec<i64> = self
            .workers
            .iter()
            .filter(|(_, w)| w.task.is_finished())
            .map(|(id, _)| *id)
            .collect();
        for id in finished {
            self.workers.remove(&id);
            with_registry(|r| r.get_mut(&self.node).map(|w| w.remove(&id)));
        }
        for (id, w) in &self.workers {
            let changed = wanted.get(id).is_none_or(|m| m.updated_at != w.updated_at);
            if changed && !*w.stop.borrow() {
                tracing::info!(
                    mailbox = id,
                    "mailbox disabled, deleted or changed; stopping its worker"
                );
                let _ = w.stop.send(true);
            }
        }
        for (id, m) in wanted {
            if self.workers.contains_key(&id) || !lease::is_free_for(m, &self.node) {
                continue;
            }
            let (stop_tx, stop_rx) = watch::channel(false);
            let (req_tx, req_rx) = mpsc::channel(16);
            let task = tokio::spawn(worker::run(
                self.ctx.clone(),
                id,
                self.node.clone(),
                self.opts.clone(),
                stop_rx,
                req_rx,
            ));
            with_registry(|r| r.entry(self.node.clone()).or_default().insert(id, req_tx));
            self.workers.insert(
                id,
                Running {
                    stop: stop_tx,
                    task,
                    updated_at: m.updated_at,
                },
            );
        }
        Ok(())
    }
}
