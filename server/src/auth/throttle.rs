//! Throttling of guesses (logins, current-password checks): per key (an account, a client
//! address), a few free attempts within a window, then one attempt per delay, the delay
//! doubling with each further attempt up to a cap. Never a permanent lock: whoever knows the
//! password gets in once the delay has passed, however long an attacker kept trying.
//!
//! Counting and deciding are one atomic step (under the lock in memory, one Lua script in
//! Redis), so parallel guesses cannot all read "not yet over the limit" before any is counted.
//! In-process by default; in Redis when configured, so every node counts the same attempts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use redis::aio::ConnectionManager;

/// How one kind of key is throttled.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Attempts admitted at once within `window`.
    pub free: u32,
    /// The count is forgotten after this long without an admitted attempt.
    pub window: Duration,
    /// After the last free attempt the next one waits this long; each further one twice as
    /// long as the one before…
    pub base_delay: Duration,
    /// …but never longer than this.
    pub max_delay: Duration,
}

impl Policy {
    /// The wait after the admitted attempt number `n` (1-based); zero while attempts are free.
    pub fn delay_after(&self, n: u32) -> Duration {
        if n < self.free {
            return Duration::ZERO;
        }
        let doublings = (n - self.free).min(32);
        self.base_delay
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.max_delay)
    }
}

/// The verdict on one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Counted; go ahead and check it.
    Admitted,
    /// Not counted and not to be checked; ask again after this long.
    RetryAfter(Duration),
}

#[async_trait]
pub trait AttemptCounter: Send + Sync {
    /// Counts one attempt under `key` and decides whether it may be checked, in one step.
    async fn admit(&self, key: &str, policy: &Policy) -> anyhow::Result<Admission>;
    /// Un-counts one admitted attempt that should not count after all (a successful sign-in,
    /// on a key shared with other people such as a client address).
    async fn give_back(&self, key: &str) -> anyhow::Result<()>;
    /// Forgets the key: count and delay.
    async fn reset(&self, key: &str) -> anyhow::Result<()>;
    /// Attempts counted under `key` in its current window.
    async fn count(&self, key: &str) -> anyhow::Result<u32>;
    /// Counts one event in a fixed window that starts at the first one; returns the count with
    /// it (per-sender rate limits of inbound mail).
    async fn record(&self, key: &str, window: Duration) -> anyhow::Result<u32>;
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    count: u32,
    /// When the count is forgotten.
    expires: Instant,
    /// No further attempt before this.
    gate: Option<Instant>,
}

#[derive(Default)]
pub struct MemoryCounter {
    entries: Mutex<HashMap<String, Entry>>,
}

impl MemoryCounter {
    fn with_entries<T>(&self, f: impl FnOnce(&mut HashMap<String, Entry>, Instant) -> T) -> T {
        // A poisoned lock only means another thread panicked mid-update of a counter; the
        // counts are still usable.
        let mut guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        guard.retain(|_, e| e.expires > now || e.gate.is_some_and(|g| g > now));
        f(&mut guard, now)
    }
}

#[async_trait]
impl AttemptCounter for MemoryCounter {
    async fn admit(&self, key: &str, policy: &Policy) -> anyhow::Result<Admission> {
        Ok(self.with_entries(|m, now| {
            let e = m.entry(key.to_owned()).or_insert(Entry {
                count: 0,
                expires: now,
                gate: None,
            });
            if e.expires <= now {
                e.count = 0;
            }
            let n = e.count + 1;
            if n > policy.free
                && let Some(gate) = e.gate.filter(|g| *g > now)
            {
                return Admission::RetryAfter(gate - now);
            }
            e.count = n;
            e.expires = now + policy.window;
            let delay = policy.delay_after(n);
            if !delay.is_zero() {
                e.gate = Some(now + delay);
            }
            Admission::Admitted
        }))
    }

    async fn give_back(&self, key: &str) -> anyhow::Result<()> {
        self.with_entries(|m, _| {
            if let Some(e) = m.get_mut(key) {
                e.count = e.count.saturating_sub(1);
            }
        });
        Ok(())
    }

    async fn reset(&self, key: &str) -> anyhow::Result<()> {
        self.with_entries(|m, _| m.remove(key));
        Ok(())
    }

    async fn count(&self, key: &str) -> anyhow::Result<u32> {
        Ok(self.with_entries(|m, now| m.get(key).filter(|e| e.expires > now).map_or(0, |e| e.count)))
    }

    async fn record(&self, key: &str, window: Duration) -> anyhow::Result<u32> {
        Ok(self.with_entries(|m, now| {
            let e = m.entry(key.to_owned()).or_insert(Entry {
                count: 0,
                expires: now + window,
                gate: None,
            });
            if e.expires <= now {
                *e = Entry {
                    count: 0,
                    expires: now + window,
                    gate: None,
                };
            }
            e.count += 1;
            e.count
        }))
    }
}

