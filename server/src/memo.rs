//! A per-transaction memo that knows no domain: rows a change reads again and again
//! (notification settings, templates, rules, categories…) are read once and served from here
//! for the rest of the change. Each domain module declares its own key type ([`Memoized`]) next
//! to the loader, so this file imports nothing above the foundation and nobody edits it to memo
//! something new.
//!
//! The memo lives as long as one `Change` (`change.rs`, a layer above): configuration a change does
//! not write is the same at every read inside its transaction, so serving it again is what the
//! database would have answered. A batch of inbound mail also puts what it read up front (the
//! senders' accounts, the tickets' subscribers) so its mails find them here.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::error::AppResult;

/// A key type: its values are what one kind of lookup returns.
pub trait Memoized: Hash + Eq + Send + Sync + 'static {
    type Value: Clone + Send + Sync + 'static;
}

/// One map per key type, behind one lock (held only to read or insert, never across a load).
#[derive(Default)]
pub struct Memo {
    maps: Mutex<HashMap<TypeId, Box<dyn Any + Send + Sync>>>,
}

impl Memo {
    /// The value for `key`, loaded by `load` the first time. Two concurrent first reads may both
    /// load; the values are the same rows, so either serves.
    pub async fn get_or_load<K, F, Fut>(&self, key: K, load: F) -> AppResult<K::Value>
    where
        K: Memoized,
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<K::Value>>,
    {
        if let Some(v) = self.get(&key) {
            return Ok(v);
        }
        let value = load().await?;
        self.put(key, value.clone());
        Ok(value)
    }

    /// The value for `key` if it was loaded or put.
    pub fn get<K: Memoized>(&self, key: &K) -> Option<K::Value> {
        self.with_map(|map: &mut HashMap<K, K::Value>| map.get(key).cloned())
    }

    /// Serves `value` for `key` from now on (a batch's reads made up front).
    pub fn put<K: Memoized>(&self, key: K, value: K::Value) {
        self.with_map(|map: &mut HashMap<K, K::Value>| map.insert(key, value));
    }

    /// Removes and returns the value for `key`: for a read that serves once (the next read
    /// must see what the change wrote since), or that no longer holds.
    pub fn take<K: Memoized>(&self, key: &K) -> Option<K::Value> {
        self.with_map(|map: &mut HashMap<K, K::Value>| map.remove(key))
    }

    fn with_map<K: Memoized, T>(&self, f: impl FnOnce(&mut HashMap<K, K::Value>) -> T) -> T {
        let mut maps = lock(&self.maps);
        let entry = maps
            .entry(TypeId::of::<K>())
            .or_insert_with(|| Box::new(HashMap::<K, K::Value>::new()));
        match entry.downcast_mut::<HashMap<K, K::Value>>() {
            Some(map) => f(map),
            // Unreachable: the entry for `TypeId::of::<K>()` is only ever made as this type.
            None => f(&mut HashMap::new()),
        }
    }
}

/// A poisoned lock only means another lookup panicked; the maps are still whole.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Hash, PartialEq, Eq)]
    struct Square(u32);
    impl Memoized for Square {
        type Value = u64;
    }

    #[derive(Hash, PartialEq, Eq)]
    struct Name;
    impl Memoized for Name {
        type Value = String;
    }

    #[tokio::test]
    async fn loads_once_per_key_and_keeps_key_types_apart() {
        let memo = Memo::default();
        let loads = std::sync::atomic::AtomicU32::new(0);
        for _ in 0..3 {
            let v = memo
                .get_or_load(Square(7), || async {
                    loads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    Ok(49)
                })
                .await
                .unwrap();
            assert_eq!(v, 49);
        }
        assert_eq!(loads.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!(memo.get(&Square(8)), None);
        memo.put(Name, "desk".into());
        assert_eq!(memo.get(&Name).as_deref(), Some("desk"));
        assert_eq!(memo.take(&Square(7)), Some(49));
        assert_eq!(memo.get(&Square(7)), None);
    }

    #[tokio::test]
    async fn a_failed_load_is_not_kept() {
        let memo = Memo::default();
        let failed: AppResult<u64> = memo
            .get_or_load(Square(1), || async { Err(crate::error::AppError::NotFound("x")) })
            .await;
        assert!(failed.is_err());
        let v = memo.get_or_load(Square(1), || async { Ok(1) }).await.unwrap();
        assert_eq!(v, 1);
    }
}
