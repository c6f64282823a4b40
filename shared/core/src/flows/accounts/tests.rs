//! Register, verify and log in through whole requests (`login` and `reset` functions).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{json, Value};

use crate::app::Outcome;
use crate::functions::{Login, Reset};
use crate::http::{Method, Response};
use crate::model::audit::AuditKind;
use crate::model::user;
use crate::testkit::{self, request, Client, RequestExt, TestEnv, ALLOWED};

const PASSWORD: &str = "correct horse battery staple";

fn register(env: &TestEnv, email: &str, password: &str) -> Outcome {
    env.serve::<Login>(
        &request(Method::Post, "/auth/register")
            .json(json!({"email": email, "password": password})),
    )
}

fn login(env: &TestEnv, email: &str, password: &str, mode: Option<&str>) -> Outcome {
    let mut body = json!({"email": email, "password": password});
    if let Some(mode) = mode {
        body["mode"] = json!(mode);
    }
    env.serve::<Login>(&request(Method::Post, "/auth/login").json(body))
}

fn verify(env: &TestEnv, token: &str) -> Outcome {
    env.serve::<Reset>(&request(Method::Post, "/auth/email/verify").json(json!({"token": token})))
}

fn events(outcome: &Outcome) -> Vec<AuditKind> {
    outcome.audit.iter().map(|event| event.event).collect()
}

/// The body without its per-request id.
fn body_without_request_id(response: &Response) -> Value {
    let mut body = testkit::body(response);
    body.as_object_mut().unwrap().remove("request_id");
    body
}

fn token_in_mail(outcome: &Outcome) -> String {
    let text = &outcome.mails[0].text;
    let start = text.find("#token=").unwrap() + "#token=".len();
    text[start..].split_whitespace().next().unwrap().to_string()
}

fn user_id_of(env: &TestEnv, email: &str) -> String {
    pollster::block_on(user::find_by_email(
        crate::ctx::Services::atomic(env),
        &env.config,
        email,
    ))
    .unwrap()
    .unwrap()
}

/// Registers and verifies `email`, returning the user id.
fn registered(env: &TestEnv, email: &str) -> String {
    let outcome = register(env, email, PASSWORD);
    assert_eq!(outcome.response.status, 202);
    assert_eq!(verify(env, &token_in_mail(&outcome)).response.status, 200);
    user_id_of(env, email)
}

#[test]
fn registration_creates_an_unverified_user_and_mails_a_fragment_link() {
    let env = TestEnv::new();
    let outcome = register(&env, "Quinn@Example.com", PASSWORD);
    assert_eq!(outcome.response.status, 202);
    assert_eq!(
        testkit::body(&outcome.response),
        json!({"status": "accepted"})
    );
    assert_eq!(outcome.mails.len(), 1);
    let mail = &outcome.mails[0];
    assert_eq!(mail.to, "quinn@example.com");
    assert!(mail
        .text
        .contains("https://app.example.com/verify-email#token="));
    assert!(!mail.text.contains('?'));
    assert_eq!(token_in_mail(&outcome).len(), 43);
    assert_eq!(events(&outcome), [AuditKind::Register]);

    let stored = testkit::stored_user(&env, &user_id_of(&env, "quinn@example.com"));
    assert!(!stored.email_verified);
    assert_eq!(stored.roles, ["user"]);
    assert!(stored
        .password_hash
        .starts_with("$argon2id$v=19$m=7168,t=5,p=1$"));
    // Neither the password nor the token is stored or audited.
    let token = token_in_mail(&outcome);
    for (_, value) in env.store.dump() {
        assert!(!value.contains(PASSWORD) && !value.contains(&token));
    }
    let audit = serde_json::to_string(&outcome.audit).unwrap();
    assert!(!audit.contains("quinn") && !audit.contains(PASSWORD));
}

#[test]
fn registering_a_taken_email_answers_the_same_and_changes_nothing() {
    let env = TestEnv::new();
    let first = register(&env, "rita@example.com", PASSWORD);
    let id = user_id_of(&env, "rita@example.com");
    let before = testkit::stored_user(&env, &id);
    let second = register(&env, "RITA@example.com", "another long password 42");
    assert_eq!(second.response.status, 202);
    assert_eq!(
        body_without_request_id(&first.response),
        body_without_request_id(&second.response)
    );
    assert_eq!(
        testkit::stored_user(&env, &id),
        before,
        "password never replaced"
    );
    assert_eq!(second.mails.len(), 1);
    assert_eq!(second.mails[0].to, "rita@example.com");
    assert!(
        !second.mails[0].text.contains("#token="),
        "a notice, not a link"
    );
    assert_eq!(second.audit[0].subject_id.as_deref(), Some(id.as_str()));
    assert_eq!(
        second.audit[0].detail.get("outcome").map(String::as_str),
        Some("email_taken")
    );
}

