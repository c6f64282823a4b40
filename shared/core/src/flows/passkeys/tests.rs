//! The passkey flows through the functions that serve them (the memory store, the fake
//! clock, the software signature verifier) with the software authenticator of
//! `testkit::passkeys`, whose every byte a test can change.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{json, Value};

use crate::app::Outcome;
use crate::ctx::Services;
use crate::functions::{Api, Login};
use crate::http::Method;
use crate::model::audit::AuditKind;
use crate::model::passkey;
use crate::testkit::mfa::{self as mfa_kit, PASSWORD};
use crate::testkit::passkeys::{
    api, code, forwarded, register, sign_in_options, verify, Authenticator, FLAGS, RP_ID,
};
use crate::testkit::{self, request, Client, RequestExt, TestEnv};

fn body(outcome: &Outcome) -> Value {
    testkit::body(&outcome.response)
}

fn events(outcome: &Outcome) -> Vec<(&'static str, Option<String>)> {
    outcome
        .audit
        .iter()
        .map(|event| (event.event.as_str(), event.detail.get("reason").cloned()))
        .collect()
}

/// A registered, verified account with the test password, signed in now (token mode).
fn account(env: &TestEnv, email: &str) -> Client {
    mfa_kit::registered(env, email);
    mfa_kit::signed_in(env, email, "token")
}

/// An account with one passkey of `authenticator`.
fn with_passkey(env: &TestEnv, email: &str, authenticator: &mut Authenticator) -> (Client, Value) {
    let client = account(env, email);
    let view = register(env, &client, authenticator);
    (client, view)
}

fn stored_passkeys(env: &TestEnv, user_id: &str) -> Vec<passkey::PasskeyRecord> {
    pollster::block_on(passkey::list(env.atomic(), user_id))
        .unwrap()
        .into_iter()
        .map(|(record, _)| record)
        .collect()
}

// --- registration ---------------------------------------------------------------------

#[test]
fn registration_options_ask_for_a_verified_resident_passkey_of_three_algorithms() {
    let env = TestEnv::new();
    let client = account(&env, "opt@example.com");
    let outcome = api(
        &env,
        &client,
        Method::Post,
        "/api/me/passkeys/options",
        None,
    );
    assert_eq!(outcome.response.status, 200);
    let options = &body(&outcome)["options"];
    assert_eq!(options["rp"]["id"], RP_ID);
    assert_eq!(
        options["authenticatorSelection"]["userVerification"],
        "required"
    );
    assert_eq!(
        options["authenticatorSelection"]["residentKey"],
        "preferred"
    );
    assert_eq!(options["attestation"], "none");
    let algorithms: Vec<i64> = options["pubKeyCredParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|param| param["alg"].as_i64().unwrap())
        .collect();
    assert_eq!(algorithms, [-7, -8, -257]);
    assert_eq!(options["timeout"], 300_000);
    let challenge = encoding_len(options["challenge"].as_str().unwrap());
    assert_eq!(challenge, 32);
    // The user handle: 32 random bytes, stored, never the user id or the address.
    let handle = options["user"]["id"].as_str().unwrap();
    assert_eq!(encoding_len(handle), 32);
    assert_ne!(handle, client.user_id);
    assert!(!handle.contains("opt"));
    assert_eq!(options["user"]["name"], "opt@example.com");
    let stored = testkit::stored_user(&env, &client.user_id);
    assert_eq!(passkey::user_handle(&stored), Some(handle));
    // The same handle next time.
    let again = api(
        &env,
        &client,
        Method::Post,
        "/api/me/passkeys/options",
        None,
    );
    assert_eq!(body(&again)["options"]["user"]["id"], handle);
    assert_ne!(body(&again)["options"]["challenge"], options["challenge"]);
}

fn encoding_len(text: &str) -> usize {
    crate::encoding::b64url_decode(text).unwrap().len()
}

#[test]
fn a_registered_passkey_is_stored_listed_audited_and_excluded_from_the_next_options() {
    let env = TestEnv::new();
    let client = account(&env, "reg@example.com");
    let mut authenticator = Authenticator::new(1);
    let options = api(
        &env,
        &client,
        Method::Post,
        "/api/me/passkeys/options",
        None,
    );
    let credential = authenticator.register(&body(&options), FLAGS);
    let created = forwarded(
        &env,
        &client,
        Method::Post,
        "/api/me/passkeys",
        json!({"credential": credential, "name": "  Laptop  "}),
    );
    assert_eq!(created.response.status, 201);
    let view = body(&created);
    assert_eq!(view["name"], "Laptop");
    assert_eq!(view["backed_up"], true);
    assert_eq!(view["backup_eligible"], true);
    assert_eq!(view["algorithm"], "EdDSA");
    assert_eq!(view["last_used_at"], Value::Null);
    assert_eq!(events(&created), [("passkey_registered", None)]);
    assert_eq!(created.mails.len(), 1, "the owner hears of it");

    let stored = stored_passkeys(&env, &client.user_id);
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].transports,
        ["internal"],
        "unknown transports dropped"
    );
    assert_eq!(
        stored[0].public_key,
        crate::encoding::b64url(&authenticator.cose_key())
    );

    let list = api(&env, &client, Method::Get, "/api/me/passkeys", None);
    assert_eq!(body(&list)["passkeys"][0]["id"], view["id"]);
    assert!(body(&list)["passkeys"][0].get("public_key").is_none());

    let next = api(
        &env,
        &client,
        Method::Post,
        "/api/me/passkeys/options",
        None,
    );
    let exclude = &body(&next)["options"]["excludeCredentials"];
    assert_eq!(
        exclude[0]["id"],
        crate::encoding::b64url(&authenticator.credential_id)
    );
    assert_eq!(exclude[0]["transports"], json!(["internal"]));
}

