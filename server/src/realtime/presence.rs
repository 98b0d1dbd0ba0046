//! Who is on which ticket. Entries are per connection (so two tabs of one person come and go
//! independently) with an expiry refreshed by the socket's heartbeat: a closed tab is removed
//! at once, a cut network or a dead node expires within the TTL. Readers merge entries per
//! person. Kept in process memory by default, in Redis hashes when Redis is configured so all
//! nodes see the same people.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;
use protocol::live::{Activity, PresenceEntry};
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};

/// How long an entry lives without a heartbeat.
pub const TTL: Duration = Duration::from_secs(9);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Present {
    pub user_id: i64,
    pub name: String,
    pub activity: Activity,
    /// Unix milliseconds after which the entry no longer counts.
    pub expires_ms: i64,
}

impl Present {
    pub fn new(user_id: i64, name: &str, activity: Activity) -> Self {
        Self {
            user_id,
            name: name.to_owned(),
            activity,
            expires_ms: now_ms() + i64::try_from(TTL.as_millis()).unwrap_or(i64::MAX),
        }
    }

    fn live(&self, now: i64) -> bool {
        self.expires_ms > now
    }
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// A pseudo-ticket (no ticket has id 0) where every staff socket keeps an entry while it is
/// open: "agents online now" on the dashboard, across nodes, with the same TTL and heartbeat
/// as ticket presence.
pub const ONLINE_ROOM: i64 = 0;

#[async_trait::async_trait]
pub trait PresenceStore: Send + Sync {
    /// Sets (or refreshes) what connection `holder` is doing on the ticket.
    async fn set(&self, ticket_id: i64, holder: &str, present: Present);
    async fn remove(&self, ticket_id: i64, holder: &str);
    /// The live entries of the ticket.
    async fn list(&self, ticket_id: i64) -> Vec<Present>;
    fn engine(&self) -> &'static str;
}

/// One entry per person, with their most telling activity (typing a reply beats typing a note
/// beats viewing), sorted by name.
pub fn merge(entries: Vec<Present>) -> Vec<PresenceEntry> {
    let mut people: HashMap<i64, PresenceEntry> = HashMap::new();
    for p in entries {
        people
            .entry(p.user_id)
            .and_modify(|e| e.activity = e.activity.max(p.activity))
            .or_insert(PresenceEntry {
                user_id: p.user_id,
                name: p.name,
                activity: p.activity,
            });
    }
    let mut list: Vec<PresenceEntry> = people.into_values().collect();
    list.sort_by(|a, b| a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id)));
    list
}

/// The embedded default, and the fallback copy the Redis store keeps for when Redis is down.
#[derive(Default)]
pub struct MemoryPresence {
    tickets: Mutex<HashMap<i64, HashMap<String, Present>>>,
}

impl MemoryPresence {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<i64, HashMap<String, Present>>) -> T) -> T {
        let mut guard = self.tickets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

#[async_trait::async_trait]
impl PresenceStore for MemoryPresence {
    async fn set(&self, ticket_id: i64, holder: &str, present: Present) {
        self.with(|t| {
            t.entry(ticket_id).or_default().insert(holder.to_owned(), present);
        });
    }

    async fn remove(&self, ticket_id: i64, holder: &str) {
        self.with(|t| {
            if let Some(entries) = t.get_mut(&ticket_id) {
                entries.remove(holder);
                if entries.is_empty() {
                    t.remove(&ticket_id);
                }
            }
        });
    }

    async fn list(&self, ticket_id: i64) -> Vec<Present> {
        let now = now_ms();
        self.with(|t| {
            let Some(entries) = t.get_mut(&ticket_id) else {
                return Vec::new();
            };
            entries.retain(|_, p| p.live(now));
            let list = entries.values().cloned().collect();
            if entries.is_empty() {
                t.remove(&ticket_id);
            }
            list
        })
    }

    fn engine(&self) -> &'static str {
        "in-process"
    }
}

/// Presence in Redis: one hash per ticket, a field per connection holding its entry (with its
/// own expiry: Redis cannot expire hash fields one by one on every version we meet), the key
/// itself expiring shortly after its newest entry.
pub struct RedisPresence {
    conn: ConnectionManager,
    prefix: String,
    /// This node's own entries: served when Redis does not answer, so local users still see
    /// each other.
    mirror: MemoryPresence,
}