/// The store operations of one registration, as recorded by [`TestEnv::recording`].
fn register_traced(env: &TestEnv, email: &str, password: &str) -> (Outcome, Vec<String>) {
    env.recording().serve::<Login>(
        &request(Method::Post, "/auth/register")
            .json(json!({"email": email, "password": password})),
    )
}

#[test]
fn register_makes_the_same_store_operations_for_new_and_taken_addresses() {
    // Timing must not tell a taken address from a new one: each store operation is a
    // round trip (a Durable Object call on Workers), so both paths must make the same
    // ones, in the same order, on the same shards (docs/sessions.md §9).
    let env = TestEnv::new();
    assert_eq!(
        register(&env, "rita@example.com", PASSWORD).response.status,
        202
    );
    let (fresh, fresh_ops) = register_traced(&env, "sam@example.com", PASSWORD);
    let (taken, taken_ops) = register_traced(&env, "rita@example.com", "another long password 42");
    assert_eq!(fresh.response.status, 202);
    assert_eq!(taken.response.status, 202);
    assert_eq!((fresh.mails.len(), taken.mails.len()), (1, 1));
    assert_eq!((fresh.audit.len(), taken.audit.len()), (1, 1));
    // The recorder sees the new path's work: the lookup under both data keys (#1
    // active, #2 old), the user record, the email index, the directory entry, the
    // token and its pointer.
    for op in [
        "atomic get email/#2 owner",
        "atomic cas user/#3 profile -> true",
        "atomic cas email/#1 owner -> true",
        "records put users/*",
        "atomic cas verify/#4 token -> true",
        "atomic cas user/#3 pending/verify/#4/token -> true",
    ] {
        assert!(fresh_ops.iter().any(|o| o == op), "{op} in {fresh_ops:#?}");
    }
    assert_eq!(
        taken_ops, fresh_ops,
        "the taken path's store operations differ from the new path's"
    );
}

/// Records a registration writes besides its audit events and rate-limit counters.
fn is_decoy_candidate(key: &str) -> bool {
    !key.starts_with("audit/") && !key.contains("ratelimit/")
}

#[test]
fn a_taken_registration_leaves_only_short_lived_decoys_that_name_no_one() {
    let env = TestEnv::new();
    register(&env, "rita@example.com", PASSWORD);
    let owner = user_id_of(&env, "rita@example.com");
    let before = env.store.dump();
    register(&env, "rita@example.com", "another long password 42");
    let added: Vec<(String, String)> = env
        .store
        .dump()
        .into_iter()
        .filter(|record| !before.contains(record) && is_decoy_candidate(&record.0))
        .collect();
    assert!(!added.is_empty(), "the decoy writes something");
    for (key, value) in &added {
        assert!(
            !key.contains(&owner) && !value.contains(&owner) && !value.contains("rita"),
            "{key} = {value}"
        );
    }
    env.advance_secs(super::register::DECOY_TTL_MS / 1000);
    let left: Vec<(String, String)> = env
        .store
        .dump()
        .into_iter()
        .filter(|record| !before.contains(record) && is_decoy_candidate(&record.0))
        .collect();
    assert_eq!(left, [], "decoys expire");
}

#[test]
fn two_concurrent_registrations_of_one_email_make_one_account() {
    let env = TestEnv::new();
    env.interleave(true);
    let requests: Vec<_> = ["first password is long", "second password is long"]
        .iter()
        .map(|password| {
            request(Method::Post, "/auth/register")
                .json(json!({"email": "sam@example.com", "password": password}))
        })
        .collect();
    let outcomes = pollster::block_on(futures::future::join_all(
        requests.iter().map(|r| env.serve_async::<Login>(r)),
    ));
    env.interleave(false);
    assert_eq!(
        env.lost_swaps(),
        1,
        "both saw the address free; one lost the index"
    );
    assert!(outcomes.iter().all(|o| o.response.status == 202));
    let profiles = env
        .store
        .dump()
        .into_iter()
        .filter(|(key, _)| key.ends_with("/profile"))
        .count();
    assert_eq!(profiles, 1);
    let links = outcomes
        .iter()
        .filter(|o| o.mails.iter().any(|m| m.text.contains("#token=")))
        .count();
    assert_eq!(links, 1);
}

