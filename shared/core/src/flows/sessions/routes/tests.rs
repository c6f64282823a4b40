//! The session routes through the whole pipeline: cookies, logout, listing,
//! revocation, the key set.

use alloc::string::ToString;
use serde_json::json;

use crate::functions::Refresh;
use crate::http::{Method, Response};
use crate::model::audit::AuditKind;
use crate::testkit::sessions::{me_status, refresh, rotated, signed_in};
use crate::testkit::{self, request, Client, RequestExt, TestEnv};

fn serve(env: &TestEnv, req: &crate::http::Request) -> (Response, alloc::vec::Vec<AuditKind>) {
    let outcome = env.serve::<Refresh>(req);
    (
        outcome.response,
        outcome.audit.iter().map(|e| e.event).collect(),
    )
}

#[test]
fn cookie_mode_sets_exactly_the_contract_cookies_and_no_tokens_in_the_body() {
    let env = TestEnv::new();
    let user = testkit::seed_user(&env, "judy@example.com", true);
    let response = env
        .serve::<testkit::TestSignIn>(&request(
            Method::Post,
            &alloc::format!("/test/sign-in/{}/cookie", user.id),
        ))
        .response;
    let client = Client::from_answer(&response, "cookie");
    let week = 7 * 86_400;
    assert_eq!(
        testkit::set_cookies(&response),
        [
            alloc::format!(
                "__Host-access={}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=900",
                client.access
            ),
            alloc::format!(
                "__Secure-refresh={}; Path=/auth/session; Secure; HttpOnly; SameSite=Strict; Max-Age={week}",
                client.refresh
            ),
            alloc::format!(
                "__Host-csrf={}; Path=/; Secure; SameSite=Strict; Max-Age={week}",
                client.csrf.clone().unwrap()
            ),
        ]
    );
    let body = testkit::body(&response);
    assert_eq!(
        body,
        json!({
            "user": {"id": user.id, "email": "judy@example.com", "roles": ["user"]},
            "session_id": client.session_id,
            "access_expires_at": "2026-01-01T00:15:00.000Z",
        })
    );
    let text = core::str::from_utf8(&response.body).unwrap();
    assert!(!text.contains(&client.refresh) && !text.contains(&client.access));
}

#[test]
fn token_mode_returns_tokens_and_sets_no_cookies() {
    let env = TestEnv::new();
    let user = testkit::seed_user(&env, "ken@example.com", true);
    let response = env
        .serve::<testkit::TestSignIn>(&request(
            Method::Post,
            &alloc::format!("/test/sign-in/{}/token", user.id),
        ))
        .response;
    assert!(testkit::set_cookies(&response).is_empty());
    let body = testkit::body(&response);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["access_token"].as_str().unwrap().split('.').count() == 3);
    // user id . session id . secret . issue tag
    assert_eq!(
        body["refresh_token"].as_str().unwrap().split('.').count(),
        4
    );
}

#[test]
fn current_session_answers_user_session_and_its_end() {
    let (env, client) = signed_in("cookie");
    let (response, _) = serve(
        &env,
        &client.authorize(request(Method::Get, "/auth/session")),
    );
    assert_eq!(response.status, 200);
    assert_eq!(
        testkit::body(&response),
        json!({
            "user": {"id": client.user_id, "email": "grace@example.com", "roles": ["user"]},
            "session_id": client.session_id,
            "expires_at": "2026-01-08T00:00:00.000Z",
        })
    );
    let (response, _) = serve(&env, &request(Method::Get, "/auth/session"));
    assert_eq!(response.status, 401);
}

#[test]
fn cookie_logout_needs_csrf_then_clears_everything() {
    let (env, client) = signed_in("cookie");
    let without = request(Method::Post, "/auth/session/logout").cookies(&[
        ("__Host-access", &client.access),
        ("__Host-csrf", client.csrf.as_deref().unwrap()),
    ]);
    let (response, _) = serve(&env, &without);
    assert_eq!(response.status, 403);
    assert_eq!(testkit::body(&response)["code"], "csrf_failed");
    assert_eq!(me_status(&env, &client), 200);

    let (response, events) = serve(
        &env,
        &client.authorize(request(Method::Post, "/auth/session/logout")),
    );
    assert_eq!(response.status, 204);
    assert!(response.body.is_empty());
    assert_eq!(
        response.header("clear-site-data"),
        Some("\"cookies\", \"storage\"")
    );
    assert_eq!(
        testkit::set_cookies(&response),
        [
            "__Host-access=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0",
            "__Secure-refresh=; Path=/auth/session; Secure; HttpOnly; SameSite=Strict; Max-Age=0",
            "__Host-csrf=; Path=/; Secure; SameSite=Strict; Max-Age=0",
        ]
    );
    assert_eq!(events, [AuditKind::Logout]);
    assert_eq!(me_status(&env, &client), 401);
    assert_eq!(refresh(&env, &client).0.status, 401);
}

