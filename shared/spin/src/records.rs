//! `RecordStore` on Spin's key-value store (`spin:key-value`, store `default`).
//!
//! Spin key-value has no TTL, so values carry the core's expiry envelope and expire
//! on read. It has no prefix listing either: `list` walks `get-keys` and filters,
//! which is linear in the store's size. Records are listed only by the admin user
//! directory, the audit log queries and the retention sweep; the per-user listings
//! (sessions, documents, erasure) are atomic-store shards with an index of their own
//! ([`crate::atomic`]). See docs/ARCHITECTURE.md, "Atomicity per runtime".

use edgeauth_core::store::{envelope, KeyPage, RecordStore, StoreError};
use edgeauth_core::Clock;
use spin_sdk::key_value::Store;

use crate::SpinClock;

/// Records live under this prefix, apart from the atomic keys.
const PREFIX: &str = "r/";

/// Records in Spin's `default` store (a store that fails to open fails every call).
pub struct KvRecords {
    store: Option<Store>,
}

impl core::fmt::Debug for KvRecords {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KvRecords")
            .field("open", &self.store.is_some())
            .finish()
    }
}

impl KvRecords {
    pub(crate) async fn open() -> Self {
        Self {
            store: Store::open_default().await.ok(),
        }
    }

    fn store(&self) -> Result<&Store, StoreError> {
        self.store
            .as_ref()
            .ok_or(StoreError::unavailable("key-value store unavailable"))
    }
}

impl RecordStore for KvRecords {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let stored = self
            .store()?
            .get(format!("{PREFIX}{key}"))
            .await
            .map_err(|_| StoreError::unavailable("key-value get failed"))?;
        let now = SpinClock.now_ms();
        Ok(stored
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|stored| envelope::unwrap(&stored, now).map(str::to_string)))
    }

    async fn put(
        &self,
        key: &str,
        value: &str,
        expires_at_ms: Option<u64>,
    ) -> Result<(), StoreError> {
        self.store()?
            .set(
                format!("{PREFIX}{key}"),
                envelope::wrap(value, expires_at_ms),
            )
            .await
            .map_err(|_| StoreError::unavailable("key-value set failed"))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.store()?
            .delete(format!("{PREFIX}{key}"))
            .await
            .map_err(|_| StoreError::unavailable("key-value delete failed"))
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<KeyPage, StoreError> {
        let all = self
            .store()?
            .get_keys()
            .await
            .collect()
            .await
            .map_err(|_| StoreError::unavailable("key-value get-keys failed"))?;
        let full_prefix = format!("{PREFIX}{prefix}");
        let mut keys: Vec<String> = all
            .into_iter()
            .filter_map(|key| {
                key.strip_prefix(PREFIX)
                    .map(str::to_string)
                    .filter(|_| key.starts_with(&full_prefix))
            })
            .filter(|key| cursor.is_none_or(|after| key.as_str() > after))
            .collect();
        keys.sort();
        let limit = limit.max(1);
        let cursor = if keys.len() > limit {
            keys.truncate(limit);
            keys.last().cloned()
        } else {
            None
        };
        Ok(KeyPage { keys, cursor })
    }
}
