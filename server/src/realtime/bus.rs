//! The event bus: every state change is published once, after its transaction commits, and
//! every node fans it out to its own sockets. One trait, two engines: in-process broadcast
//! (the embedded default) and Redis pub/sub (`redis_bus`), chosen by configuration.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use protocol::live::ChangeKind;
use protocol::{Message, Ticket};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// How many events a node buffers for its fan-out task before it lags (and tells clients to
/// resync).
pub const LOCAL_CAPACITY: usize = 8192;

/// What decides who may see a ticket, carried with each change so a node can check rights
/// without a database round trip per socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketFacts {
    #[serde(default)]
    pub ticket_id: i64,
    pub requester_id: i64,
    pub requester_company_id: Option<i64>,
    pub category_id: Option<i64>,
    pub assignee_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketChange {
    pub event_id: u64,
    pub change: ChangeKind,
    pub ticket: Ticket,
    pub facts: TicketFacts,
    /// The new message, for `Message` and `Note` changes.
    pub message: Option<Message>,
    pub actor_id: Option<i64>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BusEvent {
    Ticket(Box<TicketChange>),
    /// Someone's presence on the ticket changed; every node re-reads it from the presence
    /// store and pushes it to its watchers.
    Presence {
        ticket_id: i64,
    },
    /// A knowledge-base article was written or deleted (the search index follows).
    Article {
        article_id: i64,
    },
    /// Only ever raised locally: this node may have missed events (its Redis link was down, or
    /// its fan-out lagged), so its clients should re-fetch.
    Resync {
        reason: String,
    },
}

#[async_trait::async_trait]
pub trait Bus: Send + Sync {
    /// Delivers to this node's subscribers at once and to every other node. Never fails: a
    /// change is committed before it is published, and a broken link is logged, not returned.
    async fn publish(&self, event: BusEvent);
    fn subscribe(&self) -> broadcast::Receiver<Arc<BusEvent>>;
    fn engine(&self) -> &'static str;
}

/// The embedded default: a broadcast channel inside this process.
#[derive(Clone)]
pub struct LocalBus {
    tx: broadcast::Sender<Arc<BusEvent>>,
}

impl Default for LocalBus {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(LOCAL_CAPACITY);
        Self { tx }
    }
}

impl LocalBus {
    pub fn deliver(&self, event: Arc<BusEvent>) {
        // No receiver (no socket task yet) is not an error.
        let _ = self.tx.send(event);
    }
}

#[async_trait::async_trait]
impl Bus for LocalBus {
    async fn publish(&self, event: BusEvent) {
        self.deliver(Arc::new(event));
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<BusEvent>> {
        self.tx.subscribe()
    }

    fn engine(&self) -> &'static str {
        "in-process"
    }
}

/// Event ids: microseconds since the epoch, made strictly increasing within the node, so ids
/// from different nodes still sort roughly by time.
pub fn next_event_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = u64::try_from(Utc::now().timestamp_micros()).unwrap_or(0);
    let mut prev = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(prev + 1);
        match LAST.compare_exchange_weak(prev, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(p) => prev = p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_bus_delivers_to_every_subscriber() {
        let bus = LocalBus::default();
        let mut a = bus.subscribe();
        let mut b = bus.subscribe();
        bus.publish(BusEvent::Presence { ticket_id: 7 }).await;
        for rx in [&mut a, &mut b] {
            let got = rx.recv().await.unwrap();
            assert!(matches!(*got, BusEvent::Presence { ticket_id: 7 }));
        }
    }

    #[test]
    fn event_ids_only_go_up() {
        let mut last = 0;
        for _ in 0..10_000 {
            let id = next_event_id();
            assert!(id > last);
            last = id;
        }
    }
}
