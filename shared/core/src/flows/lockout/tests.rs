//! The lockout through whole login requests (feature `password-policy`): bursts,
//! identical answers for unknown addresses, doubling, refunds.

use alloc::string::String;
use alloc::vec::Vec;
use serde_json::{json, Value};

use crate::app::Outcome;
use crate::http::{Method, Response};
use crate::model::audit::AuditKind;
use crate::testkit::from_ip;
use crate::testkit::{self, request, RequestExt, TestEnv};

const PASSWORD: &str = "correct horse battery staple";
const WRONG: &str = "not the password at all";

fn login_from(env: &TestEnv, ip: &str, email: &str, password: &str) -> Outcome {
    env.serve::<crate::functions::Login>(&from_ip(
        request(Method::Post, "/auth/login")
            .json(json!({"email": email, "password": password, "mode": "token"})),
        Some(ip),
    ))
}

/// A verified account with [`PASSWORD`], returning its id.
fn account(env: &TestEnv, email: &str) -> String {
    let user = testkit::seed_user(env, email, true);
    let hash = crate::policy::password::hash_password(
        PASSWORD,
        &env.config.password_hash,
        None,
        &crate::env::fake::SeededRandom::new(9),
    )
    .unwrap();
    testkit::edit_user(env, &user.id, |record| record.password_hash = hash);
    user.id
}

fn retry_after(response: &Response) -> u64 {
    response.header("retry-after").unwrap().parse().unwrap()
}

fn without_request_id(response: &Response) -> Value {
    let mut body = testkit::body(response);
    body.as_object_mut().unwrap().remove("request_id");
    body
}

/// Thirty wrong-password logins at once, each from its own address.
fn burst(env: &TestEnv, email: &str) -> Vec<Outcome> {
    env.interleave(true);
    let requests: Vec<_> = (0..30)
        .map(|i| {
            from_ip(
                request(Method::Post, "/auth/login")
                    .json(json!({"email": email, "password": WRONG})),
                Some(&alloc::format!("198.51.100.{}", 100 + i)),
            )
        })
        .collect();
    let outcomes = pollster::block_on(futures::future::join_all(
        requests
            .iter()
            .map(|request| env.serve_async::<crate::functions::Login>(request)),
    ));
    env.interleave(false);
    outcomes
}

fn count(outcomes: &[Outcome], status: u16) -> usize {
    outcomes
        .iter()
        .filter(|o| o.response.status == status)
        .count()
}

fn lockout_events(outcomes: &[Outcome]) -> Vec<&crate::model::audit::AuditEvent> {
    outcomes
        .iter()
        .flat_map(|o| o.audit.iter())
        .filter(|e| e.event == AuditKind::Lockout)
        .collect()
}

#[test]
fn a_burst_of_thirty_wrong_passwords_lets_five_through_and_locks() {
    let env = TestEnv::new();
    let id = account(&env, "burst@example.com");
    let outcomes = burst(&env, "burst@example.com");
    assert_eq!(
        count(&outcomes, 401),
        5,
        "exactly the limit reaches a password check"
    );
    assert_eq!(count(&outcomes, 429), 25);
    for outcome in outcomes.iter().filter(|o| o.response.status == 429) {
        assert!((1..=900).contains(&retry_after(&outcome.response)));
        assert_eq!(testkit::body(&outcome.response)["code"], "rate_limited");
    }
    let locks = lockout_events(&outcomes);
    assert_eq!(locks.len(), 1, "one lock, placed once");
    assert_eq!(locks[0].subject_id.as_deref(), Some(id.as_str()));
    let notices: Vec<_> = outcomes.iter().flat_map(|o| o.mails.iter()).collect();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].to, "burst@example.com");
    assert!(!notices[0].text.contains(WRONG));

    // The right password during the lock: 429, and no session.
    let right = login_from(&env, "198.51.100.200", "burst@example.com", PASSWORD);
    assert_eq!(right.response.status, 429);
    assert_eq!(retry_after(&right.response), 900);
    assert!(right.audit.is_empty(), "refused before any password check");
}

#[test]
fn an_unknown_address_gets_the_same_answers_byte_for_byte() {
    let env = TestEnv::new();
    account(&env, "known@example.com");
    let known = burst(&env, "known@example.com");
    let unknown = burst(&env, "unknown@example.com");
    for status in [401, 429] {
        assert_eq!(
            count(&known, status),
            count(&unknown, status),
            "status {status}"
        );
    }
    for status in [401, 429] {
        let pick = |outcomes: &[Outcome]| {
            let response = &outcomes
                .iter()
                .find(|o| o.response.status == status)
                .unwrap()
                .response;
            (
                without_request_id(response),
                response.header("content-type").map(String::from),
            )
        };
        assert_eq!(pick(&known), pick(&unknown));
    }
    let after_known = login_from(&env, "198.51.100.201", "known@example.com", PASSWORD);
    let after_unknown = login_from(&env, "198.51.100.202", "unknown@example.com", PASSWORD);
    assert_eq!(after_known.response.status, 429);
    assert_eq!(after_unknown.response.status, 429);
    assert_eq!(
        after_known.response.body.len(),
        after_unknown.response.body.len()
    );
    assert_eq!(
        without_request_id(&after_known.response),
        without_request_id(&after_unknown.response)
    );
    assert_eq!(
        retry_after(&after_known.response),
        retry_after(&after_unknown.response)
    );
    // The unknown address was audited but mailed nobody.
    let locks = lockout_events(&unknown);
    assert_eq!(locks.len(), 1);
    assert_eq!(locks[0].subject_id, None);
    assert!(unknown.iter().all(|o| o.mails.is_empty()));
    // No address in the store, known or not.
    for (key, value) in env.store.dump() {
        assert!(
            !key.contains("unknown@") && !value.contains("unknown@"),
            "{key}"
        );
    }
}

