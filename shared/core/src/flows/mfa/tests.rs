//! The MFA flows through whole requests (`login` and `api` functions) on the
//! in-memory store: setup, confirmation, the second login step, replay and
//! single-use rules, disabling, and fail-closed decryption.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::json;

use super::{challenge, enroll, status};
use crate::crypto::aead;
use crate::http::Method;
use crate::model::audit::AuditKind;
use crate::policy::mfa::{base32, recovery, totp};
use crate::testkit::mfa::*;
use crate::testkit::{self, Client, TestEnv};

mod admission;

fn events(outcome: &crate::app::Outcome) -> Vec<AuditKind> {
    outcome.audit.iter().map(|event| event.event).collect()
}

fn code_of(outcome: &crate::app::Outcome) -> String {
    testkit::body(&outcome.response)["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A verified account signed in (cookie mode) with TOTP on.
fn enrolled(env: &TestEnv, email: &str) -> (String, Client, Vec<u8>, Vec<String>) {
    let id = registered(env, email);
    let client = signed_in(env, email, "cookie");
    let (secret, codes) = enable_totp(env, &client);
    (id, client, secret, codes)
}

#[test]
fn setup_returns_a_160_bit_secret_and_an_otpauth_uri_and_stores_it_encrypted_as_pending() {
    let env = TestEnv::new();
    let id = registered(&env, "ann@example.com");
    let client = signed_in(&env, "ann@example.com", "cookie");
    let (secret, body) = setup(&env, &client);
    assert_eq!(secret.len(), 20);
    let b32 = body["secret"].as_str().unwrap();
    assert_eq!(b32.len(), 32);
    assert_eq!(base32::encode(&secret), b32);
    let uri = body["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/app.example.com:ann%40example.com?secret="),
        "{uri}"
    );
    assert!(uri.contains(&alloc::format!(
        "secret={b32}&issuer=app.example.com&algorithm=SHA1&digits=6&period=30"
    )));

    let stored = testkit::stored_user(&env, &id);
    assert!(!stored.mfa_enabled && stored.mfa.totp_secret.is_none());
    let pending = stored.mfa.pending.clone().unwrap();
    assert!(pending.secret.starts_with("v1.data-2."));
    assert_eq!(
        aead::decrypt(
            &env.config.data_encryption_keys,
            &super::pending_context(&id),
            &pending.secret
        )
        .unwrap()
        .expose(),
        &secret[..]
    );
    assert_eq!(
        pending.expires_at_ms,
        testkit::START_MS + enroll::PENDING_TTL_MS
    );
    // Not active: the password alone still signs in.
    assert_eq!(login(&env, "ann@example.com", "token").response.status, 200);
    assert!(
        testkit::body(&login(&env, "ann@example.com", "token").response)
            .get("mfa_required")
            .is_none()
    );
}

#[test]
fn confirm_enables_totp_and_shows_ten_recovery_codes_once_stored_only_as_hashes() {
    let env = TestEnv::new();
    let id = registered(&env, "bob@example.com");
    let client = signed_in(&env, "bob@example.com", "cookie");
    let (secret, _) = setup(&env, &client);
    let outcome = api(
        &env,
        &client,
        Method::Post,
        "/api/me/mfa/totp/confirm",
        Some(json!({"code": code_now(&env, &secret)})),
    );
    assert_eq!(outcome.response.status, 200);
    let codes: Vec<String> = testkit::body(&outcome.response)["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|c| recovery::canonical(c).is_some()));
    assert_eq!(events(&outcome), [AuditKind::MfaEnabled]);
    assert_eq!(outcome.mails.len(), 1);
    assert_eq!(outcome.mails[0].to, "bob@example.com");
    assert!(outcome.mails[0].subject.contains("turned on"));

    let stored = testkit::stored_user(&env, &id);
    assert!(stored.mfa_enabled);
    assert!(stored.mfa.pending.is_none());
    assert_eq!(
        stored.mfa.totp_last_step,
        Some(totp::time_step(testkit::START_MS / 1000))
    );
    assert_eq!(stored.mfa.recovery_codes.len(), 10);
    let active = stored.mfa.totp_secret.clone().unwrap();
    assert!(active.starts_with("v1.data-2."));
    // Moved to the active field's binding: the pending binding no longer opens it.
    assert!(aead::decrypt(
        &env.config.data_encryption_keys,
        &super::pending_context(&id),
        &active
    )
    .is_err());
    for (_, value) in env.store.dump() {
        for code in &codes {
            assert!(!value.contains(code.as_str()) && !value.contains(&code.replace('-', "")));
        }
        assert!(!value.contains(&base32::encode(&secret)));
    }
    let audit = serde_json::to_string(&outcome.audit).unwrap();
    assert!(codes.iter().all(|c| !audit.contains(c.as_str())));

    let me = api(&env, &client, Method::Get, "/api/me", None);
    assert_eq!(testkit::body(&me.response)["mfa_enabled"], true);
    let shown = status(&stored);
    assert!(shown.totp_enabled);
    assert_eq!(shown.recovery_codes_remaining, 10);
    // A second confirmation has nothing pending and changes nothing.
    let again = api(
        &env,
        &client,
        Method::Post,
        "/api/me/mfa/totp/confirm",
        Some(json!({"code": code_now(&env, &secret)})),
    );
    assert_eq!(again.response.status, 400);
    assert_eq!(testkit::stored_user(&env, &id), stored);
}

#[test]
fn confirm_refuses_a_wrong_code_missing_setup_and_expired_setup() {
    let env = TestEnv::new();
    let id = registered(&env, "cat@example.com");
    let client = signed_in(&env, "cat@example.com", "token");
    let none = api(
        &env,
        &client,
        Method::Post,
        "/api/me/mfa/totp/confirm",
        Some(json!({"code": "123456"})),
    );
    assert_eq!(none.response.status, 400);
    assert_eq!(code_of(&none), "invalid_request");

    let (secret, _) = setup(&env, &client);
    let right = code_now(&env, &secret);
    let wrong = if right == "000000" {
        "000001"
    } else {
        "000000"
    };
    let outcome = api(
        &env,
        &client,
        Method::Post,
        "/api/me/mfa/totp/confirm",
        Some(json!({"code": wrong})),
    );
    assert_eq!(outcome.response.status, 401);
    assert_eq!(code_of(&outcome), "invalid_mfa");
    assert_eq!(events(&outcome), [AuditKind::MfaFailed]);
    assert_eq!(
        outcome.audit[0].detail.get("stage").map(String::as_str),
        Some("confirm")
    );
    assert!(!testkit::stored_user(&env, &id).mfa_enabled);

    env.advance_secs(enroll::PENDING_TTL_MS / 1000);
    let expired = api(
        &env,
        &client,
        Method::Post,
        "/api/me/mfa/totp/confirm",
        Some(json!({"code": code_now(&env, &secret)})),
    );
    assert_eq!(expired.response.status, 400);
    assert!(!testkit::stored_user(&env, &id).mfa_enabled);
}

#[test]
fn setup_is_refused_while_totp_is_on() {
    let env = TestEnv::new();
    let (id, client, _, _) = enrolled(&env, "dan@example.com");
    let before = testkit::stored_user(&env, &id);
    let outcome = api(&env, &client, Method::Post, "/api/me/mfa/totp/setup", None);
    assert_eq!(outcome.response.status, 400);
    assert_eq!(testkit::stored_user(&env, &id), before);
}

#[test]
fn enrolment_needs_a_session_and_csrf_for_cookies() {
    let env = TestEnv::new();
    registered(&env, "eve@example.com");
    let client = signed_in(&env, "eve@example.com", "cookie");
    let anonymous = env
        .serve::<crate::functions::Api>(&testkit::request(Method::Post, "/api/me/mfa/totp/setup"));
    assert_eq!(anonymous.response.status, 401);
    let request = testkit::RequestExt::cookies(
        testkit::request(Method::Post, "/api/me/mfa/totp/setup"),
        &[("__Host-access", &client.access)],
    );
    let outcome = env.serve::<crate::functions::Api>(&request);
    assert_eq!(outcome.response.status, 403);
    assert_eq!(code_of(&outcome), "csrf_failed");
}

#[test]
fn login_with_totp_on_answers_mfa_required_without_a_session_or_cookies() {
    let env = TestEnv::new();
    let (id, _, _, _) = enrolled(&env, "fay@example.com");
    let sessions_before = env
        .store
        .dump()
        .iter()
        .filter(|(k, _)| k.contains("/session/"))
        .count();
    for mode in ["cookie", "token"] {
        let outcome = login(&env, "fay@example.com", mode);
        assert_eq!(outcome.response.status, 200);
        let body = testkit::body(&outcome.response);
        assert_eq!(body["mfa_required"], true);
        let token = body["mfa_token"].as_str().unwrap();
        assert_eq!(crate::encoding::b64url_decode(token).unwrap().len(), 32);
        assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
        assert!(testkit::set_cookies(&outcome.response).is_empty());
        assert!(events(&outcome).is_empty(), "no login_succeeded yet");
        // Stored hashed: the token itself appears nowhere in the store.
        assert!(env
            .store
            .dump()
            .iter()
            .all(|(k, v)| !k.contains(token) && !v.contains(token)));
    }
    let sessions_after = env
        .store
        .dump()
        .iter()
        .filter(|(k, _)| k.contains("/session/"))
        .count();
    assert_eq!(sessions_before, sessions_after, "no session was created");
    assert!(testkit::stored_user(&env, &id).mfa_enabled);
}

#[test]
fn the_second_step_with_a_code_starts_a_session_in_the_mode_of_the_first_step() {
    let env = TestEnv::new();
    let (id, _, secret, _) = enrolled(&env, "gus@example.com");
    let token = mfa_token(&env, "gus@example.com", "token");
    let outcome = second_step(
        &env,
        json!({"mfa_token": token, "code": code_now(&env, &secret)}),
    );
    let client = Client::from_answer(&outcome.response, "token");
    assert_eq!(client.user_id, id);
    assert!(testkit::set_cookies(&outcome.response).is_empty());
    assert_eq!(events(&outcome), [AuditKind::LoginSucceeded]);
    assert_eq!(
        outcome.audit[0].detail.get("mfa").map(String::as_str),
        Some("totp")
    );
    assert_eq!(
        api(&env, &client, Method::Get, "/api/me", None)
            .response
            .status,
        200
    );

    env.advance_secs(totp::STEP_SECS);
    let client = mfa_login(&env, "gus@example.com", &secret, "cookie");
    assert!(client.csrf.is_some());
    assert_eq!(
        api(&env, &client, Method::Get, "/api/me", None)
            .response
            .status,
        200
    );
}

#[test]
fn a_used_time_step_is_refused_on_replay_and_so_is_the_confirming_code() {
    let env = TestEnv::new();
    let id = registered(&env, "hal@example.com");
    let client = signed_in(&env, "hal@example.com", "cookie");
    let (secret, _) = setup(&env, &client);
    let confirming = code_now(&env, &secret);
    let outcome = api(
        &env,
        &client,
        Method::Post,
        "/api/me/mfa/totp/confirm",
        Some(json!({"code": confirming})),
    );
    assert_eq!(outcome.response.status, 200);
    // The code that confirmed cannot sign in, even within its window.
    let token = mfa_token(&env, "hal@example.com", "token");
    let replay = second_step(&env, json!({"mfa_token": token, "code": confirming}));
    assert_eq!(replay.response.status, 401);
    assert_eq!(code_of(&replay), "invalid_mfa");

    env.advance_secs(totp::STEP_SECS);
    let code = code_now(&env, &secret);
    let token = mfa_token(&env, "hal@example.com", "token");
    assert_eq!(
        second_step(&env, json!({"mfa_token": token, "code": code}))
            .response
            .status,
        200
    );
    let step = testkit::stored_user(&env, &id).mfa.totp_last_step;
    let token = mfa_token(&env, "hal@example.com", "token");
    let replay = second_step(&env, json!({"mfa_token": token, "code": code}));
    assert_eq!(replay.response.status, 401);
    assert_eq!(code_of(&replay), "invalid_mfa");
    assert_eq!(events(&replay), [AuditKind::MfaFailed]);
    assert_eq!(testkit::stored_user(&env, &id).mfa.totp_last_step, step);
    // The previous step's code (still inside the ±1 window) is refused too.
    let earlier = totp::generate_code(&secret, crate::Clock::now_ms(&*env.clock) / 1000 - 30);
    if earlier != code {
        let replay = second_step(&env, json!({"mfa_token": token, "code": earlier}));
        assert_eq!(code_of(&replay), "invalid_mfa");
    }
}

#[test]
fn concurrent_second_steps_with_one_code_accept_it_once() {
    let env = TestEnv::new();
    let (_, _, secret, _) = enrolled(&env, "ida@example.com");
    let tokens: Vec<String> = (0..4)
        .map(|_| mfa_token(&env, "ida@example.com", "token"))
        .collect();
    let code = code_now(&env, &secret);
    let bodies: Vec<_> = tokens
        .iter()
        .map(|token| json!({"mfa_token": token, "code": code}))
        .collect();
    let outcomes = second_steps_concurrently(&env, &bodies);
    let statuses: Vec<u16> = outcomes.iter().map(|o| o.response.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        3,
        "{statuses:?}"
    );
    assert!(env.lost_swaps() >= 1, "the losers raced the winner's swap");
}

#[test]
fn a_recovery_code_works_once_and_its_use_is_mailed() {
    let env = TestEnv::new();
    let (id, _, _, codes) = enrolled(&env, "jan@example.com");
    let code = codes[3].to_uppercase().replace('-', " ");
    let token = mfa_token(&env, "jan@example.com", "cookie");
    let outcome = second_step(&env, json!({"mfa_token": token, "recovery_code": code}));
    let client = Client::from_answer(&outcome.response, "cookie");
    assert_eq!(client.user_id, id);
    assert_eq!(
        outcome.audit[0].detail.get("mfa").map(String::as_str),
        Some("recovery_code")
    );
    assert_eq!(outcome.mails.len(), 1);
    assert!(outcome.mails[0].text.contains("9 unused codes remain"));
    assert_eq!(testkit::stored_user(&env, &id).mfa.recovery_codes.len(), 9);

    let token = mfa_token(&env, "jan@example.com", "cookie");
    let again = second_step(&env, json!({"mfa_token": token, "recovery_code": codes[3]}));
    assert_eq!(again.response.status, 401);
    assert_eq!(code_of(&again), "invalid_mfa");
    assert!(testkit::set_cookies(&again.response).is_empty());
    // Another unused code still works.
    let other = second_step(&env, json!({"mfa_token": token, "recovery_code": codes[4]}));
    assert_eq!(other.response.status, 200);
}

#[test]
fn an_mfa_token_is_single_use_and_lives_five_minutes() {
    let env = TestEnv::new();
    let (_, _, secret, codes) = enrolled(&env, "kim@example.com");
    let token = mfa_token(&env, "kim@example.com", "token");
    assert_eq!(
        second_step(
            &env,
            json!({"mfa_token": token, "code": code_now(&env, &secret)})
        )
        .response
        .status,
        200
    );
    let reused = second_step(&env, json!({"mfa_token": token, "recovery_code": codes[0]}));
    assert_eq!(reused.response.status, 401);
    assert_eq!(code_of(&reused), "unauthenticated");

    let token = mfa_token(&env, "kim@example.com", "token");
    env.advance_secs(challenge::TOKEN_TTL_MS / 1000);
    let late = second_step(&env, json!({"mfa_token": token, "recovery_code": codes[0]}));
    assert_eq!(code_of(&late), "unauthenticated");
    for garbage in ["", "abc", &"A".repeat(43), &"A".repeat(200)] {
        let outcome = second_step(
            &env,
            json!({"mfa_token": garbage, "recovery_code": codes[0]}),
        );
        assert!(matches!(outcome.response.status, 400 | 401), "{garbage}");
    }
    // The recovery code was never spent by the refused attempts.
    let token = mfa_token(&env, "kim@example.com", "token");
    let fine = second_step(&env, json!({"mfa_token": token, "recovery_code": codes[0]}));
    assert_eq!(fine.response.status, 200);
}

#[test]
fn wrong_codes_are_audited_and_the_third_ends_the_token() {
    let env = TestEnv::new();
    let (id, _, secret, _) = enrolled(&env, "lou@example.com");
    let token = mfa_token(&env, "lou@example.com", "token");
    let right = code_now(&env, &secret);
    let wrong = if right == "123456" {
        "654321"
    } else {
        "123456"
    };
    for (attempt, body) in [
        json!({"mfa_token": token, "code": wrong}),
        json!({"mfa_token": token, "recovery_code": "aaaa-bbbb-cccc"}),
        json!({"mfa_token": token, "code": wrong}),
    ]
    .into_iter()
    .enumerate()
    {
        let outcome = second_step(&env, body);
        assert_eq!(outcome.response.status, 401);
        assert_eq!(code_of(&outcome), "invalid_mfa");
        assert_eq!(events(&outcome), [AuditKind::MfaFailed]);
        let event = &outcome.audit[0];
        assert_eq!(event.subject_id.as_deref(), Some(id.as_str()));
        assert_eq!(event.actor_id, None);
        let left = (challenge::MAX_WRONG_CODES as usize - attempt - 1).to_string();
        assert_eq!(event.detail.get("tries_left"), Some(&left));
        let audit = serde_json::to_string(&outcome.audit).unwrap();
        assert!(!audit.contains(wrong) && !audit.contains(&token));
    }
    let dead = second_step(&env, json!({"mfa_token": token, "code": right}));
    assert_eq!(code_of(&dead), "unauthenticated");
    // The right code was not spent on the dead token.
    let token = mfa_token(&env, "lou@example.com", "token");
    assert_eq!(
        second_step(&env, json!({"mfa_token": token, "code": right}))
            .response
            .status,
        200
    );
}

#[test]
fn an_mfa_token_is_not_an_access_token() {
    let env = TestEnv::new();
    enrolled(&env, "max@example.com");
    let token = mfa_token(&env, "max@example.com", "token");
    for request in [
        testkit::RequestExt::header(
            testkit::request(Method::Get, "/api/me"),
            "Authorization",
            &alloc::format!("Bearer {token}"),
        ),
        testkit::RequestExt::cookies(
            testkit::request(Method::Get, "/api/me"),
            &[("__Host-access", &token)],
        ),
    ] {
        let outcome = env.serve::<crate::functions::Api>(&request);
        assert_eq!(outcome.response.status, 401);
        assert_eq!(code_of(&outcome), "unauthenticated");
    }
}

#[test]
fn the_second_step_validates_its_body() {
    let env = TestEnv::new();
    enrolled(&env, "ned@example.com");
    let token = mfa_token(&env, "ned@example.com", "token");
    for body in [
        json!({"mfa_token": token}),
        json!({"mfa_token": token, "code": "123456", "recovery_code": "aaaa-bbbb-cccc"}),
        json!({"mfa_token": token, "code": "1".repeat(17)}),
        json!({"mfa_token": token, "code": "123456", "mode": "token"}),
        json!({"code": "123456"}),
    ] {
        let outcome = second_step(&env, body);
        assert_eq!(outcome.response.status, 400);
    }
    let evil = testkit::RequestExt::header(
        testkit::RequestExt::json(
            testkit::request(Method::Post, "/auth/login/mfa"),
            json!({"mfa_token": token, "code": "123456"}),
        ),
        "Origin",
        "https://evil.example",
    );
    assert_eq!(
        env.serve::<crate::functions::Login>(&evil).response.status,
        403
    );
}

#[test]
fn disabling_needs_the_password_and_keeps_the_last_step() {
    let env = TestEnv::new();
    let (id, client, _, _) = enrolled(&env, "oli@example.com");
    let wrong = api(
        &env,
        &client,
        Method::Delete,
        "/api/me/mfa/totp",
        Some(json!({"password": "not the password"})),
    );
    assert_eq!(wrong.response.status, 401);
    assert_eq!(code_of(&wrong), "invalid_credentials");
    assert_eq!(events(&wrong), [AuditKind::LoginFailed]);
    assert_eq!(
        wrong.audit[0].detail.get("flow").map(String::as_str),
        Some("mfa_disable")
    );
    assert!(testkit::stored_user(&env, &id).mfa_enabled);

    let last_step = testkit::stored_user(&env, &id).mfa.totp_last_step;
    let outcome = api(
        &env,
        &client,
        Method::Delete,
        "/api/me/mfa/totp",
        Some(json!({"password": PASSWORD})),
    );
    assert_eq!(outcome.response.status, 204);
    assert_eq!(events(&outcome), [AuditKind::MfaDisabled]);
    assert!(outcome.mails[0].subject.contains("turned off"));
    let stored = testkit::stored_user(&env, &id);
    assert!(!stored.mfa_enabled);
    assert!(stored.mfa.totp_secret.is_none() && stored.mfa.recovery_codes.is_empty());
    assert_eq!(stored.mfa.totp_last_step, last_step);
    assert!(!status(&stored).totp_enabled);
    // The password alone signs in again; a second DELETE is a quiet 204.
    assert!(
        testkit::body(&login(&env, "oli@example.com", "token").response)["access_token"]
            .is_string()
    );
    let again = api(
        &env,
        &client,
        Method::Delete,
        "/api/me/mfa/totp",
        Some(json!({"password": PASSWORD})),
    );
    assert_eq!(again.response.status, 204);
    assert!(again.audit.is_empty() && again.mails.is_empty());
}

#[test]
fn a_password_reset_does_not_bypass_mfa() {
    let env = TestEnv::new();
    let (id, _, secret, _) = enrolled(&env, "pam@example.com");
    // What a reset does to the record: a new hash, through the one update path.
    let new_hash = crate::policy::password::hash_password(
        PASSWORD,
        &env.config.password_hash,
        None,
        &crate::env::fake::SeededRandom::new(9),
    )
    .unwrap();
    testkit::edit_user(&env, &id, |user| user.password_hash = new_hash.clone());
    let outcome = login(&env, "pam@example.com", "token");
    assert_eq!(testkit::body(&outcome.response)["mfa_required"], true);
    assert!(testkit::body(&outcome.response)
        .get("access_token")
        .is_none());
    mfa_login(&env, "pam@example.com", &secret, "token");
}

#[test]
fn a_tampered_totp_secret_fails_closed_and_nothing_is_overwritten() {
    let env = TestEnv::new();
    let (id, _, secret, _) = enrolled(&env, "quy@example.com");
    let stored = testkit::stored_user(&env, &id);
    let active = stored.mfa.totp_secret.clone().unwrap();
    let mut flipped = String::from(&active[..active.len() - 2]);
    flipped.push_str(if active.ends_with("AA") { "BB" } else { "AA" });
    testkit::edit_user(&env, &id, |user| {
        user.mfa.totp_secret = Some(flipped.clone())
    });
    let before = testkit::stored_user(&env, &id);
    let token = mfa_token(&env, "quy@example.com", "token");
    let outcome = second_step(
        &env,
        json!({"mfa_token": token, "code": code_now(&env, &secret)}),
    );
    assert_eq!(outcome.response.status, 503);
    assert_eq!(code_of(&outcome), "unavailable");
    assert!(events(&outcome).is_empty());
    assert_eq!(
        testkit::stored_user(&env, &id),
        before,
        "nothing overwritten"
    );
    // Not read as "no second factor": the password alone still does not sign in.
    assert_eq!(
        testkit::body(&login(&env, "quy@example.com", "token").response)["mfa_required"],
        true
    );
    // An unknown key id fails the same way.
    let relabelled = active.replacen("data-2", "data-9", 1);
    testkit::edit_user(&env, &id, |user| {
        user.mfa.totp_secret = Some(relabelled.clone())
    });
    let token = mfa_token(&env, "quy@example.com", "token");
    let outcome = second_step(
        &env,
        json!({"mfa_token": token, "code": code_now(&env, &secret)}),
    );
    assert_eq!(outcome.response.status, 503);
}

#[test]
fn a_secret_planted_from_another_account_does_not_decrypt() {
    let env = TestEnv::new();
    let (victim, _, _, _) = enrolled(&env, "ray@example.com");
    let (_, _, attacker_secret, _) = enrolled(&env, "sue@example.com");
    let attacker = user_id_of(&env, "sue@example.com").unwrap();
    let planted = testkit::stored_user(&env, &attacker)
        .mfa
        .totp_secret
        .unwrap();
    testkit::edit_user(&env, &victim, |user| {
        user.mfa.totp_secret = Some(planted.clone())
    });
    env.advance_secs(totp::STEP_SECS);
    let token = mfa_token(&env, "ray@example.com", "token");
    let outcome = second_step(
        &env,
        json!({"mfa_token": token, "code": code_now(&env, &attacker_secret)}),
    );
    assert_eq!(outcome.response.status, 503);
    assert!(testkit::set_cookies(&outcome.response).is_empty());
}

#[test]
fn a_record_flagged_for_mfa_without_a_secret_still_asks_for_a_second_factor() {
    let env = TestEnv::new();
    let id = registered(&env, "ted@example.com");
    testkit::edit_user(&env, &id, |user| user.mfa_enabled = true);
    let token = mfa_token(&env, "ted@example.com", "token");
    let outcome = second_step(&env, json!({"mfa_token": token, "code": "123456"}));
    assert_eq!(code_of(&outcome), "invalid_mfa");
}

#[test]
fn wrong_codes_count_toward_the_account_lockout_like_passwords() {
    let env = TestEnv::new();
    let (id, _, secret, codes) = enrolled(&env, "uli@example.com");
    let right = code_now(&env, &secret);
    let wrong = if right == "123456" {
        "654321"
    } else {
        "123456"
    };
    let mut lockout_events = 0;
    // Five wrong codes over two tokens (the first dies after three).
    for _ in 0..2 {
        let token = mfa_token(&env, "uli@example.com", "token");
        for _ in 0..3 {
            let outcome = second_step(&env, json!({"mfa_token": token, "code": wrong}));
            if outcome.response.status == 429 {
                break;
            }
            assert_eq!(code_of(&outcome), "invalid_mfa");
            lockout_events += outcome
                .audit
                .iter()
                .filter(|e| e.event == AuditKind::Lockout)
                .count();
        }
    }
    assert_eq!(lockout_events, 1, "the fifth failure locks the account");
    // Locked: neither the password step nor a right code gets through.
    let outcome = login(&env, "uli@example.com", "token");
    assert_eq!(outcome.response.status, 429);
    assert!(outcome.response.header("retry-after").is_some());
    // The lock ends; a recovery code then works.
    env.advance_secs(15 * 60 + 1);
    let token = mfa_token(&env, "uli@example.com", "token");
    let fine = second_step(&env, json!({"mfa_token": token, "recovery_code": codes[0]}));
    assert_eq!(fine.response.status, 200);
    assert_eq!(Client::from_answer(&fine.response, "token").user_id, id);
}

#[test]
fn a_locked_account_gets_429_at_the_second_step_before_any_code_is_checked() {
    let env = TestEnv::new();
    let (id, _, secret, _) = enrolled(&env, "vic@example.com");
    let token = mfa_token(&env, "vic@example.com", "token");
    // Lock the address with wrong passwords from elsewhere.
    for _ in 0..5 {
        env.serve::<crate::functions::Login>(&testkit::RequestExt::json(
            testkit::request(Method::Post, "/auth/login"),
            json!({"email": "vic@example.com", "password": "wrong password, long enough"}),
        ));
    }
    let step = testkit::stored_user(&env, &id).mfa.totp_last_step;
    let outcome = second_step(
        &env,
        json!({"mfa_token": token, "code": code_now(&env, &secret)}),
    );
    assert_eq!(outcome.response.status, 429);
    assert_eq!(
        testkit::stored_user(&env, &id).mfa.totp_last_step,
        step,
        "code not spent"
    );
}

#[test]
fn one_token_used_concurrently_with_two_good_factors_yields_one_session() {
    let env = TestEnv::new();
    let (_, _, _, codes) = enrolled(&env, "wes@example.com");
    let token = mfa_token(&env, "wes@example.com", "token");
    let outcomes = second_steps_concurrently(
        &env,
        &[
            json!({"mfa_token": token, "recovery_code": codes[0]}),
            json!({"mfa_token": token, "recovery_code": codes[1]}),
        ],
    );
    let statuses: Vec<u16> = outcomes.iter().map(|o| o.response.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    let loser = outcomes.iter().find(|o| o.response.status != 200).unwrap();
    assert_eq!(code_of(loser), "unauthenticated");
    let sessions = env
        .store
        .dump()
        .iter()
        .filter(|(k, _)| k.contains("/session/"))
        .count();
    // The enrolment session plus exactly one from this token.
    assert_eq!(sessions, 2);
}
