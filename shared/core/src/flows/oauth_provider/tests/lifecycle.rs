use crate::ctx::Services;
use crate::functions::{Api, OAuth, Refresh};
use crate::http::Method;
use crate::model::audit::AuditKind;
use crate::model::oauth_provider::client::AuthMethod;
use crate::testkit::oauth_provider::{self, error, exchange, param, TestClient};
use crate::testkit::{self, body, request, Client, TestEnv};
use alloc::string::{String, ToString};

/// A client with a grant by `browser`: the token answer.
fn granted(env: &TestEnv, browser: &Client) -> (TestClient, serde_json::Value) {
    let client = oauth_provider::seed_client(env, AuthMethod::ClientSecretBasic, true);
    let code = oauth_provider::code(
        env,
        browser,
        client.id(),
        &[("scope", "openid offline_access")],
    );
    (
        client.clone(),
        oauth_provider::tokens(&exchange(env, &client, &code, &[])),
    )
}

fn is_dead(env: &TestEnv, client: &TestClient, answer: &serde_json::Value) -> bool {
    let refresh_token = answer["refresh_token"].as_str().unwrap();
    error(&oauth_provider::refresh(env, client, refresh_token, &[])) == "invalid_grant"
        && oauth_provider::userinfo_status(env, answer["access_token"].as_str().unwrap()) == 401
}

#[test]
fn signing_out_everywhere_ends_the_grants_too() {
    let env = oauth_provider::env();
    let browser = oauth_provider::browser(&env, "everywhere@example.com");
    let (client, answer) = granted(&env, &browser);
    let logout_all = browser.authorize(request(Method::Post, "/auth/session/logout-all"));
    assert_eq!(env.serve::<Refresh>(&logout_all).response.status, 204);
    assert!(is_dead(&env, &client, &answer));
}

#[test]
fn a_password_reset_or_a_disabled_account_ends_the_grants() {
    for change in ["epoch", "disable"] {
        let env = oauth_provider::env();
        let browser = oauth_provider::browser(&env, "reset@example.com");
        let (client, answer) = granted(&env, &browser);
        testkit::edit_user(&env, &browser.user_id, |user| match change {
            "epoch" => crate::policy::session_epoch::advance(user, None),
            _ => user.disabled = true,
        });
        assert!(is_dead(&env, &client, &answer), "{change}");
    }
}

#[test]
fn the_kill_switch_ends_the_grants() {
    let env = oauth_provider::env();
    let browser = oauth_provider::browser(&env, "kill@example.com");
    let (client, answer) = granted(&env, &browser);
    let admin = oauth_provider::browser(&env, "killer@example.com");
    testkit::edit_user(&env, &admin.user_id, |user| user.grant_role("admin"));
    env.clock.advance(1);
    let pulled =
        env.serve::<Api>(&admin.authorize(request(Method::Post, "/api/admin/sessions/revoke-all")));
    assert_eq!(pulled.response.status, 200);
    assert!(is_dead(&env, &client, &answer));
}

#[test]
fn ending_one_browser_session_leaves_the_grants() {
    let env = oauth_provider::env();
    let browser = oauth_provider::browser(&env, "one@example.com");
    let (client, answer) = granted(&env, &browser);
    let logout = browser.authorize(request(Method::Post, "/auth/session/logout"));
    assert_eq!(env.serve::<Refresh>(&logout).response.status, 204);
    assert!(!is_dead(&env, &client, &answer));
}

#[test]
fn revoking_a_consent_forgets_it_and_revokes_the_clients_grants() {
    let env = oauth_provider::env();
    let browser = oauth_provider::browser(&env, "apps@example.com");
    let (client, answer) = granted(&env, &browser);
    let listed = body(
        &env.serve::<OAuth>(&browser.authorize(request(Method::Get, "/oauth/consents")))
            .response,
    );
    assert_eq!(listed["consents"][0]["client_id"], client.id());
    assert_eq!(listed["consents"][0]["client_name"], "Test RP");
    assert_eq!(listed["consents"][0]["active_grants"], 1);
    let path = alloc::format!("/oauth/consents/{}", client.id());
    let revoked = env.serve::<OAuth>(&browser.authorize(request(Method::Delete, &path)));
    assert_eq!(revoked.response.status, 204);
    assert!(revoked
        .audit
        .iter()
        .any(|event| event.event == AuditKind::OauthConsentRevoked));
    assert!(is_dead(&env, &client, &answer));
    let asked = oauth_provider::get(
        &env,
        &oauth_provider::authorize_path(client.id(), &[("scope", "openid")]),
        Some(&browser),
    );
    assert!(oauth_provider::location(&asked.response).starts_with("/consent?"));
    let again = env.serve::<OAuth>(&browser.authorize(request(Method::Delete, &path)));
    assert_eq!(again.response.status, 404);
}

