//! Consents, export, erasure and the retention sweep through whole requests, with
//! store scans for what erasure must leave behind.

use alloc::format;
use alloc::string::{String, ToString};

use alloc::vec::Vec;
use serde_json::json;

use super::retention;
use crate::http::Method;
use crate::testkit;
use crate::testkit::api::{answer, code, Kit};

fn put_consents(
    kit: &Kit,
    client: &testkit::Client,
    body: serde_json::Value,
) -> crate::app::Outcome {
    kit.call(Some(client), Method::Put, "/api/me/consents", Some(body))
}

#[test]
fn consents_round_trip_and_withdrawal_is_one_request() {
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    let (status, empty) = answer(&kit.get(&alice, "/api/me/consents"));
    assert_eq!((status, empty), (200, undecided()));

    let granted = put_consents(
        &kit,
        &alice,
        json!({"consents": {"marketing_email": {"granted": true, "version": "2026-01"},
                            "analytics": {"granted": false, "version": "v1"}}}),
    );
    let (status, body) = answer(&granted);
    assert_eq!(status, 200);
    assert_eq!(body["consents"]["marketing_email"]["granted"], true);
    assert_eq!(body["consents"]["marketing_email"]["version"], "2026-01");
    assert!(body["consents"]["marketing_email"]["updated_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    assert_eq!(granted.audit.len(), 2);
    assert!(granted
        .audit
        .iter()
        .all(|e| e.event.as_str() == "consent_changed"
            && e.actor_id.as_deref() == Some(alice.user_id.as_str())));

    let withdrawn = put_consents(
        &kit,
        &alice,
        json!({"consents": {"marketing_email": {"granted": false, "version": "2026-01"}}}),
    );
    assert_eq!(withdrawn.audit.len(), 1);
    assert_eq!(withdrawn.audit[0].detail["purpose"], "marketing_email");
    assert_eq!(withdrawn.audit[0].detail["granted"], "false");
    let (_, now) = answer(&kit.get(&alice, "/api/me/consents"));
    assert_eq!(now["consents"]["marketing_email"]["granted"], false);
    assert_eq!(
        now["consents"]["analytics"]["version"], "v1",
        "others untouched"
    );

    let repeat = put_consents(
        &kit,
        &alice,
        json!({"consents": {"marketing_email": {"granted": false, "version": "2026-01"}}}),
    );
    assert_eq!(repeat.response.status, 200);
    assert!(repeat.audit.is_empty(), "no change, no event");

    let bob = kit.user("bob@example.com", &[]);
    assert_eq!(answer(&kit.get(&bob, "/api/me/consents")).1, undecided());
}

/// The consents of a user who decided nothing: every known purpose, not granted.
fn undecided() -> serde_json::Value {
    let nothing = json!({"granted": false, "version": null, "updated_at": null});
    json!({"consents": {
        "analytics": nothing, "marketing_email": nothing, "product_updates": nothing,
    }})
}

#[test]
fn consents_list_every_known_purpose_before_any_decision() {
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    let (status, body) = answer(&kit.get(&alice, "/api/me/consents"));
    assert_eq!(status, 200);
    let purposes: Vec<&str> = body["consents"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut known = super::consents::PURPOSES.to_vec();
    known.sort_unstable();
    assert_eq!(purposes, known, "every purpose the service knows");
    assert_eq!(body, undecided());
    // One decision fills in that purpose; the others stay listed, undecided.
    let (_, after) = answer(&put_consents(
        &kit,
        &alice,
        json!({"consents": {"analytics": {"granted": true, "version": "v1"}}}),
    ));
    assert_eq!(after["consents"]["analytics"]["granted"], true);
    assert_eq!(after["consents"]["analytics"]["version"], "v1");
    assert_eq!(
        after["consents"]["marketing_email"],
        undecided()["consents"]["marketing_email"]
    );
    assert_eq!(after["consents"].as_object().unwrap().len(), 3);
    // The export shows the same view.
    let (_, export) = answer(&kit.get(&alice, "/api/me/export"));
    assert_eq!(export["consents"], after["consents"]);
}

#[test]
fn consents_accept_only_known_purposes_and_plain_versions() {
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    for body in [
        json!({"consents": {"selling_data": {"granted": true, "version": "v1"}}}),
        json!({"consents": {"analytics": {"granted": true, "version": ""}}}),
        json!({"consents": {"analytics": {"granted": true, "version": "alice@example.com"}}}),
        json!({"consents": {"analytics": {"granted": true, "version": "v1", "updated_at": "x"}}}),
        json!({"consents": {"analytics": {"granted": "yes", "version": "v1"}}}),
        json!({"consents": {}}),
        json!({"consents": {"analytics": {"granted": true, "version": "v1"}}, "user_id": "x"}),
    ] {
        assert_eq!(
            code(&put_consents(&kit, &alice, body.clone())),
            "invalid_request",
            "{body}"
        );
    }
}

#[test]
fn the_export_holds_every_record_about_the_caller_and_no_secret() {
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    let bob = kit.user("bob@example.com", &[]);
    testkit::edit_user(&kit.env, &alice.user_id, |user| {
        user.mfa.recovery_codes = alloc::vec!["hash-of-a-code".into()];
        user.mfa.totp_secret = Some("ciphertext-of-the-secret".into());
        user.mfa_enabled = true;
    });
    put_consents(
        &kit,
        &alice,
        json!({"consents": {"analytics": {"granted": true, "version": "v3"}}}),
    );
    let own = answer(&kit.call(
        Some(&alice),
        Method::Post,
        "/api/documents",
        Some(json!({"title": "Mine", "body": "m"})),
    ))
    .1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let theirs = answer(&kit.call(
        Some(&bob),
        Method::Post,
        "/api/documents",
        Some(json!({"title": "Bob's", "body": "b"})),
    ))
    .1["id"]
        .as_str()
        .unwrap()
        .to_string();
    kit.call(
        Some(&bob),
        Method::Post,
        &format!("/api/documents/{theirs}/shares"),
        Some(json!({"user_id": alice.user_id, "permission": "write"})),
    );

    let outcome = kit.get(&alice, "/api/me/export");
    let (status, export) = answer(&outcome);
    assert_eq!(status, 200);
    assert_eq!(
        outcome.response.header("content-disposition"),
        Some("attachment; filename=\"edgeauth-export.json\"")
    );
    assert_eq!(export["profile"]["id"], alice.user_id.as_str());
    assert_eq!(export["profile"]["email"], "alice@example.com");
    assert_eq!(export["roles"], json!(["user"]));
    assert_eq!(export["mfa"]["totp_enabled"], true);
    assert_eq!(export["mfa"]["recovery_codes_remaining"], 1);
    assert_eq!(export["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(export["sessions"][0]["id"], alice.session_id.as_str());
    assert_eq!(export["consents"]["analytics"]["version"], "v3");
    assert_eq!(export["documents"]["owned"][0]["id"], own.as_str());
    assert_eq!(
        export["documents"]["shared_with_me"][0]["id"],
        theirs.as_str()
    );
    assert_eq!(
        export["documents"]["shared_with_me"][0]["permission"],
        "write"
    );
    let events: Vec<&str> = export["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert!(events.contains(&"consent_changed"), "{events:?}");
    assert_eq!(export["activity_complete"], true);
    assert_eq!(outcome.audit[0].event.as_str(), "data_exported");

    let text = core::str::from_utf8(&outcome.response.body).unwrap();
    let stored = testkit::stored_user(&kit.env, &alice.user_id);
    let session = testkit::stored_session(&kit.env, &alice.user_id, &alice.session_id);
    for secret in [
        stored.password_hash.as_str(),
        "ciphertext-of-the-secret",
        "hash-of-a-code",
        session.rotation.current_hash.as_str(),
        alice.refresh.as_str(),
        alice.access.as_str(),
    ] {
        assert!(!text.contains(secret), "export leaks {secret}");
    }
}

/// Every stored record (records and atomics) that mentions `needle`.
fn records_holding(kit: &Kit, needle: &str) -> Vec<(String, String)> {
    kit.env
        .store
        .dump()
        .into_iter()
        .filter(|(key, value)| key.contains(needle) || value.contains(needle))
        .collect()
}

#[cfg(feature = "password")]
mod erase {
    use super::*;
    use crate::testkit::api::PASSWORD;

    fn erase(kit: &Kit, client: &testkit::Client, password: &str) -> crate::app::Outcome {
        kit.call(
            Some(client),
            Method::Delete,
            "/api/me",
            Some(json!({ "password": password })),
        )
    }

    #[test]
    fn erasure_needs_the_password_and_leaves_no_record_of_the_account() {
        let kit = Kit::new();
        let alice = kit.user_with_password("alice@example.com", &[]);
        let bob = kit.user("bob@example.com", &[]);
        let mine = answer(&kit.call(
            Some(&alice),
            Method::Post,
            "/api/documents",
            Some(json!({"title": "Mine", "body": "private"})),
        ))
        .1["id"]
            .as_str()
            .unwrap()
            .to_string();
        kit.call(
            Some(&alice),
            Method::Post,
            &format!("/api/documents/{mine}/shares"),
            Some(json!({"user_id": bob.user_id, "permission": "read"})),
        );
        let bobs = answer(&kit.call(
            Some(&bob),
            Method::Post,
            "/api/documents",
            Some(json!({"title": "Bob's", "body": "b"})),
        ))
        .1["id"]
            .as_str()
            .unwrap()
            .to_string();
        kit.call(
            Some(&bob),
            Method::Post,
            &format!("/api/documents/{bobs}/shares"),
            Some(json!({"user_id": alice.user_id, "permission": "write"})),
        );
        put_consents(
            &kit,
            &alice,
            json!({"consents": {"analytics": {"granted": true, "version": "v1"}}}),
        );
        assert!(!records_holding(&kit, &alice.user_id).is_empty());

        let wrong = erase(&kit, &alice, "not the password");
        assert_eq!(code(&wrong), "invalid_credentials");
        assert_eq!(
            kit.get(&alice, "/api/me").response.status,
            200,
            "nothing happened"
        );

        let outcome = erase(&kit, &alice, PASSWORD);
        assert_eq!(outcome.response.status, 204);
        assert_eq!(
            outcome.response.header("clear-site-data"),
            Some("\"cookies\", \"storage\"")
        );
        let event = &outcome.audit[0];
        assert_eq!(event.event.as_str(), "account_deleted");
        assert_eq!(event.subject_id.as_deref(), Some(alice.user_id.as_str()));
        assert_eq!(code(&kit.get(&alice, "/api/me")), "unauthenticated");

        // Nothing but pseudonymous audit events names the account, nothing at all
        // holds the address or is keyed by it (the lockout state of the wrong
        // password above included).
        for (key, _) in records_holding(&kit, &alice.user_id) {
            assert!(key.starts_with("audit/"), "left behind: {key}");
        }
        assert!(records_holding(&kit, "alice@example.com").is_empty());
        let config = &kit.env.config;
        for index in crate::model::email::email_index_candidates(config, "alice@example.com") {
            let left: Vec<String> = records_holding(&kit, &index)
                .into_iter()
                .map(|(key, _)| key)
                .collect();
            assert!(left.is_empty(), "keyed by the address: {left:?}");
        }
        assert_eq!(
            kit.get(&bob, &format!("/api/documents/{mine}"))
                .response
                .status,
            404
        );
        let (_, bobs_doc) = answer(&kit.get(&bob, &format!("/api/documents/{bobs}")));
        assert_eq!(
            bobs_doc["shares"],
            json!([]),
            "the erased user's share is gone"
        );
        let (_, list) = answer(&kit.get(&bob, "/api/documents"));
        assert_eq!(list["documents"].as_array().unwrap().len(), 1);

        // The address can register again.
        let again = kit.user("alice@example.com", &[]);
        assert_ne!(again.user_id, alice.user_id);
    }

    #[test]
    fn erasure_deletes_reset_tokens_mfa_challenges_and_what_is_keyed_by_the_address() {
        use crate::ctx::Services;
        let kit = Kit::new();
        let alice = kit.user_with_password("alice@example.com", &[]);
        // A reset token (and the address's reset-mail counter), an open MFA challenge,
        // a lockout state (one wrong password), the per-user API counter.
        use crate::testkit::RequestExt;
        let forgot = kit.env.serve::<crate::functions::Reset>(
            &testkit::request(Method::Post, "/auth/password/forgot")
                .json(json!({"email": "alice@example.com"})),
        );
        assert_eq!(forgot.mails.len(), 1, "a reset token was issued");
        let alice_record =
            pollster::block_on(crate::model::user::load(kit.env.atomic(), &alice.user_id))
                .unwrap()
                .unwrap();
        pollster::block_on(crate::flows::mfa::challenge::issue(
            kit.env.atomic(),
            kit.env.random(),
            &alice_record,
            crate::model::session::Mode::Token,
            testkit::START_MS,
        ))
        .unwrap();
        assert_eq!(
            code(&erase(&kit, &alice, "not the password")),
            "invalid_credentials"
        );
        let config = &kit.env.config;
        let indexes = crate::model::email::email_index_candidates(config, "alice@example.com");
        let keyed = |kit: &Kit| -> Vec<String> {
            let dump = kit.env.store.dump();
            dump.into_iter()
                .map(|(key, _)| key)
                .filter(|key| {
                    // The in-memory store's atomic keys: `\0atomic/{shard length}/{shard}/…`.
                    let shard = key.splitn(3, '/').nth(2).unwrap_or("");
                    shard.starts_with("reset/")
                        || shard.starts_with("mfa-login/")
                        || shard.starts_with("ratelimit/user/")
                        || indexes.iter().any(|index| key.contains(index.as_str()))
                })
                .collect()
        };
        let before = keyed(&kit);
        for kind in [
            "/reset/",
            "/mfa-login/",
            "/lockout/",
            "/ratelimit/email/",
            "/ratelimit/user/",
        ] {
            assert!(
                before.iter().any(|key| key.contains(kind)),
                "{kind} in {before:#?}"
            );
        }

        assert_eq!(erase(&kit, &alice, PASSWORD).response.status, 204);
        assert_eq!(keyed(&kit), Vec::<String>::new(), "left behind");
        for (key, _) in records_holding(&kit, &alice.user_id) {
            assert!(key.starts_with("audit/"), "left behind: {key}");
        }
    }

    #[test]
    fn wrong_passwords_count_against_the_account_lockout() {
        let kit = Kit::new();
        let alice = kit.user_with_password("alice@example.com", &[]);
        for _ in 0..5 {
            let outcome = erase(&kit, &alice, "guess");
            assert_eq!(code(&outcome), "invalid_credentials");
            let event = outcome
                .audit
                .iter()
                .find(|e| e.event.as_str() == "login_failed")
                .unwrap();
            assert_eq!(event.detail["flow"], "account_erase");
        }
        let limited = erase(&kit, &alice, PASSWORD);
        assert_eq!(
            code(&limited),
            "rate_limited",
            "locked: even the right password waits"
        );
        assert!(limited.response.header("retry-after").is_some());
        assert_eq!(kit.get(&alice, "/api/me").response.status, 200);
        kit.env.advance_secs(16 * 60);
        let fresh = testkit::sign_in(&kit.env, &alice.user_id, "token");
        assert_eq!(erase(&kit, &fresh, PASSWORD).response.status, 204);
    }

    #[test]
    fn the_last_admin_cannot_erase_their_account() {
        let kit = Kit::new();
        let root = kit.user_with_password("root@example.com", &["admin"]);
        let outcome = erase(&kit, &root, PASSWORD);
        assert_eq!(code(&outcome), "invalid_request");
        assert_eq!(kit.get(&root, "/api/me").response.status, 200);
        let second = kit.user("second@example.com", &["admin"]);
        crate::testkit::api::answer(&kit.call(
            Some(&second),
            Method::Put,
            &format!("/api/admin/users/{}/roles", second.user_id),
            Some(json!({"roles": ["user", "admin"]})),
        ));
        assert_eq!(erase(&kit, &root, PASSWORD).response.status, 204);
    }

    #[test]
    fn erasure_bodies_are_strict() {
        let kit = Kit::new();
        let alice = kit.user_with_password("alice@example.com", &[]);
        let outcome = kit.call(
            Some(&alice),
            Method::Delete,
            "/api/me",
            Some(json!({"password": PASSWORD, "user_id": "someone-else"})),
        );
        assert_eq!(code(&outcome), "invalid_request");
        let empty = kit.call(Some(&alice), Method::Delete, "/api/me", None);
        assert_eq!(code(&empty), "invalid_request");
        assert_eq!(kit.get(&alice, "/api/me").response.status, 200);
    }

    /// docs/contract.md §3 and §6: an erasure cut short by a store outage at *any*
    /// atomic-store operation leaves one of two states, never a third. Before its
    /// commit nothing has changed — the account works, its document and consents are
    /// intact — and the same request, repeated, erases it. After the commit the account
    /// is locked and marked, and the retention sweep completes the erasure.
    #[test]
    fn an_erasure_cut_short_anywhere_is_completed_by_a_retry_or_the_sweep() {
        use crate::ctx::Services;
        let (mut untouched, mut committed) = (0, 0);
        for ops in 0u32.. {
            let kit = Kit::new();
            let alice = kit.user_with_password("alice@example.com", &[]);
            let bob = kit.user("bob@example.com", &[]);
            let doc = answer(&kit.call(
                Some(&alice),
                Method::Post,
                "/api/documents",
                Some(json!({"title": "Mine", "body": "private"})),
            ))
            .1["id"]
                .as_str()
                .unwrap()
                .to_string();
            kit.call(
                Some(&alice),
                Method::Post,
                &format!("/api/documents/{doc}/shares"),
                Some(json!({"user_id": bob.user_id, "permission": "read"})),
            );
            put_consents(
                &kit,
                &alice,
                json!({"consents": {"analytics": {"granted": true, "version": "v1"}}}),
            );
            testkit::sign_in(&kit.env, &alice.user_id, "token");

            kit.env.fail_atomic_after(ops);
            let outcome = erase(&kit, &alice, PASSWORD);
            kit.env.clear_fault();
            if outcome.response.status == 204 {
                assert!(ops > 10, "the erasure takes more than {ops} operations");
                break;
            }
            assert_eq!(
                outcome.response.status, 503,
                "failing after {ops} operations"
            );
            let stored =
                pollster::block_on(crate::model::user::load(kit.env.atomic(), &alice.user_id))
                    .unwrap()
                    .expect("the profile goes last: a 503 leaves it");
            if super::super::erase::is_marked(&stored) {
                committed += 1;
                assert!(stored.disabled, "after {ops}: marked means locked");
                assert_eq!(code(&kit.get(&alice, "/api/me")), "unauthenticated");
                let (report, _) = sweep(&kit);
                assert_eq!(report.erasures_completed, 1, "after {ops}");
            } else {
                untouched += 1;
                assert!(!stored.disabled, "after {ops}: locked without the mark");
                assert_eq!(
                    kit.get(&alice, "/api/me").response.status,
                    200,
                    "after {ops}"
                );
                let (status, document) = answer(&kit.get(&alice, &format!("/api/documents/{doc}")));
                assert_eq!(status, 200, "after {ops}: the document is intact");
                assert_eq!(document["shares"][0]["user_id"], bob.user_id.as_str());
                let (_, consents) = answer(&kit.get(&alice, "/api/me/consents"));
                assert_eq!(
                    consents["consents"]["analytics"]["granted"], true,
                    "after {ops}"
                );
                assert_eq!(
                    erase(&kit, &alice, PASSWORD).response.status,
                    204,
                    "retry after {ops}"
                );
            }
            for (key, _) in records_holding(&kit, &alice.user_id) {
                assert!(key.starts_with("audit/"), "after {ops}, left behind: {key}");
            }
            assert!(records_holding(&kit, "alice@example.com").is_empty());
        }
        assert!(untouched > 0 && committed > 0, "{untouched} / {committed}");
    }
}

fn sweep(kit: &Kit) -> (retention::SweepReport, Vec<crate::model::audit::AuditEvent>) {
    pollster::block_on(retention::sweep(&kit.env, &kit.env.config)).unwrap()
}

#[test]
fn the_sweep_erases_unverified_accounts_after_seven_days_only() {
    let kit = Kit::new();
    let fresh = testkit::seed_user(&kit.env, "fresh@example.com", false);
    let verified = kit.user("verified@example.com", &[]);
    kit.env.advance_secs(7 * 24 * 3600 - 10);
    let late = testkit::seed_user(&kit.env, "late@example.com", false);
    let (report, events) = sweep(&kit);
    assert_eq!(report.unverified_erased, 0);
    assert!(events.is_empty());
    kit.env.advance_secs(10);
    let (report, events) = sweep(&kit);
    assert_eq!(report.unverified_erased, 1);
    assert!(report.wrapped);
    assert_eq!(events[0].event.as_str(), "account_deleted");
    assert_eq!(events[0].subject_id.as_deref(), Some(fresh.id.as_str()));
    assert_eq!(events[0].detail["reason"], "unverified_expired");
    assert!(records_holding(&kit, &fresh.id).is_empty());
    assert!(records_holding(&kit, "fresh@example.com").is_empty());
    assert!(!records_holding(&kit, &late.id).is_empty());
    assert!(testkit::stored_user(&kit.env, &verified.user_id).email_verified);
}

#[test]
fn the_sweep_keeps_unverified_accounts_when_verification_is_not_required() {
    let kit = Kit::with(&[("REQUIRE_EMAIL_VERIFICATION", "false")]);
    let user = testkit::seed_user(&kit.env, "open@example.com", false);
    kit.env.advance_secs(30 * 24 * 3600);
    let (report, _) = sweep(&kit);
    assert_eq!(report.unverified_erased, 0);
    assert!(!records_holding(&kit, &user.id).is_empty());
}

#[test]
fn the_sweep_completes_an_interrupted_erasure_and_prunes_the_directory() {
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    pollster::block_on(super::erase::mark_if(&kit.env, &alice.user_id, 0, |_| true)).unwrap();
    assert_eq!(
        code(&kit.get(&alice, "/api/me")),
        "unauthenticated",
        "locked once marked"
    );
    // A directory entry whose profile is gone.
    pollster::block_on(crate::model::user::directory_add(
        &*kit.env.store,
        "0123456789abcdef0123456789abcdef",
    ))
    .unwrap();
    let (report, events) = sweep(&kit);
    assert_eq!(report.erasures_completed, 1);
    assert_eq!(report.directory_pruned, 1);
    assert_eq!(events[0].detail["reason"], "erasure_completed");
    assert!(records_holding(&kit, &alice.user_id).is_empty());
    assert!(records_holding(&kit, "0123456789abcdef0123456789abcdef").is_empty());
}

#[test]
fn the_sweep_walks_the_directory_in_batches_and_wraps() {
    let kit = Kit::new();
    for i in 0..(retention::BATCH + 5) {
        testkit::seed_user(&kit.env, &format!("u{i}@example.com"), true);
    }
    let (first, _) = sweep(&kit);
    assert_eq!((first.visited, first.wrapped), (retention::BATCH, false));
    let (second, _) = sweep(&kit);
    assert_eq!((second.visited, second.wrapped), (5, true));
    let (third, _) = sweep(&kit);
    assert_eq!(third.visited, retention::BATCH, "starts over");
}

#[test]
fn erasure_follows_pending_token_pointers() {
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    use crate::ctx::Services;
    pollster::block_on(crate::flows::accounts::verify_email::issue_token(
        &*kit.env.store,
        kit.env.random(),
        &alice.user_id,
        testkit::START_MS,
    ))
    .unwrap();
    let holding = records_holding(&kit, &alice.user_id);
    let token_records: Vec<&(String, String)> = holding
        .iter()
        .filter(|(k, _)| k.contains("verify/"))
        .collect();
    assert!(!token_records.is_empty(), "{holding:?}");
    pollster::block_on(super::erase::erase_account(
        &kit.env,
        &kit.env.config,
        &alice.user_id,
    ))
    .unwrap();
    assert!(records_holding(&kit, &alice.user_id).is_empty());
    assert!(
        records_holding(&kit, "verify/").is_empty(),
        "the token itself is gone"
    );
}

/// The export lists every stored session, and one ended by a new session epoch alone
/// (its record never marked) is reported ended, as the session list would treat it.
#[test]
fn the_export_reports_a_session_ended_by_the_epoch_as_revoked() {
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    let stale = testkit::sign_in(&kit.env, &alice.user_id, "token");
    testkit::edit_user(&kit.env, &alice.user_id, |user| {
        crate::policy::session_epoch::advance(user, Some(&alice.session_id));
    });
    let (status, export) = answer(&kit.get(&alice, "/api/me/export"));
    assert_eq!(status, 200);
    let sessions = export["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "every stored session is exported");
    for session in sessions {
        let ended = session["id"] == stale.session_id.as_str();
        assert_eq!(session["revoked"], ended, "{session}");
    }
}

/// `POST /api/admin/retention/sweep`: what the Workers cron trigger runs, for a
/// platform without one — it completes an interrupted erasure like the cron does, and
/// is audited; only admins may run it.
#[test]
fn an_admin_runs_the_retention_sweep_over_the_api() {
    let kit = Kit::new();
    let admin = kit.user("root@example.com", &["admin"]);
    let alice = kit.user("alice@example.com", &[]);
    pollster::block_on(super::erase::mark_if(&kit.env, &alice.user_id, 0, |_| true)).unwrap();

    let refused = kit.call(
        Some(&alice),
        Method::Post,
        "/api/admin/retention/sweep",
        None,
    );
    assert_eq!(refused.response.status, 401, "alice is locked out already");
    let bob = kit.user("bob@example.com", &[]);
    let refused = kit.call(Some(&bob), Method::Post, "/api/admin/retention/sweep", None);
    assert_eq!(code(&refused), "forbidden");

    let outcome = kit.call(
        Some(&admin),
        Method::Post,
        "/api/admin/retention/sweep",
        None,
    );
    let (status, answer) = answer(&outcome);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["retention"]["erasures_completed"], 1);
    assert_eq!(answer["reclaimed"]["complete"], true);
    let kinds: Vec<&str> = outcome.audit.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(kinds, ["account_deleted", "retention_swept"]);
    assert_eq!(
        outcome.audit[1].actor_id.as_deref(),
        Some(admin.user_id.as_str())
    );
    assert!(records_holding(&kit, &alice.user_id)
        .iter()
        .all(|(key, _)| key.starts_with("audit/")));

    let strict = kit.call(
        Some(&admin),
        Method::Post,
        "/api/admin/retention/sweep",
        Some(json!({"limit": 5})),
    );
    assert_eq!(code(&strict), "invalid_request");
}
