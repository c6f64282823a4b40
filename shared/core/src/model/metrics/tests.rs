use crate::memory::metrics::{Metrics, Sample};

use super::*;

fn sample(route: &'static str, status: u16, ms: u64, at_ms: u64) -> Sample<'static> {
    const NONE: Outcomes = Outcomes {
        logins_succeeded: 0,
        logins_failed: 0,
        rate_limited: 0,
        refresh_reuse_detected: 0,
        lockouts: 0,
    };
    Sample {
        function: "api",
        method: "GET",
        route,
        status,
        duration_ms: ms,
        at_ms,
        outcomes: &NONE,
        hash_ms: None,
    }
}

#[test]
fn merged_snapshots_add_up() {
    let a = Metrics::default();
    a.record(&sample("/api/me", 200, 4, 1_000));
    let b = Metrics::default();
    b.record(&sample("/api/me", 503, 8, 900));
    b.record(&sample("/api/health", 200, 1, 2_000));
    let mut total = a.take_due(u64::MAX, 1).unwrap();
    total.merge(&b.take_due(u64::MAX, 1).unwrap());
    assert_eq!(total.requests(), 3);
    let me = total.routes.iter().find(|r| r.route == "/api/me").unwrap();
    assert_eq!((me.count, me.status_5xx, me.ms_max), (2, 1, 8));
    assert_eq!((total.since_ms, total.until_ms), (900, 2_000));
}

#[test]
fn snapshot_keys_sort_by_time_and_name_function_and_isolate() {
    let mut snapshot = Snapshot {
        function: "api".into(),
        isolate: "i1".into(),
        until_ms: 5,
        ..Snapshot::default()
    };
    assert_eq!(snapshot.key(), "metrics/00000000000000000005/api/i1");
    let early = snapshot.key();
    snapshot.until_ms = 10;
    assert!(early < snapshot.key());
}

#[test]
fn a_flushed_snapshot_reads_back_as_written() {
    let metrics = Metrics::default();
    metrics.record(&sample("/api/me", 429, 7, 1_000));
    let mut snapshot = metrics.take_due(u64::MAX, 1).unwrap();
    snapshot.isolate = "i9".into();
    snapshot.hash.add(40);
    snapshot.outcomes.lockouts = 2;
    let json = serde_json::to_string(&snapshot).unwrap();
    assert_eq!(Snapshot::from_json(&json), Some(snapshot));
    assert_eq!(Snapshot::from_json("{}"), None);
}
