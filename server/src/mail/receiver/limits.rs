//! What one client may take from the receiver: connections at once (in all and per address)
//! and messages per minute per address. Over a limit the client gets a 4xx answer, so a
//! well-behaved MTA retries later and nothing is lost.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

const WINDOW: Duration = Duration::from_secs(60);
/// Past this many tracked addresses, expired rate windows are swept out.
const SWEEP_AT: usize = 10_000;

pub struct ClientLimits {
    total: Arc<Semaphore>,
    per_client: usize,
    per_minute: u32,
    open: Mutex<HashMap<IpAddr, usize>>,
    sent: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// A connection's place; given back when dropped.
pub struct Slot {
    limits: Arc<ClientLimits>,
    ip: IpAddr,
    _permit: OwnedSemaphorePermit,
}

/// Why a connection was turned away.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Busy,
    TooManyFromYou,
}

impl ClientLimits {
    pub fn new(total: usize, per_client: usize, per_minute: u32) -> Arc<Self> {
        Arc::new(Self {
            total: Arc::new(Semaphore::new(total.max(1))),
            per_client: per_client.max(1),
            per_minute: per_minute.max(1),
            open: Mutex::new(HashMap::new()),
            sent: Mutex::new(HashMap::new()),
        })
    }

    pub fn connect(self: &Arc<Self>, ip: IpAddr) -> Result<Slot, Refused> {
        let permit = self.total.clone().try_acquire_owned().map_err(|_| Refused::Busy)?;
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(ip).or_insert(0);
        if *n >= self.per_client {
            return Err(Refused::TooManyFromYou);
        }
        *n += 1;
        Ok(Slot {
            limits: self.clone(),
            ip,
            _permit: permit,
        })
    }

    /// Counts one message from `ip`; false when it is over its rate for this minute.
    pub fn allow_message(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        if sent.len() > SWEEP_AT {
            sent.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let (start, count) = sent.entry(ip).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        if *count >= self.per_minute {
            return false;
        }
        *count += 1;
        true
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.limits.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_capped_per_client_and_in_all() {
        let limits = ClientLimits::new(3, 2, 10);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let one = limits.connect(a).unwrap();
        let _two = limits.connect(a).unwrap();
        assert_eq!(limits.connect(a).err(), Some(Refused::TooManyFromYou));
        let _three = limits.connect(b).unwrap();
        assert_eq!(limits.connect(b).err(), Some(Refused::Busy));
        drop(one);
        assert!(limits.connect(a).is_ok(), "a closed connection gives its place back");
    }

    #[test]
    fn messages_are_capped_per_minute() {
        let limits = ClientLimits::new(3, 2, 2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(limits.allow_message(a));
        assert!(limits.allow_message(a));
        assert!(!limits.allow_message(a));
        assert!(limits.allow_message("192.0.2.9".parse().unwrap()));
    }
}
