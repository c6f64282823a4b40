//! The indexes that let the Spin adapter list one shard, bucket or family instead of
//! every key in the store, and find what has expired.
//!
//! Neither key-value interface Spin offers can list by prefix: `spin:key-value`
//! `get-keys` returns every key of the store, and Spin's `wasi:keyvalue` `list-keys`
//! returns every key too (it refuses a cursor). So each group of keys keeps an index
//! record next to its values ([`Space`]): an atomic shard (`x/{shard}`, values
//! `a/{len}/{shard}/{name}`), a record bucket (`y/{bucket}`, values `r/{key}`), and a
//! record family's directory of its buckets (`f/{family}`). An index is
//! `{"v": version, "n": {name: expires_at_ms, …}, "r": hour}` (`0`: never expires),
//! written only by compare-and-swap, in the core's expiry envelope (it expires with the
//! last of its entries; an empty one is stored expired at the moment it emptied).
//!
//! Invariant: every live value's name is in its index with a recorded expiry no
//! earlier than the value's. It holds because
//! - a writer raises the entry *before* it writes the value ([`pre_note`]): a writer
//!   that stops half-way leaves a name without a value (harmless), never a value
//!   without a name;
//! - a writer that *creates* a value (absent → live) touches the index again after
//!   the write ([`post_note`]), which bumps `v`: a lister that read the value as
//!   absent prunes its name only by a swap from the index it read *before* reading
//!   the values, and any create after that read has changed `v` (or re-adds the name
//!   after the prune);
//! - an atomic deletion lowers the entry's expiry to the deletion time ([`forget`])
//!   instead of dropping it, so the tombstone the deletion left is still found and
//!   reclaimed; a record deletion (no tombstone: the value is gone) drops the entry at
//!   once, so that a bucket shared with live records stops naming the deleted key;
//! - otherwise, entries are dropped only [`GRACE_MS`] after their recorded expiry.
//!
//! **Reclamation** (Spin has no TTL: nothing else deletes what has expired). Whenever
//! an index is written, the entries that expired more than [`GRACE_MS`] ago are
//! dropped and their values deleted (`wasi:keyvalue` has no conditional delete, so
//! only values and tombstones that expired that long ago are deleted). And every index
//! with an expiring entry is registered in the expiry registry ([`crate::reclaim`])
//! under the hour its earliest entry becomes reclaimable (`"r"`: the hour it is
//! registered for), so the shards nobody writes again — an abandoned counter, a used
//! token, an erased account's sessions — are reclaimed too, and an index that has
//! stayed empty for [`GRACE_MS`] is deleted.
//!
//! Residual race, accepted and documented (docs/spin.md §3): a value deleted at the
//! very moment a writer creates the same name again is lost (an atomic value) or
//! unlisted (a record, which [`forget`] re-lists when it sees it live again). Names
//! are write-once except a few (an address's lockout state, its email index entry):
//! the window is one store round trip, an hour after the previous value expired or
//! was deleted.
//!
//! Cost: a create costs one or two index swaps more; an update reads the index once;
//! a list reads the index and then the values in one `get-many`; a registration (at
//! most one per index and hour) one swap of a registry record.

use std::collections::BTreeMap;

use edgeauth_core::store::{envelope, StoreError};
use serde::{Deserialize, Serialize};
use spin_sdk::experimental::wasi::keyvalue::{atomics, batch, store};

use crate::layout::{record_key, value_key};
use crate::reclaim;

/// How often an index update retries a lost compare-and-swap before `503`.
const MAX_CAS_RETRIES: usize = 128;
/// How long after its expiry (or deletion) a value, and an emptied index, is kept
/// before it is deleted: an hour, far beyond any request, so that nothing in flight
/// still counts on it.
pub(crate) const GRACE_MS: u64 = 3_600_000;