#[test]
fn token_logout_with_bearer_needs_no_csrf() {
    let (env, client) = signed_in("token");
    let (response, _) = serve(
        &env,
        &client.authorize(request(Method::Post, "/auth/session/logout")),
    );
    assert_eq!(response.status, 204);
    assert_eq!(me_status(&env, &client), 401);
}

#[test]
fn logout_works_with_the_refresh_token_once_the_access_token_expired() {
    let (env, client) = signed_in("cookie");
    env.advance_secs(3_600);
    assert_eq!(me_status(&env, &client), 401);
    let (response, _) = serve(
        &env,
        &client.authorize(request(Method::Post, "/auth/session/logout")),
    );
    assert_eq!(response.status, 204);
    assert_eq!(refresh(&env, &client).0.status, 401);

    let (env, client) = signed_in("token");
    env.advance_secs(3_600);
    let req = request(Method::Post, "/auth/session/logout")
        .json(json!({"refresh_token": client.refresh}));
    assert_eq!(serve(&env, &req).0.status, 204);
    assert_eq!(refresh(&env, &client).0.status, 401);
    let (response, _) = serve(&env, &request(Method::Post, "/auth/session/logout"));
    assert_eq!(response.status, 401);
}

#[test]
fn logout_all_ends_every_session_of_the_user_only() {
    let env = TestEnv::new();
    let user = testkit::seed_user(&env, "leo@example.com", true);
    let other = testkit::seed_user(&env, "mia@example.com", true);
    let laptop = testkit::sign_in(&env, &user.id, "cookie");
    let phone = testkit::sign_in(&env, &user.id, "token");
    let bystander = testkit::sign_in(&env, &other.id, "token");
    let (response, events) = serve(
        &env,
        &phone.authorize(request(Method::Post, "/auth/session/logout-all")),
    );
    assert_eq!(response.status, 204);
    assert_eq!(events, [AuditKind::Logout]);
    assert_eq!(me_status(&env, &laptop), 401);
    assert_eq!(me_status(&env, &phone), 401);
    assert_eq!(refresh(&env, &laptop).0.status, 401);
    assert_eq!(me_status(&env, &bystander), 200);
}