#[test]
fn a_registration_challenge_is_used_once() {
    let env = TestEnv::new();
    let client = account(&env, "once@example.com");
    let mut authenticator = Authenticator::new(2);
    let options = api(
        &env,
        &client,
        Method::Post,
        "/api/me/passkeys/options",
        None,
    );
    let credential = authenticator.register(&body(&options), FLAGS);
    let first = forwarded(
        &env,
        &client,
        Method::Post,
        "/api/me/passkeys",
        json!({"credential": credential}),
    );
    assert_eq!(first.response.status, 201);
    assert_eq!(body(&first)["name"], "Passkey", "the default name");
    let replay = forwarded(
        &env,
        &client,
        Method::Post,
        "/api/me/passkeys",
        json!({"credential": credential}),
    );
    assert_eq!(replay.response.status, 400);
    assert_eq!(
        events(&replay),
        [("passkey_failed", Some("unknown_challenge".into()))]
    );
    assert_eq!(stored_passkeys(&env, &client.user_id).len(), 1);
}

#[test]
fn a_registration_is_finished_only_in_the_session_that_started_it() {
    let env = TestEnv::new();
    let first = account(&env, "sess@example.com");
    let second = mfa_kit::signed_in(&env, "sess@example.com", "token");
    let options = api(&env, &first, Method::Post, "/api/me/passkeys/options", None);
    let credential = Authenticator::new(3).register(&body(&options), FLAGS);
    let elsewhere = forwarded(
        &env,
        &second,
        Method::Post,
        "/api/me/passkeys",
        json!({"credential": credential}),
    );
    assert_eq!(elsewhere.response.status, 400);
    assert_eq!(
        events(&elsewhere),
        [("passkey_failed", Some("wrong_ceremony".into()))]
    );
}

#[test]
fn a_registration_without_user_verification_or_for_another_rp_is_refused() {
    let env = TestEnv::new();
    let client = account(&env, "uv@example.com");
    let options = api(
        &env,
        &client,
        Method::Post,
        "/api/me/passkeys/options",
        None,
    );
    let credential = Authenticator::new(4).register(&body(&options), 0x01);
    let refused = forwarded(
        &env,
        &client,
        Method::Post,
        "/api/me/passkeys",
        json!({"credential": credential}),
    );
    assert_eq!(code(&refused), "invalid_request");
    assert_eq!(
        events(&refused),
        [("passkey_failed", Some("user_not_verified".into()))]
    );
    assert!(stored_passkeys(&env, &client.user_id).is_empty());
}

