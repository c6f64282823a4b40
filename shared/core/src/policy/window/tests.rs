use super::*;
use proptest::prelude::*;

const MINUTE: SlidingWindow = SlidingWindow {
    limit: 20,
    window_ms: 60_000,
};

/// Feeds events at `times` (non-decreasing) through fresh counters, as the store
/// would, and returns the verdicts.
fn run(window: SlidingWindow, times: &[u64]) -> std::vec::Vec<Decision> {
    let mut counters = std::collections::BTreeMap::<u64, u64>::new();
    times
        .iter()
        .map(|&now| {
            let k = window.index(now);
            let current = {
                let slot = counters.entry(k).or_insert(0);
                *slot += 1;
                *slot
            };
            let previous = k
                .checked_sub(1)
                .and_then(|p| counters.get(&p).copied())
                .unwrap_or(0);
            window.decide(now, current, previous)
        })
        .collect()
}

#[test]
fn the_twenty_first_login_in_a_minute_is_refused() {
    let times: std::vec::Vec<u64> = (0..21).map(|i| 1_000_000 + i * 50).collect();
    let verdicts = run(MINUTE, &times);
    assert!(verdicts[..20].iter().all(|d| d.is_allowed()));
    assert!(!verdicts[20].is_allowed());
}

#[test]
fn a_burst_straddling_a_boundary_is_still_held_to_the_limit() {
    // Ten events just before the boundary at 120 s, eleven just after.
    let times: std::vec::Vec<u64> = (0..21).map(|i| 119_500 + i * 50).collect();
    let verdicts = run(MINUTE, &times);
    assert_eq!(verdicts.iter().filter(|d| d.is_allowed()).count(), 20);
    assert!(!verdicts[20].is_allowed());
}

#[test]
fn the_previous_window_decays_linearly() {
    // 20 events last window; halfway through this one, ten more fit.
    assert_eq!(MINUTE.estimate(0, 20, 30_000), 10);
    assert_eq!(MINUTE.estimate(10, 20, 30_000), 20);
    assert!(MINUTE.decide(90_000, 10, 20).is_allowed());
    assert!(!MINUTE.decide(90_000, 11, 20).is_allowed());
    // Rounding up: one previous event keeps full weight until the window ends.
    assert_eq!(MINUTE.estimate(0, 1, 59_999), 1);
    assert_eq!(MINUTE.estimate(0, 1, 60_000), 0);
}

#[test]
fn retry_after_points_at_the_moment_an_event_fits_again() {
    // 21 events early in a window with nothing before: no room left in it; in the
    // next one the 21 weigh 21·(W − e')/W, which leaves room for one more once
    // that is at most 19, i.e. e' ≥ W − ⌊19·W/21⌋.
    let limited = MINUTE.decide(60_000 + 1_000, 21, 0);
    let Decision::Limited { retry_after_ms } = limited else {
        panic!("expected a limit")
    };
    assert_eq!(retry_after_ms, 59_000 + (60_000 - 54_285));
    assert_eq!(retry_after_secs(retry_after_ms), 65);
    // Room later in this window once the previous window's weight has decayed:
    // 11 counted now (the refused one too), 20 before, limit 20 → a 12th fits
    // once ⌈20·r/W⌉ ≤ 8, i.e. with r ≤ 24 s of the window left.
    let Decision::Limited { retry_after_ms } = MINUTE.decide(60_000, 11, 20) else {
        panic!("expected a limit")
    };
    assert_eq!(retry_after_ms, 60_000 - 24_000);
    assert_eq!(retry_after_secs(0), 1);
    assert_eq!(retry_after_secs(1_001), 2);
}

#[test]
fn a_limit_of_one_waits_for_the_window_after_next_when_needed() {
    let one = SlidingWindow {
        limit: 1,
        window_ms: 1_000,
    };
    let Decision::Limited { retry_after_ms } = one.decide(1_200, 2, 0) else {
        panic!("expected a limit")
    };
    // The next window still sees 2 previous events at full weight until it ends.
    assert_eq!(retry_after_ms, 800 + 1_000);
}

