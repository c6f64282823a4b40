//! Per-isolate memory of *finished* windows' counts, so that a sliding-window check
//! costs one store operation (the increment) instead of two.
//!
//! The sliding estimate needs the previous window's count ([`crate::flows::ratelimit::limiter`]). Once
//! the clock is past that window, only requests still in flight (or from an isolate
//! whose clock lags) can add to it, so its count is final — after a settling margin.
//! An isolate that has read it once may keep it for the rest of the current window.
//!
//! Security considerations:
//! - A count is remembered only after [`SETTLE_MS`] into the next window; before that
//!   it is read fresh every time, so late increments from a lagging clock are seen.
//!   What an isolate can miss is an increment that lands in the previous window later
//!   still, which the fresh read could have missed as well.
//! - Keys carry the window index, so an entry can never be read for another window;
//!   bounded ([`CAPACITY`], oldest replaced first), so many distinct clients only
//!   evict entries (a second store read), never change a verdict's inputs.
//! - The current window's counter is never cached: its increment is the atomic
//!   operation every verdict rests on.

use alloc::string::String;

use super::bounded::Bounded;

/// Entries one isolate keeps.
pub const CAPACITY: usize = 128;
/// How long into a window the previous window's count is still re-read.
pub const SETTLE_MS: u64 = 5_000;

/// The memory (a field of [`super::IsolateMemory`]).
#[derive(Debug)]
pub struct SettledCounts {
    counts: Bounded<String, u64>,
}

impl Default for SettledCounts {
    fn default() -> Self {
        Self {
            counts: Bounded::new(CAPACITY),
        }
    }
}

impl SettledCounts {
    /// The remembered count of counter `key` (shard and name, window included).
    pub fn get(&self, key: &str) -> Option<u64> {
        self.counts.get(&String::from(key))
    }

    /// Remembers `count` for `key`, replacing the oldest entry when full.
    pub fn remember(&self, key: String, count: u64) {
        self.counts.insert(key, count);
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}

#[cfg(test)]
mod tests;
