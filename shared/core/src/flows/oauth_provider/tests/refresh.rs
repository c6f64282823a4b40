use crate::ctx::Services;
use crate::functions::{OAuth, Refresh};
use crate::http::Method;
use crate::model::audit::AuditKind;
use crate::model::oauth_provider::client::AuthMethod;
use crate::testkit::oauth_provider::{self, error, exchange, refresh, TestClient};
use crate::testkit::{self, request, RequestExt, TestEnv};
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// A client with a grant: its first refresh token.
fn granted(env: &TestEnv, method: AuthMethod) -> (TestClient, String) {
    let client = oauth_provider::seed_client(env, method, true);
    let browser = oauth_provider::browser(env, &alloc::format!("{}@example.com", client.id()));
    let code = oauth_provider::code(
        env,
        &browser,
        client.id(),
        &[("scope", "openid offline_access")],
    );
    let answer = oauth_provider::tokens(&exchange(env, &client, &code, &[]));
    (
        client,
        answer["refresh_token"].as_str().unwrap().to_string(),
    )
}

fn refreshed(env: &TestEnv, client: &TestClient, token: &str) -> String {
    let answer = oauth_provider::tokens(&refresh(env, client, token, &[]));
    answer["refresh_token"].as_str().unwrap().to_string()
}

#[test]
fn refresh_rotates_and_a_retry_within_the_grace_window_gets_the_same_successor() {
    let env = oauth_provider::env();
    let (client, first) = granted(&env, AuthMethod::ClientSecretBasic);
    let second = refreshed(&env, &client, &first);
    assert_ne!(first, second);
    env.advance_secs(10);
    let retry = refreshed(&env, &client, &first);
    assert_eq!(retry, second, "the same successor within 30 s");
    let third = refreshed(&env, &client, &second);
    assert_ne!(third, second);
}

#[test]
fn the_previous_token_after_the_grace_window_is_reuse_and_revokes_the_grant() {
    let env = oauth_provider::env();
    let (client, first) = granted(&env, AuthMethod::ClientSecretBasic);
    let second = refreshed(&env, &client, &first);
    env.advance_secs(31);
    let reuse = refresh(&env, &client, &first, &[]);
    assert_eq!(error(&reuse), "invalid_grant");
    assert!(reuse
        .audit
        .iter()
        .any(|event| event.event == AuditKind::RefreshReuseDetected));
    assert_eq!(
        error(&refresh(&env, &client, &second, &[])),
        "invalid_grant"
    );
}

#[test]
fn ten_concurrent_refreshes_of_a_grant_yield_exactly_one_successor() {
    let env = oauth_provider::env();
    let (client, first) = granted(&env, AuthMethod::None);
    env.interleave(true);
    let requests: Vec<_> = (0..10)
        .map(|_| {
            oauth_provider::form_post(
                "/oauth/token",
                &client,
                &[("grant_type", "refresh_token"), ("refresh_token", &first)],
            )
        })
        .collect();
    let outcomes = pollster::block_on(futures::future::join_all(
        requests
            .iter()
            .map(|request| env.serve_async::<OAuth>(request)),
    ));
    env.interleave(false);
    let successors: Vec<String> = outcomes
        .iter()
        .map(|outcome| {
            oauth_provider::tokens(outcome)["refresh_token"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        successors.iter().all(|token| *token == successors[0]),
        "{successors:?}"
    );
    assert!(env.lost_swaps() > 0, "the requests really raced");
    // The one successor is live.
    refreshed(&env, &client, &successors[0]);
}

#[test]
fn a_refresh_token_used_by_another_client_is_refused_and_revokes_the_grant() {
    let env = oauth_provider::env();
    let (victim, token) = granted(&env, AuthMethod::ClientSecretBasic);
    let thief = oauth_provider::seed_client(&env, AuthMethod::ClientSecretBasic, true);
    let stolen = refresh(&env, &thief, &token, &[]);
    assert_eq!(error(&stolen), "invalid_grant");
    assert!(stolen
        .audit
        .iter()
        .any(|event| event.event == AuditKind::OauthRefreshClientMismatch));
    assert_eq!(error(&refresh(&env, &victim, &token, &[])), "invalid_grant");
}

#[test]
fn a_forged_refresh_token_from_public_ids_changes_nothing() {
    let env = oauth_provider::env();
    let (victim, token) = granted(&env, AuthMethod::ClientSecretBasic);
    let thief = oauth_provider::seed_client(&env, AuthMethod::ClientSecretBasic, true);
    let mut parts: Vec<&str> = token.split('.').collect();
    let forged_secret = crate::encoding::b64url(&[7u8; 32]);
    parts[2] = &forged_secret;
    let forged = parts[..3].join(".");
    let outcome = refresh(&env, &thief, &forged, &[]);
    assert_eq!(error(&outcome), "invalid_grant");
    assert!(outcome.audit.is_empty());
    assert!(oauth_provider::tokens(&refresh(&env, &victim, &token, &[]))
        .get("access_token")
        .is_some());
}

#[test]
fn refresh_may_narrow_scopes_but_never_widen_them() {
    let env = oauth_provider::env();
    let (client, token) = granted(&env, AuthMethod::ClientSecretBasic);
    let narrowed = oauth_provider::tokens(&refresh(&env, &client, &token, &[("scope", "openid")]));
    assert_eq!(narrowed["scope"], "openid");
    let next = narrowed["refresh_token"].as_str().unwrap();
    assert_eq!(
        error(&refresh(
            &env,
            &client,
            next,
            &[("scope", "openid documents")]
        )),
        "invalid_scope"
    );
}

#[test]
fn a_client_without_the_refresh_grant_is_unauthorized_for_it() {
    let env = oauth_provider::env();
    let (client, token) = granted(&env, AuthMethod::ClientSecretBasic);
    let client_store = crate::model::oauth_provider::client::load_raw(env.atomic(), client.id());
    let (mut record, raw) = pollster::block_on(client_store).unwrap().unwrap();
    record.refresh_tokens = false;
    let swapped = crate::model::oauth_provider::client::swap(
        env.atomic(),
        Some(&raw),
        Some(&record),
        client.id(),
    );
    assert!(pollster::block_on(swapped).unwrap());
    assert_eq!(
        error(&refresh(&env, &client, &token, &[])),
        "unauthorized_client"
    );
}

#[test]
fn a_clients_refresh_token_is_not_a_session_refresh_token() {
    let env = oauth_provider::env();
    let (_, token) = granted(&env, AuthMethod::None);
    let request = request(Method::Post, "/auth/session/refresh")
        .json(serde_json::json!({"refresh_token": token}));
    let outcome = env.serve::<Refresh>(&request);
    assert_eq!(outcome.response.status, 401);
    let logout = request_logout(&token);
    assert_eq!(env.serve::<Refresh>(&logout).response.status, 401);
}

fn request_logout(token: &str) -> crate::http::Request {
    request(Method::Post, "/auth/session/logout").json(serde_json::json!({"refresh_token": token}))
}

#[test]
fn grants_are_not_listed_as_browser_sessions() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::None, true);
    let browser = oauth_provider::browser(&env, "listed@example.com");
    let code = oauth_provider::code(&env, &browser, client.id(), &[]);
    oauth_provider::tokens(&exchange(&env, &client, &code, &[]));
    let listed = env.serve::<Refresh>(&browser.authorize(request(Method::Get, "/auth/sessions")));
    assert_eq!(
        testkit::body(&listed.response)["sessions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
