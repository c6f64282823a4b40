use super::*;
use alloc::vec;

fn route(function: &str, path: &str, count: u64, s5xx: u64, ms_max: u64) -> RouteStats {
    RouteStats {
        function: function.into(),
        method: "GET".into(),
        route: path.into(),
        count,
        status_2xx: count - s5xx,
        status_5xx: s5xx,
        ms_sum: ms_max * count,
        ms_max,
        ..RouteStats::default()
    }
}

fn snapshot(routes: Vec<RouteStats>, since_ms: u64, until_ms: u64) -> Snapshot {
    Snapshot {
        function: "api".into(),
        since_ms,
        until_ms,
        routes,
        ..Snapshot::default()
    }
}

#[test]
fn merged_snapshots_add_up_per_function_method_and_route() {
    let mut total = snapshot(vec![route("api", "/api/me", 1, 0, 4)], 1_000, 1_000);
    total.merge(&snapshot(
        vec![
            route("api", "/api/me", 1, 1, 8),
            route("api", "/api/health", 1, 0, 1),
            route("login", "/api/me", 1, 0, 1),
        ],
        900,
        2_000,
    ));
    assert_eq!(total.requests(), 4);
    let me = total
        .routes
        .iter()
        .find(|r| r.function == "api" && r.route == "/api/me")
        .unwrap();
    assert_eq!((me.count, me.status_5xx, me.ms_max), (2, 1, 8));
    assert_eq!(total.routes.len(), 3, "login's /api/me is its own entry");
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
    let mut snapshot = snapshot(vec![route("api", "/api/me", 3, 1, 7)], 1_000, 1_500);
    snapshot.isolate = "i9".into();
    snapshot.hash.add(40);
    snapshot.outcomes.lockouts = 2;
    let json = serde_json::to_string(&snapshot).unwrap();
    assert_eq!(Snapshot::from_json(&json), Some(snapshot));
    assert_eq!(Snapshot::from_json("{}"), None);
}