#[test]
fn one_credential_id_is_registered_once_across_accounts() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(5);
    let (_, _) = with_passkey(&env, "first@example.com", &mut authenticator);
    let other = account(&env, "second@example.com");
    let options = api(&env, &other, Method::Post, "/api/me/passkeys/options", None);
    let credential = authenticator.register(&body(&options), FLAGS);
    let refused = forwarded(
        &env,
        &other,
        Method::Post,
        "/api/me/passkeys",
        json!({"credential": credential}),
    );
    assert_eq!(refused.response.status, 400);
    assert_eq!(
        events(&refused),
        [("passkey_failed", Some("credential_registered".into()))]
    );
    assert!(
        stored_passkeys(&env, &other.user_id).is_empty(),
        "nothing stays written"
    );
}

// --- recent authentication ------------------------------------------------------------

#[test]
fn adding_or_removing_a_passkey_needs_a_sign_in_of_the_last_five_minutes() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(6);
    let (client, view) = with_passkey(&env, "recent@example.com", &mut authenticator);
    env.advance_secs(5 * 60 + 1);
    let options = api(
        &env,
        &client,
        Method::Post,
        "/api/me/passkeys/options",
        None,
    );
    assert_eq!(options.response.status, 403);
    assert_eq!(code(&options), "reauthentication_required");
    let path = alloc::format!("/api/me/passkeys/{}", view["id"].as_str().unwrap());
    let remove = api(&env, &client, Method::Delete, &path, None);
    assert_eq!(code(&remove), "reauthentication_required");
    // Listing and renaming do not.
    assert_eq!(
        api(&env, &client, Method::Get, "/api/me/passkeys", None)
            .response
            .status,
        200
    );
    let renamed = api(
        &env,
        &client,
        Method::Put,
        &path,
        Some(json!({"name": "Phone"})),
    );
    assert_eq!(body(&renamed)["name"], "Phone");

    // The password confirms: recent again, for five minutes.
    let wrong = forwarded(
        &env,
        &client,
        Method::Post,
        "/api/me/reauthenticate",
        json!({"password": "nope nope nope"}),
    );
    assert_eq!(code(&wrong), "invalid_credentials");
    assert_eq!(
        events(&wrong),
        [("login_failed", Some("wrong_password".into()))]
    );
    let confirmed = forwarded(
        &env,
        &client,
        Method::Post,
        "/api/me/reauthenticate",
        json!({"password": PASSWORD}),
    );
    assert_eq!(confirmed.response.status, 200, "{:?}", body(&confirmed));
    assert_eq!(events(&confirmed), [("reauthenticated", None)]);
    let session = testkit::stored_session(&env, &client.user_id, &client.session_id);
    assert!(session.reauthenticated_at_ms.is_some());
    assert_eq!(
        api(
            &env,
            &client,
            Method::Post,
            "/api/me/passkeys/options",
            None
        )
        .response
        .status,
        200
    );
    env.advance_secs(5 * 60 + 1);
    assert_eq!(
        code(&api(
            &env,
            &client,
            Method::Post,
            "/api/me/passkeys/options",
            None
        )),
        "reauthentication_required"
    );
}

#[test]
fn a_passkey_confirms_the_user_too_but_only_in_the_session_that_asked() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(7);
    let (client, _) = with_passkey(&env, "pkre@example.com", &mut authenticator);
    let other = mfa_kit::signed_in(&env, "pkre@example.com", "token");
    env.advance_secs(6 * 60);
    let options = api(
        &env,
        &client,
        Method::Post,
        "/api/me/reauthenticate/options",
        None,
    );
    assert_eq!(options.response.status, 200);
    let allowed = &body(&options)["options"]["allowCredentials"];
    assert_eq!(
        allowed[0]["id"],
        crate::encoding::b64url(&authenticator.credential_id)
    );
    let assertion = authenticator.assert(&body(&options));
    let foreign = forwarded(
        &env,
        &other,
        Method::Post,
        "/api/me/reauthenticate",
        json!({"credential": assertion}),
    );
    assert_eq!(code(&foreign), "invalid_credentials");
    assert_eq!(
        events(&foreign),
        [("passkey_failed", Some("wrong_ceremony".into()))]
    );

    let options = api(
        &env,
        &client,
        Method::Post,
        "/api/me/reauthenticate/options",
        None,
    );
    let assertion = authenticator.assert(&body(&options));
    let confirmed = forwarded(
        &env,
        &client,
        Method::Post,
        "/api/me/reauthenticate",
        json!({"credential": assertion}),
    );
    assert_eq!(confirmed.response.status, 200, "{:?}", body(&confirmed));
    assert_eq!(
        api(
            &env,
            &client,
            Method::Post,
            "/api/me/passkeys/options",
            None
        )
        .response
        .status,
        200
    );
    assert_eq!(
        code(&api(
            &env,
            &other,
            Method::Post,
            "/api/me/passkeys/options",
            None
        )),
        "reauthentication_required"
    );
}

