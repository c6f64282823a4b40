//! An in-memory implementation of both store traits, for native tests.
//!
//! Single-threaded (`RefCell`), like a Workers isolate: each operation completes
//! without yielding, so it is trivially atomic. It can be switched to fail every
//! call, to test that flows fail closed when storage is down.

use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use super::{AtomicKey, AtomicStore, KeyPage, RecordStore, StoreError};
use crate::env::Clock;

#[derive(Debug, Clone)]
struct Entry {
    value: String,
    expires_at_ms: Option<u64>,
}

/// In-memory records and atomics sharing one clock.
#[derive(Debug)]
pub struct MemoryStore<C: Clock> {
    clock: Rc<C>,
    records: RefCell<BTreeMap<String, Entry>>,
    failing: Cell<bool>,
}

impl<C: Clock> MemoryStore<C> {
    /// An empty store reading time from `clock`.
    pub fn new(clock: Rc<C>) -> Self {
        Self {
            clock,
            records: RefCell::new(BTreeMap::new()),
            failing: Cell::new(false),
        }
    }

    /// Makes every subsequent call fail (or succeed again).
    pub fn set_failing(&self, failing: bool) {
        self.failing.set(failing);
    }

    /// Every live `(key, value)`, for tests that scan the store for leaked secrets.
    pub fn dump(&self) -> Vec<(String, String)> {
        let now = self.clock.now_ms();
        self.records
            .borrow()
            .iter()
            .filter(|(_, entry)| live(entry, now))
            .map(|(key, entry)| (key.clone(), entry.value.clone()))
            .collect()
    }

    fn check(&self) -> Result<(), StoreError> {
        if self.failing.get() {
            Err(StoreError::unavailable("memory store set to fail"))
        } else {
            Ok(())
        }
    }

    fn read(&self, key: &str) -> Option<String> {
        let now = self.clock.now_ms();
        self.records
            .borrow()
            .get(key)
            .filter(|entry| live(entry, now))
            .map(|e| e.value.clone())
    }
}

fn live(entry: &Entry, now: u64) -> bool {
    entry.expires_at_ms.is_none_or(|at| at > now)
}

/// The map key of an atomic value. The shard's length goes first, so that no two
/// (shard, name) pairs share a key (`x` + `y/z` and `x/y` + `z` would otherwise), and
/// one shard's keys share a prefix no other shard's keys have.
fn atomic_key(key: AtomicKey<'_>) -> String {
    alloc::format!("\u{0}atomic/{}/{}/{}", key.shard.len(), key.shard, key.name)
}

impl<C: Clock> RecordStore for MemoryStore<C> {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.check()?;
        Ok(self.read(key))
    }

    async fn put(
        &self,
        key: &str,
        value: &str,
        expires_at_ms: Option<u64>,
    ) -> Result<(), StoreError> {
        self.check()?;
        self.records.borrow_mut().insert(
            key.to_string(),
            Entry {
                value: value.to_string(),
                expires_at_ms,
            },
        );
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.check()?;
        self.records.borrow_mut().remove(key);
        Ok(())
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<KeyPage, StoreError> {
        self.check()?;
        let records = self.records.borrow();
        let mut keys: Vec<String> = records
            .keys()
            .filter(|key| key.starts_with(prefix))
            .filter(|key| cursor.is_none_or(|after| key.as_str() > after))
            .take(limit.saturating_add(1))
            .cloned()
            .collect();
        let cursor = if keys.len() > limit {
            keys.truncate(limit);
            keys.last().cloned()
        } else {
            None
        };
        Ok(KeyPage { keys, cursor })
    }
}

impl<C: Clock> AtomicStore for MemoryStore<C> {
    async fn get(&self, key: AtomicKey<'_>) -> Result<Option<String>, StoreError> {
        self.check()?;
        Ok(self.read(&atomic_key(key)))
    }

    async fn compare_and_swap(
        &self,
        key: AtomicKey<'_>,
        expected: Option<&str>,
        new: Option<&str>,
        expires_at_ms: Option<u64>,
    ) -> Result<bool, StoreError> {
        self.check()?;
        let key = atomic_key(key);
        if self.read(&key).as_deref() != expected {
            return Ok(false);
        }
        let mut records = self.records.borrow_mut();
        match new {
            Some(value) => {
                records.insert(
                    key,
                    Entry {
                        value: value.to_string(),
                        expires_at_ms,
                    },
                );
            }
            None => {
                records.remove(&key);
            }
        }
        Ok(true)
    }

    async fn increment(
        &self,
        key: AtomicKey<'_>,
        delta: u64,
        expires_at_ms: u64,
    ) -> Result<u64, StoreError> {
        self.check()?;
        let now = self.clock.now_ms();
        let key = atomic_key(key);
        let mut records = self.records.borrow_mut();
        let (count, expiry) = match records.get(&key).filter(|entry| live(entry, now)) {
            Some(entry) => (
                entry
                    .value
                    .parse::<u64>()
                    .unwrap_or(0)
                    .saturating_add(delta),
                entry.expires_at_ms,
            ),
            None => (delta, Some(expires_at_ms)),
        };
        records.insert(
            key,
            Entry {
                value: count.to_string(),
                expires_at_ms: expiry,
            },
        );
        Ok(count)
    }

    async fn list(&self, shard: &str, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        self.check()?;
        let now = self.clock.now_ms();
        let full_prefix = atomic_key(AtomicKey::new(shard, prefix));
        let shard_prefix_len = full_prefix.len().saturating_sub(prefix.len());
        Ok(self
            .records
            .borrow()
            .iter()
            .filter(|(key, entry)| key.starts_with(&full_prefix) && live(entry, now))
            .map(|(key, entry)| {
                (
                    key.get(shard_prefix_len..).unwrap_or_default().to_string(),
                    entry.value.clone(),
                )
            })
            .collect())
    }
}

#[cfg(test)]
mod tests;