/// Which index, and so which keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Space<'a> {
    /// An atomic shard: names are the shard's names.
    Atomic(&'a str),
    /// A record bucket ([`crate::layout::Placement::bucket_name`]): names are record keys.
    Bucket(&'a str),
    /// A record family's directory: names are its buckets' ids.
    Family(&'a str),
}

impl Space<'_> {
    fn index_key(self) -> String {
        match self {
            Self::Atomic(shard) => format!("x/{shard}"),
            Self::Bucket(bucket) => format!("y/{bucket}"),
            Self::Family(family) => format!("f/{family}"),
        }
    }

    /// The key of entry `name`'s value; a family's entries have no value of their own
    /// (their buckets are reclaimed as buckets).
    pub(crate) fn value_key(self, name: &str) -> Option<String> {
        match self {
            Self::Atomic(shard) => Some(value_key(shard, name)),
            Self::Bucket(_) => Some(record_key(name)),
            Self::Family(_) => None,
        }
    }

    /// The registry's name of this index.
    pub(crate) fn member(self) -> String {
        match self {
            Self::Atomic(shard) => format!("a:{shard}"),
            Self::Bucket(bucket) => format!("y:{bucket}"),
            Self::Family(family) => format!("f:{family}"),
        }
    }

    /// The index a registry member names.
    pub(crate) fn of_member(member: &str) -> Option<Space<'_>> {
        let (kind, name) = member.split_once(':')?;
        match kind {
            "a" => Some(Space::Atomic(name)),
            "y" => Some(Space::Bucket(name)),
            "f" => Some(Space::Family(name)),
            _ => None,
        }
    }
}

/// An index record.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Index {
    /// Bumped by every write, so a swap from an older read fails.
    #[serde(rename = "v")]
    version: u64,
    /// Name → recorded expiry (Unix ms; `0`: never).
    #[serde(rename = "n")]
    pub(crate) names: BTreeMap<String, u64>,
    /// The registry hour this index is registered under (`None`: no expiring entry).
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    registered: Option<u64>,
    /// Families only: how far the family's directory already covers this bucket
    /// (its entry's expiry; `0`: never), so writers skip the directory while it does.
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub(crate) directory: Option<u64>,
}

/// What sealing an index decided.
#[derive(Debug, Default)]
pub(crate) struct Sealed {
    /// The record to write.
    pub(crate) bytes: Vec<u8>,
    /// Entries dropped (expired more than [`GRACE_MS`] ago): their values go.
    pub(crate) dropped: Vec<String>,
    /// The registry hour to register under first, when it moved earlier.
    pub(crate) register: Option<u64>,
}

