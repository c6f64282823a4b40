//! The lockout state of one email index and its transitions: pure functions over a
//! small record, no storage (property-tested).
//!
//! The record keeps an **exact log** of the attempts that may still turn out to be
//! failures — one admission time per attempt, pruned once it is a window old — plus
//! the current lock and the memory of earlier locks:
//!
//! - *admit* at `t`: refused while locked; refused while the log already holds
//!   `limit` attempts of the last window (those are failures, or still in flight);
//!   else `t` is appended. So at most `limit` attempts per window are ever let
//!   through to a password check, however many arrive at once.
//! - *success*: the attempt's own entry is removed (it was not a failure). Other
//!   entries stay: a correct login does not forgive an attacker's failures, so an
//!   attacker cannot gain fresh guesses by waiting for the owner to sign in.
//! - *failure*: the entry stays; if the log then holds `limit` entries, the account
//!   is locked. Entries still in flight count (pessimistically): when they turn out
//!   correct, they find the lock and answer `429` like any attempt during a lock.
//! - *lock*: `base · 2^n` capped at `max`, where `n` is the number of earlier locks
//!   still remembered; the log is emptied (the lock used those failures up). A lock
//!   is remembered until `max` after it ends — so repeat locks within a day (at the
//!   defaults) keep doubling, and a day of calm resets the ladder.
//! - *clear* (a completed password reset): the log is emptied and any lock lifted;
//!   the memory of earlier locks stays.

use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::config::RateLimits;

/// The lockout rules, in milliseconds (from `LOCKOUT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures within a window that lock (`LOCKOUT_FAILURES` count).
    pub limit: usize,
    /// The window (`LOCKOUT_FAILURES` seconds).
    pub window_ms: u64,
    /// The first lock's duration (`LOCKOUT_BASE_SECS`).
    pub base_ms: u64,
    /// The longest lock, and how long a lock is remembered after it ends
    /// (`LOCKOUT_MAX_SECS`).
    pub max_ms: u64,
}

impl Policy {
    /// The policy of a configuration.
    pub fn of(limits: &RateLimits) -> Self {
        let secs = |s: u32| u64::from(s).saturating_mul(1000);
        Self {
            limit: usize::try_from(limits.lockout_failures.limit).unwrap_or(usize::MAX),
            window_ms: secs(limits.lockout_failures.window_secs.max(1)),
            base_ms: secs(limits.lockout_base_secs),
            max_ms: secs(limits.lockout_max_secs),
        }
    }

    /// How long a lock lasts when `earlier` locks are remembered: `base · 2^earlier`,
    /// capped at `max`.
    pub fn lock_duration_ms(&self, earlier: u32) -> u64 {
        let factor = 1u64.checked_shl(earlier).unwrap_or(u64::MAX);
        self.base_ms.saturating_mul(factor).min(self.max_ms)
    }
}

/// One email index's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockState {
    /// Admission times (Unix ms) of attempts not known to have succeeded, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<u64>,
    /// The current (or last) lock ends here (Unix ms); 0 if there never was one.
    #[serde(default)]
    pub locked_until_ms: u64,
    /// Locks counted toward the next lock's doubling.
    #[serde(default)]
    pub locks: u32,
    /// `locks` is forgotten after this instant (Unix ms).
    #[serde(default)]
    pub remember_until_ms: u64,
}

/// The answer to an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Locked for this many more ms.
    Locked(u64),
    /// `limit` attempts are already logged; one expires from the window in this many ms.
    Full(u64),
    /// Let through; store this state.
    Admitted(LockState),
}

impl LockState {
    /// Remaining lock time at `now_ms`, if locked.
    pub fn locked_for_ms(&self, now_ms: u64) -> Option<u64> {
        (self.locked_until_ms > now_ms).then(|| self.locked_until_ms - now_ms)
    }

    /// Earlier locks that still count at `now_ms`.
    pub fn remembered_locks(&self, now_ms: u64) -> u32 {
        if self.remember_until_ms > now_ms {
            self.locks
        } else {
            0
        }
    }

    /// The attempts of the last window at `now_ms`.
    fn live_attempts(&self, policy: &Policy, now_ms: u64) -> impl Iterator<Item = u64> + '_ {
        let window = policy.window_ms;
        self.attempts
            .iter()
            .copied()
            .filter(move |&at| at.saturating_add(window) > now_ms)
    }

    /// How many attempts of the last window are logged at `now_ms`.
    pub fn pending(&self, policy: &Policy, now_ms: u64) -> usize {
        self.live_attempts(policy, now_ms).count()
    }

    /// This state with the log pruned to the last window.
    fn pruned(&self, policy: &Policy, now_ms: u64) -> Self {
        Self {
            attempts: self.live_attempts(policy, now_ms).collect(),
            ..self.clone()
        }
    }

    /// Judges an attempt at `now_ms`.
    pub fn admit(&self, policy: &Policy, now_ms: u64) -> Admission {
        if let Some(remaining) = self.locked_for_ms(now_ms) {
            return Admission::Locked(remaining);
        }
        let mut next = self.pruned(policy, now_ms);
        if next.attempts.len() >= policy.limit {
            let oldest = next.attempts.first().copied().unwrap_or(now_ms);
            let frees_at = oldest.saturating_add(policy.window_ms);
            return Admission::Full(frees_at.saturating_sub(now_ms));
        }
        next.attempts.push(now_ms);
        Admission::Admitted(next)
    }

    /// Whether the log warrants a lock at `now_ms` (and none is on).
    pub fn should_lock(&self, policy: &Policy, now_ms: u64) -> bool {
        self.locked_for_ms(now_ms).is_none() && self.pending(policy, now_ms) >= policy.limit
    }

    /// The state after locking at `now_ms`.
    pub fn lock(&self, policy: &Policy, now_ms: u64) -> Self {
        let earlier = self.remembered_locks(now_ms);
        let locked_until_ms = now_ms.saturating_add(policy.lock_duration_ms(earlier));
        Self {
            attempts: Vec::new(),
            locked_until_ms,
            locks: earlier.saturating_add(1),
            remember_until_ms: locked_until_ms.saturating_add(policy.max_ms),
        }
    }

    /// This state without the attempt admitted at `admitted_at_ms` (it succeeded);
    /// `None` when no such entry is left (a lock or a reset emptied the log).
    pub fn refund(&self, admitted_at_ms: u64) -> Option<Self> {
        let at = self.attempts.iter().position(|&t| t == admitted_at_ms)?;
        let mut next = self.clone();
        next.attempts.remove(at);
        Some(next)
    }

    /// The state after a completed password reset: no log, no lock, memory kept.
    pub fn cleared(&self) -> Self {
        Self {
            attempts: Vec::new(),
            locked_until_ms: 0,
            ..self.clone()
        }
    }

    /// When the record may be dropped: once its last attempt left the window, its
    /// lock ended and its memory lapsed.
    pub fn expires_at_ms(&self, policy: &Policy) -> u64 {
        let last_attempt = self
            .attempts
            .iter()
            .max()
            .map_or(0, |&at| at.saturating_add(policy.window_ms));
        last_attempt
            .max(self.locked_until_ms)
            .max(self.remember_until_ms)
    }

    /// Whether dropping the record at `now_ms` loses nothing.
    pub fn is_spent(&self, policy: &Policy, now_ms: u64) -> bool {
        self.expires_at_ms(policy) <= now_ms
    }
}

#[cfg(test)]
mod tests;
