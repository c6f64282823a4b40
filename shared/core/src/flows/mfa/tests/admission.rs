//! Parallel second steps: the token's three codes and the account's five failures
//! are admitted before any code is checked, so a burst cannot get more codes
//! evaluated than that, whatever the interleaving.

use alloc::string::String;
use alloc::vec::Vec;
use serde_json::{json, Value};

use super::super::challenge::{self, WrongCode};
use super::{code_of, enrolled};
use crate::app::Outcome;
use crate::config::AlertKind;
use crate::functions::Login;
use crate::http::Method;
use crate::model::audit::AuditKind;
use crate::testkit::mfa::*;
use crate::testkit::{self, request, Client, RequestExt, TestEnv};

/// A login budget per client address that a burst from the test's one address does
/// not reach (the budget is tested elsewhere; here the token and account bounds are).
fn env() -> TestEnv {
    TestEnv::with_config(testkit::config(&[("RATE_LIMIT_LOGIN_PER_IP", "1000/60")]))
}

fn wrong_code(right: &str) -> &'static str {
    if right == "123456" {
        "654321"
    } else {
        "123456"
    }
}

/// How many codes were checked and found wrong: one `mfa_failed` event each.
fn evaluated(outcomes: &[Outcome]) -> usize {
    outcomes
        .iter()
        .flat_map(|outcome| outcome.audit.iter())
        .filter(|event| event.event == AuditKind::MfaFailed)
        .count()
}

fn answers(outcomes: &[Outcome]) -> Vec<(u16, alloc::string::String)> {
    outcomes
        .iter()
        .map(|outcome| (outcome.response.status, code_of(outcome)))
        .collect()
}

#[test]
fn thirty_parallel_wrong_codes_on_one_token_get_at_most_three_checked() {
    let env = env();
    let (_, _, secret, _) = enrolled(&env, "par@example.com");
    let token = mfa_token(&env, "par@example.com", "token");
    let wrong = wrong_code(&code_now(&env, &secret));
    let bodies: Vec<Value> = (0..30)
        .map(|_| json!({"mfa_token": token, "code": wrong}))
        .collect();
    let outcomes = second_steps_concurrently(&env, &bodies);
    let answers = answers(&outcomes);
    assert_eq!(evaluated(&outcomes), 3, "{answers:?}");
    let invalid = answers.iter().filter(|(_, c)| c == "invalid_mfa").count();
    let dead = answers
        .iter()
        .filter(|(_, c)| c == "unauthenticated")
        .count();
    assert_eq!((invalid, dead), (3, 27), "{answers:?}");
    // The token is gone, and the right code is not spent on it.
    let right = code_now(&env, &secret);
    let after = second_step(&env, json!({"mfa_token": token, "code": right}));
    assert_eq!(code_of(&after), "unauthenticated");
}

#[test]
fn parallel_wrong_codes_on_several_tokens_get_at_most_five_checked_per_account() {
    let env = env();
    let (_, _, secret, codes) = enrolled(&env, "acc@example.com");
    let tokens: Vec<_> = (0..3)
        .map(|_| mfa_token(&env, "acc@example.com", "token"))
        .collect();
    let wrong = wrong_code(&code_now(&env, &secret));
    let bodies: Vec<Value> = tokens
        .iter()
        .flat_map(|token| (0..10).map(move |_| json!({"mfa_token": token, "code": wrong})))
        .collect();
    let outcomes = second_steps_concurrently(&env, &bodies);
    let answers = answers(&outcomes);
    assert_eq!(evaluated(&outcomes), 5, "{answers:?}");
    assert!(
        answers.iter().any(|(status, _)| *status == 429),
        "{answers:?}"
    );
    let locks: usize = outcomes
        .iter()
        .flat_map(|outcome| outcome.audit.iter())
        .filter(|event| event.event == AuditKind::Lockout)
        .count();
    assert_eq!(locks, 1, "the fifth failure locks, once");
    // Locked: a fresh token cannot be had, and a recovery code waits for the lock.
    assert_eq!(login(&env, "acc@example.com", "token").response.status, 429);
    env.advance_secs(15 * 60 + 1);
    let token = mfa_token(&env, "acc@example.com", "token");
    let fine = second_step(&env, json!({"mfa_token": token, "recovery_code": codes[0]}));
    assert_eq!(fine.response.status, 200);
}

