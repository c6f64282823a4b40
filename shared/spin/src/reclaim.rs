//! Reclaiming what has expired from Spin's store, which has no TTL: the expiry
//! registry and the bounded sweep over it.
//!
//! Every index with an expiring entry ([`crate::shard_index`]) is registered under the
//! hour its earliest entry becomes reclaimable: registry records `e/{hour}/{part}`
//! (sixteen parts an hour, by a hash of the index's name, so that writers in the same
//! hour rarely meet on one record), each a set of index names. An index registers
//! again only when that hour moves earlier, so a busy index costs at most one
//! registration an hour.
//!
//! [`step`] walks the registry from its cursor (`m/sweep-hour`) up to the last hour that
//! is wholly past, a bounded number of indexes per call (so what expired is deleted
//! within the grace and an hour, once a step runs after that): each
//! index named there is sealed — its reclaimable entries dropped and their values
//! deleted, its next hour registered — and an index that has stayed empty for the
//! grace is deleted; a registry record whose indexes are all done is deleted, and the
//! cursor moves on. Registrations land at or after the current hour, and the cursor
//! never passes an hour that is not over, so nothing registered is skipped.
//!
//! Who runs it (Spin's HTTP runtime has no cron): a sampled fraction of requests,
//! after their response ([`crate::serve`]), and `POST /api/admin/retention/sweep`
//! (through [`edgeauth_core::store::AtomicStore::reclaim`]), which an operator can
//! call from any scheduler (docs/spin.md §3).
//!
//! Security considerations: the sweep deletes only what expired or was deleted more
//! than the grace ago, and indexes empty for as long; see the shard index's residual
//! race. It reads and writes no value's content.

use std::collections::BTreeSet;

use edgeauth_core::store::{envelope, Reclaimed, StoreError};
use spin_sdk::experimental::wasi::keyvalue::{atomics, store};

use crate::shard_index::{self, Index, Space, GRACE_MS};

/// One registry record per hour and part.
const HOUR_MS: u64 = 3_600_000;
/// Parts per hour.
const PARTS: u64 = 16;
/// Where the sweep stands: the next hour to visit.
const CURSOR_KEY: &str = "m/sweep-hour";
/// How often a registry swap is retried.
const MAX_CAS_RETRIES: usize = 64;

/// The registry hour of a time (Unix ms).
pub(crate) fn hour_of(at_ms: u64) -> u64 {
    at_ms / HOUR_MS
}

fn part_of(member: &str) -> u64 {
    // FNV-1a: a spread, not a secret.
    let hash = member
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    hash % PARTS
}

fn registry_key(hour: u64, part: u64) -> String {
    format!("e/{hour}/{part}")
}

fn unavailable(what: &'static str) -> impl Fn(store::Error) -> StoreError {
    move |_| StoreError::unavailable(what)
}

fn parse_set(stored: Option<&[u8]>) -> BTreeSet<String> {
    stored
        .and_then(|bytes| core::str::from_utf8(bytes).ok())
        .and_then(|text| text.split_once('|'))
        .and_then(|(_, json)| serde_json::from_str(json).ok())
        .unwrap_or_default()
}

fn encode_set(set: &BTreeSet<String>) -> Vec<u8> {
    envelope::wrap(&serde_json::to_string(set).unwrap_or_default(), None).into_bytes()
}

/// Changes a registry record by compare-and-swap; `change` returns whether it changed.
fn update_set(
    bucket: &store::Bucket,
    key: &str,
    change: impl Fn(&mut BTreeSet<String>) -> bool,
) -> Result<(), StoreError> {
    for _ in 0..MAX_CAS_RETRIES {
        let cas =
            atomics::Cas::new(bucket, key).map_err(unavailable("wasi:keyvalue cas failed"))?;
        let current = cas
            .current()
            .map_err(unavailable("wasi:keyvalue cas read failed"))?;
        let mut set = parse_set(current.as_deref());
        if !change(&mut set) {
            return Ok(());
        }
        if atomics::swap(cas, &encode_set(&set)).is_ok() {
            return Ok(());
        }
    }
    Err(StoreError::unavailable("expiry registry contention"))
}