impl Index {
    /// Reads a stored index: `{expiry}|{json}`. An expired index still counts for its
    /// version.
    pub(crate) fn parse(stored: Option<&[u8]>) -> Result<Self, StoreError> {
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

    /// The hour the earliest expiring entry becomes reclaimable.
    fn due_hour(&self, now: u64) -> Option<u64> {
        let earliest = if self.names.is_empty() {
            // An empty index goes itself, once it has stayed empty for the grace.
            Some(now)
        } else {
            self.names.values().copied().filter(|at| *at != 0).min()
        };
        earliest.map(|at| reclaim::hour_of(at.saturating_add(GRACE_MS)))
    }

    /// Drops the entries that are reclaimable, bumps the version (every write does),
    /// works out the registration, and wraps the index to expire with its last entry
    /// (never while one never expires; at `now` when it is empty).
    pub(crate) fn seal(&mut self, now: u64) -> Sealed {
        let cutoff = now.saturating_sub(GRACE_MS);
        let dropped: Vec<String> = self
            .names
            .iter()
            .filter(|(_, at)| **at != 0 && **at <= cutoff)
            .map(|(name, _)| name.clone())
            .collect();
        for name in &dropped {
            self.names.remove(name);
        }
        self.version = self.version.wrapping_add(1);
        let due = self.due_hour(now);
        let register = match (due, self.registered) {
            (Some(due), Some(registered)) if due >= registered => None,
            (Some(due), _) => Some(due),
            (None, _) => None,
        };
        if register.is_some() || due.is_none() {
            self.registered = due;
        }
        let empty = self.names.is_empty();
        let expiry = if empty {
            Some(now.max(1))
        } else if self.names.values().any(|at| *at == 0) {
            None
        } else {
            self.names.values().copied().max()
        };
        let json = serde_json::to_string(self).unwrap_or_default();
        Sealed {
            bytes: envelope::wrap(&json, expiry).into_bytes(),
            dropped,
            register,
        }
    }

    /// Drops the registration (a registry visit consumed it).
    pub(crate) fn forget_registration(&mut self) {
        self.registered = None;
    }

    /// Whether the registry entry of hour `hour` is stale (the index moved on).
    pub(crate) fn registered_after(&self, hour: u64) -> bool {
        self.registered.is_some_and(|registered| registered > hour)
    }
}

fn unavailable(what: &'static str) -> impl Fn(store::Error) -> StoreError {
    move |_| StoreError::unavailable(what)
}

/// The stored envelope expiry of a value (`Some(0)`: never), or `None` when absent or
/// malformed.
fn stored_expiry(stored: &[u8]) -> Option<u64> {
    let text = core::str::from_utf8(stored).ok()?;
    envelope::expiry(text).map(|expiry| expiry.unwrap_or(0))
}

/// Deletes the values of `dropped` entries that expired (or were deleted) more than
/// [`GRACE_MS`] ago; a value that is live again, or younger, stays. Best effort: a
/// failure leaves the value for later (its entry is gone, but the registry's next
/// visit is only for the index; such a value stays until the key is written again).
pub(crate) fn delete_dropped(
    bucket: &store::Bucket,
    space: Space<'_>,
    dropped: &[String],
    now: u64,
) -> u32 {
    let cutoff = now.saturating_sub(GRACE_MS);
    let mut deleted = 0;
    for name in dropped {
        let Some(key) = space.value_key(name) else {
            continue;
        };
        let Ok(Some(stored)) = bucket.get(&key) else {
            continue;
        };
        // Records carry the envelope too; a value that never expires is never dropped
        // (its entry would say 0), but check the value itself, not the entry.
        match stored_expiry(&stored) {
            Some(at) if at != 0 && at <= cutoff && bucket.delete(&key).is_ok() => deleted += 1,
            _ => {}
        }
    }
    deleted
}

/// Applies `change` to the index by compare-and-swap; `change` returns whether it
/// changed anything (nothing is written otherwise). Registers the index first when its
/// registration moves earlier, and deletes the values of dropped entries after.
pub(crate) fn update(
    bucket: &store::Bucket,
    space: Space<'_>,
    now: u64,
    change: impl Fn(&mut Index) -> bool,
) -> Result<(), StoreError> {
    let key = space.index_key();
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
        let sealed = index.seal(now);
        if let Some(hour) = sealed.register {
            reclaim::register(bucket, hour, &space.member())?;
        }
        if atomics::swap(cas, &sealed.bytes).is_ok() {
            delete_dropped(bucket, space, &sealed.dropped, now);
            return Ok(());
        }
    }
    Err(StoreError::unavailable(
        "shard index contention: too many lost CAS rounds",
    ))
}

/// Reads an index (absent: empty).
pub(crate) fn read(bucket: &store::Bucket, space: Space<'_>) -> Result<Index, StoreError> {
    let stored = bucket
        .get(&space.index_key())
        .map_err(unavailable("wasi:keyvalue get failed"))?;
    Index::parse(stored.as_deref())
}

/// Before writing a live value `name` expiring at `expiry`: makes sure the index
/// covers it (one read when it already does).
pub(crate) fn pre_note(
    bucket: &store::Bucket,
    space: Space<'_>,
    name: &str,
    expiry: Option<u64>,
    now: u64,
) -> Result<Index, StoreError> {
    let index = read(bucket, space)?;
    if index.covers(name, expiry) {
        return Ok(index);
    }
    update(bucket, space, now, |index| {
        let covered = index.covers(name, expiry);
        index.cover(name, expiry);
        !covered
    })?;
    read(bucket, space)
}

/// After a write that created `name` (absent → live): covers it again and bumps the
/// version, which fails any prune based on a read from before the write.
pub(crate) fn post_note(
    bucket: &store::Bucket,
    space: Space<'_>,
    name: &str,
    expiry: Option<u64>,
    now: u64,
) -> Result<(), StoreError> {
    update(bucket, space, now, |index| {
        index.cover(name, expiry);
        true
    })
}

