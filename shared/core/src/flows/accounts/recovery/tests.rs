//! Forgot, reset and change through whole requests (`reset` and `login` functions).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{json, Value};

use super::token::TOKEN_TTL_MS;
use crate::app::Outcome;
use crate::functions::{Api, Login, Refresh, Reset};
use crate::http::{Method, Response};
use crate::model::audit::AuditKind;
use crate::testkit::from_ip;
use crate::testkit::{self, request, Client, RequestExt, TestEnv, ORIGIN};

mod bootstrap;

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "a brand new passphrase 2026";

/// An account with [`PASSWORD`], verified or not; returns its id.
fn account(env: &TestEnv, email: &str, verified: bool) -> String {
    let user = testkit::seed_user(env, email, verified);
    let hash = crate::policy::password::hash_password(
        PASSWORD,
        &env.config.password_hash,
        None,
        &crate::env::fake::SeededRandom::new(7),
    )
    .unwrap();
    testkit::edit_user(env, &user.id, |record| record.password_hash = hash);
    user.id
}

fn forgot_from(env: &TestEnv, ip: &str, email: &str) -> Outcome {
    env.serve::<Reset>(&from_ip(
        request(Method::Post, "/auth/password/forgot").json(json!({ "email": email })),
        Some(ip),
    ))
}

fn forgot(env: &TestEnv, email: &str) -> Outcome {
    forgot_from(env, "203.0.113.50", email)
}

fn reset(env: &TestEnv, token: &str, password: &str) -> Outcome {
    env.serve::<Reset>(
        &request(Method::Post, "/auth/password/reset")
            .json(json!({"token": token, "password": password})),
    )
}

fn login(env: &TestEnv, email: &str, password: &str) -> Outcome {
    env.serve::<Login>(
        &request(Method::Post, "/auth/login")
            .json(json!({"email": email, "password": password, "mode": "token"})),
    )
}

fn signed_in(env: &TestEnv, email: &str, password: &str) -> Client {
    Client::from_answer(&login(env, email, password).response, "token")
}

fn change(env: &TestEnv, client: &Client, current: &str, new: &str) -> Outcome {
    env.serve::<Reset>(
        &client.authorize(
            request(Method::Post, "/auth/password/change")
                .json(json!({"current_password": current, "new_password": new})),
        ),
    )
}

fn me(env: &TestEnv, client: &Client) -> u16 {
    env.serve::<Api>(&client.authorize(request(Method::Get, "/api/me")))
        .response
        .status
}

fn token_in(outcome: &Outcome) -> String {
    let text = &outcome.mails[0].text;
    let start = text.find("#token=").unwrap() + "#token=".len();
    text[start..].split_whitespace().next().unwrap().to_string()
}

fn without_request_id(response: &Response) -> Value {
    let mut body = testkit::body(response);
    if let Some(object) = body.as_object_mut() {
        object.remove("request_id");
    }
    body
}

fn events(outcome: &Outcome) -> Vec<AuditKind> {
    outcome.audit.iter().map(|event| event.event).collect()
}

fn detail<'a>(outcome: &'a Outcome, kind: AuditKind, key: &str) -> Option<&'a str> {
    outcome
        .audit
        .iter()
        .find(|event| event.event == kind)
        .and_then(|event| event.detail.get(key))
        .map(String::as_str)
}