pub struct RedisCounter {
    conn: ConnectionManager,
    prefix: String,
}

/// `admit` in Redis: KEYS = count, gate; ARGV = free, window ms, base delay ms, max delay ms.
/// Answers 0 (admitted) or the milliseconds to wait. Mirrors `MemoryCounter::admit`.
const ADMIT: &str = r"
local free = tonumber(ARGV[1])
local n = redis.call('INCR', KEYS[1])
if n > free then
  local held = redis.call('PTTL', KEYS[2])
  if held > 0 then
    redis.call('DECR', KEYS[1])
    return held
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if n >= free then
  local doublings = math.min(n - free, 32)
  local delay = math.min(tonumber(ARGV[3]) * 2 ^ doublings, tonumber(ARGV[4]))
  if delay >= 1 then
    redis.call('SET', KEYS[2], '1', 'PX', string.format('%d', delay))
  end
end
return 0
";

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

    fn gate(&self, key: &str) -> String {
        format!("{}attempt-gate:{key}", self.prefix)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[async_trait]
impl AttemptCounter for RedisCounter {
    async fn admit(&self, key: &str, policy: &Policy) -> anyhow::Result<Admission> {
        let mut conn = self.conn.clone();
        let wait_ms: i64 = redis::cmd("EVAL")
            .arg(ADMIT)
            .arg(2)
            .arg(self.key(key))
            .arg(self.gate(key))
            .arg(policy.free)
            .arg(millis(policy.window).max(1))
            .arg(millis(policy.base_delay))
            .arg(millis(policy.max_delay))
            .query_async(&mut conn)
            .await?;
        Ok(match u64::try_from(wait_ms) {
            Ok(ms) if ms > 0 => Admission::RetryAfter(Duration::from_millis(ms)),
            _ => Admission::Admitted,
        })
    }

    async fn give_back(&self, key: &str) -> anyhow::Result<()> {
        let mut conn = self.conn.clone();
        // Only where the count still exists: a DECR on a forgotten key would create it, at -1.
        let _: i64 = redis::cmd("EVAL")
            .arg("if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end return 0")
            .arg(1)
            .arg(self.key(key))
            .query_async(&mut conn)
            .await?;
        Ok(())
    }

    async fn reset(&self, key: &str) -> anyhow::Result<()> {
        let mut conn = self.conn.clone();
        let _: () = redis::cmd("DEL")
            .arg(self.key(key))
            .arg(self.gate(key))
            .query_async(&mut conn)
            .await?;
        Ok(())
    }

    async fn count(&self, key: &str) -> anyhow::Result<u32> {
        let mut conn = self.conn.clone();
        let n: Option<u32> = redis::cmd("GET").arg(self.key(key)).query_async(&mut conn).await?;
        Ok(n.unwrap_or(0))
    }

    async fn record(&self, key: &str, window: Duration) -> anyhow::Result<u32> {
        let mut conn = self.conn.clone();
        let key = self.key(key);
        // EXPIRE … NX keeps the window anchored at the first event.
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(free: u32) -> Policy {
        Policy {
            free,
            window: Duration::from_secs(60),
            base_delay: Duration::from_millis(40),
            max_delay: Duration::from_millis(100),
        }
    }

    #[test]
    fn delays_double_from_the_last_free_attempt_up_to_the_cap() {
        let p = policy(3);
        let ms: Vec<u128> = (1..=7).map(|n| p.delay_after(n).as_millis()).collect();
        assert_eq!(ms, vec![0, 0, 40, 80, 100, 100, 100]);
        assert_eq!(p.delay_after(u32::MAX), Duration::from_millis(100));
    }

    #[tokio::test]
    async fn memory_counter_admits_the_free_attempts_then_one_per_delay() {
        let c = MemoryCounter::default();
        let p = policy(2);
        assert_eq!(c.admit("k", &p).await.unwrap(), Admission::Admitted);
        assert_eq!(c.admit("k", &p).await.unwrap(), Admission::Admitted);
        let Admission::RetryAfter(wait) = c.admit("k", &p).await.unwrap() else {
            panic!("the third attempt must wait");
        };
        assert!(wait <= Duration::from_millis(40), "{wait:?}");
        // A refused attempt is not counted.
        assert_eq!(c.count("k").await.unwrap(), 2);
        c.give_back("k").await.unwrap();
        assert_eq!(c.count("k").await.unwrap(), 1);
        c.reset("k").await.unwrap();
        assert_eq!(c.count("k").await.unwrap(), 0);
        assert_eq!(c.admit("k", &p).await.unwrap(), Admission::Admitted);
    }
}