/// Registers index `member` under `hour` (before the index is written, so that an
/// index is never without its registration), and brings the cursor back to `hour` when
/// it stands later: registrations land at or after the current hour, which the sweep
/// has not visited yet, so moving the cursor back skips nothing and revisits nothing
/// done.
pub(crate) fn register(bucket: &store::Bucket, hour: u64, member: &str) -> Result<(), StoreError> {
    update_set(bucket, &registry_key(hour, part_of(member)), |set| {
        set.insert(member.to_string())
    })?;
    for _ in 0..MAX_CAS_RETRIES {
        let cas = atomics::Cas::new(bucket, CURSOR_KEY)
            .map_err(unavailable("wasi:keyvalue cas failed"))?;
        let cursor = cas
            .current()
            .map_err(unavailable("wasi:keyvalue cas read failed"))?
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| text.parse::<u64>().ok());
        if cursor.is_some_and(|cursor| cursor <= hour) {
            return Ok(());
        }
        if atomics::swap(cas, hour.to_string().as_bytes()).is_ok() {
            return Ok(());
        }
    }
    Err(StoreError::unavailable("expiry registry cursor contention"))
}

/// Visits index `space`, registered under `hour`: seals it (dropping and deleting what
/// is reclaimable, registering its next hour) or, when it has stayed empty for the
/// grace, deletes it. Returns the values deleted.
fn visit(bucket: &store::Bucket, space: Space<'_>, hour: u64, now: u64) -> Result<u32, StoreError> {
    let key = match space {
        Space::Atomic(shard) => format!("x/{shard}"),
        Space::Bucket(name) => format!("y/{name}"),
        Space::Family(family) => format!("f/{family}"),
    };
    for _ in 0..MAX_CAS_RETRIES {
        let cas =
            atomics::Cas::new(bucket, &key).map_err(unavailable("wasi:keyvalue cas failed"))?;
        let Some(current) = cas
            .current()
            .map_err(unavailable("wasi:keyvalue cas read failed"))?
        else {
            return Ok(0);
        };
        let mut index = Index::parse(Some(&current))?;
        if index.registered_after(hour) {
            return Ok(0); // registered again later: that visit will do
        }
        // This visit consumes the registration: the seal registers what is due next.
        index.forget_registration();
        let emptied_at = core::str::from_utf8(&current)
            .ok()
            .and_then(envelope::expiry)
            .flatten();
        if index.names.is_empty() && emptied_at.is_some_and(|at| at <= now.saturating_sub(GRACE_MS))
        {
            // Empty since long before any request in flight: the index goes.
            return Ok(u32::from(bucket.delete(&key).is_ok()));
        }
        let sealed = index.seal(now);
        if let Some(next) = sealed.register {
            register(bucket, next, &space.member())?;
        }
        if atomics::swap(cas, &sealed.bytes).is_ok() {
            return Ok(shard_index::delete_dropped(
                bucket,
                space,
                &sealed.dropped,
                now,
            ));
        }
    }
    Err(StoreError::unavailable(
        "shard index contention while reclaiming",
    ))
}

/// One bounded step of the sweep: visits at most `budget` indexes (an hour with
/// nothing registered counts as one), from the cursor on.
pub(crate) fn step(bucket: &store::Bucket, now: u64, budget: u32) -> Result<Reclaimed, StoreError> {
    let mut report = Reclaimed::default();
    // Every hour that is over. Registrations land at the hour an entry's grace ends,
    // which is never a past one (entries past their grace are dropped before an index
    // is written), so no hour visited here can still be registered under.
    let last = hour_of(now).saturating_sub(1);
    let mut spent = 0u32;
    loop {
        let cas = atomics::Cas::new(bucket, CURSOR_KEY)
            .map_err(unavailable("wasi:keyvalue cas failed"))?;
        let Some(hour) = cas
            .current()
            .map_err(unavailable("wasi:keyvalue cas read failed"))?
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| text.parse::<u64>().ok())
        else {
            report.complete = true; // nothing was ever registered
            return Ok(report);
        };
        if hour > last {
            report.complete = true;
            return Ok(report);
        }
        if spent >= budget {
            return Ok(report);
        }
        let keys: Vec<String> = (0..PARTS).map(|part| registry_key(hour, part)).collect();
        let mut done = true;
        spent += 1;
        for (key, stored) in shard_index::get_many(bucket, keys)? {
            let members = parse_set(stored.as_deref());
            for member in &members {
                if spent >= budget {
                    done = false;
                    break;
                }
                spent += 1;
                if let Some(space) = Space::of_member(member) {
                    report.deleted += visit(bucket, space, hour, now)?;
                }
                report.examined += 1;
                update_set(bucket, &key, |set| set.remove(member))?;
            }
            if !done {
                break;
            }
            if stored.is_some() {
                // A past hour's record: only sweeps write it now, and it is empty.
                bucket
                    .delete(&key)
                    .map_err(unavailable("wasi:keyvalue delete failed"))?;
            }
        }
        if !done {
            return Ok(report);
        }
        // The hour is done: move on (a lost swap means another sweep did).
        let _ = atomics::swap(cas, (hour + 1).to_string().as_bytes());
        report.hours += 1;
    }
}
