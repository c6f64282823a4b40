//! The isolate's copy of the kill switch's stored cut-off (the flow that reads and
//! moves it is [`crate::flows::kill_switch`]).
//!
//! Security considerations: the copy is trusted for [`REFRESH_MS`] after it was read,
//! then read again — the stated staleness bound of `docs/sessions.md`. The isolate
//! that pulls the switch updates its copy at once. A new memory holds nothing, so the
//! first request of an isolate (every request on Spin) reads the store.

use core::cell::Cell;

/// How long an isolate trusts its copy of the stored cut-off.
pub const REFRESH_MS: u64 = super::REVOCATION_BOUND_MS;

/// The stored cut-off as last read: `(value, read at)`, both Unix ms.
#[derive(Debug, Default)]
pub struct KillSwitchMemory {
    stored: Cell<Option<(u64, u64)>>,
}

impl KillSwitchMemory {
    /// The remembered cut-off, if it was read less than [`REFRESH_MS`] before `now_ms`.
    pub fn fresh(&self, now_ms: u64) -> Option<u64> {
        match self.stored.get() {
            Some((value, read_at)) if now_ms.saturating_sub(read_at) < REFRESH_MS => Some(value),
            _ => None,
        }
    }

    /// Remembers `value`, read (or written) at `now_ms`.
    pub fn remember(&self, value: u64, now_ms: u64) {
        self.stored.set(Some((value, now_ms)));
    }
}

#[cfg(test)]
mod tests;
