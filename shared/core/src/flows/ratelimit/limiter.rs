//! The store-backed sliding-window counter: [`super::window`]'s arithmetic over two
//! counters in the [`AtomicStore`].
//!
//! One event is one `increment` of the current window's counter (atomic on every
//! runtime: a Durable Object's input gate on Workers, a compare-and-swap loop on
//! `wasi:keyvalue` on Spin, a single-threaded map natively) and one `get` of the
//! previous window's counter. Both live in one shard, so on Workers they are one
//! Durable Object. The previous window's count is final a few seconds into the next
//! window, so an isolate remembers it from then on ([`crate::memory::settled`]): a steady
//! client costs one store operation per request.
//!
//! Why this holds under concurrent bursts: the count an event is judged by is the
//! value *its own* increment returned. Of N concurrent events, the increments are
//! serialised by the store and return 1, 2, …, N — each event sees a distinct
//! count, so no two can both believe they were the `limit`-th. (A counter kept in
//! eventually consistent KV, read then written, lets every concurrent reader see the
//! same stale count; that is the race this design exists to avoid.)
//!
//! Counter names are `{name}/{k}` for window `k`; each expires at the end of window
//! `k + 1`, the last moment it is read as "previous".
//!
//! Security considerations: a store failure is `503 unavailable` — the limit fails
//! closed, never open.

use alloc::format;

use alloc::string::String;

use crate::error::ApiError;
use crate::memory::leases::{self, Lease, Leases, Refill};
use crate::memory::settled::{SettledCounts, SETTLE_MS};
use crate::policy::window::{Decision, SlidingWindow};
use crate::store::{AtomicKey, AtomicStore};

/// Counts one event under `name` in `shard` at `now_ms` and judges it; finished
/// windows' counts may come from `settled`.
pub async fn hit(
    atomic: &impl AtomicStore,
    settled: &SettledCounts,
    shard: &str,
    name: &str,
    window: SlidingWindow,
    now_ms: u64,
) -> Result<Decision, ApiError> {
    let k = window.index(now_ms);
    let current_name = format!("{name}/{k}");
    let current = atomic
        .increment(
            AtomicKey::new(shard, &current_name),
            1,
            window.counter_expiry_ms(k),
        )
        .await?;
    let previous = previous_settled(atomic, settled, shard, name, window, now_ms).await?;
    Ok(window.decide(now_ms, current, previous))
}

/// The previous window's count: from `settled` once final, else read (and kept once
/// [`settle_margin`] into the window).
async fn previous_settled(
    atomic: &impl AtomicStore,
    settled: &SettledCounts,
    shard: &str,
    name: &str,
    window: SlidingWindow,
    now_ms: u64,
) -> Result<u64, ApiError> {
    let Some(previous_k) = window.index(now_ms).checked_sub(1) else {
        return Ok(0);
    };
    let previous_name = format!("{name}/{previous_k}");
    let key = format!("{shard}\u{0}{previous_name}");
    if let Some(count) = settled.get(&key) {
        return Ok(count);
    }
    let count = read_count(atomic, shard, &previous_name).await?;
    if window.elapsed(now_ms) >= settle_margin(window) {
        settled.remember(key, count);
    }
    Ok(count)
}

/// How far into a window the previous window's count is still read afresh.
fn settle_margin(window: SlidingWindow) -> u64 {
    SETTLE_MS.min(window.window_ms / 2)
}

