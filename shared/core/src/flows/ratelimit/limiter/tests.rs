//! The leased counter against the exact one: the same upper bound, the stated
//! early-refusal error, a store operation per block rather than per event.

use alloc::vec::Vec;
use core::cell::Cell;
use proptest::prelude::*;

use super::*;
use crate::memory::leases;
use crate::store::{AtomicKey, AtomicStore, StoreError};
use crate::testkit::{TestEnv, START_MS};

/// One isolate's memory for the counter: its leases and settled counts.
#[derive(Default)]
struct Isolate {
    leases: Leases,
    settled: SettledCounts,
}

/// Counts the increments that reach a store.
struct Counting<'a, A> {
    inner: &'a A,
    increments: Cell<u32>,
}

impl<A: AtomicStore> AtomicStore for Counting<'_, A> {
    async fn get(&self, key: AtomicKey<'_>) -> Result<Option<String>, StoreError> {
        self.inner.get(key).await
    }
    async fn compare_and_swap(
        &self,
        key: AtomicKey<'_>,
        expected: Option<&str>,
        new: Option<&str>,
        expires_at_ms: Option<u64>,
    ) -> Result<bool, StoreError> {
        self.inner
            .compare_and_swap(key, expected, new, expires_at_ms)
            .await
    }
    async fn increment(
        &self,
        key: AtomicKey<'_>,
        delta: u64,
        expires_at_ms: u64,
    ) -> Result<u64, StoreError> {
        self.increments.set(self.increments.get() + 1);
        self.inner.increment(key, delta, expires_at_ms).await
    }
    async fn list(&self, shard: &str, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        self.inner.list(shard, prefix).await
    }
}

const SHARD: &str = "ratelimit/user/test";
const WINDOW_MS: u64 = 60_000;

/// Window 0 of the test clock starts here (START_MS is aligned to a minute).
fn window_start() -> u64 {
    START_MS - START_MS % WINDOW_MS
}

fn leased(env: &TestEnv, isolate: &Isolate, window: SlidingWindow, now_ms: u64) -> bool {
    pollster::block_on(hit_leased(
        env_atomic(env),
        &isolate.leases,
        &isolate.settled,
        SHARD,
        "api",
        window,
        now_ms,
    ))
    .unwrap()
    .is_allowed()
}

fn env_atomic(env: &TestEnv) -> &impl AtomicStore {
    crate::ctx::Services::atomic(env)
}

#[test]
fn one_isolate_admits_exactly_the_limit_and_reserves_in_blocks() {
    let env = TestEnv::new();
    let counting = Counting {
        inner: env_atomic(&env),
        increments: Cell::new(0),
    };
    let isolate = Isolate::default();
    let window = SlidingWindow::per_secs(600, 60);
    let now = window_start() + 10_000;
    let verdicts: Vec<bool> = (0..700)
        .map(|_| {
            pollster::block_on(hit_leased(
                &counting,
                &isolate.leases,
                &isolate.settled,
                SHARD,
                "api",
                window,
                now,
            ))
            .unwrap()
            .is_allowed()
        })
        .collect();
    assert!(verdicts[..600].iter().all(|&allowed| allowed));
    assert!(verdicts[600..].iter().all(|&allowed| !allowed));
    // Blocks of 1, 2, 4, 8, 16, then the cap (18) for 700 events: 43 increments
    // instead of 700.
    assert_eq!(leases::cap(600), 18);
    assert_eq!(counting.increments.get(), 43);
}

#[test]
fn a_store_failure_fails_closed_and_leaves_no_refill_in_flight() {
    let env = TestEnv::new();
    let isolate = Isolate::default();
    let window = SlidingWindow::per_secs(600, 60);
    let now = window_start() + 10_000;
    env.store.set_failing(true);
    let failed = pollster::block_on(hit_leased(
        env_atomic(&env),
        &isolate.leases,
        &isolate.settled,
        SHARD,
        "api",
        window,
        now,
    ));
    assert!(
        matches!(failed, Err(ApiError::Unavailable(_))),
        "{failed:?}"
    );
    env.store.set_failing(false);
    let key = alloc::format!("{SHARD}\u{0}api");
    assert!(
        matches!(
            isolate.leases.plan(&key, window.index(now), now + 1, 4),
            Refill::Block(_)
        ),
        "the failed refill is not left in flight"
    );
}