#[test]
fn sessions_are_listed_with_the_current_one_marked() {
    let env = TestEnv::new();
    let user = testkit::seed_user(&env, "nina@example.com", true);
    let first = testkit::sign_in(&env, &user.id, "cookie");
    env.advance_secs(60);
    let second = testkit::sign_in(&env, &user.id, "token");
    let third = testkit::sign_in(&env, &user.id, "token");
    let (response, _) = serve(
        &env,
        &third.authorize(request(
            Method::Delete,
            &alloc::format!("/auth/sessions/{}", second.session_id),
        )),
    );
    assert_eq!(response.status, 204);
    let (response, _) = serve(
        &env,
        &first.authorize(request(Method::Get, "/auth/sessions")),
    );
    assert_eq!(response.status, 200);
    let sessions = testkit::body(&response)["sessions"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(sessions.len(), 2);
    // Most recently used first.
    assert_eq!(sessions[0]["id"], third.session_id);
    assert_eq!(sessions[0]["current"], false);
    assert_eq!(
        sessions[1],
        json!({
            "id": first.session_id,
            "created_at": "2026-01-01T00:00:00.000Z",
            "last_used_at": "2026-01-01T00:00:00.000Z",
            "user_agent": "TestBrowser/1.0",
            "ip_prefix": "203.0.113.0/24",
            "current": true,
        })
    );
}

#[test]
fn deleting_a_session_is_limited_to_own_live_sessions() {
    let env = TestEnv::new();
    let user = testkit::seed_user(&env, "olga@example.com", true);
    let other = testkit::seed_user(&env, "pete@example.com", true);
    let mine = testkit::sign_in(&env, &user.id, "token");
    let my_other = testkit::sign_in(&env, &user.id, "token");
    let theirs = testkit::sign_in(&env, &other.id, "token");
    let delete = |client: &Client, id: &str| {
        serve(
            &env,
            &client.authorize(request(
                Method::Delete,
                &alloc::format!("/auth/sessions/{id}"),
            )),
        )
    };
    let (response, _) = delete(&mine, &theirs.session_id);
    assert_eq!(response.status, 404);
    assert_eq!(testkit::body(&response)["code"], "not_found");
    assert_eq!(me_status(&env, &theirs), 200);
    assert_eq!(delete(&mine, "not-an-id").0.status, 404);
    assert_eq!(delete(&mine, &"0".repeat(32)).0.status, 404);

    let (response, events) = delete(&mine, &my_other.session_id);
    assert_eq!(response.status, 204);
    assert_eq!(events, [AuditKind::SessionRevoked]);
    assert_eq!(me_status(&env, &my_other), 401);
    assert_eq!(delete(&mine, &my_other.session_id).0.status, 404);
    assert_eq!(me_status(&env, &mine), 200);
}

#[test]
fn deleting_sessions_in_cookie_mode_needs_csrf() {
    let (env, client) = signed_in("cookie");
    let id = client.session_id.clone();
    let bare = request(Method::Delete, &alloc::format!("/auth/sessions/{id}"))
        .cookies(&[("__Host-access", &client.access)]);
    assert_eq!(serve(&env, &bare).0.status, 403);
    let (response, _) = serve(
        &env,
        &client.authorize(request(
            Method::Delete,
            &alloc::format!("/auth/sessions/{id}"),
        )),
    );
    assert_eq!(response.status, 204);
    assert_eq!(
        testkit::set_cookies(&response).len(),
        3,
        "own current session: cookies cleared"
    );
}

#[test]
fn jwks_is_public_and_briefly_cacheable() {
    let env = TestEnv::new();
    let (response, _) = serve(&env, &request(Method::Get, "/.well-known/jwks.json"));
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("cache-control"),
        Some("public, max-age=300")
    );
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    let body = testkit::body(&response);
    let kids: alloc::vec::Vec<_> = body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kids, ["sig-2", "sig-1"]);
}

#[test]
fn session_routes_answer_405_for_other_methods_and_no_store() {
    let (env, client) = signed_in("token");
    let (response, _) = serve(&env, &request(Method::Get, "/auth/session/refresh"));
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), Some("POST, OPTIONS"));
    let refreshed = rotated(&env, &client);
    let (response, _) = serve(
        &env,
        &refreshed.authorize(request(Method::Get, "/auth/sessions")),
    );
    assert_eq!(response.header("cache-control"), Some("no-store"));
}

/// A session ended by a new session epoch alone — a login that wrote its session just
/// after a logout-all or a password change listed the user's sessions — is as ended
/// as a revoked one: `DELETE /auth/sessions/{id}` answers `404` for it (not `204`),
/// and its refresh token no longer logs out (`401`, as refresh answers).
#[test]
fn a_session_ended_only_by_the_epoch_is_gone_for_delete_and_logout() {
    let env = TestEnv::new();
    let user = testkit::seed_user(&env, "quinn@example.com", true);
    let mine = testkit::sign_in(&env, &user.id, "token");
    let stale = testkit::sign_in(&env, &user.id, "token");
    testkit::edit_user(&env, &user.id, |record| {
        crate::policy::session_epoch::advance(record, Some(&mine.session_id));
    });
    assert!(!testkit::stored_session(&env, &user.id, &stale.session_id).revoked);
    assert_eq!(me_status(&env, &stale), 401);
    assert_eq!(me_status(&env, &mine), 200);

    let (response, events) = serve(
        &env,
        &mine.authorize(request(
            Method::Delete,
            &alloc::format!("/auth/sessions/{}", stale.session_id),
        )),
    );
    assert_eq!(response.status, 404);
    assert_eq!(testkit::body(&response)["code"], "not_found");
    assert!(events.is_empty());

    let logout =
        request(Method::Post, "/auth/session/logout").json(json!({"refresh_token": stale.refresh}));
    let (response, events) = serve(&env, &logout);
    assert_eq!(response.status, 401);
    assert!(events.is_empty());
}
