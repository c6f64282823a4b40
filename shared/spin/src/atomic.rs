//! `AtomicStore` on `wasi:keyvalue/atomics` (draft 2024-10-17), which Spin provides
//! next to its own key-value interface and which the local Spin host implements on
//! SQLite transactions.
//!
//! Compare-and-swap: `Cas::new` snapshots the key, we compare the snapshot with the
//! caller's expectation, and `swap` lands only if the key is still unchanged. A
//! `swap` that loses a race fails, so two concurrent rotations of one refresh token
//! cannot both succeed. Deletion is a swap to an already-expired value (the
//! interface has no conditional delete). Counters are CAS loops rather than
//! `increment`, because a fixed-window counter must carry its window's expiry.
//!
//! Listing a shard reads the shard's index and that shard's values only, never the
//! rest of the store ([`crate::shard_index`]): writes keep the index up to date.

use edgeauth_core::store::{envelope, AtomicKey, AtomicStore, StoreError};
use edgeauth_core::Clock;
use spin_sdk::experimental::wasi::keyvalue::{atomics, store};

use crate::shard_index::{self, value_key};
use crate::SpinClock;

/// How often a counter retries a lost CAS before giving up with `503`.
const MAX_CAS_RETRIES: usize = 128;
/// A deleted value: expired long ago, so it reads as absent.
const TOMBSTONE: &str = "1|";

/// Atomic keys in the `default` bucket.
#[derive(Debug)]
pub struct KvAtomic {
    bucket: Option<store::Bucket>,
}

impl KvAtomic {
    pub(crate) fn open() -> Self {
        Self {
            bucket: store::open("default").ok(),
        }
    }

    /// The store, for the contract test component.
    #[cfg(feature = "contract-tests")]
    pub fn open_for_tests() -> Self {
        Self::open()
    }

    fn bucket(&self) -> Result<&store::Bucket, StoreError> {
        self.bucket
            .as_ref()
            .ok_or(StoreError::unavailable("wasi:keyvalue bucket unavailable"))
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
            if atomics::swap(cas, TOMBSTONE.as_bytes()).is_err() {
                return Ok(false);
            }
            shard_index::forget(bucket, key.shard, key.name, now);
            return Ok(true);
        };
        let creates = expected.is_none();
        shard_index::pre_note(bucket, key.shard, key.name, expires_at_ms, now, creates)?;
        if atomics::swap(cas, envelope::wrap(new, expires_at_ms).as_bytes()).is_err() {
            return Ok(false);
        }
        if creates {
            shard_index::post_note(bucket, key.shard, key.name, expires_at_ms, now)?;
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
                shard_index::pre_note(bucket, key.shard, key.name, expiry, now, true)?;
            }
            if atomics::swap(cas, envelope::wrap(&count.to_string(), expiry).as_bytes()).is_ok() {
                if creates {
                    shard_index::post_note(bucket, key.shard, key.name, expiry, now)?;
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
}
