//! The per-isolate bound on password-hashing work in flight.
//!
//! A password hash (argon2id, ~19 MiB, tens of ms of CPU) is the most expensive
//! thing a request can make this service do, and an unauthenticated client can ask
//! for one with every login, registration, reset or password change. Rate limits run
//! first and cap what one address or one email can ask for; this gate caps what one
//! isolate takes on at a time, whoever asks.
//!
//! A flow takes a [`HashPermit`] *before* the store round trips that lead to its
//! hash and drops it right after the hash. While [`CAPACITY`] permits are out, further
//! requests are answered at once with `429 rate_limited` and `Retry-After: 1` —
//! before any store access and without hashing — instead of queueing behind the work
//! already accepted.
//!
//! What "in flight" means, honestly:
//! - **Workers**: an isolate is single-threaded; a hash blocks it, so at most one
//!   hash *runs* at a time anyway. The permits count requests that have been admitted
//!   to a hash and are awaiting storage before it. The bound therefore caps the queue
//!   of committed hash work per isolate: at most `CAPACITY` hashes (≈ `CAPACITY` × the
//!   hash time of added latency) before an isolate says "busy". It does not cap CPU
//!   across isolates or machines: a distributed flood that stays under every per-IP
//!   and per-email limit still costs one hash per admitted request. Platform
//!   protections (WAF rate-limiting rules, bot management) are the defence there.
//! - **Spin**: each request runs in a fresh component instance, so this counter only
//!   ever sees its own request; the bound comes from the host's instance limits
//!   (`max_concurrent_instances` / the pooling allocator), not from here.
//! - **Native tests**: one gate per test environment (its [`super::IsolateMemory`]),
//!   standing in for an isolate.
//!
//! Security considerations: the answer when saturated is the same whatever the
//! email, so saturation reveals nothing about accounts. Permits are released on drop,
//! so a request that fails or is cancelled mid-way cannot leak one.

use core::sync::atomic::{AtomicU32, Ordering};

use crate::error::ApiError;
use crate::policy::window::retry_after_secs;

/// Requests admitted to a password hash and not yet past it, per isolate. Eight
/// keeps the worst added wait around a third of a second at OWASP parameters
/// (~40 ms per hash on Workers) and stays above the default lockout limit (5), so
/// a burst on one email is decided by the lockout, not by the gate.
pub const CAPACITY: u32 = 8;

/// A counting gate: at most `capacity` permits out at once.
#[derive(Debug)]
pub struct HashGate {
    in_flight: AtomicU32,
    capacity: u32,
}

/// One admitted request's claim on the gate; released when dropped.
#[derive(Debug)]
#[must_use = "the permit is released as soon as it is dropped"]
pub struct HashPermit<'a> {
    gate: &'a HashGate,
}

impl HashGate {
    /// An empty gate allowing `capacity` permits.
    pub const fn new(capacity: u32) -> Self {
        Self {
            in_flight: AtomicU32::new(0),
            capacity,
        }
    }

    /// Takes a permit, or `None` when `capacity` are out.
    pub fn try_acquire(&self) -> Option<HashPermit<'_>> {
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.capacity).then_some(n + 1)
            })
            .ok()
            .map(|_| HashPermit { gate: self })
    }

    /// Permits currently out.
    pub fn in_flight(&self) -> u32 {
        self.in_flight.load(Ordering::Acquire)
    }

    /// Admits the request to password hashing, or answers `429` with `Retry-After: 1`
    /// when [`Self::try_acquire`] finds the gate full.
    pub fn admit(&self) -> Result<HashPermit<'_>, ApiError> {
        self.try_acquire().ok_or(ApiError::RateLimited {
            retry_after_secs: retry_after_secs(1),
        })
    }
}

impl Drop for HashPermit<'_> {
    fn drop(&mut self) {
        self.gate.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests;
