//! The store contract: one suite that every implementation of [`RecordStore`] and
//! [`AtomicStore`] must pass — the in-memory store natively, KV + Durable Object
//! inside Miniflare, and the Spin key-value + atomics on the Spin host.
//!
//! The suite is ordinary async code returning a [`ContractReport`], so each runtime
//! runs it in its own way (a native test, a test worker, a test component). It uses
//! keys under a random-looking run prefix so runs do not collide.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{AtomicKey, AtomicStore, RecordStore};
use crate::env::Clock;

/// The outcome of a contract run.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ContractReport {
    /// Checks that passed.
    pub passed: u32,
    /// Names of checks that failed, with a short reason.
    pub failures: Vec<String>,
}

impl ContractReport {
    fn check(&mut self, name: &str, ok: bool) {
        if ok {
            self.passed += 1;
        } else {
            self.failures.push(name.to_string());
        }
    }
}

/// Runs every contract check against a record store and an atomic store.
pub async fn run_all<R: RecordStore, A: AtomicStore>(
    records: &R,
    atomic: &A,
    clock: &impl Clock,
) -> ContractReport {
    let mut report = ContractReport::default();
    let run = format!("contract-{}", clock.now_ms());
    record_checks(records, clock, &run, &mut report).await;
    atomic_checks(atomic, clock, &run, &mut report).await;
    report
}

