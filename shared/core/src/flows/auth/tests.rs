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
fn disabling_a_user_or_changing_roles_applies_to_the_next_request() {
    let env = TestEnv::new();
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