#[test]
fn the_exact_and_the_leased_counter_agree_for_one_isolate_across_windows() {
    // One isolate loses no position (its leases only end when a window does, and
    // then they were used up or are the tail end of the demand), so for a client that
    // keeps one steady pace its verdicts equal the exact counter's.
    let exact_env = TestEnv::new();
    let leased_env = TestEnv::new();
    let (exact, lease) = (Isolate::default(), Isolate::default());
    let window = SlidingWindow::per_secs(40, 10);
    let mut now = window_start();
    let (mut exact_allowed, mut leased_allowed) = (0, 0);
    for _ in 0..400 {
        now += 125;
        let e = pollster::block_on(hit(
            env_atomic(&exact_env),
            &exact.settled,
            SHARD,
            "api",
            window,
            now,
        ))
        .unwrap()
        .is_allowed();
        exact_allowed += usize::from(e);
        leased_allowed += usize::from(leased(&leased_env, &lease, window, now));
    }
    assert!(
        leased_allowed <= exact_allowed,
        "{leased_allowed} > {exact_allowed}"
    );
    // Leases end twice per window here (5 s into a 10 s window, and at its end),
    // each losing at most cap − 1 = 0 positions for a limit of 40.
    assert_eq!(leases::cap(40), 1);
    assert_eq!(leased_allowed, exact_allowed);
}

/// Runs `events` (isolate index, ms advanced before it, how many requests arrive at
/// once) against one store; answers how many were admitted, per isolate count.
fn admitted(
    isolates: usize,
    limit: u32,
    start_offset_ms: u64,
    events: &[(usize, u64, usize)],
) -> (usize, usize) {
    let env = TestEnv::new();
    env.interleave(true);
    let memories: Vec<Isolate> = (0..isolates).map(|_| Isolate::default()).collect();
    let window = SlidingWindow::per_secs(limit, 60);
    let mut now = window_start() + start_offset_ms;
    let (mut total, mut allowed) = (0, 0);
    for &(index, advance, burst) in events {
        now = (now + advance).min(window_start() + WINDOW_MS - 1);
        let isolate = &memories[index % isolates];
        let verdicts = pollster::block_on(futures::future::join_all((0..burst).map(|_| {
            hit_leased(
                env_atomic(&env),
                &isolate.leases,
                &isolate.settled,
                SHARD,
                "api",
                window,
                now,
            )
        })));
        for verdict in verdicts {
            total += 1;
            allowed += usize::from(verdict.unwrap().is_allowed());
        }
    }
    (total, allowed)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// The stated bound, within one window: never more than the limit admitted;
    /// at most 2·I·(cap − 1) fewer than the exact counter would admit, however the
    /// requests are spread over isolates, bursts and time.
    #[test]
    fn isolates_never_admit_past_the_limit_and_refuse_at_most_the_stated_error_early(
        isolates in 1usize..6,
        limit in 1u32..400,
        start_offset_ms in 0u64..12_000,
        events in prop::collection::vec((0usize..6, 0u64..120, 1usize..6), 1..160),
    ) {
        let (total, allowed) = admitted(isolates, limit, start_offset_ms, &events);
        let limit = u64::from(limit);
        let exact = total.min(limit as usize);
        let error = 2 * isolates * (leases::cap(limit) as usize - 1);
        prop_assert!(allowed as u64 <= limit, "admitted {allowed} > limit {limit}");
        prop_assert!(allowed + error >= exact, "admitted {allowed}, exact {exact}, error bound {error}");
    }
}
