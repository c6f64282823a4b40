//! Where everything lives in Spin's `default` store (layout 2), and the check that the
//! store was written in this layout.
//!
//! | key | holds |
//! |---|---|
//! | `a/{len}/{shard}/{name}` | an atomic value (`len`: the shard's length in bytes) |
//! | `x/{shard}` | a shard's index ([`crate::shard_index`]) |
//! | `r/{key}` | a record |
//! | `y/{bucket}` | a record bucket's index: the keys of one bucket of a family |
//! | `f/{family}` | a family's directory: its buckets |
//! | `e/{hour}/{part}` | the expiry registry ([`crate::reclaim`]) |
//! | `m/layout`, `m/sweep-hour` | this layout's marker; the reclamation cursor |
//!
//! **Atomic keys are unambiguous.** Layout 1 wrote `a/{shard}/{name}`, so shard `x` with
//! name `y/z` and shard `x/y` with name `z` were the same key, and a scan of shard `x`'s
//! keys also took in every shard whose name starts with `x/`. The shard's byte length
//! in front makes every (shard, name) pair its own key, and `a/{len}/{shard}/` a prefix
//! no other shard's keys share.
//!
//! **Record families and buckets.** Spin cannot list keys by prefix (both of its
//! key-value interfaces return every key of the store), so records are filed for
//! listing: a record key's *family* is what a listing asks for (`users/`,
//! `audit/all/`, `audit/user/{id}/`, `webhooks/failed/`, `metrics/` — what precedes the
//! key's first 20-digit time segment, or else the key up to its last `/`), and its
//! *bucket* within the family keeps key order: the first 13 digits of that time
//! segment (2.8 hours of the core's time-ordered keys), or else the first two
//! characters of the last segment (`users/` has 256 buckets of random ids). Buckets are indexed like atomic shards, and each family
//! keeps a directory of its buckets, so a listing reads the directory and then only
//! the buckets it needs, in order.
//!
//! **Layout 1 stores are refused.** A store that holds layout-1 keys (`a/{shard}/…`
//! without the length, or the `m/shard-index` marker) cannot be read correctly in
//! layout 2: its atomic values would be invisible and its records unlisted. The first
//! request that opens such a store finds out once, by scanning every key, records it
//! under `m/layout`, and from then on every store operation fails (`503`, cause
//! `store written in layout 1`). Pre-1.0 there is no migration: start a fresh store
//! (docs/spin.md §3, "Upgrading").

use spin_sdk::experimental::wasi::keyvalue::{atomics, store};

use edgeauth_core::store::StoreError;

/// Where the layout of a store is recorded.
const LAYOUT_KEY: &str = "m/layout";
/// This layout.
const LAYOUT: &[u8] = b"2";
/// The marker layout 1 kept (the shard index's mode).
const LAYOUT_1_MARKER: &str = "m/shard-index";

/// The key of shard `shard`'s value `name`.
pub(crate) fn value_key(shard: &str, name: &str) -> String {
    format!("a/{}/{shard}/{name}", shard.len())
}

/// The key of a record.
pub(crate) fn record_key(key: &str) -> String {
    format!("r/{key}")
}

/// Whether `key` is a layout-1 atomic key: `a/` not followed by a length and `/`.
fn is_layout_1_value(key: &str) -> bool {
    let Some(rest) = key.strip_prefix("a/") else {
        return false;
    };
    match rest.split_once('/') {
        Some((len, _)) => len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()),
        None => true,
    }
}

/// Every key of the store (Spin answers in one page; the local host in several).
pub(crate) fn all_keys(bucket: &store::Bucket) -> Result<Vec<String>, StoreError> {
    let mut keys = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = bucket
            .list_keys(cursor.as_deref())
            .map_err(|_| StoreError::unavailable("wasi:keyvalue list failed"))?;
        keys.extend(page.keys);
        match page.cursor {
            Some(next) if !next.is_empty() => cursor = Some(next),
            _ => return Ok(keys),
        }
    }
}

