use super::*;
use proptest::prelude::*;

const MINUTE: u64 = 60_000;
const POLICY: Policy = Policy {
    limit: 5,
    window_ms: 15 * MINUTE,
    base_ms: 15 * MINUTE,
    max_ms: 24 * 60 * MINUTE,
};

fn admitted(state: &LockState, now: u64) -> LockState {
    match state.admit(&POLICY, now) {
        Admission::Admitted(next) => next,
        other => panic!("expected admission, got {other:?}"),
    }
}

#[test]
fn defaults_come_from_the_configuration() {
    assert_eq!(Policy::of(&RateLimits::default()), POLICY);
}

#[test]
fn five_failures_in_fifteen_minutes_lock_for_fifteen() {
    let mut state = LockState::default();
    for i in 0..5 {
        state = admitted(&state, i * MINUTE);
        assert_eq!(state.should_lock(&POLICY, i * MINUTE), i == 4);
    }
    let locked = state.lock(&POLICY, 4 * MINUTE);
    assert_eq!(locked.locked_for_ms(4 * MINUTE), Some(15 * MINUTE));
    assert_eq!(
        locked.admit(&POLICY, 10 * MINUTE),
        Admission::Locked(9 * MINUTE)
    );
    assert!(locked.attempts.is_empty());
    assert!(matches!(
        locked.admit(&POLICY, 19 * MINUTE),
        Admission::Admitted(_)
    ));
}

#[test]
fn failures_older_than_the_window_do_not_count() {
    let mut state = LockState::default();
    for i in 0..4 {
        state = admitted(&state, i * MINUTE);
    }
    // The first failure (t=0) is out of the window at t=15 min.
    state = admitted(&state, 15 * MINUTE);
    assert!(!state.should_lock(&POLICY, 15 * MINUTE));
    assert_eq!(state.pending(&POLICY, 15 * MINUTE), 4);
}

#[test]
fn locks_double_on_repeat_and_stop_at_a_day() {
    let durations: std::vec::Vec<u64> = (0..10).map(|n| POLICY.lock_duration_ms(n)).collect();
    assert_eq!(
        durations[..4],
        [15 * MINUTE, 30 * MINUTE, 60 * MINUTE, 120 * MINUTE]
    );
    assert_eq!(durations[7], 24 * 60 * MINUTE);
    assert_eq!(POLICY.lock_duration_ms(u32::MAX), 24 * 60 * MINUTE);

    let mut state = LockState::default();
    let mut now = 0;
    for expected in [15, 30, 60] {
        for _ in 0..5 {
            state = admitted(&state, now);
        }
        state = state.lock(&POLICY, now);
        assert_eq!(state.locked_for_ms(now), Some(expected * MINUTE));
        now = state.locked_until_ms;
    }
    // A day after the last lock ended, the ladder starts again.
    now += 24 * 60 * MINUTE;
    for _ in 0..5 {
        state = admitted(&state, now);
    }
    assert_eq!(
        state.lock(&POLICY, now).locked_for_ms(now),
        Some(15 * MINUTE)
    );
}

#[test]
fn a_full_log_refuses_until_its_oldest_entry_leaves_the_window() {
    let mut state = LockState::default();
    for i in 0..5 {
        state = admitted(&state, i * MINUTE);
    }
    assert_eq!(
        state.admit(&POLICY, 5 * MINUTE),
        Admission::Full(10 * MINUTE)
    );
}

#[test]
fn a_success_refunds_only_its_own_attempt() {
    let mut state = LockState::default();
    for i in 0..3 {
        state = admitted(&state, i);
    }
    let refunded = state.refund(1).unwrap();
    assert_eq!(refunded.attempts, [0, 2]);
    assert!(state.lock(&POLICY, 3).refund(1).is_none());
}

#[test]
fn a_reset_lifts_the_lock_but_remembers_it() {
    let mut state = LockState::default();
    for _ in 0..5 {
        state = admitted(&state, 0);
    }
    let cleared = state.lock(&POLICY, 0).cleared();
    assert!(cleared.locked_for_ms(1).is_none());
    assert_eq!(cleared.remembered_locks(1), 1);
    for _ in 0..5 {
        state = admitted(&cleared, 1);
    }
    assert_eq!(state.lock(&POLICY, 1).locked_for_ms(1), Some(30 * MINUTE));
}

#[test]
fn the_record_expires_when_nothing_in_it_matters_any_more() {
    let state = admitted(&LockState::default(), 100);
    assert_eq!(state.expires_at_ms(&POLICY), 100 + 15 * MINUTE);
    assert!(state.is_spent(&POLICY, 100 + 15 * MINUTE));
    let locked = state.lock(&POLICY, 100);
    assert_eq!(
        locked.expires_at_ms(&POLICY),
        100 + 15 * MINUTE + 24 * 60 * MINUTE
    );
    assert!(LockState::default().is_spent(&POLICY, 0));
}

#[derive(Debug, Clone, Copy)]
enum Outcome {
    Fail,
    Succeed,
}

proptest! {
    /// Whatever the timing and the mix of outcomes, no window-long interval ever
    /// holds more than `limit` failures that the log let through, and once `limit`
    /// are logged the next decision is a lock.
    #[test]
    fn never_more_than_limit_failures_per_window(
        limit in 1usize..8,
        steps in proptest::collection::vec((0u64..400_000, prop_oneof![Just(Outcome::Fail), Just(Outcome::Succeed)]), 1..200),
    ) {
        let policy = Policy { limit, window_ms: 900_000, base_ms: 900_000, max_ms: 86_400_000 };
        let mut state = LockState::default();
        let mut now = 0u64;
        let mut failures: std::vec::Vec<u64> = std::vec::Vec::new();
        for (gap, outcome) in steps {
            now += gap;
            if let Admission::Admitted(next) = state.admit(&policy, now) {
                state = next;
                match outcome {
                    Outcome::Succeed => state = state.refund(now).unwrap(),
                    Outcome::Fail => {
                        failures.push(now);
                        if state.should_lock(&policy, now) {
                            state = state.lock(&policy, now);
                        }
                    }
                }
            }
            prop_assert!(state.attempts.len() <= limit);
        }
        for (i, &t) in failures.iter().enumerate() {
            let within = failures[i..].iter().take_while(|&&u| u < t + policy.window_ms).count();
            prop_assert!(within <= limit, "{within} failures within a window");
        }
    }

    /// Lock durations never shrink along a ladder of repeat locks and never pass the cap.
    #[test]
    fn lock_durations_grow_monotonically_to_the_cap(
        base in 1u64..100_000_000,
        max_factor in 1u64..1_000,
        n in 0u32..200,
    ) {
        let policy = Policy { limit: 5, window_ms: 1, base_ms: base, max_ms: base * max_factor };
        let d = policy.lock_duration_ms(n);
        prop_assert!(d <= policy.max_ms);
        prop_assert!(d >= base.min(policy.max_ms));
        prop_assert!(policy.lock_duration_ms(n.saturating_add(1)) >= d);
    }

    /// Serialisation round-trips (the store keeps the JSON).
    #[test]
    fn the_record_round_trips_through_json(
        attempts in proptest::collection::vec(any::<u64>(), 0..8),
        locked_until_ms in any::<u64>(),
        locks in any::<u32>(),
        remember_until_ms in any::<u64>(),
    ) {
        let state = LockState { attempts, locked_until_ms, locks, remember_until_ms };
        let json = serde_json::to_string(&state).unwrap();
        prop_assert_eq!(serde_json::from_str::<LockState>(&json).unwrap(), state);
    }
}