fn code(response: &Response) -> String {
    testkit::body(response)["code"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn forgot_mails_a_fragment_link_whose_token_is_stored_only_as_a_hash() {
    let env = TestEnv::new();
    let id = account(&env, "ada@example.com", true);
    let outcome = forgot(&env, "Ada@Example.com");
    assert_eq!(outcome.response.status, 202);
    assert_eq!(
        testkit::body(&outcome.response),
        json!({"status": "accepted"})
    );
    assert_eq!(outcome.mails.len(), 1);
    let mail = &outcome.mails[0];
    assert_eq!(mail.to, "ada@example.com");
    let link = alloc::format!("{ORIGIN}/reset-password#token=");
    assert!(mail.text.contains(&link), "{}", mail.text);
    assert!(!mail.text.contains('?'));
    let token = token_in(&outcome);
    assert_eq!(token.len(), 43, "256 bits, base64url");
    assert_eq!(crate::encoding::b64url_decode(&token).unwrap().len(), 32);
    for (key, value) in env.store.dump() {
        assert!(
            !key.contains(&token) && !value.contains(&token),
            "token stored in clear"
        );
    }
    let hash = crate::encoding::hex(&crate::crypto::kdf::sha256(
        &crate::encoding::b64url_decode(&token).unwrap(),
    ));
    assert!(env
        .store
        .dump()
        .iter()
        .any(|(key, _)| key.contains(&alloc::format!("reset/{hash}"))));
    assert_eq!(events(&outcome), [AuditKind::PasswordResetRequested]);
    assert_eq!(outcome.audit[0].subject_id.as_deref(), Some(id.as_str()));
    assert_eq!(
        detail(&outcome, AuditKind::PasswordResetRequested, "outcome"),
        Some("mail_sent")
    );
    let audit = serde_json::to_string(&outcome.audit).unwrap();
    assert!(!audit.contains(&token) && !audit.contains("ada@"));
}

#[test]
fn forgot_answers_unknown_and_disabled_addresses_identically_without_mail() {
    let env = TestEnv::new();
    account(&env, "known@example.com", true);
    let disabled = account(&env, "off@example.com", true);
    testkit::edit_user(&env, &disabled, |user| user.disabled = true);
    let known = forgot(&env, "known@example.com");
    let unknown = forgot(&env, "nobody@example.com");
    let off = forgot(&env, "off@example.com");
    for other in [&unknown, &off] {
        assert_eq!(other.response.status, 202);
        assert_eq!(other.response.body, known.response.body, "byte-identical");
        assert_eq!(other.response.headers.len(), known.response.headers.len());
        assert!(other.mails.is_empty());
    }
    assert_eq!(
        detail(&unknown, AuditKind::PasswordResetRequested, "outcome"),
        Some("unknown_account")
    );
    assert_eq!(unknown.audit[0].subject_id, None);
    assert_eq!(
        detail(&off, AuditKind::PasswordResetRequested, "outcome"),
        Some("disabled")
    );
    // Unknown addresses leave no token behind.
    let tokens = env
        .store
        .dump()
        .iter()
        // The in-memory store's atomic keys: `\0atomic/{shard length}/{shard}/…`.
        .filter(|(key, _)| {
            key.splitn(3, '/')
                .nth(2)
                .unwrap_or("")
                .starts_with("reset/")
        })
        .count();
    assert_eq!(tokens, 1);
}

#[test]
fn forgot_makes_the_same_atomic_store_operations_for_every_address() {
    // Known, unknown and disabled addresses: the same operations in the same order on
    // the same shards (the token record and its pointer included); only whether a
    // swap writes differs (docs/abuse.md §6, residual differences).
    let env = TestEnv::new();
    account(&env, "known@example.com", true);
    let disabled = account(&env, "off@example.com", true);
    testkit::edit_user(&env, &disabled, |user| user.disabled = true);
    let ops = |address: &str| -> Vec<String> {
        let (outcome, ops) = env.recording().serve::<Reset>(
            &request(Method::Post, "/auth/password/forgot").json(json!({"email": address})),
        );
        assert_eq!(outcome.response.status, 202);
        ops.into_iter()
            .filter(|op| op.starts_with("atomic "))
            .map(|op| op.split(" -> ").next().unwrap_or_default().to_string())
            .collect()
    };
    let known = ops("known@example.com");
    assert!(
        known.contains(&"atomic cas user/#3 pending/reset/#4/token".to_string()),
        "{known:#?}"
    );
    assert_eq!(ops("nobody@example.com"), known);
    assert_eq!(ops("off@example.com"), known);
}

#[test]
fn forgot_refuses_malformed_input_before_counting() {
    let env = TestEnv::new();
    for body in [
        json!({"email": "not-an-address"}),
        json!({"email": 3}),
        json!({"email": "a@example.com", "x": 1}),
    ] {
        let outcome =
            env.serve::<Reset>(&request(Method::Post, "/auth/password/forgot").json(body));
        assert_eq!(outcome.response.status, 400);
        assert_eq!(code(&outcome.response), "invalid_request");
    }
    assert!(
        env.store.dump().is_empty(),
        "nothing counted, nothing looked up"
    );
}

#[test]
fn a_flood_of_forgot_requests_from_one_address_ends_in_429() {
    let env = TestEnv::new();
    account(&env, "flood@example.com", true);
    let statuses: Vec<u16> = (0..8)
        .map(|i| {
            forgot_from(&env, "203.0.113.51", &alloc::format!("x{i}@example.com"))
                .response
                .status
        })
        .collect();
    assert_eq!(statuses, [202, 202, 202, 202, 202, 429, 429, 429]);
    let limited = forgot_from(&env, "203.0.113.51", "flood@example.com");
    assert_eq!(limited.response.status, 429);
    assert!(limited.mails.is_empty());
    assert!(limited.response.header("retry-after").is_some());
}

#[test]
fn one_address_gets_at_most_five_reset_mails_an_hour_whoever_asks() {
    let env = TestEnv::new();
    account(&env, "target@example.com", true);
    let outcomes: Vec<Outcome> = (0..8)
        .map(|i| {
            forgot_from(
                &env,
                &alloc::format!("203.0.113.{}", 60 + i),
                "target@example.com",
            )
        })
        .collect();
    assert!(outcomes.iter().all(|o| o.response.status == 202));
    assert_eq!(outcomes.iter().filter(|o| !o.mails.is_empty()).count(), 5);
    assert_eq!(
        detail(&outcomes[7], AuditKind::PasswordResetRequested, "outcome"),
        Some("throttled")
    );
    assert_eq!(outcomes[7].response.body, outcomes[0].response.body);
}

#[test]
fn the_full_reset_flow() {
    let env = TestEnv::new();
    let id = account(&env, "bea@example.com", true);
    let before_a = signed_in(&env, "bea@example.com", PASSWORD);
    let before_b = signed_in(&env, "bea@example.com", PASSWORD);
    assert_eq!(me(&env, &before_a), 200);
    let earlier = token_in(&forgot(&env, "bea@example.com"));
    let token = token_in(&forgot(&env, "bea@example.com"));
    assert_ne!(earlier, token);

    // A weak password is refused and does not use the token up.
    let weak = reset(&env, &token, "password123");
    assert_eq!(weak.response.status, 400);
    assert_eq!(code(&weak.response), "weak_password");
    let contains_email = reset(&env, &token, "bea bea bea bea bea bea");
    assert_eq!(code(&contains_email.response), "weak_password");

    let done = reset(&env, &token, NEW_PASSWORD);
    assert_eq!(
        done.response.status,
        200,
        "{:?}",
        testkit::body(&done.response)
    );
    assert_eq!(testkit::body(&done.response), json!({"status": "reset"}));
    assert!(
        testkit::set_cookies(&done.response).is_empty(),
        "no session from a reset"
    );
    assert_eq!(events(&done), [AuditKind::PasswordReset]);
    assert_eq!(
        detail(&done, AuditKind::PasswordReset, "sessions_revoked"),
        Some("2")
    );
    assert_eq!(done.mails.len(), 1);
    assert_eq!(done.mails[0].to, "bea@example.com");
    assert!(!done.mails[0].text.contains("#token="));

    // Once only; the earlier token died with the old password hash.
    let again = reset(&env, &token, "yet another passphrase 77");
    assert_eq!(again.response.status, 400);
    assert_eq!(code(&again.response), "invalid_request");
    let stale = reset(&env, &earlier, "yet another passphrase 77");
    assert_eq!(stale.response.status, 400);
    assert_eq!(
        without_request_id(&stale.response),
        without_request_id(&again.response)
    );

    // Every earlier session is over; the old password fails, the new one works.
    assert_eq!(me(&env, &before_a), 401);
    assert_eq!(me(&env, &before_b), 401);
    let refreshed = env.serve::<Refresh>(&before_a.refresh_request());
    assert_eq!(refreshed.response.status, 401);
    assert_eq!(
        login(&env, "bea@example.com", PASSWORD).response.status,
        401
    );
    let after = signed_in(&env, "bea@example.com", NEW_PASSWORD);
    assert_eq!(me(&env, &after), 200);
    assert!(testkit::stored_user(&env, &id)
        .password_hash
        .starts_with("$argon2id$"));
}

#[test]
fn bad_and_expired_tokens_get_one_answer() {
    let env = TestEnv::new();
    account(&env, "cy@example.com", true);
    let token = token_in(&forgot(&env, "cy@example.com"));
    env.clock.advance(TOKEN_TTL_MS);
    let expired = reset(&env, &token, NEW_PASSWORD);
    let forged = reset(&env, &crate::encoding::b64url(&[7u8; 32]), NEW_PASSWORD);
    let garbage = reset(&env, "not a token", NEW_PASSWORD);
    for outcome in [&expired, &forged, &garbage] {
        assert_eq!(outcome.response.status, 400);
        assert_eq!(
            without_request_id(&outcome.response),
            without_request_id(&expired.response)
        );
    }
    assert_eq!(login(&env, "cy@example.com", PASSWORD).response.status, 200);
}

#[test]
fn two_tokens_redeemed_at_once_reset_the_password_once() {
    let env = TestEnv::new();
    account(&env, "dee@example.com", true);
    let first = token_in(&forgot(&env, "dee@example.com"));
    let second = token_in(&forgot(&env, "dee@example.com"));
    env.interleave(true);
    let requests = [
        request(Method::Post, "/auth/password/reset")
            .json(json!({"token": first, "password": "first new passphrase 1"})),
        request(Method::Post, "/auth/password/reset")
            .json(json!({"token": second, "password": "second new passphrase 2"})),
        request(Method::Post, "/auth/password/reset")
            .json(json!({"token": first, "password": "third new passphrase 3"})),
    ];
    let outcomes = pollster::block_on(futures::future::join_all(
        requests
            .iter()
            .map(|request| env.serve_async::<Reset>(request)),
    ));
    env.interleave(false);
    let statuses: Vec<u16> = outcomes.iter().map(|o| o.response.status).collect();
    assert_eq!(
        statuses.iter().filter(|&&s| s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|&s| s == 200 || s == 400),
        "{statuses:?}"
    );
    let winners = [
        "first new passphrase 1",
        "second new passphrase 2",
        "third new passphrase 3",
    ];
    let working: Vec<_> = winners
        .iter()
        .filter(|password| login(&env, "dee@example.com", password).response.status == 200)
        .collect();
    assert_eq!(working.len(), 1);
}

#[test]
fn a_reset_verifies_the_address_and_lifts_a_lockout() {
    let env = TestEnv::new();
    let id = account(&env, "eve@example.com", false);
    // Unverified: login refused whatever the password; five tries lock the address.
    for _ in 0..5 {
        assert_eq!(
            login(&env, "eve@example.com", PASSWORD).response.status,
            401
        );
    }
    assert_eq!(
        login(&env, "eve@example.com", PASSWORD).response.status,
        429
    );
    let token = token_in(&forgot(&env, "eve@example.com"));
    let done = reset(&env, &token, NEW_PASSWORD);
    assert_eq!(done.response.status, 200);
    assert_eq!(
        events(&done),
        [AuditKind::PasswordReset, AuditKind::EmailVerified]
    );
    assert!(testkit::stored_user(&env, &id).email_verified);
    assert_eq!(
        login(&env, "eve@example.com", NEW_PASSWORD).response.status,
        200
    );
}

#[test]
fn a_disabled_account_cannot_reset_with_an_earlier_token() {
    let env = TestEnv::new();
    let id = account(&env, "fay@example.com", true);
    let token = token_in(&forgot(&env, "fay@example.com"));
    testkit::edit_user(&env, &id, |user| user.disabled = true);
    assert_eq!(reset(&env, &token, NEW_PASSWORD).response.status, 400);
}

#[test]
fn change_needs_the_current_password_and_keeps_only_this_session() {
    let env = TestEnv::new();
    account(&env, "gil@example.com", true);
    let here = signed_in(&env, "gil@example.com", PASSWORD);
    let elsewhere = signed_in(&env, "gil@example.com", PASSWORD);
    let token = token_in(&forgot(&env, "gil@example.com"));

    let wrong = change(&env, &here, "not my password", NEW_PASSWORD);
    assert_eq!(wrong.response.status, 401);
    assert_eq!(code(&wrong.response), "invalid_credentials");
    let weak = change(&env, &here, PASSWORD, "password123");
    assert_eq!(weak.response.status, 400);
    assert_eq!(code(&weak.response), "weak_password");
    assert_eq!(me(&env, &elsewhere), 200, "failed changes revoke nothing");

    let done = change(&env, &here, PASSWORD, NEW_PASSWORD);
    assert_eq!(done.response.status, 200);
    assert_eq!(testkit::body(&done.response), json!({"status": "changed"}));
    assert_eq!(events(&done), [AuditKind::PasswordChanged]);
    assert_eq!(
        detail(&done, AuditKind::PasswordChanged, "sessions_revoked"),
        Some("1")
    );
    assert_eq!(done.mails.len(), 1);
    assert_eq!(me(&env, &here), 200, "the current session stays");
    assert_eq!(me(&env, &elsewhere), 401, "the others end");
    assert_eq!(
        login(&env, "gil@example.com", PASSWORD).response.status,
        401
    );
    assert_eq!(
        login(&env, "gil@example.com", NEW_PASSWORD).response.status,
        200
    );
    // A reset mailed before the change is dead.
    assert_eq!(
        reset(&env, &token, "another passphrase 55").response.status,
        400
    );
}

#[test]
fn change_is_authenticated_and_csrf_checked() {
    let env = TestEnv::new();
    let id = account(&env, "hal@example.com", true);
    let body = json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD});
    let anonymous =
        env.serve::<Reset>(&request(Method::Post, "/auth/password/change").json(body.clone()));
    assert_eq!(anonymous.response.status, 401);
    assert_eq!(code(&anonymous.response), "unauthenticated");
    let browser = testkit::sign_in(&env, &id, "cookie");
    let csrf = browser.csrf.clone().unwrap();
    let no_header = env.serve::<Reset>(
        &request(Method::Post, "/auth/password/change")
            .json(body.clone())
            .cookies(&[("__Host-access", &browser.access), ("__Host-csrf", &csrf)]),
    );
    assert_eq!(no_header.response.status, 403);
    assert_eq!(code(&no_header.response), "csrf_failed");
    let with_header = env.serve::<Reset>(
        &browser.authorize(request(Method::Post, "/auth/password/change").json(body)),
    );
    assert_eq!(with_header.response.status, 200);
}