#[test]
fn a_right_code_gives_its_account_admission_back() {
    let env = env();
    let (id, _, secret, _) = enrolled(&env, "ref@example.com");
    let wrong = wrong_code(&code_now(&env, &secret));
    // Four failures: one short of the lock.
    for _ in 0..2 {
        let token = mfa_token(&env, "ref@example.com", "token");
        for _ in 0..2 {
            let outcome = second_step(&env, json!({"mfa_token": token, "code": wrong}));
            assert_eq!(code_of(&outcome), "invalid_mfa");
        }
    }
    let token = mfa_token(&env, "ref@example.com", "token");
    let right = code_now(&env, &secret);
    let fine = second_step(&env, json!({"mfa_token": token, "code": right}));
    assert_eq!(Client::from_answer(&fine.response, "token").user_id, id);
    // Had the right code kept its admission, the log would be full (5) now.
    let token = mfa_token(&env, "ref@example.com", "token");
    let outcome = second_step(&env, json!({"mfa_token": token, "code": wrong}));
    assert_eq!(code_of(&outcome), "invalid_mfa");
    assert!(outcome
        .audit
        .iter()
        .any(|event| event.event == AuditKind::Lockout));
    assert_eq!(outcome.audit.len(), 2, "mfa_failed and lockout");
}

#[test]
fn a_wrong_code_counted_after_its_token_ended_is_counted_on_none() {
    let env = env();
    let (id, _, _, _) = enrolled(&env, "gone@example.com");
    let user = testkit::stored_user(&env, &id);
    let atomic = crate::ctx::Services::atomic(&env);
    pollster::block_on(async {
        let token = challenge::issue(
            atomic,
            crate::ctx::Services::random(&env),
            &user,
            crate::model::session::Mode::Token,
            testkit::START_MS,
        )
        .await
        .unwrap();
        let open = challenge::open(atomic, &token, testkit::START_MS)
            .await
            .unwrap()
            .unwrap();
        let admitted = challenge::admit(atomic, &open, testkit::START_MS)
            .await
            .unwrap()
            .unwrap();
        // Another request's right code consumes the token meanwhile.
        assert!(challenge::consume(atomic, &open, testkit::START_MS)
            .await
            .unwrap());
        let counted = challenge::count_wrong_code(atomic, &admitted, testkit::START_MS)
            .await
            .unwrap();
        assert_eq!(counted, WrongCode::Gone);
        assert_eq!((counted.tries_left(), counted.wrong_codes()), (0, None));
    });
}

#[test]
fn a_token_that_ends_while_a_wrong_code_is_checked_raises_no_mfa_alert() {
    // ALERT_MFA_FAILURES is 3 by default: a vanished token used to read as three
    // wrong codes (`count_wrong_code` answered "0 tries left").
    let env = env();
    let (_, _, secret, _) = enrolled(&env, "race@example.com");
    let token = mfa_token(&env, "race@example.com", "token");
    let right = code_now(&env, &secret);
    let wrong = wrong_code(&right);
    let second = |code: &str| {
        request(Method::Post, "/auth/login/mfa").json(json!({"mfa_token": token, "code": code}))
    };
    let (wrong_request, right_request) = (second(wrong), second(&right));
    // The wrong code is held at its account admission (after the token admitted it,
    // before it is counted) while the right code signs in and consumes the token.
    env.hold_next_swap("state");
    let (rejected, accepted) = pollster::block_on(futures::future::join(
        env.serve_async::<Login>(&wrong_request),
        async {
            env.when_held().await;
            let accepted = env.serve_async::<Login>(&right_request).await;
            env.release_hold();
            accepted
        },
    ));
    assert_eq!(accepted.response.status, 200);
    assert_eq!(code_of(&rejected), "invalid_mfa");
    let failed: Vec<_> = rejected
        .audit
        .iter()
        .filter(|event| event.event == AuditKind::MfaFailed)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].detail.get("tries_left").map(String::as_str),
        Some("0")
    );
    assert_eq!(
        failed[0].detail.get("wrong_codes"),
        None,
        "counted on no token"
    );
    assert!(
        rejected
            .alerts
            .iter()
            .all(|alert| alert.kind != AlertKind::MfaFailuresExceeded),
        "{:?}",
        rejected.alerts
    );
}

#[test]
fn the_third_real_wrong_code_on_a_token_raises_the_mfa_alert_once() {
    let env = env();
    let (_, _, secret, _) = enrolled(&env, "three@example.com");
    let token = mfa_token(&env, "three@example.com", "token");
    let wrong = wrong_code(&code_now(&env, &secret));
    let alerts: Vec<usize> = (0..3)
        .map(|_| {
            let outcome = second_step(&env, json!({"mfa_token": token, "code": wrong}));
            assert_eq!(code_of(&outcome), "invalid_mfa");
            outcome
                .alerts
                .iter()
                .filter(|alert| alert.kind == AlertKind::MfaFailuresExceeded)
                .count()
        })
        .collect();
    assert_eq!(alerts, [0, 0, 1]);
}
