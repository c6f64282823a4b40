//! The per-shard index that lets [`crate::atomic::KvAtomic::list`] read one shard
//! instead of every key in the store.
//!
//! Neither key-value interface Spin offers can list by prefix: `spin:key-value`
//! `get-keys` returns every key of the store, and Spin's `wasi:keyvalue`
//! `list-keys` returns every key too (it refuses a cursor). So each shard keeps an
//! index record, `x/{shard}`, next to its values `a/{shard}/{name}`:
//! `{"v": version, "n": {name: expires_at_ms, …}}` (`0`: never expires), written
//! only by compare-and-swap, in the core's expiry envelope: it expires with the last
//! of its entries, and an empty index is stored already expired (so an erased
//! account's shard leaves no live record behind), its version kept.
//!
//! Invariant: every live value's name is in its shard's index with a recorded expiry
//! no earlier than the value's. It holds because
//! - a writer raises the entry *before* it writes the value ([`pre_note`]): a writer
//!   that stops half-way leaves a name without a value (harmless), never a value
//!   without a name;
//! - a writer that *creates* a value (absent → live) touches the index again after
//!   the write ([`post_note`]), which bumps `v`: a lister that read the value as
//!   absent prunes its name only by a swap from the index it read *before* reading
//!   the values, and any create after that read has changed `v` (or re-adds the name
//!   after the prune);
//! - a deletion drops the name the same way a lister would ([`forget`]), best
//!   effort; entries are otherwise dropped only once their recorded expiry has
//!   passed.
//!
//! Stores written before the index existed: the first writer or lister of a store
//! decides, once, by scanning every key, whether it held atomic values already
//! ([`Mode`], recorded under `m/shard-index`). In a store that did, a shard's index
//! counts as complete only once a lister has merged in a scan of the shard's keys
//! (`"s": true`), so a pre-existing session is never left out of a logout-all.
//!
//! Cost: a create costs one or two index swaps more; an update reads the index once;
//! a list reads the index and then the shard's values in one `get-many`.

use std::collections::BTreeMap;

use edgeauth_core::store::{envelope, StoreError};
use serde::{Deserialize, Serialize};
use spin_sdk::experimental::wasi::keyvalue::{atomics, batch, store};

/// How often an index update retries a lost compare-and-swap before `503`.
const MAX_CAS_RETRIES: usize = 128;
/// Where the store records whether it predates the index ([`Mode`]).
const MODE_KEY: &str = "m/shard-index";

/// The key of shard `shard`'s value `name`.
pub(crate) fn value_key(shard: &str, name: &str) -> String {
    format!("a/{shard}/{name}")
}

fn index_key(shard: &str) -> String {
    format!("x/{shard}")
}

/// A shard's index record.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Index {
    /// Bumped by every write, so a swap from an older read fails.
    #[serde(rename = "v")]
    version: u64,
    /// Name → recorded expiry (Unix ms; `0`: never).
    #[serde(rename = "n")]
    names: BTreeMap<String, u64>,
    /// Whether a scan of the shard's keys has been merged in (stores that predate the
    /// index only; see [`Mode`]).
    #[serde(rename = "s", default)]
    scanned: bool,
}

impl Index {
    /// Reads a stored index: `{expiry}|{json}`. An expired index still counts for its
    /// version; its entries have all expired too, and the next write drops them.
    fn parse(stored: Option<&[u8]>) -> Result<Self, StoreError> {
        let malformed = || StoreError::unavailable("shard index malformed");
        match stored {
            None => Ok(Self::default()),
            Some(bytes) => {
                let text = core::str::from_utf8(bytes).map_err(|_| malformed())?;
                let (_, json) = text.split_once('|').ok_or_else(malformed)?;
                serde_json::from_str(json).map_err(|_| malformed())
            }
        }
    }

    /// Whether the entry of `name` covers a value expiring at `expiry`.
    fn covers(&self, name: &str, expiry: Option<u64>) -> bool {
        match (self.names.get(name), expiry) {
            (Some(0), _) => true,
            (Some(recorded), Some(expiry)) => *recorded >= expiry,
            _ => false,
        }
    }

    fn cover(&mut self, name: &str, expiry: Option<u64>) {
        if !self.covers(name, expiry) {
            self.names.insert(name.to_string(), expiry.unwrap_or(0));
        }
    }

    /// Drops the entries that have expired and bumps the version (every write does),
    /// then wraps the index to expire with its last entry: never while one never
    /// expires, already when it is empty.
    fn seal(&mut self, now: u64) -> Vec<u8> {
        self.names.retain(|_, expiry| *expiry == 0 || *expiry > now);
        self.version = self.version.wrapping_add(1);
        let expiry = if self.names.values().any(|expiry| *expiry == 0) {
            None
        } else {
            Some(self.names.values().copied().max().unwrap_or(1))
        };
        let json = serde_json::to_string(self).unwrap_or_default();
        envelope::wrap(&json, expiry).into_bytes()
    }
}