#[test]
fn five_failures_lock_for_fifteen_minutes_then_the_password_works() {
    let env = TestEnv::new();
    account(&env, "seq@example.com");
    for i in 0..5 {
        let outcome = login_from(&env, "198.51.100.30", "seq@example.com", WRONG);
        assert_eq!(outcome.response.status, 401, "failure {}", i + 1);
        env.advance_secs(60);
    }
    let locked = login_from(&env, "198.51.100.31", "seq@example.com", PASSWORD);
    assert_eq!(locked.response.status, 429);
    assert_eq!(retry_after(&locked.response), 900 - 60);
    env.advance_secs(900 - 60 - 1);
    assert_eq!(
        login_from(&env, "198.51.100.31", "seq@example.com", PASSWORD)
            .response
            .status,
        429
    );
    env.advance_secs(1);
    assert_eq!(
        login_from(&env, "198.51.100.31", "seq@example.com", PASSWORD)
            .response
            .status,
        200
    );
}

#[test]
fn repeat_locks_double_up_to_the_cap() {
    let env = TestEnv::with_config(testkit::config(&[("LOCKOUT_MAX_SECS", "3600")]));
    account(&env, "ladder@example.com");
    for expected in [900, 1_800, 3_600, 3_600] {
        for _ in 0..5 {
            assert_eq!(
                login_from(&env, "198.51.100.32", "ladder@example.com", WRONG)
                    .response
                    .status,
                401
            );
        }
        let locked = login_from(&env, "198.51.100.33", "ladder@example.com", PASSWORD);
        assert_eq!(retry_after(&locked.response), expected);
        env.advance_secs(expected);
    }
    // Remembered for LOCKOUT_MAX_SECS after the last lock ended; then the ladder resets.
    env.advance_secs(3_600);
    for _ in 0..5 {
        let _ = login_from(&env, "198.51.100.32", "ladder@example.com", WRONG);
    }
    let locked = login_from(&env, "198.51.100.33", "ladder@example.com", PASSWORD);
    assert_eq!(retry_after(&locked.response), 900);
}

#[test]
fn successful_logins_never_lock_but_do_not_forgive_failures() {
    let env = TestEnv::new();
    account(&env, "regular@example.com");
    for _ in 0..12 {
        assert_eq!(
            login_from(&env, "198.51.100.34", "regular@example.com", PASSWORD)
                .response
                .status,
            200
        );
    }
    for _ in 0..4 {
        assert_eq!(
            login_from(&env, "198.51.100.34", "regular@example.com", WRONG)
                .response
                .status,
            401
        );
    }
    assert_eq!(
        login_from(&env, "198.51.100.34", "regular@example.com", PASSWORD)
            .response
            .status,
        200
    );
    // The fifth failure within the window locks, success in between or not.
    assert_eq!(
        login_from(&env, "198.51.100.34", "regular@example.com", WRONG)
            .response
            .status,
        401
    );
    assert_eq!(
        login_from(&env, "198.51.100.34", "regular@example.com", PASSWORD)
            .response
            .status,
        429
    );
}

#[test]
fn a_disabled_account_counts_its_correct_password_as_a_failure() {
    let env = TestEnv::new();
    let id = account(&env, "off@example.com");
    testkit::edit_user(&env, &id, |user| user.disabled = true);
    // Had the correct password been refunded, the sixth attempt would tell.
    for _ in 0..5 {
        assert_eq!(
            login_from(&env, "198.51.100.35", "off@example.com", PASSWORD)
                .response
                .status,
            401
        );
    }
    assert_eq!(
        login_from(&env, "198.51.100.35", "off@example.com", WRONG)
            .response
            .status,
        429
    );
}

#[test]
fn malformed_addresses_are_refused_without_state() {
    let env = TestEnv::new();
    for _ in 0..7 {
        let outcome = login_from(&env, "198.51.100.36", "not-an-address", WRONG);
        assert_eq!(outcome.response.status, 400);
    }
    assert!(!env.store.dump().iter().any(|(k, _)| k.contains("lockout/")));
}

#[test]
fn a_failing_store_refuses_logins_with_503() {
    let env = TestEnv::new();
    account(&env, "down@example.com");
    env.store.set_failing(true);
    let outcome = login_from(&env, "198.51.100.38", "down@example.com", PASSWORD);
    assert_eq!(outcome.response.status, 503);
}
