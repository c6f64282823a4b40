//! Data at rest through whole requests: what the store holds, and a key rotation
//! from write to removal of the old key (`docs/encryption.md` §7).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::json;

use super::{sweep_page, SweepReport};
use crate::functions::{Api, Login};
use crate::http::Method;
use crate::policy::mfa::base32;
use crate::testkit::mfa::*;
use crate::testkit::{self, Client, TestEnv};

const KEY_A: &str = "data-1:7rpAkmsWGjVxwmG0gHkb4PsVjAMLiezd_Ys3xF3wobA";
const KEY_B: &str = "data-2:qHMKllDMn1NVFNL_Acb7sKILIFz9nBuOi8ncSknWMRQ";
const ROOT: &str = "root@example.com";

fn keys(ring: &str) -> crate::Config {
    testkit::config(&[
        ("DATA_ENCRYPTION_KEYS", ring),
        ("BOOTSTRAP_ADMIN_EMAILS", ROOT),
    ])
}

fn sweep(env: &TestEnv, dry_run: bool) -> SweepReport {
    let mut total = SweepReport {
        dry_run,
        ..SweepReport::default()
    };
    let mut cursor: Option<String> = None;
    loop {
        let page = pollster::block_on(sweep_page(&env.config, env, cursor.as_deref(), 2, dry_run))
            .unwrap();
        total.users += page.users;
        total.ciphertexts.current += page.ciphertexts.current;
        total.ciphertexts.moved += page.ciphertexts.moved;
        total.ciphertexts.failed += page.ciphertexts.failed;
        total.email_indexes.current += page.email_indexes.current;
        total.email_indexes.moved += page.email_indexes.moved;
        total.email_indexes.failed += page.email_indexes.failed;
        total.users_with_stale_recovery_codes += page.users_with_stale_recovery_codes;
        total.failed_user_ids.extend(page.failed_user_ids);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    total.complete = total.ciphertexts.moved == 0
        && total.ciphertexts.failed == 0
        && total.email_indexes.moved == 0
        && total.email_indexes.failed == 0;
    total
}

/// Every stored key and value, as one text to search.
fn scan(env: &TestEnv) -> String {
    env.store
        .dump()
        .into_iter()
        .map(|(key, value)| alloc::format!("{key}\n{value}\n"))
        .collect()
}

/// Password + TOTP login in token mode works and `/api/me` shows the address.
fn can_sign_in(env: &TestEnv, email: &str, secret: &[u8]) {
    env.advance_secs(crate::policy::mfa::totp::STEP_SECS);
    let client = mfa_login(env, email, secret, "token");
    let me = api(env, &client, Method::Get, "/api/me", None);
    assert_eq!(me.response.status, 200);
    assert_eq!(testkit::body(&me.response)["email"], email);
}

#[test]
fn a_store_scan_shows_no_plaintext_email_or_totp_secret() {
    let env = TestEnv::new();
    let id = registered(&env, "Wanda.Scan@Example.com");
    let client = signed_in(&env, "wanda.scan@example.com", "cookie");
    let (secret, _) = enable_totp(&env, &client);
    let pending_client = {
        registered(&env, "pending.person@example.com");
        signed_in(&env, "pending.person@example.com", "token")
    };
    let (pending_secret, _) = setup(&env, &pending_client);

    let text = scan(&env);
    // The scan sees the records (ids and ciphertexts under the active key)…
    assert!(text.contains(&id));
    assert!(text.contains("v1.data-2."));
    assert!(text.contains("email/data-2."));
    // …and no address, in any spelling, and no secret, in any encoding.
    for needle in [
        "wanda.scan@example.com",
        "Wanda.Scan@Example.com",
        "wanda.scan",
        "pending.person",
        &base32::encode(&secret),
        &base32::encode(&secret).to_lowercase(),
        &crate::encoding::hex(&secret),
        &crate::encoding::b64url(&secret),
        &base32::encode(&pending_secret),
        &crate::encoding::hex(&pending_secret),
    ] {
        assert!(!text.contains(needle), "{needle} in the store");
    }
}

#[test]
fn a_rotation_writes_with_a_reads_with_b_and_a_sweeps_and_reads_with_b_alone() {
    // 1. Write with key A only.
    let mut env = TestEnv::with_config(keys(KEY_A));
    let admin = registered(&env, ROOT);
    let alice_id = registered(&env, "alice@example.com");
    let alice = signed_in(&env, "alice@example.com", "token");
    let (secret, codes) = enable_totp(&env, &alice);
    let before = scan(&env);
    assert!(before.contains("v1.data-1.") && !before.contains("v1.data-2."));

    // 2. Put B first, keep A: old values still decrypt and are still found.
    env.config = keys(&alloc::format!("{KEY_B},{KEY_A}"));
    can_sign_in(&env, "alice@example.com", &secret);
    let bob_id = registered(&env, "bob@example.com");
    let bob_record = testkit::stored_user(&env, &bob_id);
    assert!(
        bob_record.email.ciphertext().starts_with("v1.data-2."),
        "new writes use B"
    );
    // Registering Alice again during the rotation: taken (her entry is under A).
    let again = env.serve::<Login>(&testkit::RequestExt::json(
        testkit::request(Method::Post, "/auth/register"),
        json!({"email": "alice@example.com", "password": PASSWORD}),
    ));
    assert_eq!(again.response.status, 202);
    assert!(again.mails[0].subject.contains("Sign-up attempt"));
    assert!(!scan(&env).contains(&alloc::format!(
        "email/{}",
        crate::model::email::email_index(&env.config, "alice@example.com")
    )));

    // 3. A dry run counts and writes nothing.
    let snapshot = env.store.dump();
    let dry = sweep(&env, true);
    assert_eq!(env.store.dump(), snapshot, "a dry run writes nothing");
    assert!(!dry.complete);
    assert_eq!(dry.users, 3);
    assert_eq!(
        dry.ciphertexts.moved, 3,
        "root's and alice's emails, alice's secret"
    );
    assert_eq!(dry.email_indexes.moved, 2);

    // 4. The sweep, through the admin route, one page at a time.
    let root = Client::from_answer(&login(&env, ROOT, "token").response, "token");
    let mut cursor = serde_json::Value::Null;
    let mut moved = 0;
    loop {
        let outcome = env.serve::<Api>(&root.authorize(testkit::RequestExt::json(
            testkit::request(Method::Post, "/api/admin/data-keys/sweep"),
            json!({"cursor": cursor, "limit": 1}),
        )));
        assert_eq!(outcome.response.status, 200);
        let page = testkit::body(&outcome.response);
        moved += page["ciphertexts"]["moved"].as_u64().unwrap();
        assert_eq!(page["failed_user_ids"], json!([]));
        cursor = page["next_cursor"].clone();
        if cursor.is_null() {
            break;
        }
    }
    assert_eq!(moved, 3);
    // 5. Verification pass: nothing left to move, nothing failed.
    let verify = sweep(&env, true);
    assert!(verify.complete, "{verify:?}");
    assert_eq!(verify.ciphertexts.current, 4);
    assert_eq!(verify.email_indexes.current, 3);
    assert_eq!(
        verify.users_with_stale_recovery_codes, 1,
        "alice must regenerate"
    );
    let after = scan(&env);
    assert!(!after.contains("v1.data-1.") && !after.contains("email/data-1."));
    assert!(after.contains(&admin) && after.contains(&alice_id));

    // 6. Remove A: everything still reads.
    env.config = keys(KEY_B);
    can_sign_in(&env, "alice@example.com", &secret);
    let bob = signed_in(&env, "bob@example.com", "token");
    assert_eq!(
        testkit::body(&api(&env, &bob, Method::Get, "/api/me", None).response)["email"],
        "bob@example.com"
    );
    // Recovery codes hashed under A are what the report warned about.
    let token = mfa_token(&env, "alice@example.com", "token");
    let stale = second_step(&env, json!({"mfa_token": token, "recovery_code": codes[0]}));
    assert_eq!(stale.response.status, 401);
}

#[test]
fn the_sweep_reports_unreadable_values_and_leaves_them_untouched() {
    let mut env = TestEnv::with_config(keys(KEY_A));
    let id = registered(&env, "carl@example.com");
    let other = registered(&env, "dina@example.com");
    env.config = keys(&alloc::format!("{KEY_B},{KEY_A}"));
    testkit::edit_user(&env, &id, |user| {
        let text = user.email.ciphertext().to_string();
        let mut flipped = String::from(&text[..text.len() - 1]);
        flipped.push(if text.ends_with('A') { 'B' } else { 'A' });
        user.email = crate::model::email::StoredEmail::from_ciphertext(flipped);
    });
    let tampered = testkit::stored_user(&env, &id);
    let report = sweep(&env, false);
    assert_eq!(report.ciphertexts.failed, 1);
    assert_eq!(report.email_indexes.failed, 1);
    assert_eq!(report.failed_user_ids, core::slice::from_ref(&id));
    assert!(!report.complete);
    assert_eq!(testkit::stored_user(&env, &id), tampered, "never rewritten");
    let moved = testkit::stored_user(&env, &other);
    assert!(moved.email.ciphertext().starts_with("v1.data-2."));
    // Logging in to the tampered account fails closed, and writes nothing.
    let outcome = login(&env, "carl@example.com", "token");
    assert_eq!(outcome.response.status, 503);
    assert!(testkit::set_cookies(&outcome.response).is_empty());
    assert_eq!(testkit::stored_user(&env, &id), tampered);
    assert!(!scan(&env).contains(&alloc::format!("user/{id}\u{0}session")));
    assert_eq!(
        scan(&env)
            .matches(&alloc::format!("atomic/user/{id}/session/"))
            .count(),
        0,
        "no session was started"
    );
}

#[test]
fn a_sweep_racing_a_login_loses_nothing() {
    let mut env = TestEnv::with_config(keys(KEY_A));
    registered(&env, "eli@example.com");
    let client = signed_in(&env, "eli@example.com", "token");
    let (secret, _) = enable_totp(&env, &client);
    let id = user_id_of(&env, "eli@example.com").unwrap();
    env.config = keys(&alloc::format!("{KEY_B},{KEY_A}"));
    let token = mfa_token(&env, "eli@example.com", "token");
    let request = testkit::RequestExt::json(
        testkit::request(Method::Post, "/auth/login/mfa"),
        json!({"mfa_token": token, "code": code_now(&env, &secret)}),
    );
    env.interleave(true);
    let (login, report) = pollster::block_on(futures::future::join(
        env.serve_async::<Login>(&request),
        sweep_page(&env.config, &env, None, 10, false),
    ));
    env.interleave(false);
    assert_eq!(login.response.status, 200);
    let report = report.unwrap();
    assert_eq!(report.failed_user_ids, Vec::<String>::new());
    let stored = testkit::stored_user(&env, &id);
    // Both writes landed: the login's step and last_login_at, the sweep's new key.
    assert!(stored.last_login_at_ms.is_some());
    assert_eq!(
        stored.mfa.totp_last_step,
        Some(crate::policy::mfa::totp::time_step(
            crate::Clock::now_ms(&*env.clock) / 1000
        ))
    );
    assert!(stored.email.ciphertext().starts_with("v1.data-2."));
    assert!(stored.mfa.totp_secret.unwrap().starts_with("v1.data-2."));
}

#[test]
fn the_sweep_route_is_admin_only_and_validates_its_body() {
    let env = TestEnv::with_config(keys(KEY_B));
    registered(&env, ROOT);
    registered(&env, "fred@example.com");
    let fred = signed_in(&env, "fred@example.com", "token");
    let root = signed_in(&env, ROOT, "token");
    let path = "/api/admin/data-keys/sweep";
    let denied = api(&env, &fred, Method::Post, path, Some(json!({})));
    assert_eq!(denied.response.status, 403);
    let anonymous = env.serve::<Api>(&testkit::request(Method::Post, path));
    assert_eq!(anonymous.response.status, 401);
    for bad in [
        json!({"limit": 0}),
        json!({"limit": 101}),
        json!({"cursor": 5}),
        json!({"keys": []}),
    ] {
        assert_eq!(
            api(&env, &root, Method::Post, path, Some(bad))
                .response
                .status,
            400
        );
    }
    let empty_body = env.serve::<Api>(&root.authorize(testkit::request(Method::Post, path)));
    assert_eq!(empty_body.response.status, 200);
    let report = testkit::body(&empty_body.response);
    assert_eq!(report["complete"], true);
    assert_eq!(report["users"], 2);
    let text = report.to_string();
    assert!(!text.contains("@") && !text.contains("v1."), "{text}");
    // Audited with the acting admin and counts only; refusals are not.
    assert!(denied.audit.is_empty());
    let [event] = empty_body.audit.as_slice() else {
        panic!("one event: {:?}", empty_body.audit);
    };
    assert_eq!(event.event.as_str(), "data_keys_swept");
    assert_eq!(event.actor_id.as_deref(), Some(root.user_id.as_str()));
    assert_eq!(event.detail["users"], "2");
    assert_eq!(event.detail["dry_run"], "false");
    assert_eq!(event.detail["complete"], "true");
    assert!(!alloc::format!("{:?}", event.detail).contains('@'));
}
