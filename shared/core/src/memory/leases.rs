//! Per-isolate leases on per-user rate-limit counters: blocks of a window's counter
//! positions reserved by one atomic increment and handed out locally, so that a busy
//! client's requests cost a store round trip once per block rather than once each
//! (`SESSION_CHECK=cached`; [`crate::flows::ratelimit::limiter::hit_leased`] uses it).
//!
//! The exact counter gives every event the position its own increment returned and
//! judges it by that position. A lease reserves `size` positions at once
//! (`increment(size)` answers the last of them) and the isolate gives them out in
//! order: every event still has a position of its own, distinct from every other
//! event's in any isolate, and is judged by it. So the leased counter **never admits
//! an event the exact counter's bound would refuse** (at most `limit` positions pass
//! in a window). What it gets wrong is the other way: positions reserved and never
//! handed out count as events. That is the stated error (docs/abuse.md):
//!
//! - an isolate holds at most `cap − 1` unused positions of a counter at any moment
//!   (`cap` = [`cap`], 1/[`LEASE_SHARE`] of the limit): a refill that starts while
//!   another is in flight takes one position for itself and keeps none;
//! - they are lost when the lease ends — [`SETTLE_MS`] into the window (so the
//!   previous window's count is read again once final) and at the window's end —
//!   or when the entry is evicted;
//! - so a client is refused at most `2 · I · (cap − 1)` events early in a window (`I`:
//!   isolates that served it in that window), plus `cap − 1` per eviction, and never
//!   admitted past the limit.
//!
//! Sizes adapt: a counter starts with blocks of 1 (the exact counter), doubles while
//! its blocks run out within their life, and shrinks to what the last block used when
//! one ends unused — a slow client spread over many isolates reserves one position
//! per event, a fast one reaches `cap` after a handful of refills.
//!
//! Security considerations: the counter in the store stays the one every isolate
//! increments atomically (a store failure is still `503`); entries are bounded
//! ([`CAPACITY`]) and keyed by shard, counter and window, so an entry is never used
//! for another window; a busy cell reads as "no lease" (the exact path).

use alloc::string::String;

use super::bounded::Bounded;
pub use super::settled::SETTLE_MS;

/// Entries one isolate keeps.
pub const CAPACITY: usize = 256;
/// A block is at most this share of the limit (the denominator).
pub const LEASE_SHARE: u64 = 32;
/// A refill started this long ago and not finished is taken for abandoned (its
/// request was cancelled): the next refill may take a full block again.
pub const REFILL_TIMEOUT_MS: u64 = 1_000;

/// The largest block for a `limit`: `max(1, limit / LEASE_SHARE)`.
pub fn cap(limit: u64) -> u64 {
    (limit / LEASE_SHARE).max(1)
}

/// One counter's lease in one isolate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// The window index the positions belong to.
    pub window: u64,
    /// The next position to hand out (`next > last`: none left).
    pub next: u64,
    /// The last reserved position.
    pub last: u64,
    /// The previous window's count, as read with the block.
    pub previous: u64,
    /// The lease may be used before this instant (Unix ms).
    pub valid_until_ms: u64,
    /// The block's size.
    pub size: u64,
    /// When a refill of a full block started, while it is in flight.
    pub refill_started_ms: Option<u64>,
}

impl Lease {
    fn live(&self, window: u64, now_ms: u64) -> bool {
        self.window == window && now_ms < self.valid_until_ms
    }

    /// Positions of the block handed out so far.
    fn used(&self) -> u64 {
        self.size.min(
            self.next
                .saturating_sub(self.last.saturating_sub(self.size) + 1),
        )
    }
}

/// What a request that found no position should reserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refill {
    /// A block of this size, installed as the lease when it arrives.
    Block(u64),
    /// One position for this request alone (another refill is in flight).
    Single,
}

/// The memory (a field of [`super::IsolateMemory`]).
#[derive(Debug)]
pub struct Leases {
    entries: Bounded<String, Lease>,
}

impl Default for Leases {
    fn default() -> Self {
        Self {
            entries: Bounded::new(CAPACITY),
        }
    }
}

impl Leases {
    /// Hands out the next position of `key`'s lease for `window`, with the previous
    /// window's count read with it; `None` when there is none left (or no live lease).
    pub fn take(&self, key: &String, window: u64, now_ms: u64) -> Option<(u64, u64)> {
        self.entries
            .update(key, |lease| {
                (lease.live(window, now_ms) && lease.next <= lease.last).then(|| {
                    let position = lease.next;
                    lease.next += 1;
                    (position, lease.previous)
                })
            })
            .flatten()
    }

    /// The previous window's count kept with `key`'s live lease for `window`.
    pub fn previous(&self, key: &String, window: u64, now_ms: u64) -> Option<u64> {
        self.entries
            .get(key)
            .filter(|lease| lease.live(window, now_ms))
            .map(|lease| lease.previous)
    }

    /// What to reserve now for `key` (see the module docs), marking a block refill
    /// as in flight.
    pub fn plan(&self, key: &String, window: u64, now_ms: u64, cap: u64) -> Refill {
        let planned = self.entries.update(key, |lease| {
            let in_flight = lease
                .refill_started_ms
                .is_some_and(|started| now_ms.saturating_sub(started) < REFILL_TIMEOUT_MS);
            if in_flight {
                return Refill::Single;
            }
            let size = if lease.next > lease.last && lease.live(window, now_ms) {
                // Ran out within its life: demand is higher than the block.
                lease.size.saturating_mul(2)
            } else if lease.next > lease.last {
                lease.size
            } else {
                // Ended (or its window passed) with positions left: what it used.
                lease.used()
            };
            lease.refill_started_ms = Some(now_ms);
            Refill::Block(size.clamp(1, cap))
        });
        match planned {
            Some(refill) => refill,
            None => {
                // No entry: start a fresh one at size 1, marked as refilling.
                self.entries.insert(
                    key.clone(),
                    Lease {
                        window,
                        next: 1,
                        last: 0,
                        previous: 0,
                        valid_until_ms: 0,
                        size: 1,
                        refill_started_ms: Some(now_ms),
                    },
                );
                Refill::Block(1)
            }
        }
    }

    /// Installs the block `[first, first + size)` of `window` reserved by a
    /// [`Refill::Block`], its first position already handed to the request that
    /// reserved it.
    pub fn install(&self, key: String, lease: Lease) {
        self.entries.insert(key, lease);
    }

    /// Marks `key`'s refill as over without a block (the store failed).
    pub fn abandon(&self, key: &String) {
        self.entries
            .update(key, |lease| lease.refill_started_ms = None);
    }

    /// How many counters have a lease.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no counter has a lease.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests;