const REDIS_TIMEOUT: Duration = Duration::from_millis(1500);

impl RedisPresence {
    pub fn new(conn: ConnectionManager, key_prefix: &str) -> Self {
        Self {
            conn,
            prefix: format!("{key_prefix}presence:"),
            mirror: MemoryPresence::default(),
        }
    }

    fn key(&self, ticket_id: i64) -> String {
        format!("{}{ticket_id}", self.prefix)
    }

    async fn run<T: redis::FromRedisValue>(&self, pipe: &redis::Pipeline) -> Result<T, String> {
        let mut conn = self.conn.clone();
        match tokio::time::timeout(REDIS_TIMEOUT, pipe.query_async::<T>(&mut conn)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("timed out".into()),
        }
    }
}

#[async_trait::async_trait]
impl PresenceStore for RedisPresence {
    async fn set(&self, ticket_id: i64, holder: &str, present: Present) {
        let Ok(json) = serde_json::to_string(&present) else {
            return;
        };
        self.mirror.set(ticket_id, holder, present).await;
        let key = self.key(ticket_id);
        let mut pipe = redis::pipe();
        pipe.hset(&key, holder, json)
            .ignore()
            .pexpire(&key, i64::try_from(TTL.as_millis() * 2).unwrap_or(i64::MAX))
            .ignore();
        if let Err(e) = self.run::<()>(&pipe).await {
            tracing::warn!(error = %e, "presence not stored in Redis; other nodes will not see it");
        }
    }

    async fn remove(&self, ticket_id: i64, holder: &str) {
        self.mirror.remove(ticket_id, holder).await;
        let mut pipe = redis::pipe();
        pipe.hdel(self.key(ticket_id), holder).ignore();
        if let Err(e) = self.run::<()>(&pipe).await {
            tracing::warn!(error = %e, "presence not removed from Redis; it expires by itself");
        }
    }

    async fn list(&self, ticket_id: i64) -> Vec<Present> {
        let key = self.key(ticket_id);
        let mut pipe = redis::pipe();
        pipe.hgetall(&key);
        let (fields,): (HashMap<String, String>,) = match self.run(&pipe).await {
            Ok(v) => v,
            Err(e) => {
                tracing::debug!(error = %e, "presence read from the local copy (Redis unavailable)");
                return self.mirror.list(ticket_id).await;
            }
        };
        let now = now_ms();
        let mut live = Vec::new();
        let mut stale = Vec::new();
        for (holder, json) in fields {
            match serde_json::from_str::<Present>(&json) {
                Ok(p) if p.live(now) => live.push(p),
                _ => stale.push(holder),
            }
        }
        if !stale.is_empty() {
            let mut pipe = redis::pipe();
            pipe.hdel(&key, stale).ignore();
            let _ = self.run::<()>(&pipe).await;
        }
        live
    }

    fn engine(&self) -> &'static str {
        "redis"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn two_tabs_count_once_with_the_strongest_activity() {
        let store = MemoryPresence::default();
        store.set(1, "a", Present::new(10, "Ann", Activity::Viewing)).await;
        store.set(1, "b", Present::new(10, "Ann", Activity::TypingReply)).await;
        store.set(1, "c", Present::new(11, "Bob", Activity::TypingNote)).await;
        let people = merge(store.list(1).await);
        assert_eq!(people.len(), 2);
        assert_eq!(
            (people[0].name.as_str(), people[0].activity),
            ("Ann", Activity::TypingReply)
        );
        assert_eq!(
            (people[1].name.as_str(), people[1].activity),
            ("Bob", Activity::TypingNote)
        );
        store.remove(1, "b").await;
        assert_eq!(merge(store.list(1).await)[0].activity, Activity::Viewing);
    }

    #[tokio::test]
    async fn expired_entries_do_not_count() {
        let store = MemoryPresence::default();
        let mut old = Present::new(10, "Ann", Activity::Viewing);
        old.expires_ms = now_ms() - 1;
        store.set(1, "a", old).await;
        assert!(store.list(1).await.is_empty());
    }
}
