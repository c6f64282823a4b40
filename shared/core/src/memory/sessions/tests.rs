use super::*;
use crate::testkit::{self, TestEnv};

fn snapshot(env: &TestEnv, address: &str, read_at_ms: u64) -> Snapshot {
    let user = testkit::seed_user(env, address, true);
    let client = testkit::sign_in(env, &user.id, "token");
    Snapshot {
        session: testkit::stored_session(env, &user.id, &client.session_id),
        user,
        read_at_ms,
    }
}

#[test]
fn a_snapshot_is_used_for_less_than_max_age_then_read_again() {
    let env = TestEnv::new();
    let cache = SessionCache::default();
    let read_at = testkit::START_MS;
    let snap = snapshot(&env, "a@example.com", read_at);
    let (user, session) = (snap.user.id.clone(), snap.session.id.clone());
    assert!(cache.recall(&user, &session, read_at).is_none(), "empty");
    cache.remember(snap);
    assert!(cache.recall(&user, &session, read_at).is_some());
    assert!(cache
        .recall(&user, &session, read_at + MAX_AGE_MS - 1)
        .is_some());
    assert!(
        cache
            .recall(&user, &session, read_at + MAX_AGE_MS)
            .is_none(),
        "at the bound the records are read again"
    );
    assert!(
        cache.recall(&user, &session, read_at - 1).is_none(),
        "a clock that went back reads as a miss"
    );
    assert_eq!(MAX_AGE_MS, 5_000, "the bound docs/sessions.md states");
}

#[test]
fn a_snapshot_is_found_only_under_its_own_user_and_session() {
    let env = TestEnv::new();
    let cache = SessionCache::default();
    let snap = snapshot(&env, "b@example.com", testkit::START_MS);
    let (user, session) = (snap.user.id.clone(), snap.session.id.clone());
    cache.remember(snap);
    let other = "0".repeat(32);
    assert!(cache.recall(&other, &session, testkit::START_MS).is_none());
    assert!(cache.recall(&user, &other, testkit::START_MS).is_none());
}

#[test]
fn forgetting_a_session_or_a_user_drops_their_snapshots_only() {
    let env = TestEnv::new();
    let cache = SessionCache::default();
    let now = testkit::START_MS;
    let first = snapshot(&env, "c@example.com", now);
    let user = first.user.clone();
    let second_client = testkit::sign_in(&env, &user.id, "cookie");
    let second = Snapshot {
        session: testkit::stored_session(&env, &user.id, &second_client.session_id),
        user: user.clone(),
        read_at_ms: now,
    };
    let bystander = snapshot(&env, "d@example.com", now);
    let (first_id, second_id) = (first.session.id.clone(), second.session.id.clone());
    let (bystander_user, bystander_session) =
        (bystander.user.id.clone(), bystander.session.id.clone());
    for snap in [first, second, bystander] {
        cache.remember(snap);
    }
    cache.forget_session(&user.id, &first_id);
    assert!(cache.recall(&user.id, &first_id, now).is_none());
    assert!(cache.recall(&user.id, &second_id, now).is_some());
    cache.forget_user(&user.id);
    assert!(cache.recall(&user.id, &second_id, now).is_none());
    assert!(cache
        .recall(&bystander_user, &bystander_session, now)
        .is_some());
    assert_eq!(cache.len(), 1);
}

#[test]
fn many_sessions_only_evict_the_oldest_snapshots() {
    let env = TestEnv::new();
    let cache = SessionCache::default();
    let template = snapshot(&env, "e@example.com", testkit::START_MS);
    for i in 0..CAPACITY + 5 {
        let mut snap = template.clone();
        snap.session.id = alloc::format!("{i:032x}");
        cache.remember(snap);
    }
    assert_eq!(cache.len(), CAPACITY);
    let user = template.user.id.as_str();
    assert!(cache
        .recall(user, &alloc::format!("{:032x}", 0), testkit::START_MS)
        .is_none());
    assert!(cache
        .recall(
            user,
            &alloc::format!("{:032x}", CAPACITY + 4),
            testkit::START_MS
        )
        .is_some());
}

#[test]
fn clearing_forgets_every_snapshot() {
    let env = TestEnv::new();
    let cache = SessionCache::default();
    cache.remember(snapshot(&env, "f@example.com", testkit::START_MS));
    cache.remember(snapshot(&env, "g@example.com", testkit::START_MS));
    assert_eq!(cache.len(), 2);
    cache.clear();
    assert!(cache.is_empty());
}
