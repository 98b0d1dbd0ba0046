//! The one clonable handle every route and worker gets: database, settings, keys, engines.

use std::sync::{Arc, Weak};

use redis::aio::ConnectionManager;
use sea_orm::DatabaseConnection;

use crate::auth::throttle::{AttemptCounter, MemoryCounter, RedisCounter};
use crate::auth::url_tickets::{MemoryTickets, RedisTickets, TicketStore};
use crate::blobs::BlobStore;
use crate::keys::Keys;
use crate::mail::inbound::batch::IngestQueue;
use crate::mail::inbound::screen::auth::Authenticator;
use crate::mail::outbound::Outbound;
use crate::realtime::Realtime;
use crate::search::Search;
use crate::settings::Settings;

#[derive(Clone)]
pub struct AppContext {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    settings: Settings,
    keys: Keys,
    blobs: BlobStore,
    redis: Option<ConnectionManager>,
    attempts: Box<dyn AttemptCounter>,
    url_tickets: Box<dyn TicketStore>,
    realtime: Arc<Realtime>,
    outbound: Outbound,
    search: Search,
    ingest: IngestQueue,
    /// Sender authentication of inbound mail; none when `scan.sender_auth` is off.
    authenticator: Option<Authenticator>,
}

/// A handle that does not keep the context alive (for the ingest lanes it starts).
#[derive(Clone)]
pub struct WeakContext(Weak<Inner>);

impl WeakContext {
    pub fn upgrade(&self) -> Option<AppContext> {
        self.0.upgrade().map(|inner| AppContext { inner })
    }
}

impl AppContext {
    pub async fn new(settings: Settings, db: DatabaseConnection) -> anyhow::Result<Self> {
        let keys = Keys::load_or_create(&settings)?;
        let outbound = Outbound::from_settings(&settings)?;
        let blobs = BlobStore::open(settings.data_dir.join("blobs"))?;
        let search = Search::open(&settings).await?;
        let redis = match settings.redis_url() {
            Some(url) => Some(connect_redis(&url).await?),
            None => None,
        };
        let realtime = Arc::new(Realtime::new(redis.clone(), &settings.redis.key_prefix));
        let authenticator = Authenticator::from_settings(&settings)?;
        let redis = redis.map(|(_, conn)| conn);
        let attempts: Box<dyn AttemptCounter> = match &redis {
            Some(conn) => Box::new(RedisCounter::new(conn.clone(), settings.redis.key_prefix.clone())),
            None => Box::new(MemoryCounter::default()),
        };
        let url_tickets: Box<dyn TicketStore> = match &redis {
            Some(conn) => Box::new(RedisTickets::new(conn.clone(), settings.redis.key_prefix.clone())),
            None => Box::new(MemoryTickets::default()),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                settings,
                keys,
                blobs,
                redis,
                attempts,
                url_tickets,
                realtime,
                outbound,
                search,
                ingest: IngestQueue::default(),
                authenticator,
            }),
        })
    }

    pub fn downgrade(&self) -> WeakContext {
        WeakContext(Arc::downgrade(&self.inner))
    }

    /// Sender authentication, when it is on.
    pub fn authenticator(&self) -> Option<&Authenticator> {
        self.inner.authenticator.as_ref()
    }

    /// Where inbound mail is journaled and processed in batches.
    pub fn ingest_queue(&self) -> &IngestQueue {
        &self.inner.ingest
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.inner.db
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub fn keys(&self) -> &Keys {
        &self.inner.keys
    }

    pub fn blobs(&self) -> &BlobStore {
        &self.inner.blobs
    }

    pub fn redis(&self) -> Option<&ConnectionManager> {
        self.inner.redis.as_ref()
    }

    pub fn attempts(&self) -> &dyn AttemptCounter {
        self.inner.attempts.as_ref()
    }

    /// One-time tickets for URLs that cannot carry a header.
    pub fn url_tickets(&self) -> &dyn TicketStore {
        self.inner.url_tickets.as_ref()
    }

    pub fn realtime(&self) -> &Arc<Realtime> {
        &self.inner.realtime
    }

    pub fn outbound(&self) -> &Outbound {
        &self.inner.outbound
    }

    pub fn search(&self) -> &Search {
        &self.inner.search
    }

    /// Call after committing a transaction that queued mail: the sender starts at once.
    pub fn wake_sender(&self) {
        self.inner.outbound.wake.notify_one();
    }

    pub fn outbound_wake(&self) -> &tokio::sync::Notify {
        &self.inner.outbound.wake
    }
}

/// The client (for pub/sub connections) and a shared, self-reconnecting connection.
async fn connect_redis(url: &str) -> anyhow::Result<(redis::Client, ConnectionManager)> {
    use anyhow::Context;
    let client = redis::Client::open(url).context("reading the Redis URL")?;
    let conn = tokio::time::timeout(std::time::Duration::from_secs(10), client.get_connection_manager())
        .await
        .context("connecting to Redis timed out")?
        .context("connecting to Redis")?;
    Ok((client, conn))
}