#[test]
fn wrong_current_passwords_count_toward_the_lockout() {
    let env = TestEnv::new();
    account(&env, "ivy@example.com", true);
    let session = signed_in(&env, "ivy@example.com", PASSWORD);
    for _ in 0..5 {
        let outcome = change(&env, &session, "guess guess guess", NEW_PASSWORD);
        assert_eq!(outcome.response.status, 401);
        assert!(outcome
            .audit
            .iter()
            .any(|e| e.event == AuditKind::LoginFailed));
    }
    let locked = change(&env, &session, PASSWORD, NEW_PASSWORD);
    assert_eq!(locked.response.status, 429);
    assert_eq!(
        login(&env, "ivy@example.com", PASSWORD).response.status,
        429
    );
}

#[test]
fn passwords_and_tokens_never_reach_the_audit_log() {
    let env = TestEnv::new();
    account(&env, "jo@example.com", true);
    let requested = forgot(&env, "jo@example.com");
    let token = token_in(&requested);
    let done = reset(&env, &token, NEW_PASSWORD);
    let session = signed_in(&env, "jo@example.com", NEW_PASSWORD);
    let changed = change(&env, &session, NEW_PASSWORD, "third passphrase here 9");
    for outcome in [&requested, &done, &changed] {
        let audit = serde_json::to_string(&outcome.audit).unwrap();
        for secret in [
            token.as_str(),
            NEW_PASSWORD,
            "third passphrase here 9",
            "jo@example.com",
        ] {
            assert!(!audit.contains(secret));
        }
    }
}