/// Whether the store held atomic values before the index existed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every value was written with its index: indexes are complete.
    Indexed,
    /// Values may predate the index: an index is complete once `scanned`.
    Legacy,
}

fn unavailable(what: &'static str) -> impl Fn(store::Error) -> StoreError {
    move |_| StoreError::unavailable(what)
}

/// Every key of the store (Spin answers in one page; the local host in several).
fn all_keys(bucket: &store::Bucket) -> Result<Vec<String>, StoreError> {
    let mut keys = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = bucket
            .list_keys(cursor.as_deref())
            .map_err(unavailable("wasi:keyvalue list failed"))?;
        keys.extend(page.keys);
        match page.cursor {
            Some(next) if !next.is_empty() => cursor = Some(next),
            _ => return Ok(keys),
        }
    }
}

/// The store's [`Mode`], decided by the first caller that needs it: a store with
/// no atomic value yet is [`Mode::Indexed`] from its first write on.
fn mode(bucket: &store::Bucket) -> Result<Mode, StoreError> {
    let decided = |bytes: &[u8]| match bytes {
        b"legacy" => Mode::Legacy,
        _ => Mode::Indexed,
    };
    if let Some(bytes) = bucket
        .get(MODE_KEY)
        .map_err(unavailable("wasi:keyvalue get failed"))?
    {
        return Ok(decided(&bytes));
    }
    let legacy = all_keys(bucket)?.iter().any(|key| key.starts_with("a/"));
    let cas =
        atomics::Cas::new(bucket, MODE_KEY).map_err(unavailable("wasi:keyvalue cas failed"))?;
    match cas
        .current()
        .map_err(unavailable("wasi:keyvalue cas read failed"))?
    {
        // Someone decided first: theirs stands (it was made before any indexed write).
        Some(bytes) => Ok(decided(&bytes)),
        None => {
            let value: &[u8] = if legacy { b"legacy" } else { b"indexed" };
            match atomics::swap(cas, value) {
                Ok(()) => Ok(if legacy { Mode::Legacy } else { Mode::Indexed }),
                Err(_) => mode(bucket),
            }
        }
    }
}

/// Applies `change` to the shard's index by compare-and-swap; `change` returns
/// whether it changed anything (nothing is written otherwise).
fn update(
    bucket: &store::Bucket,
    shard: &str,
    now: u64,
    change: impl Fn(&mut Index) -> bool,
) -> Result<(), StoreError> {
    let key = index_key(shard);
    for _ in 0..MAX_CAS_RETRIES {
        let cas =
            atomics::Cas::new(bucket, &key).map_err(unavailable("wasi:keyvalue cas failed"))?;
        let current = cas
            .current()
            .map_err(unavailable("wasi:keyvalue cas read failed"))?;
        let mut index = Index::parse(current.as_deref())?;
        if !change(&mut index) {
            return Ok(());
        }
        if atomics::swap(cas, &index.seal(now)).is_ok() {
            return Ok(());
        }
    }
    Err(StoreError::unavailable(
        "shard index contention: too many lost CAS rounds",
    ))
}

/// Before writing a live value `name` expiring at `expiry`: makes sure the index
/// covers it (one read when it already does). `creates`: the value is absent now.
pub(crate) fn pre_note(
    bucket: &store::Bucket,
    shard: &str,
    name: &str,
    expiry: Option<u64>,
    now: u64,
    creates: bool,
) -> Result<(), StoreError> {
    if creates {
        // The decision must be made before the first indexed value exists.
        mode(bucket)?;
    }
    let stored = bucket
        .get(&index_key(shard))
        .map_err(unavailable("wasi:keyvalue get failed"))?;
    if Index::parse(stored.as_deref())?.covers(name, expiry) {
        return Ok(());
    }
    update(bucket, shard, now, |index| {
        let covered = index.covers(name, expiry);
        index.cover(name, expiry);
        !covered
    })
}

/// After a write that created `name` (absent → live): covers it again and bumps the
/// version, which fails any prune based on a read from before the write.
pub(crate) fn post_note(
    bucket: &store::Bucket,
    shard: &str,
    name: &str,
    expiry: Option<u64>,
    now: u64,
) -> Result<(), StoreError> {
    update(bucket, shard, now, |index| {
        index.cover(name, expiry);
        true
    })
}