async fn record_checks<R: RecordStore>(
    store: &R,
    clock: &impl Clock,
    run: &str,
    report: &mut ContractReport,
) {
    let now = clock.now_ms();
    let key = format!("{run}/a");
    report.check(
        "record: missing key reads None",
        matches!(store.get(&key).await, Ok(None)),
    );
    let put = store.put(&key, "{\"v\":1}", None).await;
    report.check("record: put succeeds", put.is_ok());
    report.check(
        "record: get returns what was put",
        store.get(&key).await.ok().flatten().as_deref() == Some("{\"v\":1}"),
    );
    let _ = store.put(&key, "two", Some(now + 3_600_000)).await;
    report.check(
        "record: put overwrites",
        store.get(&key).await.ok().flatten().as_deref() == Some("two"),
    );
    let expired = format!("{run}/expired");
    let _ = store
        .put(&expired, "old", Some(now.saturating_sub(1)))
        .await;
    report.check(
        "record: expired record reads None",
        matches!(store.get(&expired).await, Ok(None)),
    );
    for name in ["c", "b", "d"] {
        let _ = store.put(&format!("{run}/list/{name}"), name, None).await;
    }
    let _ = store.put(&format!("{run}/other"), "x", None).await;
    let prefix = format!("{run}/list/");
    let first = store.list(&prefix, None, 2).await;
    let ok = match &first {
        Ok(page) => {
            page.keys.len() == 2
                && page.cursor.is_some()
                && page.keys.iter().all(|k| k.starts_with(&prefix))
        }
        Err(_) => false,
    };
    report.check("record: list pages by prefix", ok);
    let mut all: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..5 {
        match store.list(&prefix, cursor.as_deref(), 2).await {
            Ok(page) => {
                all.extend(page.keys);
                cursor = page.cursor;
                if cursor.is_none() {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    all.sort();
    report.check(
        "record: list cursor walks every key once",
        all == ["b", "c", "d"]
            .iter()
            .map(|n| format!("{prefix}{n}"))
            .collect::<Vec<_>>(),
    );
    let _ = store.delete(&key).await;
    report.check(
        "record: delete removes",
        matches!(store.get(&key).await, Ok(None)),
    );
    report.check(
        "record: deleting a missing key succeeds",
        store.delete(&key).await.is_ok(),
    );
}

async fn atomic_checks<A: AtomicStore>(
    store: &A,
    clock: &impl Clock,
    run: &str,
    report: &mut ContractReport,
) {
    let now = clock.now_ms();
    let key = AtomicKey::new(run, "cas");
    report.check(
        "atomic: missing key reads None",
        matches!(store.get(key).await, Ok(None)),
    );
    report.check(
        "atomic: cas from absent succeeds",
        matches!(
            store.compare_and_swap(key, None, Some("v1"), None).await,
            Ok(true)
        ),
    );
    report.check(
        "atomic: cas from absent fails when present",
        matches!(
            store.compare_and_swap(key, None, Some("v2"), None).await,
            Ok(false)
        ),
    );
    report.check(
        "atomic: cas with wrong expectation fails",
        matches!(
            store
                .compare_and_swap(key, Some("nope"), Some("v2"), None)
                .await,
            Ok(false)
        ),
    );
    report.check(
        "atomic: cas with right expectation swaps",
        matches!(
            store
                .compare_and_swap(key, Some("v1"), Some("v2"), None)
                .await,
            Ok(true)
        ) && store.get(key).await.ok().flatten().as_deref() == Some("v2"),
    );
    report.check(
        "atomic: cas to None deletes",
        matches!(
            store.compare_and_swap(key, Some("v2"), None, None).await,
            Ok(true)
        ) && matches!(store.get(key).await, Ok(None)),
    );
    let expired = AtomicKey::new(run, "expired");
    let _ = store
        .compare_and_swap(expired, None, Some("old"), Some(now.saturating_sub(1)))
        .await;
    report.check(
        "atomic: expired value reads None",
        matches!(store.get(expired).await, Ok(None)),
    );
    report.check(
        "atomic: cas treats expired as absent",
        matches!(
            store
                .compare_and_swap(expired, None, Some("new"), None)
                .await,
            Ok(true)
        ),
    );
    let _ = store
        .compare_and_swap(AtomicKey::new(run, "many-a"), None, Some("a"), None)
        .await;
    let _ = store
        .compare_and_swap(AtomicKey::new(run, "many-b"), None, Some("b"), None)
        .await;
    let _ = store
        .compare_and_swap(
            AtomicKey::new(run, "expired-old"),
            None,
            Some("gone"),
            Some(now.saturating_sub(1)),
        )
        .await;
    report.check(
        "atomic: get_many answers in order, absent and expired as None",
        matches!(
            store.get_many(run, &["many-b", "missing", "many-a", "expired-old"]).await,
            Ok(values) if values == [Some("b".into()), None, Some("a".into()), None]
        ),
    );
    report.check(
        "atomic: get_many of no names is empty",
        matches!(store.get_many(run, &[]).await, Ok(values) if values.is_empty()),
    );
    let counter = AtomicKey::new(run, "counter");
    let window = now + 60_000;
    let first = store.increment(counter, 1, window).await;
    let second = store.increment(counter, 2, window).await;
    report.check(
        "atomic: increment counts",
        matches!((first, second), (Ok(1), Ok(3))),
    );
    let stale = AtomicKey::new(run, "stale-counter");
    let _ = store.increment(stale, 5, now.saturating_sub(1)).await;
    report.check(
        "atomic: expired counter restarts",
        matches!(store.increment(stale, 1, window).await, Ok(1)),
    );
    let _ = store
        .compare_and_swap(AtomicKey::new(run, "s/1"), None, Some("a"), None)
        .await;
    let _ = store
        .compare_and_swap(AtomicKey::new(run, "s/2"), None, Some("b"), None)
        .await;
    let _ = store
        .compare_and_swap(AtomicKey::new(run, "t/1"), None, Some("c"), None)
        .await;
    let listed = store.list(run, "s/").await;
    let ok = match listed {
        Ok(mut pairs) => {
            pairs.sort();
            pairs
                == [
                    ("s/1".to_string(), "a".to_string()),
                    ("s/2".to_string(), "b".to_string()),
                ]
        }
        Err(_) => false,
    };
    report.check("atomic: list returns the shard's matching pairs", ok);
    shard_name_checks(store, run, report).await;
    list_checks(store, now, run, report).await;
}

/// A shard and a name are two things, not one string: shard `x` with name `y/z` and
/// shard `x/y` with name `z` are different keys, and listing shard `x` never reaches
/// into shard `x/y` (a store that joined them with `/` would fail all three checks).
async fn shard_name_checks<A: AtomicStore>(store: &A, run: &str, report: &mut ContractReport) {
    let outer = format!("{run}-x");
    let inner = format!("{run}-x/y");
    let joined_left = AtomicKey::new(&outer, "y/z");
    let joined_right = AtomicKey::new(&inner, "z");
    let first = store
        .compare_and_swap(joined_left, None, Some("left"), None)
        .await;
    let second = store
        .compare_and_swap(joined_right, None, Some("right"), None)
        .await;
    report.check(
        "atomic: shard x + name y/z and shard x/y + name z are different keys",
        matches!((first, second), (Ok(true), Ok(true)))
            && store.get(joined_left).await.ok().flatten().as_deref() == Some("left")
            && store.get(joined_right).await.ok().flatten().as_deref() == Some("right"),
    );
    let listed = store.list(&outer, "").await;
    report.check(
        "atomic: listing shard x holds shard x's names only, not shard x/y's",
        matches!(&listed, Ok(pairs) if pairs == &[("y/z".to_string(), "left".to_string())]),
    );
    let _ = store
        .compare_and_swap(joined_left, Some("left"), None, None)
        .await;
    report.check(
        "atomic: deleting shard x's name leaves shard x/y's",
        store.get(joined_right).await.ok().flatten().as_deref() == Some("right")
            && matches!(store.get(joined_left).await, Ok(None)),
    );
}

/// Listing against deletion, expiry, re-creation and counters: what a store that
/// keeps its own index of a shard (Spin) must get right, pinned for every store.
async fn list_checks<A: AtomicStore>(store: &A, now: u64, run: &str, report: &mut ContractReport) {
    let sorted = |listed: Result<Vec<(String, String)>, _>| {
        listed.ok().map(|mut pairs: Vec<(String, String)>| {
            pairs.sort();
            pairs
                .into_iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
        })
    };
    let key = |name: &'static str| AtomicKey::new(run, name);
    let _ = store
        .compare_and_swap(key("l/kept"), None, Some("k"), None)
        .await;
    let _ = store
        .compare_and_swap(key("l/gone"), None, Some("g"), None)
        .await;
    let _ = store
        .compare_and_swap(key("l/gone"), Some("g"), None, None)
        .await;
    let _ = store
        .compare_and_swap(key("l/old"), None, Some("o"), Some(now.saturating_sub(1)))
        .await;
    report.check(
        "atomic: list omits deleted and expired names",
        sorted(store.list(run, "l/").await) == Some(alloc::vec!["l/kept=k".to_string()]),
    );
    let _ = store
        .compare_and_swap(key("l/gone"), None, Some("again"), None)
        .await;
    report.check(
        "atomic: list sees a name created again after its deletion was listed",
        sorted(store.list(run, "l/").await)
            == Some(alloc::vec![
                "l/gone=again".to_string(),
                "l/kept=k".to_string()
            ]),
    );
    let _ = store.increment(key("n/hits"), 2, now + 60_000).await;
    report.check(
        "atomic: list sees counters",
        sorted(store.list(run, "n/").await) == Some(alloc::vec!["n/hits=2".to_string()]),
    );
    let _ = store
        .compare_and_swap(key("l/kept"), Some("k"), None, None)
        .await;
    let _ = store
        .compare_and_swap(key("l/gone"), Some("again"), None, None)
        .await;
    report.check(
        "atomic: a shard emptied by deletions lists nothing",
        sorted(store.list(run, "l/").await) == Some(Vec::new()),
    );
}