#[test]
fn policy_and_address_errors_come_before_any_lookup() {
    let env = TestEnv::new();
    register(&env, "tara@example.com", PASSWORD);
    for email in ["tara@example.com", "new@example.com"] {
        let outcome = register(&env, email, "short");
        assert_eq!(outcome.response.status, 400);
        assert_eq!(testkit::body(&outcome.response)["code"], "weak_password");
        assert!(outcome.mails.is_empty());
    }
    let outcome = register(&env, "not-an-address", PASSWORD);
    assert_eq!(testkit::body(&outcome.response)["code"], "invalid_request");
    let outcome = env.serve::<Login>(
        &request(Method::Post, "/auth/register")
            .json(json!({"email": "u@example.com", "password": PASSWORD, "role": "admin"})),
    );
    assert_eq!(outcome.response.status, 400);
}

#[test]
fn register_and_login_refuse_foreign_origins() {
    let env = TestEnv::new();
    let evil = request(Method::Post, "/auth/register")
        .json(json!({"email": "uma@example.com", "password": PASSWORD}))
        .header("Origin", "https://evil.example");
    let outcome = env.serve::<Login>(&evil);
    assert_eq!(outcome.response.status, 403);
    assert_eq!(testkit::body(&outcome.response)["code"], "csrf_failed");
    assert!(outcome.mails.is_empty());
    let allowed = request(Method::Post, "/auth/register")
        .json(json!({"email": "uma@example.com", "password": PASSWORD}))
        .header("Origin", ALLOWED);
    assert_eq!(env.serve::<Login>(&allowed).response.status, 202);
    let evil_login = request(Method::Post, "/auth/login")
        .json(json!({"email": "uma@example.com", "password": PASSWORD}))
        .header("Origin", "https://evil.example");
    assert_eq!(env.serve::<Login>(&evil_login).response.status, 403);
}

#[test]
fn a_verification_token_works_once_and_only_for_a_day() {
    let env = TestEnv::new();
    let outcome = register(&env, "vera@example.com", PASSWORD);
    let token = token_in_mail(&outcome);
    let verified = verify(&env, &token);
    assert_eq!(verified.response.status, 200);
    assert_eq!(
        testkit::body(&verified.response),
        json!({"status": "verified"})
    );
    assert_eq!(events(&verified), [AuditKind::EmailVerified]);
    assert!(testkit::stored_user(&env, &user_id_of(&env, "vera@example.com")).email_verified);
    let again = verify(&env, &token);
    assert_eq!(again.response.status, 400);
    assert_eq!(testkit::body(&again.response)["code"], "invalid_request");

    let outcome = register(&env, "walt@example.com", PASSWORD);
    env.advance_secs(24 * 3_600 + 1);
    assert_eq!(verify(&env, &token_in_mail(&outcome)).response.status, 400);
    for garbage in ["", "abc", "!!!!", &"A".repeat(43)] {
        assert_eq!(verify(&env, garbage).response.status, 400, "{garbage}");
    }
}

#[test]
fn bootstrap_admins_become_admin_only_when_verified() {
    let env = TestEnv::with_config(testkit::config(&[
        ("BOOTSTRAP_ADMIN_EMAILS", "root@example.com"),
        ("REQUIRE_EMAIL_VERIFICATION", "false"),
    ]));
    let outcome = register(&env, "Root@Example.com", PASSWORD);
    let id = user_id_of(&env, "root@example.com");
    assert_eq!(testkit::stored_user(&env, &id).roles, ["user"]);
    let verified = verify(&env, &token_in_mail(&outcome));
    assert_eq!(
        events(&verified),
        [AuditKind::EmailVerified, AuditKind::RoleChanged]
    );
    assert_eq!(testkit::stored_user(&env, &id).roles, ["user", "admin"]);
    let other = registered(&env, "plain@example.com");
    assert_eq!(testkit::stored_user(&env, &other).roles, ["user"]);
}

#[test]
fn login_in_cookie_mode_by_default_and_token_mode_on_request() {
    let env = TestEnv::new();
    let id = registered(&env, "xena@example.com");
    let outcome = login(&env, "Xena@example.com", PASSWORD, None);
    let client = Client::from_answer(&outcome.response, "cookie");
    assert_eq!(client.user_id, id);
    assert_eq!(testkit::set_cookies(&outcome.response).len(), 3);
    let body = testkit::body(&outcome.response);
    assert!(body.get("access_token").is_none() && body.get("refresh_token").is_none());
    assert_eq!(events(&outcome), [AuditKind::LoginSucceeded]);
    assert_eq!(
        testkit::stored_user(&env, &id).last_login_at_ms,
        Some(testkit::START_MS)
    );

    let outcome = login(&env, "xena@example.com", PASSWORD, Some("token"));
    let client = Client::from_answer(&outcome.response, "token");
    assert!(testkit::set_cookies(&outcome.response).is_empty());
    assert_eq!(testkit::body(&outcome.response)["token_type"], "Bearer");
    assert!(testkit::full_check(&env.config, &client.access, testkit::START_MS).is_ok());

    let outcome = login(&env, "xena@example.com", PASSWORD, Some("jwt"));
    assert_eq!(outcome.response.status, 400);
}

