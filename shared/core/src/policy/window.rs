//! The arithmetic of the sliding-window counter: pure functions over counts and
//! times, no storage.
//!
//! Time is cut into aligned windows of `W` ms (window `k` is `[k·W, (k+1)·W)`). Each
//! window has one counter. An event at offset `e` into window `k` is judged by the
//! **estimate**
//!
//! ```text
//! estimate = current + ⌈previous · (W − e) / W⌉
//! ```
//!
//! where `current` counts window `k` (this event included) and `previous` counts
//! window `k − 1`: the previous window's events are assumed spread evenly, and the
//! share of them that still lies within the last `W` ms is added. The event is
//! allowed when `estimate ≤ limit` (the approximation of Cloudflare's rate limiting
//! and of most API gateways).
//!
//! Why this shape:
//! - **A burst cannot straddle a boundary.** With a plain fixed window, `limit`
//!   events at the end of one window and `limit` at the start of the next all pass.
//!   Here, right after the boundary, `(W − e)/W` is close to 1 and the ceiling keeps
//!   every previous event: a burst shorter than `W / limit` is held to exactly
//!   `limit`, wherever it falls (property-tested below).
//! - **Two store operations per event** (increment the current counter, read the
//!   previous one), both contention-free — unlike a log of timestamps, whose
//!   compare-and-swap updates collide under the very bursts it must withstand.
//!
//! Limits (documented in `docs/abuse.md`): the estimate assumes an even spread in the
//! previous window, so a client that crowds its events at the very end of one window
//! and then paces them through the next can exceed `limit` within some `W`-long
//! interval (by at most `limit`, never more than `2·limit`). That is acceptable for
//! rate limits; the per-email lockout, where every failure counts, keeps an exact log
//! instead ([`crate::flows::lockout`]).
//!
//! Rejected events are counted too (the counter is incremented before the decision),
//! so a client that keeps hammering stays limited — its own excess carries into the
//! next window's estimate.

/// A rate of `limit` events per `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlidingWindow {
    /// Events allowed within any window-long interval (approximately; see the module docs).
    pub limit: u64,
    /// Window length in ms (at least 1).
    pub window_ms: u64,
}

/// The verdict on one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Within the limit.
    Allowed,
    /// Over the limit: a new event is allowed again after `retry_after_ms` (if no
    /// other event comes meanwhile).
    Limited {
        /// Milliseconds until an event would be allowed again.
        retry_after_ms: u64,
    },
}

impl Decision {
    /// Whether the event is allowed.
    pub fn is_allowed(self) -> bool {
        matches!(self, Self::Allowed)
    }
}

/// `⌈a · b / c⌉` without overflow (`c > 0`), saturating.
fn mul_div_ceil(a: u64, b: u64, c: u64) -> u64 {
    let c = u128::from(c.max(1));
    let product = u128::from(a) * u128::from(b);
    let quotient = product.div_ceil(c);
    u64::try_from(quotient).unwrap_or(u64::MAX)
}

/// `⌊a · b / c⌋` without overflow (`c > 0`), saturating.
fn mul_div_floor(a: u64, b: u64, c: u64) -> u64 {
    let c = u128::from(c.max(1));
    let quotient = u128::from(a) * u128::from(b) / c;
    u64::try_from(quotient).unwrap_or(u64::MAX)
}

impl SlidingWindow {
    /// A window of `limit` events per `window_secs` seconds (a zero window counts as 1 s).
    pub fn per_secs(limit: u32, window_secs: u32) -> Self {
        Self {
            limit: u64::from(limit),
            window_ms: u64::from(window_secs.max(1)) * 1000,
        }
    }

    fn width(&self) -> u64 {
        self.window_ms.max(1)
    }

    /// The index `k` of the window containing `now_ms`.
    pub fn index(&self, now_ms: u64) -> u64 {
        now_ms / self.width()
    }

    /// How far into its window `now_ms` lies, in ms (`0 ≤ e < W`).
    pub fn elapsed(&self, now_ms: u64) -> u64 {
        now_ms % self.width()
    }

    /// When the counter of window `index` may be dropped: the end of the *next*
    /// window, through which it is still read as "previous".
    pub fn counter_expiry_ms(&self, index: u64) -> u64 {
        index.saturating_add(2).saturating_mul(self.width())
    }

    /// The estimate of events within the last `W` ms, `elapsed` ms into the current
    /// window (see the module docs).
    pub fn estimate(&self, current: u64, previous: u64, elapsed: u64) -> u64 {
        let width = self.width();
        let remaining = width.saturating_sub(elapsed.min(width));
        current.saturating_add(mul_div_ceil(previous, remaining, width))
    }

    /// Judges an event at `now_ms`, given the counters *after* counting it.
    pub fn decide(&self, now_ms: u64, current: u64, previous: u64) -> Decision {
        let elapsed = self.elapsed(now_ms);
        if self.estimate(current, previous, elapsed) <= self.limit {
            Decision::Allowed
        } else {
            Decision::Limited {
                retry_after_ms: self.retry_after_ms(elapsed, current, previous),
            }
        }
    }

    /// The earliest delay after which one more event would be allowed, if none other
    /// arrives meanwhile: within the current window once the previous window's weight
    /// has decayed enough, else in the next window (whose "previous" is today's
    /// `current`), else at the start of the one after.
    pub fn retry_after_ms(&self, elapsed: u64, current: u64, previous: u64) -> u64 {
        let width = self.width();
        let elapsed = elapsed.min(width.saturating_sub(1));
        let left_in_window = width - elapsed;
        // Later in this window: (current + 1) + ⌈previous·(W − e − t)/W⌉ ≤ limit.
        if let Some(room) = self.limit.checked_sub(current.saturating_add(1)) {
            if previous == 0 {
                return 0;
            }
            // ⌈previous·r/W⌉ ≤ room  ⟺  r ≤ ⌊room·W/previous⌋.
            let max_remaining = mul_div_floor(room, width, previous);
            return left_in_window.saturating_sub(max_remaining);
        }
        // In the next window: 1 + ⌈current·(W − e')/W⌉ ≤ limit.
        let room = self.limit.saturating_sub(1);
        let offset = if current == 0 {
            0
        } else {
            width.saturating_sub(mul_div_floor(room, width, current))
        };
        left_in_window.saturating_add(offset)
    }
}

/// Milliseconds as whole seconds for `Retry-After`, rounded up, at least 1.
pub fn retry_after_secs(ms: u64) -> u64 {
    ms.div_ceil(1000).max(1)
}

#[cfg(test)]
mod tests;