// --- passwordless sign-in -------------------------------------------------------------

#[test]
fn a_passkey_signs_in_without_a_password_and_moves_its_counter() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(8);
    let (client, view) = with_passkey(&env, "signin@example.com", &mut authenticator);
    let options = sign_in_options(&env);
    assert_eq!(options["options"]["rpId"], RP_ID);
    assert_eq!(options["options"]["userVerification"], "required");
    assert_eq!(options["options"]["allowCredentials"], json!([]));
    let outcome = verify(&env, authenticator.assert(&options));
    assert_eq!(outcome.response.status, 200, "{:?}", body(&outcome));
    let answer = body(&outcome);
    assert_eq!(answer["user"]["id"], client.user_id);
    assert!(answer["access_token"].is_string());
    assert_eq!(events(&outcome), [("passkey_login", None)]);
    assert_eq!(
        outcome.audit[0].detail["passkey_id"],
        view["id"].as_str().unwrap()
    );
    let stored = &stored_passkeys(&env, &client.user_id)[0];
    assert_eq!(stored.sign_count, 1);
    assert!(stored.last_used_at_ms.is_some());
    // The new session counts as a recent sign-in.
    let fresh = Client::from_answer(&outcome.response, "token");
    assert_eq!(
        api(&env, &fresh, Method::Post, "/api/me/passkeys/options", None)
            .response
            .status,
        200
    );
}

#[test]
fn a_sign_in_challenge_is_used_once() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(9);
    with_passkey(&env, "replay@example.com", &mut authenticator);
    let options = sign_in_options(&env);
    let assertion = authenticator.assert(&options);
    assert_eq!(verify(&env, assertion.clone()).response.status, 200);
    let replay = verify(&env, assertion);
    assert_eq!(code(&replay), "invalid_credentials");
    assert_eq!(
        events(&replay),
        [("passkey_failed", Some("unknown_challenge".into()))]
    );
}

#[test]
fn every_refused_assertion_gets_one_answer_and_an_audited_reason() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(10);
    with_passkey(&env, "tamper@example.com", &mut authenticator);
    type Tamper = fn(&mut crate::testkit::passkeys::Parts);
    let cases: [(&str, Tamper); 7] = [
        ("origin_mismatch", |p| {
            p.client_data["origin"] = json!("https://app.example.com.evil.test")
        }),
        ("rp_id_mismatch", |p| p.rp_id = "evil.test".into()),
        ("user_not_verified", |p| p.flags &= !0x04),
        ("invalid_signature", |p| p.tamper_signature = true),
        ("wrong_type", |p| {
            p.client_data["type"] = json!("webauthn.create")
        }),
        ("cross_origin", |p| {
            p.client_data["crossOrigin"] = json!(true)
        }),
        ("user_handle_missing", |p| p.user_handle = None),
    ];
    for (reason, tamper) in cases {
        let options = sign_in_options(&env);
        let mut parts = authenticator.parts(&options);
        tamper(&mut parts);
        let refused = verify(&env, authenticator.sign(&parts));
        assert_eq!(refused.response.status, 401, "{reason}");
        assert_eq!(code(&refused), "invalid_credentials", "{reason}");
        assert_eq!(
            events(&refused)[0],
            ("passkey_failed", Some(reason.to_string())),
            "{reason}"
        );
        assert!(testkit::body(&refused.response).get("detail").is_none());
        // Each failure with a known passkey counts toward the account's lockout; the
        // clock moves on past the window so the next case starts clean.
        env.advance_secs(16 * 60);
    }
}

#[test]
fn a_counter_that_goes_back_is_refused_audited_and_flagged_on_the_passkey() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(11);
    let (client, _) = with_passkey(&env, "clone@example.com", &mut authenticator);
    authenticator.counter = 41;
    assert_eq!(
        verify(&env, authenticator.assert(&sign_in_options(&env)))
            .response
            .status,
        200
    );
    let options = sign_in_options(&env);
    let mut parts = authenticator.parts(&options);
    parts.counter = 5;
    let refused = verify(&env, authenticator.sign(&parts));
    assert_eq!(code(&refused), "invalid_credentials");
    assert_eq!(
        events(&refused)[0],
        ("passkey_failed", Some("counter_regression".into()))
    );
    let stored = &stored_passkeys(&env, &client.user_id)[0];
    assert_eq!(stored.sign_count, 42, "the counter is not moved back");
    assert!(stored.counter_regressed_at_ms.is_some());
    let list = api(&env, &client, Method::Get, "/api/me/passkeys", None);
    assert!(body(&list)["passkeys"][0]["counter_regressed_at"].is_string());
}

