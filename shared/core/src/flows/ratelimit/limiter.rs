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

use crate::error::ApiError;
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
    let previous = match k.checked_sub(1) {
        None => 0,
        Some(previous_k) => {
            let previous_name = format!("{name}/{previous_k}");
            let key = format!("{shard}\u{0}{previous_name}");
            match settled.get(&key) {
                Some(count) => count,
                None => {
                    let count = read_count(atomic, shard, &previous_name).await?;
                    if window.elapsed(now_ms) >= SETTLE_MS.min(window.window_ms / 2) {
                        settled.remember(key, count);
                    }
                    count
                }
            }
        }
    };
    Ok(window.decide(now_ms, current, previous))
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
