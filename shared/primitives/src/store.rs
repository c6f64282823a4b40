//! Storage interfaces: what the core needs from a platform's storage, and nothing more.
//!
//! Two traits, because platforms offer two kinds of storage:
//! - [`RecordStore`]: plain records — get, put with expiry, delete, list by prefix.
//!   Workers KV (eventually consistent), Spin key-value. Used for data where a
//!   stale read is harmless (profiles, documents, audit entries).
//! - [`AtomicStore`]: strongly consistent, with compare-and-swap and counters.
//!   A Durable Object on Workers; `wasi:keyvalue` atomics on Spin. Used for
//!   everything where a race would be a vulnerability: rate limits, lockout,
//!   refresh-token rotation, single-use tokens, session state.
//!
//! Keys of the atomic store carry a *shard* ([`AtomicKey::shard`]): records that must
//! be listed or changed together (say, all sessions of one user) share a shard. On
//! Workers a shard is one Durable Object instance; elsewhere it is a key prefix.
//!
//! Values are UTF-8 text (the core stores JSON). Expiry is part of the contract:
//! a store never returns a record whose `expires_at_ms` has passed, whatever its
//! platform's own TTL granularity (Workers KV: 60 s minimum) — see [`envelope`].
//!
//! Security considerations: store errors carry a static cause for the server log
//! and become `503 unavailable` (the core's `ApiError`); flows write in an order where
//! a failure part-way leaves nothing half-done that grants access.
#![allow(async_fn_in_trait)]

#[cfg(any(test, feature = "contract-tests"))]
pub mod contract;
pub mod envelope;
#[cfg(any(test, feature = "memory-store"))]
pub mod memory;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// A storage failure. The cause is static text for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreError {
    cause: &'static str,
}

impl StoreError {
    /// The store could not be reached or refused the operation.
    pub const fn unavailable(cause: &'static str) -> Self {
        Self { cause }
    }

    /// The logged cause.
    pub fn cause(&self) -> &'static str {
        self.cause
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "store unavailable: {}", self.cause)
    }
}

/// One page of keys from [`RecordStore::list`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPage {
    /// Keys in ascending order.
    pub keys: Vec<String>,
    /// Pass back to continue; `None` when the listing is complete.
    pub cursor: Option<String>,
}

/// Plain records: eventually consistent storage is acceptable.
pub trait RecordStore {
    /// Reads a record; expired records read as `None`.
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Writes a record, optionally expiring at `expires_at_ms` (Unix ms).
    async fn put(
        &self,
        key: &str,
        value: &str,
        expires_at_ms: Option<u64>,
    ) -> Result<(), StoreError>;
    /// Deletes a record (deleting a missing record succeeds).
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// Lists keys with a prefix, at most `limit` per page, in ascending order.
    /// A page may include keys of records that have just expired.
    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<KeyPage, StoreError>;
}

/// What one step of physical reclamation did ([`AtomicStore::reclaim`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Reclaimed {
    /// Indexes (shards, buckets) examined.
    pub examined: u32,
    /// Values and indexes deleted.
    pub deleted: u32,
    /// Registry hours finished.
    pub hours: u32,
    /// Whether everything reclaimable so far has been reclaimed (nothing left before
    /// now, as far as the store can tell).
    pub complete: bool,
}

/// A key in the [`AtomicStore`]: a shard and a name within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtomicKey<'a> {
    /// Records that are listed or changed together share a shard.
    pub shard: &'a str,
    /// The record's name within its shard.
    pub name: &'a str,
}

impl<'a> AtomicKey<'a> {
    /// A key `name` in shard `shard`.
    pub const fn new(shard: &'a str, name: &'a str) -> Self {
        Self { shard, name }
    }
}

/// Strongly consistent storage with atomic operations.
pub trait AtomicStore {
    /// Reads a value; expired values read as `None`.
    async fn get(&self, key: AtomicKey<'_>) -> Result<Option<String>, StoreError>;

    /// Atomically replaces the value if it currently equals `expected`
    /// (`None`: absent or expired). `new = None` deletes. Returns whether it swapped.
    async fn compare_and_swap(
        &self,
        key: AtomicKey<'_>,
        expected: Option<&str>,
        new: Option<&str>,
        expires_at_ms: Option<u64>,
    ) -> Result<bool, StoreError>;

    /// Atomically adds `delta` to a fixed-window counter and returns the new count.
    /// An absent or expired counter starts at `delta` and expires at `expires_at_ms`;
    /// a live counter keeps its expiry.
    async fn increment(
        &self,
        key: AtomicKey<'_>,
        delta: u64,
        expires_at_ms: u64,
    ) -> Result<u64, StoreError>;

    /// Lists live `(name, value)` pairs in a shard whose names start with `prefix`.
    async fn list(&self, shard: &str, prefix: &str) -> Result<Vec<(String, String)>, StoreError>;

    /// One bounded step of physically deleting what has expired, for a store whose
    /// platform keeps expired values until something deletes them (Spin key-value has
    /// no TTL): at most `budget` units of work, resumable by the next call. Stores
    /// whose platform expires values itself, or that hold nothing expired anyway, have
    /// nothing to do (the default). The expiry envelope already hides what this
    /// deletes: reclamation changes no answer, only what the store holds. A store that
    /// wraps another forwards this call.
    async fn reclaim(&self, budget: u32) -> Result<Reclaimed, StoreError> {
        let _ = budget;
        Ok(Reclaimed {
            complete: true,
            ..Reclaimed::default()
        })
    }

    /// Reads several values of one shard, in the order of `names` (each as [`get`]
    /// would). A store that can answer them in one round trip overrides this (the
    /// Durable Object store: one call instead of one per name); reads are not atomic
    /// with respect to each other unless the store makes them so.
    ///
    /// [`get`]: AtomicStore::get
    async fn get_many(
        &self,
        shard: &str,
        names: &[&str],
    ) -> Result<Vec<Option<String>>, StoreError> {
        let mut values = Vec::with_capacity(names.len());
        for name in names {
            values.push(self.get(AtomicKey::new(shard, name)).await?);
        }
        Ok(values)
    }
}