/// After `name` was deleted at `now`: takes it out of the index, unless its value is
/// live again (a writer created it since). `503` when the index cannot be written:
/// an entry left behind would keep naming what was deleted (an erased account's id).
///
/// - A record bucket's values are deleted outright (no tombstone), so the entry is
///   dropped at once. Should a writer create the same key while the entry is dropped
///   (it raised the entry before the drop and writes its value after the re-read
///   below), the value is unlisted: the residual race of the module docs.
/// - An atomic shard's deletion leaves a tombstone, which must still be found to be
///   reclaimed: its entry's expiry is lowered to the deletion time instead, and the
///   index expires with its last live entry.
pub(crate) fn forget(
    bucket: &store::Bucket,
    space: Space<'_>,
    name: &str,
    now: u64,
) -> Result<(), StoreError> {
    let value_live = || -> Result<Option<Option<u64>>, StoreError> {
        let Some(key) = space.value_key(name) else {
            return Ok(None);
        };
        let stored = bucket
            .get(&key)
            .map_err(unavailable("wasi:keyvalue get failed"))?;
        Ok(live(stored, now).map(|(_, expiry)| expiry))
    };
    if value_live()?.is_some() {
        return Ok(());
    }
    match space {
        Space::Bucket(_) => {
            update(bucket, space, now, |index| {
                index.names.remove(name).is_some()
            })?;
            // A writer that recreated the record in the meantime: list it again.
            if let Some(expiry) = value_live()? {
                update(bucket, space, now, |index| {
                    let covered = index.covers(name, expiry);
                    index.cover(name, expiry);
                    !covered
                })?;
            }
            Ok(())
        }
        Space::Atomic(_) | Space::Family(_) => update(bucket, space, now, |index| {
            match index.names.get_mut(name) {
                Some(at) if *at == 0 || *at > now => {
                    *at = now.max(1);
                    true
                }
                _ => false,
            }
        }),
    }
}

fn live(stored: Option<Vec<u8>>, now: u64) -> Option<(String, Option<u64>)> {
    let stored = String::from_utf8(stored?).ok()?;
    let value = envelope::unwrap(&stored, now)?.to_string();
    Some((value, envelope::expiry(&stored).flatten()))
}

/// A key and its stored bytes, if any.
type Stored = (String, Option<Vec<u8>>);

/// The stored values of `keys`, in the order of `keys` (one `get-many`; the answer is
/// matched by key, since the interface does not promise its order).
pub(crate) fn get_many(
    bucket: &store::Bucket,
    keys: Vec<String>,
) -> Result<Vec<Stored>, StoreError> {
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

/// The live `(name, value)` pairs of atomic shard `shard` whose names start with
/// `prefix`: the index, then the listed names' values in one `get-many`. Names whose
/// values are absent (a writer that stopped before its write) are pruned from the
/// index when nothing has changed it since it was read; expired values and
/// tombstones stay listed in the index until their grace has passed (they are not
/// returned).
pub(crate) fn list(
    bucket: &store::Bucket,
    shard: &str,
    prefix: &str,
    now: u64,
) -> Result<Vec<(String, String)>, StoreError> {
    let space = Space::Atomic(shard);
    let key = space.index_key();
    let cas = atomics::Cas::new(bucket, &key).map_err(unavailable("wasi:keyvalue cas failed"))?;
    let current = cas
        .current()
        .map_err(unavailable("wasi:keyvalue cas read failed"))?;
    let mut index = Index::parse(current.as_deref())?;
    let names: Vec<String> = index
        .names
        .keys()
        .filter(|name| name.starts_with(prefix))
        .cloned()
        .collect();
    let keys = names.iter().map(|name| value_key(shard, name)).collect();
    let mut pairs = Vec::with_capacity(names.len());
    let mut absent = Vec::new();
    for (name, (_, stored)) in names.into_iter().zip(get_many(bucket, keys)?) {
        match stored {
            None => absent.push(name),
            stored => {
                if let Some((value, _)) = live(stored, now) {
                    pairs.push((name, value));
                }
            }
        }
    }
    if !absent.is_empty() {
        for name in &absent {
            index.names.remove(name);
        }
        // Best effort: a lost swap means the index changed since it was read, and
        // the names are pruned by a later listing.
        let sealed = index.seal(now);
        let registered = match sealed.register {
            Some(hour) => reclaim::register(bucket, hour, &space.member()).is_ok(),
            None => true,
        };
        if registered && atomics::swap(cas, &sealed.bytes).is_ok() {
            delete_dropped(bucket, space, &sealed.dropped, now);
        }
    }
    Ok(pairs)
}