/// Fails unless the store is in layout 2; decides it, once, for a store that has no
/// marker yet (scanning every key: a layout-1 store holds its keys).
pub(crate) fn check(bucket: &store::Bucket) -> Result<(), StoreError> {
    let refused = || StoreError::unavailable("store written in layout 1 (docs/spin.md §3)");
    let unavailable = |_| StoreError::unavailable("wasi:keyvalue get failed");
    if let Some(layout) = bucket.get(LAYOUT_KEY).map_err(unavailable)? {
        return if layout == LAYOUT {
            Ok(())
        } else {
            Err(refused())
        };
    }
    let keys = all_keys(bucket)?;
    let old = keys
        .iter()
        .any(|key| key == LAYOUT_1_MARKER || is_layout_1_value(key));
    let decided: &[u8] = if old { b"1" } else { LAYOUT };
    let cas = atomics::Cas::new(bucket, LAYOUT_KEY)
        .map_err(|_| StoreError::unavailable("wasi:keyvalue cas failed"))?;
    match cas
        .current()
        .map_err(|_| StoreError::unavailable("wasi:keyvalue cas read failed"))?
    {
        // Someone decided first (before any layout-2 write: writers check first).
        Some(layout) => {
            if layout == LAYOUT {
                Ok(())
            } else {
                Err(refused())
            }
        }
        None => {
            let _ = atomics::swap(cas, decided);
            check(bucket)
        }
    }
}

/// Where a record key is filed: its family and, within it, its bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placement {
    /// What a listing asks for: the key up to its last `/` (less a time segment).
    pub(crate) family: String,
    /// The bucket's id within the family; ids sort as their keys do.
    pub(crate) bucket: String,
}

impl Placement {
    /// The shard-index name of the bucket: the family and the id.
    pub(crate) fn bucket_name(&self) -> String {
        format!("{}{}", self.family, self.bucket)
    }
}

/// The digits of the core's newest-first time segments (`{:020}` of `u64::MAX - ms`).
const TIME_DIGITS: usize = 20;
/// How many of them name a bucket: 10^7 ms, 2.8 hours.
const TIME_BUCKET_DIGITS: usize = 13;

fn is_time_segment(segment: &str) -> bool {
    segment.len() == TIME_DIGITS && segment.bytes().all(|b| b.is_ascii_digit())
}

/// Files a record key ([`Placement`]). The core writes time-ordered keys with a
/// 20-digit segment right after the prefix it lists them by (`audit/all/{rev}/{id}`,
/// `audit/user/{id}/{rev}/…`, `webhooks/failed/{rev}/…`, `webhooks/retrying/{due}/…`,
/// `metrics/{until}/…`): the family is what precedes the first such segment, the bucket
/// its first 13 digits. Any other key's family is the key up to its last `/`, its bucket
/// the first two characters of the last segment (`users/{id}`).
pub(crate) fn place(key: &str) -> Placement {
    let mut start = 0;
    for segment in key.split('/') {
        if is_time_segment(segment) {
            return Placement {
                family: key[..start].to_string(),
                bucket: format!("t{}", &segment[..TIME_BUCKET_DIGITS]),
            };
        }
        start += segment.len() + 1;
    }
    let (head, last) = match key.rfind('/') {
        Some(at) => key.split_at(at + 1),
        None => ("", key),
    };
    let first_two: String = last.chars().take(2).collect();
    Placement {
        family: head.to_string(),
        bucket: format!("h{first_two}"),
    }
}

/// Whether a listing of `prefix` can be answered from the family index: `prefix` is a
/// whole family (ends with `/` and holds no time segment). A prefix that is a parent of
/// families (`audit/user/`) is not one: its keys are filed under their own families,
/// and such a listing must walk the store (the core makes none).
pub(crate) fn is_family(prefix: &str) -> bool {
    prefix.ends_with('/') && place(&format!("{prefix}x")).family == prefix
}
