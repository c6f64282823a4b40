//! Metrics values: one isolate's request counts, latencies, outcome counts and
//! password-hash time over one interval ([`Snapshot`]), as the isolate's memory
//! aggregates them ([`crate::memory::metrics`]), as they are flushed (a `metrics` log
//! line, a store record, Analytics Engine data points) and as the admin summary adds
//! them up.
//!
//! Security considerations: labels are code-chosen (function, method, route pattern)
//! and everything else is a number; no user, address or path is counted.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// The store prefix of flushed snapshots: `metrics/<until_ms>/<function>/<isolate>`.
pub const PREFIX: &str = "metrics/";
/// How long a flushed snapshot is kept (2 hours: the summary covers one).
pub const RETENTION_MS: u64 = 2 * 3_600_000;

/// One route's counts in an interval.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteStats {
    /// The function that served it (an isolate runs one; tests may run several).
    #[serde(default)]
    pub function: String,
    /// The method (`GET`, …).
    pub method: String,
    /// The route pattern (`/api/documents/{id}`), `unmatched` or `other`.
    pub route: String,
    /// Requests.
    pub count: u64,
    /// Answers by status class.
    pub status_2xx: u64,
    /// Redirects (the HTTPS rule's `308`).
    pub status_3xx: u64,
    /// Client errors.
    pub status_4xx: u64,
    /// Server errors.
    pub status_5xx: u64,
    /// `429` answers (included in `status_4xx`).
    pub status_429: u64,
    /// Sum of durations in ms.
    pub ms_sum: u64,
    /// Longest duration in ms.
    pub ms_max: u64,
}

/// Security-relevant outcomes counted in an interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcomes {
    /// Sessions started (`login_succeeded`).
    pub logins_succeeded: u64,
    /// Refused logins and re-authentications (`login_failed`).
    pub logins_failed: u64,
    /// `429` answers (rate limits and lockouts).
    pub rate_limited: u64,
    /// Refresh-token reuse detections.
    pub refresh_reuse_detected: u64,
    /// Lockouts engaged.
    pub lockouts: u64,
}

/// Password hashes (argon2id, bcrypt) timed by the platform clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timing {
    /// Hashes timed.
    pub count: u64,
    /// Sum of their durations in ms.
    pub ms_sum: u64,
    /// The longest, in ms.
    pub ms_max: u64,
}

impl Timing {
    /// Adds one duration.
    pub fn add(&mut self, ms: u64) {
        self.count = self.count.saturating_add(1);
        self.ms_sum = self.ms_sum.saturating_add(ms);
        self.ms_max = self.ms_max.max(ms);
    }
}

/// One isolate's counts over one interval: what is flushed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The function that counted.
    pub function: String,
    /// The isolate's random id (set at flush).
    #[serde(default)]
    pub isolate: String,
    /// First request counted (Unix ms).
    pub since_ms: u64,
    /// Last request counted (Unix ms).
    pub until_ms: u64,
    /// Per route.
    pub routes: Vec<RouteStats>,
    /// Outcomes.
    pub outcomes: Outcomes,
    /// Password-hash time.
    pub hash: Timing,
}

impl Snapshot {
    /// Requests counted.
    pub fn requests(&self) -> u64 {
        self.routes.iter().map(|route| route.count).sum()
    }

    /// Adds `other`'s counts to these (the admin summary sums flushed snapshots).
    pub fn merge(&mut self, other: &Snapshot) {
        for route in &other.routes {
            let entry = match self.routes.iter_mut().find(|mine| {
                mine.function == route.function
                    && mine.method == route.method
                    && mine.route == route.route
            }) {
                Some(entry) => entry,
                None => {
                    self.routes.push(RouteStats {
                        function: route.function.clone(),
                        method: route.method.clone(),
                        route: route.route.clone(),
                        ..RouteStats::default()
                    });
                    match self.routes.last_mut() {
                        Some(entry) => entry,
                        None => continue,
                    }
                }
            };
            entry.count = entry.count.saturating_add(route.count);
            entry.status_2xx = entry.status_2xx.saturating_add(route.status_2xx);
            entry.status_3xx = entry.status_3xx.saturating_add(route.status_3xx);
            entry.status_4xx = entry.status_4xx.saturating_add(route.status_4xx);
            entry.status_5xx = entry.status_5xx.saturating_add(route.status_5xx);
            entry.status_429 = entry.status_429.saturating_add(route.status_429);
            entry.ms_sum = entry.ms_sum.saturating_add(route.ms_sum);
            entry.ms_max = entry.ms_max.max(route.ms_max);
        }
        let (mine, theirs) = (&mut self.outcomes, &other.outcomes);
        mine.logins_succeeded = mine
            .logins_succeeded
            .saturating_add(theirs.logins_succeeded);
        mine.logins_failed = mine.logins_failed.saturating_add(theirs.logins_failed);
        mine.rate_limited = mine.rate_limited.saturating_add(theirs.rate_limited);
        mine.refresh_reuse_detected = mine
            .refresh_reuse_detected
            .saturating_add(theirs.refresh_reuse_detected);
        mine.lockouts = mine.lockouts.saturating_add(theirs.lockouts);
        self.hash.count = self.hash.count.saturating_add(other.hash.count);
        self.hash.ms_sum = self.hash.ms_sum.saturating_add(other.hash.ms_sum);
        self.hash.ms_max = self.hash.ms_max.max(other.hash.ms_max);
        if self.since_ms == 0 || (other.since_ms != 0 && other.since_ms < self.since_ms) {
            self.since_ms = other.since_ms;
        }
        self.until_ms = self.until_ms.max(other.until_ms);
    }
}

impl Snapshot {
    /// The store key of this snapshot.
    pub fn key(&self) -> String {
        alloc::format!(
            "{PREFIX}{:020}/{}/{}",
            self.until_ms,
            self.function,
            self.isolate
        )
    }
}

#[cfg(test)]
mod tests;