#[test]
fn an_unknown_credential_counts_against_the_client_address_not_an_account() {
    let env = TestEnv::new();
    let mut stranger = Authenticator::new(12);
    stranger.user_handle = Some(alloc::vec![1; 32]);
    for attempt in 0..5 {
        let refused = verify(&env, stranger.assert(&sign_in_options(&env)));
        assert_eq!(code(&refused), "invalid_credentials", "attempt {attempt}");
        let event = refused
            .audit
            .iter()
            .find(|event| event.event == AuditKind::PasskeyFailed)
            .unwrap();
        assert_eq!(event.subject_id, None);
        assert_eq!(event.detail["reason"], "unknown_credential");
    }
    // The address is now locked for passkey sign-in; another address is not.
    let locked = verify(&env, stranger.assert(&sign_in_options(&env)));
    assert_eq!(code(&locked), "rate_limited");
    let elsewhere = env.serve::<Login>(&testkit::from_ip(
        request(Method::Post, "/auth/passkey/verify")
            .json(json!({"credential": stranger.assert(&sign_in_options(&env))})),
        Some("198.51.100.7"),
    ));
    assert_eq!(code(&elsewhere), "invalid_credentials");
}

#[test]
fn failures_with_a_known_passkey_lock_its_account_like_wrong_passwords() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(13);
    with_passkey(&env, "lock@example.com", &mut authenticator);
    for _ in 0..5 {
        let options = sign_in_options(&env);
        let mut parts = authenticator.parts(&options);
        parts.tamper_signature = true;
        assert_eq!(
            code(&verify(&env, authenticator.sign(&parts))),
            "invalid_credentials"
        );
    }
    // A genuine assertion is refused while the account is locked, and so is the password.
    let locked = verify(&env, authenticator.assert(&sign_in_options(&env)));
    assert_eq!(code(&locked), "rate_limited");
    assert_eq!(
        code(&mfa_kit::login(&env, "lock@example.com", "token")),
        "rate_limited"
    );
}

#[test]
fn a_disabled_account_cannot_sign_in_with_its_passkey() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(14);
    let (client, _) = with_passkey(&env, "off@example.com", &mut authenticator);
    testkit::edit_user(&env, &client.user_id, |user| user.disabled = true);
    let refused = verify(&env, authenticator.assert(&sign_in_options(&env)));
    assert_eq!(code(&refused), "invalid_credentials");
    assert_eq!(
        events(&refused)[0],
        ("passkey_failed", Some("disabled".into()))
    );
}

#[test]
fn a_challenge_of_another_ceremony_does_not_sign_in() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(15);
    let (client, _) = with_passkey(&env, "cross@example.com", &mut authenticator);
    let options = api(
        &env,
        &client,
        Method::Post,
        "/api/me/reauthenticate/options",
        None,
    );
    let refused = verify(&env, authenticator.assert(&body(&options)));
    assert_eq!(
        events(&refused)[0],
        ("passkey_failed", Some("wrong_ceremony".into()))
    );
}

#[test]
fn malformed_credentials_are_refused_before_any_store_work_and_bad_cbor_after_the_challenge() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(16);
    with_passkey(&env, "shape@example.com", &mut authenticator);
    let options = sign_in_options(&env);
    let mut credential = authenticator.assert(&options);
    credential["rawId"] = json!("not the id");
    let shape = verify(&env, credential);
    assert_eq!(code(&shape), "invalid_request");
    assert!(shape.audit.is_empty());
    let mut credential = authenticator.assert(&options);
    credential["response"]["authenticatorData"] = json!(crate::encoding::b64url(&[0xff; 40]));
    let cbor = verify(&env, credential);
    assert_eq!(code(&cbor), "invalid_credentials");
    assert_eq!(
        events(&cbor)[0],
        ("passkey_failed", Some("malformed".into()))
    );
}

// --- the second factor ----------------------------------------------------------------

