//! The event bus over Redis pub/sub, for several nodes. A node delivers its own events locally
//! at once (so it keeps working when Redis is down) and publishes them, tagged with its node id,
//! on one channel; each node's listener forwards the other nodes' events to its local bus.
//! When the link breaks the listener reconnects with backoff, resubscribes, and tells the
//! node's clients to resync what they may have missed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};

use crate::realtime::bus::{Bus, BusEvent, LocalBus};

#[derive(Serialize, Deserialize)]
struct Envelope {
    origin: String,
    event: BusEvent,
}

pub struct RedisBus {
    local: LocalBus,
    /// Encoded envelopes waiting for the publisher task, which sends them in order; callers
    /// never wait on Redis.
    outgoing: mpsc::Sender<String>,
    node: String,
    linked: Arc<AtomicBool>,
}

/// Events queued for Redis while it is slow or down; beyond this they reach only this node.
const OUTGOING_CAPACITY: usize = 10_000;

impl RedisBus {
    /// Starts the listener task (needs a Tokio runtime).
    pub fn start(client: redis::Client, conn: ConnectionManager, key_prefix: &str, node: String) -> Self {
        let local = LocalBus::default();
        let channel = format!("{key_prefix}events");
        let linked = Arc::new(AtomicBool::new(false));
        tokio::spawn(listen(
            client,
            channel.clone(),
            node.clone(),
            local.clone(),
            linked.clone(),
        ));
        let (outgoing, queue) = mpsc::channel(OUTGOING_CAPACITY);
        tokio::spawn(publisher(conn, channel, queue));
        Self {
            local,
            outgoing,
            node,
            linked,
        }
    }

    /// Whether the listener is subscribed right now.
    pub fn linked(&self) -> bool {
        self.linked.load(Ordering::Relaxed)
    }
}

#[async_trait::async_trait]
impl Bus for RedisBus {
    async fn publish(&self, event: BusEvent) {
        if matches!(event, BusEvent::Resync { .. }) {
            self.local.publish(event).await;
            return;
        }
        let envelope = Envelope {
            origin: self.node.clone(),
            event,
        };
        let payload = match serde_json::to_string(&envelope) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "an event could not be encoded; delivered locally only");
                self.local.publish(envelope.event).await;
                return;
            }
        };
        self.local.publish(envelope.event).await;
        if self.outgoing.try_send(payload).is_err() {
            tracing::warn!("the Redis publish queue is full; other nodes miss this event");
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<BusEvent>> {
        self.local.subscribe()
    }

    fn engine(&self) -> &'static str {
        "redis"
    }
}

async fn publisher(mut conn: ConnectionManager, channel: String, mut queue: mpsc::Receiver<String>) {
    while let Some(payload) = queue.recv().await {
        let sent = tokio::time::timeout(Duration::from_secs(2), conn.publish::<_, _, i64>(&channel, payload)).await;
        match sent {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "Redis publish failed; other nodes miss this event"),
            Err(_) => tracing::warn!("Redis publish timed out; other nodes miss this event"),
        }
    }
}

async fn listen(client: redis::Client, channel: String, node: String, local: LocalBus, linked: Arc<AtomicBool>) {
    let mut backoff = Duration::from_millis(100);
    let mut ever_linked = false;
    loop {
        match subscribe(&client, &channel).await {
            Ok(pubsub) => {
                linked.store(true, Ordering::Relaxed);
                backoff = Duration::from_millis(100);
                if ever_linked {
                    tracing::info!("Redis pub/sub link restored; clients resync");
                    local.deliver(Arc::new(BusEvent::Resync {
                        reason: "the link between server nodes was restored".into(),
                    }));
                }
                ever_linked = true;
                let mut messages = pubsub.into_on_message();
                while let Some(msg) = messages.next().await {
                    match serde_json::from_slice::<Envelope>(msg.get_payload_bytes()) {
                        Ok(env) if env.origin != node => local.deliver(Arc::new(env.event)),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "ignoring an undecodable bus message"),
                    }
                }
                linked.store(false, Ordering::Relaxed);
                tracing::warn!("Redis pub/sub link lost; this node serves its own sockets until it is back");
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in = ?backoff, "Redis pub/sub unavailable");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

async fn subscribe(client: &redis::Client, channel: &str) -> redis::RedisResult<redis::aio::PubSub> {
    let connect = async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(channel).await?;
        Ok(pubsub)
    };
    tokio::time::timeout(Duration::from_secs(5), connect)
        .await
        .unwrap_or_else(|_| Err(redis::RedisError::from((redis::ErrorKind::Io, "connect timed out"))))
}
