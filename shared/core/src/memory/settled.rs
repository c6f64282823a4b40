//! Per-isolate memory of *finished* windows' counts, so that a sliding-window check
//! costs one store operation (the increment) instead of two.
//!
//! The sliding estimate needs the previous window's count ([`super::limiter`]). Once
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
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

/// Entries one isolate keeps.
pub const CAPACITY: usize = 128;
/// How long into a window the previous window's count is still re-read.
pub const SETTLE_MS: u64 = 5_000;

/// The memory (a field of [`crate::Config`]); a clone starts empty.
#[derive(Default)]
pub struct SettledCounts {
    entries: RefCell<Vec<(String, u64)>>,
    next: Cell<usize>,
}

impl Clone for SettledCounts {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl core::fmt::Debug for SettledCounts {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let len = self.entries.try_borrow().map(|e| e.len()).unwrap_or(0);
        f.debug_struct("SettledCounts")
            .field("entries", &len)
            .finish()
    }
}

impl SettledCounts {
    /// The remembered count of counter `key` (shard and name, window included).
    pub fn get(&self, key: &str) -> Option<u64> {
        let entries = self.entries.try_borrow().ok()?;
        entries
            .iter()
            .find(|(stored, _)| stored == key)
            .map(|(_, count)| *count)
    }

    /// Remembers `count` for `key`, replacing the oldest entry when full.
    pub fn remember(&self, key: String, count: u64) {
        let Ok(mut entries) = self.entries.try_borrow_mut() else {
            return;
        };
        if let Some(entry) = entries.iter_mut().find(|(stored, _)| *stored == key) {
            entry.1 = count;
        } else if entries.len() < CAPACITY {
            entries.push((key, count));
        } else {
            let slot = self.next.get() % CAPACITY;
            if let Some(entry) = entries.get_mut(slot) {
                *entry = (key, count);
            }
            self.next.set(slot + 1);
        }
    }

    /// How many entries are kept.
    #[cfg(test)]
    fn kept(&self) -> usize {
        self.entries.borrow().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn remembers_and_replaces_the_oldest_when_full() {
        let settled = SettledCounts::default();
        for i in 0..CAPACITY + 3 {
            settled.remember(format!("k{i}"), i as u64);
        }
        assert_eq!(settled.kept(), CAPACITY);
        assert_eq!(settled.get("k0"), None, "oldest replaced");
        assert_eq!(
            settled.get(&format!("k{}", CAPACITY + 2)),
            Some(CAPACITY as u64 + 2)
        );
        assert_eq!(settled.get("k5"), Some(5));
        settled.remember("k5".into(), 9);
        assert_eq!(settled.get("k5"), Some(9));
        assert_eq!(settled.clone().get("k5"), None, "a clone starts empty");
    }
}
