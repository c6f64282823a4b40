//! The isolate's metrics: request counts and latencies per route, outcome counts and
//! password-hash time, aggregated in memory and handed out as a [`Snapshot`] once per
//! `METRICS_FLUSH_SECS` to be flushed after the response (docs/monitoring.md,
//! "Metrics").
//!
//! Why in memory: a per-request store write would cost the protected path a round
//! trip. An isolate instead counts in memory and, at most once per flush interval,
//! writes one record, prints one `metrics` line and (on Workers) writes Analytics
//! Engine data points — all in `waitUntil`. An isolate that is evicted loses at most
//! one interval of counts; an idle one flushes with its next request. On Spin, where
//! an instance serves one request, nothing is flushed: the request line carries the
//! same facts (route, status, duration, `hash_ms`) and metrics come from the logs.
//!
//! Security considerations: only code-chosen labels (function, method, route pattern)
//! and numbers are kept; the route table is bounded ([`MAX_ROUTES`], the rest counts
//! under `other`), so no flood of paths can grow it; a busy `RefCell` drops the
//! sample rather than panicking.

use alloc::string::String;
use core::cell::{Cell, RefCell};

pub use crate::model::metrics::{Outcomes, RouteStats, Snapshot, Timing};

/// Route entries kept per interval; more distinct routes count under `other`.
pub const MAX_ROUTES: usize = 64;

/// One request, as the pipeline records it.
#[derive(Debug, Clone, Copy)]
pub struct Sample<'a> {
    /// The function.
    pub function: &'static str,
    /// The method.
    pub method: &'static str,
    /// The route pattern.
    pub route: &'static str,
    /// The status.
    pub status: u16,
    /// Time in the core.
    pub duration_ms: u64,
    /// When it started.
    pub at_ms: u64,
    /// Outcomes it had.
    pub outcomes: &'a Outcomes,
    /// Password-hash time it spent, if it hashed.
    pub hash_ms: Option<u64>,
}

/// The isolate's aggregate.
#[derive(Debug, Default)]
pub struct Metrics {
    current: RefCell<Snapshot>,
    isolate: RefCell<Option<String>>,
    flushed_at: Cell<u64>,
}

impl Metrics {
    /// Counts one request.
    pub fn record(&self, sample: &Sample<'_>) {
        let Ok(mut current) = self.current.try_borrow_mut() else {
            return;
        };
        if current.routes.is_empty() && current.since_ms == 0 {
            current.since_ms = sample.at_ms;
            current.function = String::from(sample.function);
        }
        current.until_ms = current.until_ms.max(sample.at_ms);
        let known = current.routes.iter().position(|r| {
            r.function == sample.function && r.method == sample.method && r.route == sample.route
        });
        let index = match known {
            Some(index) => index,
            None if current.routes.len() < MAX_ROUTES => {
                current.routes.push(RouteStats {
                    function: sample.function.into(),
                    method: sample.method.into(),
                    route: sample.route.into(),
                    ..RouteStats::default()
                });
                current.routes.len() - 1
            }
            None => match current.routes.iter().position(|r| r.route == "other") {
                Some(index) => index,
                None => {
                    // The last slot becomes `other` (its counts stay in it).
                    let last = current.routes.len() - 1;
                    if let Some(entry) = current.routes.get_mut(last) {
                        entry.method = String::from("*");
                        entry.route = String::from("other");
                    }
                    last
                }
            },
        };
        if let Some(entry) = current.routes.get_mut(index) {
            entry.count += 1;
            match sample.status {
                200..=299 => entry.status_2xx += 1,
                300..=399 => entry.status_3xx += 1,
                400..=499 => entry.status_4xx += 1,
                _ => entry.status_5xx += 1,
            }
            entry.ms_sum = entry.ms_sum.saturating_add(sample.duration_ms);
            entry.ms_max = entry.ms_max.max(sample.duration_ms);
        }
        let outcomes = &mut current.outcomes;
        outcomes.logins_succeeded += sample.outcomes.logins_succeeded;
        outcomes.logins_failed += sample.outcomes.logins_failed;
        outcomes.rate_limited += sample.outcomes.rate_limited;
        outcomes.refresh_reuse_detected += sample.outcomes.refresh_reuse_detected;
        outcomes.lockouts += sample.outcomes.lockouts;
        if let Some(ms) = sample.hash_ms {
            current.hash.add(ms);
        }
    }

    /// The counts since the last flush, when `every_ms` has passed since it (the first
    /// interval starts with the isolate's first request) and something was counted;
    /// the aggregate starts over.
    pub fn take_due(&self, now_ms: u64, every_ms: u64) -> Option<Snapshot> {
        let mut current = self.current.try_borrow_mut().ok()?;
        if current.routes.is_empty() {
            return None;
        }
        let started = match self.flushed_at.get() {
            0 => current.since_ms,
            flushed => flushed,
        };
        if now_ms.saturating_sub(started) < every_ms {
            return None;
        }
        self.flushed_at.set(now_ms);
        Some(core::mem::take(&mut *current))
    }

    /// This isolate's id, drawn once from `draw` (16 random bytes, hex).
    pub fn isolate_id(&self, draw: impl FnOnce() -> Option<String>) -> String {
        if let Ok(mut slot) = self.isolate.try_borrow_mut() {
            if let Some(id) = slot.as_ref() {
                return id.clone();
            }
            let id = draw().unwrap_or_else(|| String::from("unknown"));
            *slot = Some(id.clone());
            return id;
        }
        String::from("unknown")
    }
}

/// Whether this isolate has compared the active signing key with the stored one
/// (once per isolate, by the monitoring flows' signing-key watch).
#[derive(Debug, Default)]
pub struct SigningKeyWatch {
    checked: Cell<bool>,
}

impl SigningKeyWatch {
    /// `true` the first time only.
    pub fn first_check(&self) -> bool {
        !self.checked.replace(true)
    }
}

#[cfg(test)]
mod tests;
