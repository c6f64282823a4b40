//! `RecordStore` on Spin's key-value store (`spin:key-value`, store `default`).
//!
//! Spin key-value has no TTL, so values carry the core's expiry envelope and expire
//! on read; the expiry sweep deletes them afterwards ([`crate::reclaim`]). It has no
//! prefix listing either, so records are filed by family and bucket
//! ([`crate::layout::place`]): `put` notes the key in its bucket's index (and the
//! bucket in its family's directory, when the directory does not cover it yet) before
//! writing the value, and `list` reads the family's directory and then only the
//! buckets it needs, in key order — never the rest of the store. Listings are the
//! admin user directory, the audit log queries and the retention sweep; a prefix that
//! is not a whole family (the core lists none) falls back to walking every key.
//!
//! Security considerations: an index entry is written before its record, so a record
//! is never unlisted; a listing may include a key whose record just expired or is
//! being deleted (the trait allows it: readers get `None` and skip it).

use core::cell::Cell;

use edgeauth_core::store::{envelope, KeyPage, RecordStore, StoreError};
use edgeauth_core::Clock;
use spin_sdk::experimental::wasi::keyvalue::store as wasi;
use spin_sdk::key_value::Store;

use crate::layout::{self, place, record_key};
use crate::shard_index::{self, Space};
use crate::SpinClock;

/// Records live under this prefix, apart from the atomic keys.
const PREFIX: &str = "r/";
/// A family directory covers a bucket a day at a time, so that writing records of one
/// bucket updates the directory at most once a day.
const DIRECTORY_STEP_MS: u64 = 86_400_000;
/// Bucket indexes read per `get-many` while listing.
const BUCKETS_PER_READ: usize = 4;

/// Records in Spin's `default` store (a store that fails to open fails every call).
pub struct KvRecords {
    store: Option<Store>,
    /// The same store through `wasi:keyvalue`, for the indexes' compare-and-swap.
    bucket: Option<wasi::Bucket>,
    checked: Cell<bool>,
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
            bucket: wasi::open("default").ok(),
            checked: Cell::new(false),
        }
    }

    fn store(&self) -> Result<&Store, StoreError> {
        self.bucket()?;
        self.store
            .as_ref()
            .ok_or(StoreError::unavailable("key-value store unavailable"))
    }

    fn bucket(&self) -> Result<&wasi::Bucket, StoreError> {
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

    /// Walks every key of the store (a prefix that is not a whole family).
    async fn list_by_scan(
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
        let keys: Vec<String> = all
            .into_iter()
            .filter(|key| key.starts_with(&full_prefix))
            .filter_map(|key| key.strip_prefix(PREFIX).map(str::to_string))
            .filter(|key| cursor.is_none_or(|after| key.as_str() > after))
            .collect();
        Ok(page(keys, limit))
    }
}

/// The first `limit` of `keys` (sorted here), and the cursor when there are more.
fn page(mut keys: Vec<String>, limit: usize) -> KeyPage {
    keys.sort();
    keys.dedup();
    let limit = limit.max(1);
    let cursor = if keys.len() > limit {
        keys.truncate(limit);
        keys.last().cloned()
    } else {
        None
    };
    KeyPage { keys, cursor }
}

/// Rounds an expiry up to the directory's step (`None`, never, stays).
fn directory_cover(expiry: Option<u64>) -> Option<u64> {
    expiry.map(|at| {
        at.div_ceil(DIRECTORY_STEP_MS)
            .saturating_mul(DIRECTORY_STEP_MS)
    })
}

impl RecordStore for KvRecords {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let stored = self
            .store()?
            .get(record_key(key))
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
        let bucket = self.bucket()?;
        let now = SpinClock.now_ms();
        let placement = place(key);
        let bucket_name = placement.bucket_name();
        let space = Space::Bucket(&bucket_name);
        // The directory first: a bucket it lists may be empty, never the reverse.
        let index = shard_index::read(bucket, space)?;
        let covered = match (index.directory, expires_at_ms) {
            (Some(0), _) => true,
            (Some(at), Some(expiry)) => at >= expiry,
            _ => false,
        };
        let cover = directory_cover(expires_at_ms);
        if !covered {
            shard_index::pre_note(
                bucket,
                Space::Family(&placement.family),
                &placement.bucket,
                cover,
                now,
            )?;
        }
        shard_index::update(bucket, space, now, |index| {
            let before = index.names.get(key).copied();
            let wanted = expires_at_ms.unwrap_or(0);
            let raise = match before {
                Some(0) => false,
                Some(at) => wanted == 0 || wanted > at,
                None => true,
            };
            if raise {
                index.names.insert(key.to_string(), wanted);
            }
            let directory_behind = !covered
                && match (index.directory, cover) {
                    (Some(0), _) => false,
                    (Some(at), Some(cover)) => at < cover,
                    _ => true,
                };
            if directory_behind {
                index.directory = Some(cover.unwrap_or(0));
            }
            raise || directory_behind
        })?;
        self.store()?
            .set(record_key(key), envelope::wrap(value, expires_at_ms))
            .await
            .map_err(|_| StoreError::unavailable("key-value set failed"))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.store()?
            .delete(record_key(key))
            .await
            .map_err(|_| StoreError::unavailable("key-value delete failed"))?;
        let bucket_name = place(key).bucket_name();
        shard_index::forget(
            self.bucket()?,
            Space::Bucket(&bucket_name),
            key,
            SpinClock.now_ms(),
        )
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<KeyPage, StoreError> {
        if !layout::is_family(prefix) {
            return self.list_by_scan(prefix, cursor, limit).await;
        }
        let bucket = self.bucket()?;
        let now = SpinClock.now_ms();
        let directory = shard_index::read(bucket, Space::Family(prefix))?;
        // Buckets in key order, from the cursor's on.
        let from = cursor.map(|after| place(after).bucket);
        let ids: Vec<&String> = directory
            .names
            .keys()
            .filter(|id| from.as_ref().is_none_or(|from| *id >= from))
            .collect();
        let mut keys = Vec::new();
        for chunk in ids.chunks(BUCKETS_PER_READ) {
            let index_keys = chunk.iter().map(|id| format!("y/{prefix}{id}")).collect();
            for (_, stored) in shard_index::get_many(bucket, index_keys)? {
                let index = shard_index::Index::parse(stored.as_deref())?;
                keys.extend(
                    index
                        .names
                        .into_iter()
                        .filter(|(_, at)| *at == 0 || *at > now)
                        .map(|(key, _)| key)
                        .filter(|key| key.starts_with(prefix))
                        .filter(|key| cursor.is_none_or(|after| key.as_str() > after)),
                );
            }
            // Buckets are in key order: once a page is full, later buckets hold only
            // later keys.
            if keys.len() > limit {
                break;
            }
        }
        Ok(page(keys, limit))
    }
}