/// After `name` was deleted: drops it from the index unless it is live again, by a
/// swap from the index as read *before* the value (the same rule as a listing's
/// prune). Best effort: a name left behind is pruned by a later listing.
pub(crate) fn forget(bucket: &store::Bucket, shard: &str, name: &str, now: u64) {
    let key = index_key(shard);
    for _ in 0..8 {
        let Ok(cas) = atomics::Cas::new(bucket, &key) else {
            return;
        };
        let Ok(current) = cas.current() else {
            return;
        };
        let Ok(mut index) = Index::parse(current.as_deref()) else {
            return;
        };
        if !index.names.contains_key(name) {
            return;
        }
        let Ok(stored) = bucket.get(&value_key(shard, name)) else {
            return;
        };
        if live(stored, now).is_some() {
            return;
        }
        index.names.remove(name);
        if atomics::swap(cas, &index.seal(now)).is_ok() {
            return;
        }
    }
}

fn live(stored: Option<Vec<u8>>, now: u64) -> Option<(String, Option<u64>)> {
    let stored = String::from_utf8(stored?).ok()?;
    let value = envelope::unwrap(&stored, now)?.to_string();
    Some((value, envelope::expiry(&stored).flatten()))
}

/// Merges a scan of every `a/{shard}/` key into the index and marks it complete
/// (stores that predate the index, once per shard).
fn merge_scan(bucket: &store::Bucket, shard: &str, now: u64) -> Result<(), StoreError> {
    let shard_prefix = value_key(shard, "");
    let keys: Vec<String> = all_keys(bucket)?
        .into_iter()
        .filter(|key| key.starts_with(&shard_prefix))
        .collect();
    let mut found = Vec::new();
    for (key, stored) in get_many(bucket, keys)? {
        if let (Some((_, expiry)), Some(name)) =
            (live(stored, now), key.strip_prefix(&shard_prefix))
        {
            found.push((name.to_string(), expiry));
        }
    }
    update(bucket, shard, now, |index| {
        for (name, expiry) in &found {
            index.cover(name, *expiry);
        }
        index.scanned = true;
        true
    })
}

/// A key and its stored bytes, if any.
type Stored = (String, Option<Vec<u8>>);

/// The stored values of `keys`, in the order of `keys` (one `get-many`; the answer is
/// matched by key, since the interface does not promise its order).
fn get_many(bucket: &store::Bucket, keys: Vec<String>) -> Result<Vec<Stored>, StoreError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut found: BTreeMap<String, Option<Vec<u8>>> = batch::get_many(bucket, &keys)
        .map_err(unavailable("wasi:keyvalue get-many failed"))?
        .into_iter()
        .collect();
    Ok(keys
        .into_iter()
        .map(|key| {
            let value = found.remove(&key).flatten();
            (key, value)
        })
        .collect())
}

/// The live `(name, value)` pairs of `shard` whose names start with `prefix`: the
/// index, then the listed names' values in one `get-many`. Names whose values are
/// gone are pruned from the index when nothing has changed it since it was read.
pub(crate) fn list(
    bucket: &store::Bucket,
    shard: &str,
    prefix: &str,
    now: u64,
) -> Result<Vec<(String, String)>, StoreError> {
    let key = index_key(shard);
    let mut cas =
        atomics::Cas::new(bucket, &key).map_err(unavailable("wasi:keyvalue cas failed"))?;
    let mut current = cas
        .current()
        .map_err(unavailable("wasi:keyvalue cas read failed"))?;
    let mut index = Index::parse(current.as_deref())?;
    if !index.scanned && mode(bucket)? == Mode::Legacy {
        merge_scan(bucket, shard, now)?;
        cas = atomics::Cas::new(bucket, &key).map_err(unavailable("wasi:keyvalue cas failed"))?;
        current = cas
            .current()
            .map_err(unavailable("wasi:keyvalue cas read failed"))?;
        index = Index::parse(current.as_deref())?;
    }
    let names: Vec<String> = index
        .names
        .keys()
        .filter(|name| name.starts_with(prefix))
        .cloned()
        .collect();
    let keys = names.iter().map(|name| value_key(shard, name)).collect();
    let mut pairs = Vec::with_capacity(names.len());
    let mut gone = Vec::new();
    for (name, (_, stored)) in names.into_iter().zip(get_many(bucket, keys)?) {
        match live(stored, now) {
            Some((value, _)) => pairs.push((name, value)),
            None => gone.push(name),
        }
    }
    if !gone.is_empty() {
        for name in &gone {
            index.names.remove(name);
        }
        // Best effort: a lost swap means the index changed since it was read, and
        // the names are pruned by a later listing.
        let _ = atomics::swap(cas, &index.seal(now));
    }
    Ok(pairs)
}