/// Passwords every route refuses with `400 invalid_request` (accounts::fields).
fn malformed_passwords() -> Vec<String> {
    alloc::vec![
        "x".repeat(1000),
        "y".repeat(257),
        "correct horse\u{0}battery".into(),
        "correct horse\u{7}battery".into(),
    ]
}

/// Addresses every route refuses with `400 invalid_request` (accounts::fields).
fn malformed_emails() -> Vec<String> {
    alloc::vec![
        "ada@example.com\u{0}".into(),
        "a\u{0}da@example.com".into(),
        alloc::format!("ada@{}.com", "b".repeat(247)),
        "not-an-address".into(),
        "ada@@example.com".into(),
    ]
}

#[test]
fn every_route_refuses_malformed_emails_and_passwords_before_any_store_work() {
    let env = TestEnv::new();
    let id = account(&env, "ada@example.com", true);
    let client = testkit::sign_in(&env, &id, "token");
    let token = "A".repeat(43);
    // (function, method, path, body, field named in the detail, authenticated)
    let mut cases: Vec<(&str, Method, &str, Value, &str, bool)> = Vec::new();
    for email in malformed_emails() {
        for (function, path) in [
            ("login", "/auth/register"),
            ("login", "/auth/login"),
            ("reset", "/auth/password/forgot"),
        ] {
            let body = if path.ends_with("forgot") {
                json!({ "email": email })
            } else {
                json!({ "email": email, "password": NEW_PASSWORD })
            };
            cases.push((function, Method::Post, path, body, "email:", false));
        }
    }
    for password in malformed_passwords() {
        let known = "ada@example.com";
        cases.extend([
            (
                "login",
                Method::Post,
                "/auth/register",
                json!({"email": "new@example.com", "password": password}),
                "password:",
                false,
            ),
            (
                "login",
                Method::Post,
                "/auth/login",
                json!({"email": known, "password": password}),
                "password:",
                false,
            ),
            (
                "reset",
                Method::Post,
                "/auth/password/reset",
                json!({"token": token, "password": password}),
                "password:",
                false,
            ),
            (
                "reset",
                Method::Post,
                "/auth/password/change",
                json!({"current_password": password, "new_password": NEW_PASSWORD}),
                "current_password:",
                true,
            ),
            (
                "reset",
                Method::Post,
                "/auth/password/change",
                json!({"current_password": PASSWORD, "new_password": password}),
                "new_password:",
                true,
            ),
            (
                "api",
                Method::Delete,
                "/api/me",
                json!({"password": password}),
                "password:",
                true,
            ),
            (
                "api",
                Method::Delete,
                "/api/me/mfa/totp",
                json!({"password": password}),
                "password:",
                true,
            ),
        ]);
    }
    for (function, method, path, body, field, authenticated) in cases {
        let mut req = request(method, path).json(body.clone());
        if authenticated {
            req = client.authorize(req);
        }
        let recording = env.recording();
        let (outcome, ops) = match function {
            "login" => recording.serve::<Login>(&req),
            "reset" => recording.serve::<Reset>(&req),
            _ => recording.serve::<Api>(&req),
        };
        let what = alloc::format!("{path} {body}");
        assert_eq!(outcome.response.status, 400, "{what}");
        assert_eq!(code(&outcome.response), "invalid_request", "{what}");
        let detail = testkit::body(&outcome.response)["detail"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(detail.starts_with(field), "{what}: {detail}");
        assert!(
            outcome.audit.is_empty() && outcome.mails.is_empty(),
            "{what}"
        );
        if authenticated {
            // Authentication reads the session and the user; the per-user API limit
            // counts the request. Nothing of the flow: no lockout, no lookup, no hash.
            assert!(
                ops.iter()
                    .all(|op| op.starts_with("atomic get") || op.contains("ratelimit/user/")),
                "{what}: {ops:#?}"
            );
        } else {
            assert_eq!(ops, Vec::<String>::new(), "{what}: no store access");
        }
    }
    // Nothing was counted: the account is not locked and the right password works.
    assert_eq!(
        login(&env, "ada@example.com", PASSWORD).response.status,
        200
    );
}

#[test]
fn malformed_login_input_is_answered_alike_for_known_and_unknown_addresses() {
    let env = TestEnv::new();
    account(&env, "ada@example.com", true);
    for password in malformed_passwords() {
        let known = login(&env, "ada@example.com", &password);
        let unknown = login(&env, "nobody@example.com", &password);
        assert_eq!(known.response.status, 400);
        let strip = |outcome: &Outcome| {
            let mut body = testkit::body(&outcome.response);
            body.as_object_mut().unwrap().remove("request_id");
            body
        };
        assert_eq!(strip(&known), strip(&unknown));
    }
    // The longest password the policy allows is still a password.
    let longest = "é".repeat(256);
    let outcome = login(&env, "ada@example.com", &longest);
    assert_eq!(code(&outcome.response), "invalid_credentials");
}

/// docs/contract.md §4: the routes without a session check `Origin` as login does —
/// another site's origin is `403 csrf_failed` before anything is looked up (no mail,
/// no token spent), while ours, an allowlisted one or none at all pass.
#[test]
fn forgot_reset_and_verify_refuse_a_foreign_origin_before_any_work() {
    let env = TestEnv::new();
    account(&env, "origin@example.com", true);
    let routes = [
        (
            "/auth/password/forgot",
            json!({"email": "origin@example.com"}),
        ),
        (
            "/auth/password/reset",
            json!({"token": "x".repeat(43), "password": NEW_PASSWORD}),
        ),
        ("/auth/email/verify", json!({"token": "x".repeat(43)})),
        ("/auth/security/not-me", json!({"token": "x".repeat(43)})),
    ];
    for (path, body) in &routes {
        let foreign = env.serve::<Reset>(
            &request(Method::Post, path)
                .json(body.clone())
                .header("Origin", "https://evil.example"),
        );
        assert_eq!(foreign.response.status, 403, "{path}");
        assert_eq!(code(&foreign.response), "csrf_failed", "{path}");
        assert!(
            foreign.mails.is_empty() && foreign.audit.is_empty(),
            "{path}"
        );
    }
    for origin in [Some(ORIGIN), Some(testkit::ALLOWED), None] {
        let mut forgot = request(Method::Post, "/auth/password/forgot")
            .json(json!({"email": "origin@example.com"}));
        if let Some(origin) = origin {
            forgot = forgot.header("Origin", origin);
        }
        assert_eq!(
            env.serve::<Reset>(&forgot).response.status,
            202,
            "{origin:?}"
        );
    }
}
