//! How many large unauthenticated bodies (raw mails on `POST /inbound`) one client may be
//! sending at once. Each upload in flight holds memory until its signature can be checked
//! (after the whole body), so without a cap one address could open enough slow uploads to
//! exhaust the node. Counted per node: it is this node's memory being protected.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// Shared by every worker of one server (created once, before the workers).
#[derive(Debug, Clone)]
pub struct UploadSlots {
    per_client: usize,
    in_flight: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One upload in flight; the slot frees when it drops (answered, failed or disconnected).
#[derive(Debug)]
pub struct Slot {
    client: IpAddr,
    in_flight: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl UploadSlots {
    pub fn new(per_client: usize) -> Self {
        Self {
            per_client,
            in_flight: Arc::default(),
        }
    }

    /// A slot for `client`, or `None` when it already has `per_client` uploads in flight.
    pub fn try_take(&self, client: IpAddr) -> Option<Slot> {
        // A panic elsewhere while holding the lock leaves the counts consistent (each change
        // is one statement), so a poisoned lock is still good to use.
        let mut map = self.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        let count = map.entry(client).or_insert(0);
        if *count >= self.per_client {
            return None;
        }
        *count += 1;
        Some(Slot {
            client,
            in_flight: self.in_flight.clone(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut map = self.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = map.get_mut(&self.client) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                map.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_share_and_no_more_until_one_ends() {
        let slots = UploadSlots::new(2);
        let a: IpAddr = "203.0.113.7".parse().unwrap();
        let b: IpAddr = "198.51.100.1".parse().unwrap();
        let first = slots.try_take(a).unwrap();
        let _second = slots.try_take(a).unwrap();
        assert!(slots.try_take(a).is_none(), "a third upload from the same address");
        // Another address is not held back by the first.
        assert!(slots.try_take(b).is_some());
        drop(first);
        assert!(slots.try_take(a).is_some(), "a freed slot is usable again");
    }

    #[test]
    fn finished_clients_leave_nothing_behind() {
        let slots = UploadSlots::new(1);
        let a: IpAddr = "::1".parse().unwrap();
        drop(slots.try_take(a).unwrap());
        assert!(slots.in_flight.lock().unwrap().is_empty());
    }
}