#[test]
fn another_users_consents_are_not_reachable() {
    let env = oauth_provider::env();
    let owner = oauth_provider::browser(&env, "owner@example.com");
    let (client, answer) = granted(&env, &owner);
    let stranger = oauth_provider::browser(&env, "stranger@example.com");
    let path = alloc::format!("/oauth/consents/{}", client.id());
    assert_eq!(
        env.serve::<OAuth>(&stranger.authorize(request(Method::Delete, &path)))
            .response
            .status,
        404
    );
    assert!(!is_dead(&env, &client, &answer));
}

fn id_token(answer: &serde_json::Value) -> String {
    answer["id_token"].as_str().unwrap().to_string()
}

#[test]
fn end_session_with_a_hint_signs_the_browser_out_and_redirects_to_a_registered_uri() {
    let env = oauth_provider::env();
    let browser = oauth_provider::browser(&env, "bye@example.com");
    let (_, answer) = granted(&env, &browser);
    let path = alloc::format!(
        "/oauth/end-session?id_token_hint={}&post_logout_redirect_uri={}&state=s9",
        id_token(&answer),
        crate::policy::oauth_provider::params::encode_component("https://rp.example.org/bye")
    );
    let outcome = oauth_provider::get(&env, &path, Some(&browser));
    assert_eq!(outcome.response.status, 303);
    let target = oauth_provider::location(&outcome.response);
    assert!(target.starts_with("https://rp.example.org/bye?"));
    assert_eq!(param(&target, "state").as_deref(), Some("s9"));
    assert!(testkit::set_cookies(&outcome.response)
        .iter()
        .any(|c| c.starts_with("__Host-access=;")));
    assert_eq!(testkit::sessions::me_status(&env, &browser), 401);
}

#[test]
fn end_session_never_redirects_to_an_unregistered_uri_and_needs_a_hint_to_sign_out() {
    let env = oauth_provider::env();
    let browser = oauth_provider::browser(&env, "stay@example.com");
    let (client, answer) = granted(&env, &browser);
    let evil = alloc::format!(
        "/oauth/end-session?id_token_hint={}&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F",
        id_token(&answer)
    );
    let refused = oauth_provider::get(&env, &evil, Some(&browser)).response;
    assert_eq!(refused.status, 400);
    assert!(refused.header("Location").is_none());
    let no_hint = alloc::format!(
        "/oauth/end-session?client_id={}&post_logout_redirect_uri=https%3A%2F%2Frp.example.org%2Fbye",
        client.id()
    );
    let outcome = oauth_provider::get(&env, &no_hint, Some(&browser));
    assert_eq!(outcome.response.status, 303);
    assert_eq!(testkit::sessions::me_status(&env, &browser), 200);
    let forged = oauth_provider::get(
        &env,
        "/oauth/end-session?id_token_hint=eyJhbGciOiJFZERTQSJ9.e30.AAAA",
        Some(&browser),
    );
    assert_eq!(forged.response.status, 200);
    assert_eq!(testkit::sessions::me_status(&env, &browser), 200);
}

/// Account erasure deletes every record of the user's shard (flows::gdpr::erase), so
/// consents and grants go with it because they live there.
#[test]
fn consents_and_grants_live_in_the_users_shard() {
    let env = oauth_provider::env();
    let browser = oauth_provider::browser(&env, "erase@example.com");
    granted(&env, &browser);
    let shard = crate::model::user::shard(&browser.user_id);
    let before =
        pollster::block_on(crate::store::AtomicStore::list(env.atomic(), &shard, "")).unwrap();
    assert!(before.iter().any(|(name, _)| name.starts_with("grant/")));
    assert!(before
        .iter()
        .any(|(name, _)| name.starts_with("oauth-consent/")));
}