#[test]
fn unknown_email_and_wrong_password_get_identical_answers() {
    let env = TestEnv::new();
    registered(&env, "yann@example.com");
    let wrong = login(&env, "yann@example.com", "not the password at all", None);
    let unknown = login(&env, "nobody@example.com", "not the password at all", None);
    for outcome in [&wrong, &unknown] {
        assert_eq!(outcome.response.status, 401);
        assert_eq!(events(outcome), [AuditKind::LoginFailed]);
        assert!(testkit::set_cookies(&outcome.response).is_empty());
    }
    // A malformed address is a statement about the input (it cannot have an
    // account): 400, whatever accounts exist (accounts::fields).
    let malformed = login(&env, "not-an-address", "not the password at all", None);
    assert_eq!(malformed.response.status, 400);
    assert_eq!(
        testkit::body(&malformed.response)["code"],
        "invalid_request"
    );
    assert_eq!(
        body_without_request_id(&wrong.response),
        body_without_request_id(&unknown.response)
    );
    assert_eq!(
        body_without_request_id(&wrong.response)["code"],
        "invalid_credentials"
    );
    assert_eq!(wrong.response.headers.len(), unknown.response.headers.len());
}

#[test]
fn unverified_and_disabled_accounts_get_the_same_401_after_the_password() {
    let env = TestEnv::new();
    register(&env, "zoe@example.com", PASSWORD);
    let wrong = login(&env, "zoe@example.com", "not the password at all", None);
    let unverified = login(&env, "zoe@example.com", PASSWORD, None);
    assert_eq!(unverified.response.status, 401);
    assert_eq!(
        body_without_request_id(&unverified.response),
        body_without_request_id(&wrong.response)
    );
    assert_eq!(
        unverified.audit[0].detail.get("reason").map(String::as_str),
        Some("email_unverified")
    );

    let id = registered(&env, "adam@example.com");
    testkit::edit_user(&env, &id, |u| u.disabled = true);
    let disabled = login(&env, "adam@example.com", PASSWORD, None);
    assert_eq!(
        body_without_request_id(&disabled.response),
        body_without_request_id(&wrong.response)
    );

    let lenient = TestEnv::with_config(testkit::config(&[("REQUIRE_EMAIL_VERIFICATION", "false")]));
    register(&lenient, "bea@example.com", PASSWORD);
    assert_eq!(
        login(&lenient, "bea@example.com", PASSWORD, None)
            .response
            .status,
        200
    );
}

#[test]
fn legacy_bcrypt_hashes_verify_and_are_upgraded_on_login() {
    let env = TestEnv::new();
    let user = testkit::seed_user(&env, "cleo@example.com", true);
    let legacy = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
    testkit::edit_user(&env, &user.id, |u| u.password_hash = legacy.into());
    let outcome = login(&env, "cleo@example.com", "U*U", Some("token"));
    assert_eq!(outcome.response.status, 200);
    let upgraded = testkit::stored_user(&env, &user.id).password_hash;
    assert!(
        upgraded.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"),
        "{upgraded}"
    );
    assert_eq!(
        login(&env, "cleo@example.com", "U*U", None).response.status,
        200
    );
}

#[test]
fn weaker_argon2_parameters_are_upgraded_on_login() {
    let weak = TestEnv::with_config(testkit::config(&[("PASSWORD_HASH_ITERATIONS", "5")]));
    let id = registered(&weak, "dora@example.com");
    let old_hash = testkit::stored_user(&weak, &id).password_hash;
    let mut env = weak;
    env.config = testkit::config(&[("PASSWORD_HASH_ITERATIONS", "6")]);
    assert_eq!(
        login(&env, "dora@example.com", PASSWORD, None)
            .response
            .status,
        200
    );
    let new_hash = testkit::stored_user(&env, &id).password_hash;
    assert_ne!(new_hash, old_hash);
    assert!(new_hash.contains("m=7168,t=6,p=1"));
}
