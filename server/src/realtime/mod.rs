//! Real time: the event bus, presence, this node's sockets and the live dashboard.
//!
//! Changes are published after their transaction commits (`Change::commit` →
//! `Realtime::tickets_changed`); every
//! node fans each event out to its own sockets, checking each socket's rights. See
//! docs/ARCHITECTURE.md, "Real time".

pub mod bus;
pub mod dashboard;
pub mod hub;
pub mod presence;
pub mod publish;
pub mod redis_bus;
pub mod socket;
pub mod visibility;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use protocol::live::ServerFrame;
use redis::aio::ConnectionManager;
use sea_orm::DatabaseConnection;
use tokio::sync::broadcast::error::RecvError;

use crate::realtime::bus::{Bus, BusEvent, LocalBus};
use crate::realtime::hub::Hub;
use crate::realtime::presence::{MemoryPresence, PresenceStore, RedisPresence};
use crate::realtime::redis_bus::RedisBus;

/// How often watched tickets' presence is re-read, so expired entries (a dead node's) vanish.
const SWEEP_EVERY: Duration = Duration::from_secs(2);
/// Dashboard updates are coalesced to at most one per this interval.
const DASHBOARD_EVERY: Duration = Duration::from_millis(500);
/// Watched dashboards are refreshed at least this often.
const DASHBOARD_REFRESH: Duration = Duration::from_secs(10);

pub struct Realtime {
    bus: Box<dyn Bus>,
    presence: Box<dyn PresenceStore>,
    hub: Hub,
    started: AtomicBool,
}

impl Realtime {
    /// In-process engines without Redis; Redis pub/sub and presence keys with it.
    pub fn new(redis: Option<(redis::Client, ConnectionManager)>, key_prefix: &str) -> Self {
        let node = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        let (bus, presence): (Box<dyn Bus>, Box<dyn PresenceStore>) = match redis {
            Some((client, conn)) => (
                Box::new(RedisBus::start(client, conn.clone(), key_prefix, node.clone())),
                Box::new(RedisPresence::new(conn, key_prefix)),
            ),
            None => (Box::new(LocalBus::default()), Box::new(MemoryPresence::default())),
        };
        Self {
            bus,
            presence,
            hub: Hub::new(node),
            started: AtomicBool::new(false),
        }
    }

    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    pub fn presence(&self) -> &dyn PresenceStore {
        self.presence.as_ref()
    }

    pub fn engines(&self) -> (&'static str, &'static str) {
        (self.bus.engine(), self.presence.engine())
    }

    /// Starts this node's fan-out, presence sweep and dashboard tasks (once; `serve` calls it).
    pub fn start(self: &Arc<Self>, db: DatabaseConnection) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let me = self.clone();
        let mut events = self.bus.subscribe();
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(event) => me.hub.dispatch(&event, me.presence.as_ref()).await,
                    Err(RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "live fan-out fell behind; clients resync");
                        me.hub.resync_all("the server fell behind; re-fetch");
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        });
        let me = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            loop {
                tick.tick().await;
                for ticket_id in me.hub.watched_tickets() {
                    me.hub.push_presence(ticket_id, me.presence.as_ref(), None).await;
                }
            }
        });
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                // Also every few seconds: "agents online" changes on other nodes too.
                let _ = tokio::time::timeout(DASHBOARD_REFRESH, me.hub.dashboard_dirty.notified()).await;
                me.push_dashboard(&db).await;
                tokio::time::sleep(DASHBOARD_EVERY).await;
            }
        });
    }

    pub async fn push_dashboard(&self, db: &DatabaseConnection) {
        let watchers = self.hub.dashboard_watchers();
        if watchers.is_empty() {
            return;
        }
        let online = self.presence.list(presence::ONLINE_ROOM).await;
        let agents_online = presence::merge(online).len() as u64;
        match dashboard::compute(db, agents_online).await {
            Ok(stats) => {
                let text = hub::encode(&ServerFrame::Dashboard { stats: Box::new(stats) });
                for w in watchers {
                    w.send(text.clone());
                }
            }
            Err(e) => tracing::warn!(error = %e, "dashboard figures could not be computed"),
        }
    }

    /// Publishes committed changes (one `Change`, or a batch of inbound mail), read together.
    /// Never fails the caller: the changes are already durable; a publishing problem is logged.
    pub async fn tickets_changed(&self, db: &DatabaseConnection, changes: &[publish::Changed]) {
        match publish::load_changes(db, changes).await {
            Ok(list) => {
                for c in list {
                    self.bus.publish(BusEvent::Ticket(Box::new(c))).await;
                }
            }
            Err(e) => tracing::warn!(changes = changes.len(), error = %e, "ticket changes could not be published"),
        }
    }

    pub async fn article_changed(&self, article_id: i64) {
        self.bus.publish(BusEvent::Article { article_id }).await;
    }

    /// Every event this node sees, for listeners besides the sockets (the search indexer).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Arc<BusEvent>> {
        self.bus.subscribe()
    }

    pub async fn presence_changed(&self, ticket_id: i64) {
        self.bus.publish(BusEvent::Presence { ticket_id }).await;
    }
}
