//! Request authentication through whole requests: credentials, live sessions, users
//! as stored now, the kill switch.

use crate::functions::Api;
use crate::http::Method;
use crate::testkit::{self, request, RequestExt, TestEnv};

fn me(env: &TestEnv, client: &testkit::Client) -> crate::http::Response {
    env.serve::<Api>(&client.authorize(request(Method::Get, "/api/me")))
        .response
}

#[test]
fn me_answers_the_profile_for_bearer_and_cookie_clients() {
    let env = TestEnv::new();
    let user = testkit::seed_user(&env, "Carol@Example.com", true);
    for mode in ["token", "cookie"] {
        let client = testkit::sign_in(&env, &user.id, mode);
        let response = me(&env, &client);
        assert_eq!(response.status, 200, "{mode}");
        assert_eq!(
            testkit::body(&response),
            serde_json::json!({
                "id": user.id, "email": "carol@example.com", "roles": ["user"],
                "email_verified": true, "mfa_enabled": false,
                "created_at": "2026-01-01T00:00:00.000Z",
            })
        );
        assert_eq!(response.header("cache-control"), Some("no-store"));
    }
}

#[test]
fn requests_without_a_valid_credential_are_unauthenticated() {
    let env = TestEnv::new();
    let user = testkit::seed_user(&env, "dave@example.com", true);
    let client = testkit::sign_in(&env, &user.id, "cookie");
    let cookie = alloc::format!("__Host-access={}", client.access);
    for req in [
        request(Method::Get, "/api/me"),
        request(Method::Get, "/api/me").header("Authorization", "Bearer not-a-jwt"),
        request(Method::Get, "/api/me").header("Cookie", "__Host-access="),
        // A malformed Authorization header is not silently replaced by the cookie.
        request(Method::Get, "/api/me")
            .header("Authorization", "Basic dXNlcjpwYXNz")
            .header("Cookie", &cookie),
        request(Method::Get, "/api/me").header("Authorization", "Bearer"),
    ] {
        let response = env.serve::<Api>(&req).response;
        assert_eq!(response.status, 401);
        assert_eq!(testkit::body(&response)["code"], "unauthenticated");
    }
}

#[test]
fn disabling_a_user_or_changing_roles_applies_to_the_next_request_in_strict_mode() {
    let env = TestEnv::with_config(testkit::config(&[("SESSION_CHECK", "strict")]));
    let user = testkit::seed_user(&env, "erin@example.com", true);
    let client = testkit::sign_in(&env, &user.id, "token");
    testkit::edit_user(&env, &user.id, |u| u.roles.push("auditor".into()));
    assert_eq!(
        testkit::body(&me(&env, &client))["roles"],
        serde_json::json!(["user", "auditor"])
    );
    testkit::edit_user(&env, &user.id, |u| u.disabled = true);
    assert!(testkit::stored_user(&env, &user.id).disabled);
    assert_eq!(me(&env, &client).status, 401);
}

#[test]
fn the_kill_switch_ends_sessions_created_before_it() {
    let cutoff = alloc::format!("{}", testkit::START_MS / 1000 + 1);
    let env = TestEnv::with_config(testkit::config(&[("SESSIONS_REVOKED_BEFORE", &cutoff)]));
    let user = testkit::seed_user(&env, "frank@example.com", true);
    let old = testkit::sign_in(&env, &user.id, "token");
    assert_eq!(me(&env, &old).status, 401);
    env.advance_secs(2);
    let fresh = testkit::sign_in(&env, &user.id, "token");
    assert_eq!(me(&env, &fresh).status, 200);
}

/// `SESSION_CHECK=cached` (the default): what a reused check may and may not skip.
mod cached {
    use super::*;
    use crate::ctx::Services;
    use crate::env::Clock;
    use crate::functions::Refresh;
    use crate::memory::REVOCATION_BOUND_MS;
    use crate::model::session;
    use crate::store::{AtomicKey, AtomicStore};

    /// Deletes a session record behind the functions' back: a request that still
    /// answers `200` did not read it.
    fn delete_session(env: &TestEnv, client: &testkit::Client) {
        let shard = crate::model::user::shard(&client.user_id);
        let name = session::name(&client.session_id);
        pollster::block_on(async {
            let key = AtomicKey::new(&shard, &name);
            let raw = env.atomic().get(key).await.unwrap();
            assert!(env
                .atomic()
                .compare_and_swap(key, raw.as_deref(), None, None)
                .await
                .unwrap());
        });
    }