#[test]
fn huge_counts_and_times_do_not_overflow() {
    let window = SlidingWindow {
        limit: u64::MAX,
        window_ms: u64::MAX,
    };
    assert_eq!(window.estimate(u64::MAX, u64::MAX, 0), u64::MAX);
    assert_eq!(window.counter_expiry_ms(u64::MAX), u64::MAX);
    let _ = MINUTE.retry_after_ms(59_999, u64::MAX, u64::MAX);
}

fn window_strategy() -> impl Strategy<Value = SlidingWindow> {
    (1u64..50, 1u64..200_000).prop_map(|(limit, window_ms)| SlidingWindow { limit, window_ms })
}

proptest! {
    #[test]
    fn the_estimate_lies_between_current_and_current_plus_previous(
        window in window_strategy(),
        current in 0u64..1_000_000,
        previous in 0u64..1_000_000,
        elapsed in 0u64..400_000,
    ) {
        let estimate = window.estimate(current, previous, elapsed);
        prop_assert!(estimate >= current);
        prop_assert!(estimate <= current + previous);
    }

    #[test]
    fn the_estimate_never_grows_as_the_window_advances(
        window in window_strategy(),
        current in 0u64..10_000,
        previous in 0u64..10_000,
        a in 0u64..200_000,
        b in 0u64..200_000,
    ) {
        let (early, late) = (a.min(b), a.max(b));
        prop_assert!(window.estimate(current, previous, late) <= window.estimate(current, previous, early));
    }

    /// A burst shorter than W/limit — anywhere, across a boundary or not — lets
    /// exactly `limit` events through.
    #[test]
    fn a_short_burst_admits_exactly_the_limit(
        window in window_strategy(),
        start in 0u64..10_000_000,
        extra in 1u64..40,
    ) {
        let span = window.window_ms / (window.limit + 1);
        let count = window.limit + extra;
        let times: std::vec::Vec<u64> =
            (0..count).map(|i| start + span * i / count).collect();
        let allowed = run(window, &times).iter().filter(|d| d.is_allowed()).count() as u64;
        prop_assert_eq!(allowed, window.limit);
    }

    /// Within any single aligned window no more than `limit` events are allowed,
    /// and across any W-long interval no more than 2·limit.
    #[test]
    fn no_window_ever_admits_more_than_twice_the_limit(
        window in window_strategy(),
        gaps in proptest::collection::vec(0u64..5_000, 1..300),
    ) {
        let mut now = 1_000_000u64;
        let times: std::vec::Vec<u64> = gaps.iter().map(|gap| { now += gap; now }).collect();
        let verdicts = run(window, &times);
        let allowed: std::vec::Vec<u64> = times.iter().zip(&verdicts)
            .filter(|(_, d)| d.is_allowed()).map(|(t, _)| *t).collect();
        for (i, &t) in allowed.iter().enumerate() {
            let in_interval = allowed[i..].iter().take_while(|&&u| u < t + window.window_ms).count() as u64;
            prop_assert!(in_interval <= 2 * window.limit);
            let same_window = allowed[i..].iter().take_while(|&&u| window.index(u) == window.index(t)).count() as u64;
            prop_assert!(same_window <= window.limit);
        }
    }

    /// After waiting `retry_after_ms`, an event is allowed; a moment earlier it is not.
    #[test]
    fn retry_after_is_exact(
        window in window_strategy(),
        current in 0u64..200,
        previous in 0u64..200,
        elapsed_frac in 0u64..1_000,
    ) {
        let k = 10u64;
        let elapsed = window.window_ms * elapsed_frac / 1_000;
        let now = k * window.window_ms + elapsed;
        let wait = window.retry_after_ms(elapsed, current, previous);
        let at = now + wait;
        // The counters a new event would see at `at` (no other events meanwhile).
        let verdict = |t: u64| {
            let (cur, prev) = match window.index(t) - k {
                0 => (current + 1, previous),
                1 => (1, current),
                _ => (1, 0),
            };
            window.decide(t, cur, prev).is_allowed()
        };
        prop_assert!(verdict(at), "not allowed after the wait");
        if wait > 0 {
            prop_assert!(!verdict(at - 1), "allowed before the wait ended");
        }
    }
}
