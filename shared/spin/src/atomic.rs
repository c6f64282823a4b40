//! `AtomicStore` on `wasi:keyvalue/atomics` (draft 2024-10-17), which Spin provides
//! next to its own key-value interface and which the local Spin host implements on
//! SQLite transactions.
//!
//! Compare-and-swap: `Cas::new` snapshots the key, we compare the snapshot with the
//! caller's expectation, and `swap` lands only if the key is still unchanged. A
//! `swap` that loses a race fails, so two concurrent rotations of one refresh token
//! cannot both succeed. Deletion is a swap to a tombstone, a value that expired at the
//! moment of deletion (the interface has no conditional delete); the tombstone is
//! reclaimed once the grace has passed ([`crate::shard_index`]). Counters are CAS loops
//! rather than `increment`, because a fixed-window counter must carry its window's
//! expiry.
//!
//! Keys: `a/{len}/{shard}/{name}` ([`crate::layout`]), so no two (shard, name) pairs
//! share a key. Listing a shard reads the shard's index and that shard's values only,
//! never the rest of the store ([`crate::shard_index`]): writes keep the index up to
//! date. [`AtomicStore::reclaim`] runs a step of the expiry sweep ([`crate::reclaim`]).

use core::cell::Cell;

use edgeauth_core::store::{envelope, AtomicKey, AtomicStore, Reclaimed, StoreError};
use edgeauth_core::Clock;
use spin_sdk::experimental::wasi::keyvalue::{atomics, store};

use crate::layout::{self, value_key};
use crate::shard_index::{self, Space};
use crate::{reclaim, SpinClock};

/// How often a counter retries a lost CAS before giving up with `503`.
const MAX_CAS_RETRIES: usize = 128;

/// A deleted value: it expired when it was deleted, so it reads as absent and says
/// when the grace before its reclamation started.
fn tombstone(now: u64) -> String {
    format!("{}|", now.max(1))
}

/// Atomic keys in the `default` bucket.
#[derive(Debug)]
pub struct KvAtomic {
    bucket: Option<store::Bucket>,
    /// Whether [`layout::check`] passed in this instance (checked once).
    checked: Cell<bool>,
}

impl KvAtomic {
    pub(crate) fn open() -> Self {
        Self {
            bucket: store::open("default").ok(),
            checked: Cell::new(false),
        }
    }

    /// The store, for the contract test component.
    #[cfg(feature = "contract-tests")]
    pub fn open_for_tests() -> Self {
        Self::open()
    }

    fn bucket(&self) -> Result<&store::Bucket, StoreError> {
        let bucket = self
            .bucket
            .as_ref()
            .ok_or(StoreError::unavailable("wasi:keyvalue bucket unavailable"))?;
        if !self.checked.get() {
            layout::check(bucket)?;
            self.checked.set(true);
        }
        Ok(bucket)
    }
}

fn live(stored: Option<Vec<u8>>, now: u64) -> Option<String> {
    let stored = String::from_utf8(stored?).ok()?;
    envelope::unwrap(&stored, now).map(str::to_string)
}

impl AtomicStore for KvAtomic {
    async fn get(&self, key: AtomicKey<'_>) -> Result<Option<String>, StoreError> {
        let stored = self
            .bucket()?
            .get(&value_key(key.shard, key.name))
            .map_err(|_| StoreError::unavailable("wasi:keyvalue get failed"))?;
        Ok(live(stored, SpinClock.now_ms()))
    }

    async fn compare_and_swap(
        &self,
        key: AtomicKey<'_>,
        expected: Option<&str>,
        new: Option<&str>,
        expires_at_ms: Option<u64>,
    ) -> Result<bool, StoreError> {
        let bucket = self.bucket()?;
        let space = Space::Atomic(key.shard);
        let cas = atomics::Cas::new(bucket, &value_key(key.shard, key.name))
            .map_err(|_| StoreError::unavailable("wasi:keyvalue cas failed"))?;
        let current = cas
            .current()
            .map_err(|_| StoreError::unavailable("wasi:keyvalue cas read failed"))?;
        let now = SpinClock.now_ms();
        if live(current, now).as_deref() != expected {
            return Ok(false);
        }
        let Some(new) = new else {
            if atomics::swap(cas, tombstone(now).as_bytes()).is_err() {
                return Ok(false);
            }
            shard_index::forget(bucket, space, key.name, now)?;
            return Ok(true);
        };
        let creates = expected.is_none();
        shard_index::pre_note(bucket, space, key.name, expires_at_ms, now)?;
        if atomics::swap(cas, envelope::wrap(new, expires_at_ms).as_bytes()).is_err() {
            return Ok(false);
        }
        if creates {
            shard_index::post_note(bucket, space, key.name, expires_at_ms, now)?;
        }
        Ok(true)
    }

    async fn increment(
        &self,
        key: AtomicKey<'_>,
        delta: u64,
        expires_at_ms: u64,
    ) -> Result<u64, StoreError> {
        let bucket = self.bucket()?;
        let space = Space::Atomic(key.shard);
        let name = value_key(key.shard, key.name);
        for _ in 0..MAX_CAS_RETRIES {
            let cas = atomics::Cas::new(bucket, &name)
                .map_err(|_| StoreError::unavailable("wasi:keyvalue cas failed"))?;
            let current = cas
                .current()
                .map_err(|_| StoreError::unavailable("wasi:keyvalue cas read failed"))?;
            let now = SpinClock.now_ms();
            let stored = current.and_then(|bytes| String::from_utf8(bytes).ok());
            let (count, expiry, creates) = match stored
                .as_deref()
                .and_then(|s| Some((envelope::unwrap(s, now)?, s)))
            {
                Some((value, raw)) => (
                    value.parse::<u64>().unwrap_or(0).saturating_add(delta),
                    envelope::expiry(raw).flatten(),
                    false,
                ),
                None => (delta, Some(expires_at_ms), true),
            };
            if creates {
                shard_index::pre_note(bucket, space, key.name, expiry, now)?;
            }
            if atomics::swap(cas, envelope::wrap(&count.to_string(), expiry).as_bytes()).is_ok() {
                if creates {
                    shard_index::post_note(bucket, space, key.name, expiry, now)?;
                }
                return Ok(count);
            }
        }
        Err(StoreError::unavailable(
            "counter contention: too many lost CAS rounds",
        ))
    }

    async fn list(&self, shard: &str, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        shard_index::list(self.bucket()?, shard, prefix, SpinClock.now_ms())
    }

    async fn get_many(
        &self,
        shard: &str,
        names: &[&str],
    ) -> Result<Vec<Option<String>>, StoreError> {
        let keys = names.iter().map(|name| value_key(shard, name)).collect();
        let now = SpinClock.now_ms();
        Ok(shard_index::get_many(self.bucket()?, keys)?
            .into_iter()
            .map(|(_, stored)| live(stored, now))
            .collect())
    }

    async fn reclaim(&self, budget: u32) -> Result<Reclaimed, StoreError> {
        reclaim::step(self.bucket()?, SpinClock.now_ms(), budget)
    }
}