/// As [`hit`], with the positions of the current window's counter reserved in blocks
/// and handed out by this isolate ([`crate::memory::leases`]: the bound on the error
/// and why nothing past the limit is admitted). A request that finds a position in
/// its isolate's lease costs no store operation.
pub async fn hit_leased(
    atomic: &impl AtomicStore,
    leases: &Leases,
    settled: &SettledCounts,
    shard: &str,
    name: &str,
    window: SlidingWindow,
    now_ms: u64,
) -> Result<Decision, ApiError> {
    let k = window.index(now_ms);
    let key = format!("{shard}\u{0}{name}");
    if let Some((position, previous)) = leases.take(&key, k, now_ms) {
        return Ok(window.decide(now_ms, position, previous));
    }
    let refill = leases.plan(&key, k, now_ms, leases::cap(window.limit));
    let size = match refill {
        Refill::Block(size) => size,
        Refill::Single => 1,
    };
    let current_name = format!("{name}/{k}");
    let reserved = atomic
        .increment(
            AtomicKey::new(shard, &current_name),
            size,
            window.counter_expiry_ms(k),
        )
        .await;
    let last = match reserved {
        Ok(last) => last,
        Err(error) => {
            if matches!(refill, Refill::Block(_)) {
                leases.abandon(&key);
            }
            return Err(error.into());
        }
    };
    let first = last.saturating_sub(size) + 1;
    let previous = match leases.previous(&key, k, now_ms) {
        Some(previous) if refill == Refill::Single => previous,
        _ => match previous_settled(atomic, settled, shard, name, window, now_ms).await {
            Ok(previous) => previous,
            Err(error) => {
                if matches!(refill, Refill::Block(_)) {
                    leases.abandon(&key);
                }
                return Err(error);
            }
        },
    };
    if let Refill::Block(size) = refill {
        install(leases, key, window, now_ms, first, last, previous, size);
    }
    Ok(window.decide(now_ms, first, previous))
}

/// Keeps a reserved block (its first position already taken) until the end of its
/// window, or until the previous window's count is final if that is sooner.
#[allow(clippy::too_many_arguments)]
fn install(
    leases: &Leases,
    key: String,
    window: SlidingWindow,
    now_ms: u64,
    first: u64,
    last: u64,
    previous: u64,
    size: u64,
) {
    let k = window.index(now_ms);
    let start = k.saturating_mul(window.window_ms.max(1));
    let margin = settle_margin(window);
    let valid_until_ms = if window.elapsed(now_ms) < margin {
        start.saturating_add(margin)
    } else {
        start.saturating_add(window.window_ms.max(1))
    };
    leases.install(
        key,
        Lease {
            window: k,
            next: first.saturating_add(1),
            last,
            previous,
            valid_until_ms,
            size,
            refill_started_ms: None,
        },
    );
}

/// The estimate of events under `name` at `now_ms`, without counting one.
pub async fn peek(
    atomic: &impl AtomicStore,
    shard: &str,
    name: &str,
    window: SlidingWindow,
    now_ms: u64,
) -> Result<u64, ApiError> {
    let k = window.index(now_ms);
    let current_name = format!("{name}/{k}");
    let current = read_count(atomic, shard, &current_name).await?;
    let previous = previous_count(atomic, shard, name, k).await?;
    Ok(window.estimate(current, previous, window.elapsed(now_ms)))
}

async fn previous_count(
    atomic: &impl AtomicStore,
    shard: &str,
    name: &str,
    k: u64,
) -> Result<u64, ApiError> {
    match k.checked_sub(1) {
        Some(previous) => read_count(atomic, shard, &format!("{name}/{previous}")).await,
        None => Ok(0),
    }
}

async fn read_count(atomic: &impl AtomicStore, shard: &str, name: &str) -> Result<u64, ApiError> {
    Ok(atomic
        .get(AtomicKey::new(shard, name))
        .await?
        // A counter is written only by `increment`; anything else is treated as
        // saturated, so corruption limits rather than frees.
        .map(|text| text.parse::<u64>().unwrap_or(u64::MAX))
        .unwrap_or(0))
}

/// Deletes the counters of `name` that can still be live at `now_ms` (the current
/// and the previous window's) — when what they count is erased (an account's). A
/// counter incremented meanwhile is re-read and deleted again; one that keeps
/// changing is left to its expiry (at most two windows).
pub async fn clear(
    atomic: &impl AtomicStore,
    shard: &str,
    name: &str,
    window: SlidingWindow,
    now_ms: u64,
) -> Result<(), ApiError> {
    let k = window.index(now_ms);
    for index in [Some(k), k.checked_sub(1)].into_iter().flatten() {
        let counter = format!("{name}/{index}");
        let key = AtomicKey::new(shard, &counter);
        for _ in 0..CLEAR_ATTEMPTS {
            let Some(count) = atomic.get(key).await? else {
                break;
            };
            if atomic
                .compare_and_swap(key, Some(&count), None, None)
                .await?
            {
                break;
            }
        }
    }
    Ok(())
}

/// Rounds of [`clear`] on one counter before it is left to expire.
const CLEAR_ATTEMPTS: usize = 4;

#[cfg(test)]
mod tests;