#[test]
fn a_passkey_is_the_second_factor_after_a_password_and_binds_to_its_mfa_token() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(17);
    let (client, view) = with_passkey(&env, "second@example.com", &mut authenticator);
    mfa_kit::enable_totp(&env, &client);
    let token = mfa_kit::mfa_token(&env, "second@example.com", "token");
    let other_token = mfa_kit::mfa_token(&env, "second@example.com", "token");
    let options = env.serve::<Login>(
        &request(Method::Post, "/auth/login/mfa/passkey/options").json(json!({"mfa_token": token})),
    );
    assert_eq!(options.response.status, 200);
    let options = body(&options);
    assert_eq!(options["options"]["userVerification"], "preferred");
    assert_eq!(
        options["options"]["allowCredentials"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // An assertion for one MFA token does not finish another.
    let assertion = authenticator.assert(&options);
    let foreign = mfa_kit::second_step(
        &env,
        json!({"mfa_token": other_token, "credential": assertion}),
    );
    assert_eq!(code(&foreign), "invalid_mfa");
    assert_eq!(
        events(&foreign)[0],
        ("passkey_failed", Some("wrong_ceremony".into()))
    );

    let options = env.serve::<Login>(
        &request(Method::Post, "/auth/login/mfa/passkey/options").json(json!({"mfa_token": token})),
    );
    let mut parts = authenticator.parts(&body(&options));
    parts.flags &= !0x04; // UV is not required for a second factor.
    let done = mfa_kit::second_step(
        &env,
        json!({"mfa_token": token, "credential": authenticator.sign(&parts)}),
    );
    assert_eq!(done.response.status, 200, "{:?}", body(&done));
    assert_eq!(events(&done), [("login_succeeded", None)]);
    assert_eq!(done.audit[0].detail["mfa"], "passkey");
    assert_eq!(
        done.audit[0].detail["passkey_id"],
        view["id"].as_str().unwrap()
    );
    // The token is used up.
    let again = mfa_kit::second_step(&env, json!({"mfa_token": token, "code": "000000"}));
    assert_eq!(code(&again), "unauthenticated");
}

#[test]
fn a_code_and_a_passkey_together_are_refused() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(18);
    let (client, _) = with_passkey(&env, "both@example.com", &mut authenticator);
    mfa_kit::enable_totp(&env, &client);
    let token = mfa_kit::mfa_token(&env, "both@example.com", "token");
    let credential = authenticator.assert(&sign_in_options(&env));
    let both = mfa_kit::second_step(
        &env,
        json!({"mfa_token": token, "code": "123456", "credential": credential}),
    );
    assert_eq!(code(&both), "invalid_request");
}

// --- management -----------------------------------------------------------------------

#[test]
fn the_last_way_to_sign_in_cannot_be_removed() {
    let env = TestEnv::new();
    let mut first = Authenticator::new(19);
    let mut second = Authenticator::new(20);
    let (client, one) = with_passkey(&env, "last@example.com", &mut first);
    let two = register(&env, &client, &mut second);
    // An account without a password (as a social or passkey-only one would be).
    testkit::edit_user(&env, &client.user_id, |user| {
        user.password_hash = String::new()
    });
    let path = |view: &Value| alloc::format!("/api/me/passkeys/{}", view["id"].as_str().unwrap());
    let removed = api(&env, &client, Method::Delete, &path(&one), None);
    assert_eq!(removed.response.status, 204);
    assert_eq!(events(&removed), [("passkey_removed", None)]);
    assert_eq!(removed.mails.len(), 1);
    let last = api(&env, &client, Method::Delete, &path(&two), None);
    assert_eq!(code(&last), "invalid_request");
    assert_eq!(stored_passkeys(&env, &client.user_id).len(), 1);
    assert_eq!(
        stored_passkeys(&env, &client.user_id)[0].removing_since_ms,
        None,
        "unmarked again"
    );
    // The removed one no longer signs in; the last one does.
    assert_eq!(
        code(&verify(&env, first.assert(&sign_in_options(&env)))),
        "invalid_credentials"
    );
    assert_eq!(
        verify(&env, second.assert(&sign_in_options(&env)))
            .response
            .status,
        200
    );
}

