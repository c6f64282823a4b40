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
use serde::Serialize;
use serde_json::Value;

/// The store prefix of flushed snapshots: `metrics/<until_ms>/<function>/<isolate>`.
pub const PREFIX: &str = "metrics/";
/// How long a flushed snapshot is kept (2 hours: the summary covers one).
pub const RETENTION_MS: u64 = 2 * 3_600_000;

/// One route's counts in an interval.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RouteStats {
    /// The function that served it (an isolate runs one; tests may run several).
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
    /// Sum of durations in ms.
    pub ms_sum: u64,
    /// Longest duration in ms.
    pub ms_max: u64,
}

/// Security-relevant outcomes counted in an interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// The function that counted.
    pub function: String,
    /// The isolate's random id (set at flush).
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

/// A number field of a JSON object (0 when absent).
fn number(value: &Value, key: &str) -> u64 {
    value.get(key).and_then(Value::as_u64).unwrap_or(0)
}

/// A text field of a JSON object (empty when absent).
fn text(value: &Value, key: &str) -> String {
    String::from(value.get(key).and_then(Value::as_str).unwrap_or_default())
}

impl Snapshot {
    /// Reads a stored snapshot (read by hand rather than derived: the `api` bundle,
    /// which reads them, has a size budget, and derived readers cost more).
    pub fn from_json(text_json: &str) -> Option<Self> {
        let value: Value = serde_json::from_str(text_json).ok()?;
        let routes = value
            .get("routes")?
            .as_array()?
            .iter()
            .map(|route| RouteStats {
                function: text(route, "function"),
                method: text(route, "method"),
                route: text(route, "route"),
                count: number(route, "count"),
                status_2xx: number(route, "status_2xx"),
                status_3xx: number(route, "status_3xx"),
                status_4xx: number(route, "status_4xx"),
                status_5xx: number(route, "status_5xx"),
                ms_sum: number(route, "ms_sum"),
                ms_max: number(route, "ms_max"),
            })
            .collect();
        let outcomes = value.get("outcomes").unwrap_or(&Value::Null);
        let hash = value.get("hash").unwrap_or(&Value::Null);
        Some(Self {
            function: text(&value, "function"),
            isolate: text(&value, "isolate"),
            since_ms: number(&value, "since_ms"),
            until_ms: number(&value, "until_ms"),
            routes,
            outcomes: Outcomes {
                logins_succeeded: number(outcomes, "logins_succeeded"),
                logins_failed: number(outcomes, "logins_failed"),
                rate_limited: number(outcomes, "rate_limited"),
                refresh_reuse_detected: number(outcomes, "refresh_reuse_detected"),
                lockouts: number(outcomes, "lockouts"),
            },
            hash: Timing {
                count: number(hash, "count"),
                ms_sum: number(hash, "ms_sum"),
                ms_max: number(hash, "ms_max"),
            },
        })
    }

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
