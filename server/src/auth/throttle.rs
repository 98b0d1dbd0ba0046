//! Counters of failed attempts within a window, for login throttling (and later per-sender
//! rate limits). In-process by default; in Redis when configured, so every node counts the
//! same attempts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use redis::aio::ConnectionManager;

#[async_trait]
pub trait AttemptCounter: Send + Sync {
    /// Attempts recorded under `key` in its current window.
    async fn count(&self, key: &str) -> anyhow::Result<u32>;
    /// Records one attempt; the window starts at the first one.
    async fn record(&self, key: &str, window: Duration) -> anyhow::Result<u32>;
    async fn reset(&self, key: &str) -> anyhow::Result<()>;
}

#[derive(Default)]
pub struct MemoryCounter {
    entries: Mutex<HashMap<String, (u32, Instant)>>,
}

impl MemoryCounter {
    fn with_entries<T>(&self, f: impl FnOnce(&mut HashMap<String, (u32, Instant)>) -> T) -> T {
        // A poisoned lock only means another thread panicked mid-update of a counter; the
        // counts are still usable.
        let mut guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        guard.retain(|_, (_, expires)| *expires > now);
        f(&mut guard)
    }
}

#[async_trait]
impl AttemptCounter for MemoryCounter {
    async fn count(&self, key: &str) -> anyhow::Result<u32> {
        Ok(self.with_entries(|m| m.get(key).map_or(0, |(n, _)| *n)))
    }

    async fn record(&self, key: &str, window: Duration) -> anyhow::Result<u32> {
        Ok(self.with_entries(|m| {
            let entry = m.entry(key.to_owned()).or_insert((0, Instant::now() + window));
            entry.0 += 1;
            entry.0
        }))
    }

    async fn reset(&self, key: &str) -> anyhow::Result<()> {
        self.with_entries(|m| m.remove(key));
        Ok(())
    }
}

pub struct RedisCounter {
    conn: ConnectionManager,
    prefix: String,
}

impl RedisCounter {
    pub fn new(conn: ConnectionManager, prefix: impl Into<String>) -> Self {
        Self {
            conn,
            prefix: prefix.into(),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}attempts:{key}", self.prefix)
    }
}

#[async_trait]
impl AttemptCounter for RedisCounter {
    async fn count(&self, key: &str) -> anyhow::Result<u32> {
        let mut conn = self.conn.clone();
        let n: Option<u32> = redis::cmd("GET").arg(self.key(key)).query_async(&mut conn).await?;
        Ok(n.unwrap_or(0))
    }

    async fn record(&self, key: &str, window: Duration) -> anyhow::Result<u32> {
        let mut conn = self.conn.clone();
        let key = self.key(key);
        // EXPIRE … NX keeps the window anchored at the first attempt.
        let (n,): (u32,) = redis::pipe()
            .atomic()
            .cmd("INCR")
            .arg(&key)
            .cmd("EXPIRE")
            .arg(&key)
            .arg(window.as_secs().max(1))
            .arg("NX")
            .ignore()
            .query_async(&mut conn)
            .await?;
        Ok(n)
    }

    async fn reset(&self, key: &str) -> anyhow::Result<()> {
        let mut conn = self.conn.clone();
        let _: () = redis::cmd("DEL").arg(self.key(key)).query_async(&mut conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_counter_counts_within_the_window_and_resets() {
        let c = MemoryCounter::default();
        assert_eq!(c.record("k", Duration::from_secs(60)).await.unwrap(), 1);
        assert_eq!(c.record("k", Duration::from_secs(60)).await.unwrap(), 2);
        assert_eq!(c.count("k").await.unwrap(), 2);
        c.reset("k").await.unwrap();
        assert_eq!(c.count("k").await.unwrap(), 0);
        c.record("short", Duration::from_millis(1)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(c.count("short").await.unwrap(), 0);
    }
}