#[test]
fn a_passkey_another_removal_has_marked_does_not_count_as_a_way_to_sign_in() {
    let env = TestEnv::new();
    let mut first = Authenticator::new(21);
    let mut second = Authenticator::new(22);
    let (client, one) = with_passkey(&env, "race@example.com", &mut first);
    let two = register(&env, &client, &mut second);
    testkit::edit_user(&env, &client.user_id, |user| {
        user.password_hash = String::new()
    });
    // A concurrent removal of `two` has marked it and not yet counted.
    pollster::block_on(async {
        let (mut record, raw) =
            passkey::load(env.atomic(), &client.user_id, two["id"].as_str().unwrap())
                .await
                .unwrap()
                .unwrap();
        record.removing_since_ms = Some(crate::Clock::now_ms(&*env.clock));
        assert!(passkey::swap(env.atomic(), &raw, &record).await.unwrap());
    });
    let path = alloc::format!("/api/me/passkeys/{}", one["id"].as_str().unwrap());
    assert_eq!(
        code(&api(&env, &client, Method::Delete, &path, None)),
        "invalid_request"
    );
    // A mark older than a minute (a removal that died) no longer counts.
    env.advance_secs(61);
    assert_eq!(
        api(&env, &client, Method::Delete, &path, None)
            .response
            .status,
        204
    );
}

/// A linked provider account written straight into the user record (the social flows
/// have their own tests; here it only has to count as a way to sign in).
fn link_identity(env: &TestEnv, user_id: &str, provider: &str, marked_at: Option<u64>) {
    testkit::edit_user(env, user_id, |user| {
        user.identities
            .push(crate::model::identity::LinkedIdentity {
                provider: provider.into(),
                subject: "ct".into(),
                email: None,
                index: "k.i".into(),
                linked_at_ms: 0,
                removing_since_ms: marked_at,
            })
    });
}

#[test]
fn a_linked_identity_counts_as_a_way_to_sign_in_when_the_last_passkey_goes() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(41);
    let (client, view) = with_passkey(&env, "linked@example.com", &mut authenticator);
    testkit::edit_user(&env, &client.user_id, |user| user.password_hash.clear());
    link_identity(&env, &client.user_id, "acme", None);
    let path = alloc::format!("/api/me/passkeys/{}", view["id"].as_str().unwrap());
    assert_eq!(
        api(&env, &client, Method::Delete, &path, None)
            .response
            .status,
        204
    );
    assert!(stored_passkeys(&env, &client.user_id).is_empty());
}

#[test]
fn a_passkey_counts_as_a_way_to_sign_in_when_the_last_identity_is_unlinked() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(42);
    let (client, _) = with_passkey(&env, "unlink@example.com", &mut authenticator);
    testkit::edit_user(&env, &client.user_id, |user| user.password_hash.clear());
    link_identity(&env, &client.user_id, "acme", None);
    let unlinked = api(
        &env,
        &client,
        Method::Delete,
        "/api/me/identities/acme",
        None,
    );
    assert_eq!(unlinked.response.status, 204, "{:?}", body(&unlinked));
    assert!(testkit::stored_user(&env, &client.user_id)
        .identities
        .is_empty());
    // Now the passkey is the last way in.
    let views = body(&api(&env, &client, Method::Get, "/api/me/passkeys", None));
    let id = views["passkeys"][0]["id"].as_str().unwrap().to_string();
    let path = alloc::format!("/api/me/passkeys/{id}");
    assert_eq!(
        code(&api(&env, &client, Method::Delete, &path, None)),
        "invalid_request"
    );
}

#[test]
fn a_passkey_and_an_identity_removed_concurrently_cannot_both_go() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(43);
    let (client, view) = with_passkey(&env, "both-ways@example.com", &mut authenticator);
    testkit::edit_user(&env, &client.user_id, |user| user.password_hash.clear());
    let now = crate::Clock::now_ms(&*env.clock);
    // An unlink of the identity has marked it and not yet counted: the passkey stays.
    link_identity(&env, &client.user_id, "acme", Some(now));
    let path = alloc::format!("/api/me/passkeys/{}", view["id"].as_str().unwrap());
    assert_eq!(
        code(&api(&env, &client, Method::Delete, &path, None)),
        "invalid_request"
    );
    assert_eq!(
        stored_passkeys(&env, &client.user_id)[0].removing_since_ms,
        None
    );
    // A removal of the passkey has marked it and not yet counted: the identity stays,
    // unmarked again.
    testkit::edit_user(&env, &client.user_id, |user| {
        user.identities[0].removing_since_ms = None
    });
    pollster::block_on(async {
        let (mut record, raw) =
            passkey::load(env.atomic(), &client.user_id, view["id"].as_str().unwrap())
                .await
                .unwrap()
                .unwrap();
        record.removing_since_ms = Some(now);
        assert!(passkey::swap(env.atomic(), &raw, &record).await.unwrap());
    });
    let refused = api(
        &env,
        &client,
        Method::Delete,
        "/api/me/identities/acme",
        None,
    );
    assert_eq!(code(&refused), "invalid_request");
    let stored = testkit::stored_user(&env, &client.user_id);
    assert_eq!(stored.identities.len(), 1);
    assert_eq!(stored.identities[0].removing_since_ms, None);
}

