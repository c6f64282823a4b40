//! A store wrapper that records each operation, for tests that compare what two
//! request paths do to the stores (a timing side channel is made of exactly that:
//! each operation is a round trip, and on Workers a fresh shard is a fresh Durable
//! Object).
//!
//! An entry names the store, the operation kind, and the key's *shape*: ids are
//! masked. In the atomic store, where a shard is observable, ids are numbered by
//! first appearance (`user/#1`, later `user/#1` again is the same shard, `user/#2` a
//! different one), so a trace also says which operations share a shard and which
//! touch a fresh one. Record-store keys (KV) have no such identity: their ids become
//! `*`. A compare-and-swap entry ends with whether it swapped (a swap that writes and
//! one that does not differ in cost); reads do not say what they found (a present and
//! an absent key cost the same).

use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use crate::crypto::blind_index;
use crate::store::{AtomicKey, AtomicStore, KeyPage, RecordStore, StoreError};

/// The operations recorded so far.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    entries: RefCell<Vec<String>>,
    ids: RefCell<Vec<String>>,
}

/// Whether a key segment is an id this core generates or derives: 128-bit or
/// longer lower-case hex (user, session, document ids; token hashes) or an email
/// blind index (`<key id>.<43 base64url>`).
fn is_id(segment: &str) -> bool {
    let hex = segment.len() >= 32
        && segment
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    hex || blind_index::index_key_id(segment).is_some()
}

impl Trace {
    /// Takes the entries recorded so far; id numbering goes on.
    pub(crate) fn take(&self) -> Vec<String> {
        core::mem::take(&mut *self.entries.borrow_mut())
    }

    fn push(&self, entry: String) {
        self.entries.borrow_mut().push(entry);
    }

    /// `text` with each id segment replaced by its number of first appearance.
    fn numbered(&self, text: &str) -> String {
        let mut ids = self.ids.borrow_mut();
        let segments: Vec<String> = text
            .split('/')
            .map(|segment| {
                if !is_id(segment) {
                    return String::from(segment);
                }
                let number = match ids.iter().position(|id| id == segment) {
                    Some(at) => at + 1,
                    None => {
                        ids.push(String::from(segment));
                        ids.len()
                    }
                };
                format!("#{number}")
            })
            .collect();
        segments.join("/")
    }

    fn masked(text: &str) -> String {
        let segments: Vec<&str> = text
            .split('/')
            .map(|segment| if is_id(segment) { "*" } else { segment })
            .collect();
        segments.join("/")
    }

    fn atomic(&self, kind: &str, key: AtomicKey<'_>) -> String {
        format!(
            "atomic {kind} {} {}",
            self.numbered(key.shard),
            self.numbered(key.name)
        )
    }
}

/// A store whose every operation is recorded in a [`Trace`].
#[derive(Debug)]
pub(crate) struct Traced<T> {
    inner: Rc<T>,
    trace: Rc<Trace>,
}

impl<T> Traced<T> {
    /// Records the operations on `inner` into `trace`.
    pub(crate) fn new(inner: Rc<T>, trace: Rc<Trace>) -> Self {
        Self { inner, trace }
    }
}

impl<T: RecordStore> RecordStore for Traced<T> {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.trace
            .push(format!("records get {}", Trace::masked(key)));
        self.inner.get(key).await
    }
    async fn put(
        &self,
        key: &str,
        value: &str,
        expires_at_ms: Option<u64>,
    ) -> Result<(), StoreError> {
        self.trace
            .push(format!("records put {}", Trace::masked(key)));
        self.inner.put(key, value, expires_at_ms).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.trace
            .push(format!("records delete {}", Trace::masked(key)));
        self.inner.delete(key).await
    }
    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<KeyPage, StoreError> {
        self.trace
            .push(format!("records list {}", Trace::masked(prefix)));
        self.inner.list(prefix, cursor, limit).await
    }
}

impl<T: AtomicStore> AtomicStore for Traced<T> {
    async fn get(&self, key: AtomicKey<'_>) -> Result<Option<String>, StoreError> {
        let entry = self.trace.atomic("get", key);
        self.trace.push(entry);
        self.inner.get(key).await
    }
    async fn compare_and_swap(
        &self,
        key: AtomicKey<'_>,
        expected: Option<&str>,
        new: Option<&str>,
        expires_at_ms: Option<u64>,
    ) -> Result<bool, StoreError> {
        let entry = self.trace.atomic("cas", key);
        let swapped = self
            .inner
            .compare_and_swap(key, expected, new, expires_at_ms)
            .await?;
        self.trace.push(format!("{entry} -> {swapped}"));
        Ok(swapped)
    }
    async fn increment(
        &self,
        key: AtomicKey<'_>,
        delta: u64,
        expires_at_ms: u64,
    ) -> Result<u64, StoreError> {
        let entry = self.trace.atomic("increment", key);
        self.trace.push(entry);
        self.inner.increment(key, delta, expires_at_ms).await
    }
    async fn list(&self, shard: &str, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        let entry = format!(
            "atomic list {} {}",
            self.trace.numbered(shard),
            self.trace.numbered(prefix)
        );
        self.trace.push(entry);
        self.inner.list(shard, prefix).await
    }
    async fn get_many(
        &self,
        shard: &str,
        names: &[&str],
    ) -> Result<Vec<Option<String>>, StoreError> {
        let names_shape: Vec<String> = names.iter().map(|n| self.trace.numbered(n)).collect();
        let entry = format!(
            "atomic get_many {} {}",
            self.trace.numbered(shard),
            names_shape.join(",")
        );
        self.trace.push(entry);
        self.inner.get_many(shard, names).await
    }
}