    #[test]
    fn a_read_reuses_the_check_for_less_than_the_bound_then_reads_again() {
        let env = TestEnv::new();
        let user = testkit::seed_user(&env, "gina@example.com", true);
        let client = testkit::sign_in(&env, &user.id, "token");
        assert_eq!(me(&env, &client).status, 200);
        delete_session(&env, &client);
        env.clock.advance(REVOCATION_BOUND_MS - 1);
        assert_eq!(me(&env, &client).status, 200, "within the bound: reused");
        env.clock.advance(1);
        assert_eq!(me(&env, &client).status, 401, "at the bound: read again");
    }

    #[test]
    fn strict_mode_reads_the_records_for_every_request() {
        let env = TestEnv::with_config(testkit::config(&[("SESSION_CHECK", "strict")]));
        let user = testkit::seed_user(&env, "hank@example.com", true);
        let client = testkit::sign_in(&env, &user.id, "token");
        assert_eq!(me(&env, &client).status, 200);
        delete_session(&env, &client);
        assert_eq!(me(&env, &client).status, 401);
        assert!(
            env.memory.sessions.is_empty(),
            "strict mode remembers nothing"
        );
    }

    #[test]
    fn a_request_that_can_change_something_always_reads_the_records() {
        let env = TestEnv::new();
        let user = testkit::seed_user(&env, "iris@example.com", true);
        for mode in ["token", "cookie"] {
            let client = testkit::sign_in(&env, &user.id, mode);
            assert_eq!(me(&env, &client).status, 200);
            delete_session(&env, &client);
            let logout_all = env
                .serve::<Refresh>(
                    &client.authorize(request(Method::Post, "/auth/session/logout-all")),
                )
                .response;
            assert_eq!(logout_all.status, 401, "{mode}: a write reads now");
        }
    }

    #[test]
    fn a_reused_check_still_applies_the_session_end_and_the_kill_switch() {
        let env = TestEnv::with_config(testkit::config(&[
            ("SESSION_IDLE_TIMEOUT_SECS", "60"),
            ("SESSION_ABSOLUTE_LIFETIME_SECS", "60"),
        ]));
        let user = testkit::seed_user(&env, "jack@example.com", true);
        let client = testkit::sign_in(&env, &user.id, "token");
        env.clock.advance(59_000);
        assert_eq!(me(&env, &client).status, 200);
        env.clock.advance(1_000);
        assert_eq!(me(&env, &client).status, 401, "the session ended");

        // The kill switch pulled by this isolate applies at once, snapshot or not.
        let env = TestEnv::new();
        let user = testkit::seed_user(&env, "kate@example.com", true);
        let client = testkit::sign_in(&env, &user.id, "token");
        env.clock.advance(1);
        assert_eq!(me(&env, &client).status, 200);
        env.memory
            .kill_switch
            .remember(env.clock.now_ms(), env.clock.now_ms());
        assert_eq!(me(&env, &client).status, 401);
    }

    #[test]
    fn this_isolate_forgets_a_session_it_revokes() {
        let env = TestEnv::new();
        let user = testkit::seed_user(&env, "lena@example.com", true);
        let client = testkit::sign_in(&env, &user.id, "token");
        assert_eq!(me(&env, &client).status, 200);
        let logout = env
            .serve::<Refresh>(&client.authorize(request(Method::Post, "/auth/session/logout")))
            .response;
        assert_eq!(logout.status, 204);
        assert_eq!(
            me(&env, &client).status,
            401,
            "no wait in the isolate that revoked it"
        );
    }

    #[test]
    fn a_refused_check_is_not_remembered() {
        let env = TestEnv::new();
        let user = testkit::seed_user(&env, "mona@example.com", true);
        let client = testkit::sign_in(&env, &user.id, "token");
        testkit::edit_user(&env, &user.id, |u| u.disabled = true);
        assert_eq!(me(&env, &client).status, 401);
        assert!(env.memory.sessions.is_empty());
        testkit::edit_user(&env, &user.id, |u| u.disabled = false);
        assert_eq!(me(&env, &client).status, 200, "read again, found enabled");
    }
}