#[test]
fn another_users_passkey_ids_are_not_found() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(23);
    let (_, view) = with_passkey(&env, "owner@example.com", &mut authenticator);
    let intruder = account(&env, "intruder@example.com");
    let path = alloc::format!("/api/me/passkeys/{}", view["id"].as_str().unwrap());
    assert_eq!(
        code(&api(&env, &intruder, Method::Delete, &path, None)),
        "not_found"
    );
    assert_eq!(
        code(&api(
            &env,
            &intruder,
            Method::Put,
            &path,
            Some(json!({"name": "mine"}))
        )),
        "not_found"
    );
    assert_eq!(
        code(&api(
            &env,
            &intruder,
            Method::Put,
            "/api/me/passkeys/nope",
            Some(json!({"name": "x"}))
        )),
        "not_found"
    );
    let bad_name = api(
        &env,
        &intruder,
        Method::Put,
        &path,
        Some(json!({"name": "a\u{7}b"})),
    );
    assert_eq!(code(&bad_name), "invalid_request");
}

// --- GDPR -----------------------------------------------------------------------------

#[test]
fn the_export_holds_each_passkeys_public_data() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(24);
    let (client, view) = with_passkey(&env, "export@example.com", &mut authenticator);
    let export = body(&api(&env, &client, Method::Get, "/api/me/export", None));
    let item = &export["passkeys"][0];
    assert_eq!(item["id"], view["id"]);
    assert_eq!(
        item["credential_id"],
        crate::encoding::b64url(&authenticator.credential_id)
    );
    assert_eq!(
        item["public_key"],
        crate::encoding::b64url(&authenticator.cose_key())
    );
    assert_eq!(item["algorithm"], -8, "the COSE algorithm");
    assert!(item["created_at"].is_string(), "times as RFC 3339");
    assert!(item.get("user_id").is_none() && item.get("removing_since_ms").is_none());
    assert!(export["profile"]["webauthn_user_handle"].is_string());
}

#[test]
fn erasure_removes_the_passkeys_and_their_credential_index() {
    let env = TestEnv::new();
    let mut authenticator = Authenticator::new(25);
    let (client, _) = with_passkey(&env, "erase@example.com", &mut authenticator);
    let erased = forwarded(
        &env,
        &client,
        Method::Delete,
        "/api/me",
        json!({"password": PASSWORD}),
    );
    assert_eq!(erased.response.status, 204);
    let index =
        pollster::block_on(passkey::lookup(env.atomic(), &authenticator.credential_id)).unwrap();
    assert_eq!(index, None);
    assert!(stored_passkeys(&env, &client.user_id).is_empty());
    let after = verify(&env, authenticator.assert(&sign_in_options(&env)));
    assert_eq!(
        events(&after)[0],
        ("passkey_failed", Some("unknown_credential".into()))
    );
}

// --- configuration --------------------------------------------------------------------

#[test]
fn with_passkeys_off_their_routes_are_not_found() {
    let env = TestEnv::with_config(testkit::config(&[("PASSKEYS", "false")]));
    assert_eq!(env.config.passkeys, None);
    let options = env.serve::<Login>(&request(Method::Post, "/auth/passkey/options"));
    assert_eq!(options.response.status, 404);
    let record = testkit::seed_user(&env, "nopk@example.com", true);
    let client = testkit::sign_in(&env, &record.id, "token");
    assert_eq!(
        api(&env, &client, Method::Get, "/api/me/passkeys", None)
            .response
            .status,
        404
    );
    let _ = env.serve::<Api>(&request(Method::Get, "/api/health"));
}
