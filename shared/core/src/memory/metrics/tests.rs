use super::*;
use alloc::vec::Vec;

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
fn counts_per_route_and_status_class_with_latency_sum_and_max() {
    let metrics = Metrics::default();
    metrics.record(&sample("/api/me", 200, 3, 1_000));
    metrics.record(&sample("/api/me", 429, 1, 1_100));
    metrics.record(&sample("/api/me", 500, 9, 1_200));
    metrics.record(&sample("/api/health", 200, 0, 1_300));
    let snapshot = metrics.take_due(61_000, 60_000).unwrap();
    assert_eq!(snapshot.function, "api");
    assert_eq!(snapshot.requests(), 4);
    let me = &snapshot.routes[0];
    assert_eq!(
        (me.count, me.status_2xx, me.status_4xx, me.status_5xx),
        (3, 1, 1, 1)
    );
    assert_eq!((me.ms_sum, me.ms_max), (13, 9));
    assert_eq!((snapshot.since_ms, snapshot.until_ms), (1_000, 1_300));
}

#[test]
fn nothing_is_due_before_the_interval_and_counting_starts_over_after() {
    let metrics = Metrics::default();
    assert!(metrics.take_due(0, 60_000).is_none());
    metrics.record(&sample("/api/me", 200, 1, 1_000));
    assert!(metrics.take_due(60_999, 60_000).is_none());
    assert!(metrics.take_due(61_000, 60_000).is_some());
    assert!(
        metrics.take_due(200_000, 60_000).is_none(),
        "nothing counted since"
    );
    metrics.record(&sample("/api/me", 200, 1, 130_000));
    assert!(
        metrics.take_due(120_999, 60_000).is_none(),
        "a minute after the last flush"
    );
    assert_eq!(metrics.take_due(121_000, 60_000).unwrap().requests(), 1);
}

#[test]
fn distinct_routes_are_bounded_the_rest_counts_as_other() {
    let metrics = Metrics::default();
    let routes: Vec<&'static str> = (0..MAX_ROUTES + 10)
        .map(|i| &*alloc::boxed::Box::leak(alloc::format!("/r{i}").into_boxed_str()))
        .collect();
    for route in &routes {
        metrics.record(&sample(route, 200, 1, 1_000));
    }
    let snapshot = metrics.take_due(u64::MAX, 1).unwrap();
    assert_eq!(snapshot.routes.len(), MAX_ROUTES);
    assert_eq!(snapshot.requests(), (MAX_ROUTES + 10) as u64);
    assert!(snapshot.routes.iter().any(|route| route.route == "other"));
}

#[test]
fn the_isolate_id_is_drawn_once_and_the_key_watch_fires_once() {
    let metrics = Metrics::default();
    assert_eq!(metrics.isolate_id(|| Some("a1".into())), "a1");
    assert_eq!(metrics.isolate_id(|| Some("b2".into())), "a1");
    let watch = SigningKeyWatch::default();
    assert!(watch.first_check());
    assert!(!watch.first_check());
}
