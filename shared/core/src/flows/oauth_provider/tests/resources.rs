use crate::functions::{Api, OAuth};
use crate::http::{Method, Request};
use crate::model::audit::AuditKind;
use crate::model::oauth_provider::client::AuthMethod;
use crate::testkit::oauth_provider::{self, error, exchange, TestClient, MCP};
use crate::testkit::{self, body, request, Client, RequestExt, TestEnv};

const API: &str = "https://app.example.com/api";

/// A client, a browser that granted it `scope` for `resources`, and the token answer.
fn grant(
    env: &TestEnv,
    scope: &str,
    resources: &[&str],
) -> (TestClient, Client, serde_json::Value) {
    let client = oauth_provider::seed_client(env, AuthMethod::ClientSecretBasic, true);
    let browser = oauth_provider::browser(env, &alloc::format!("{}@example.com", client.id()));
    let mut extra = alloc::vec![("scope", scope)];
    for resource in resources {
        extra.push(("resource", resource));
    }
    let code = oauth_provider::code(env, &browser, client.id(), &extra);
    let answer = oauth_provider::tokens(&exchange(env, &client, &code, &[]));
    (client, browser, answer)
}

fn bearer(path: &str, token: &str) -> Request {
    request(Method::Get, path).header("Authorization", &alloc::format!("Bearer {token}"))
}

#[test]
fn a_token_for_resource_a_is_refused_at_resource_b() {
    let env = oauth_provider::env();
    let (_, _, for_mcp) = grant(&env, "profile documents", &[MCP]);
    let mcp_token = for_mcp["access_token"].as_str().unwrap();
    // The api (resource B) refuses a token minted for the MCP server (resource A).
    assert_eq!(
        env.serve::<Api>(&bearer("/api/me", mcp_token))
            .response
            .status,
        401
    );
    // So does userinfo.
    assert_eq!(oauth_provider::userinfo_status(&env, mcp_token), 401);
    // And a token for the api works there.
    let (_, _, for_api) = grant(&env, "profile", &[API]);
    let api_token = for_api["access_token"].as_str().unwrap();
    assert_eq!(
        env.serve::<Api>(&bearer("/api/me", api_token))
            .response
            .status,
        200
    );
}

#[test]
fn the_api_opens_only_what_the_scopes_allow_whatever_the_users_roles() {
    let env = oauth_provider::env();
    let (_, browser, answer) = grant(&env, "documents", &[API]);
    testkit::edit_user(&env, &browser.user_id, |user| user.grant_role("admin"));
    let token = answer["access_token"].as_str().unwrap();
    assert_eq!(
        env.serve::<Api>(&bearer("/api/documents", token))
            .response
            .status,
        200
    );
    for path in [
        "/api/me",
        "/api/admin/users",
        "/api/me/export",
        "/api/admin/audit",
    ] {
        assert_eq!(
            env.serve::<Api>(&bearer(path, token)).response.status,
            403,
            "{path}"
        );
    }
}

#[test]
fn with_several_resources_the_token_request_names_one() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::ClientSecretBasic, true);
    let browser = oauth_provider::browser(&env, "several@example.com");
    let code = oauth_provider::code(
        &env,
        &browser,
        client.id(),
        &[("resource", MCP), ("resource", API), ("scope", "profile")],
    );
    assert_eq!(
        error(&exchange(&env, &client, &code, &[])),
        "invalid_target"
    );
    let answer = oauth_provider::tokens(&exchange(&env, &client, &code, &[("resource", API)]));
    let token = answer["access_token"].as_str().unwrap();
    assert_eq!(
        env.serve::<Api>(&bearer("/api/me", token)).response.status,
        200
    );
    let refresh_token = answer["refresh_token"].as_str().unwrap();
    let for_mcp = oauth_provider::tokens(&oauth_provider::refresh(
        &env,
        &client,
        refresh_token,
        &[("resource", MCP)],
    ));
    assert_eq!(
        env.serve::<Api>(&bearer(
            "/api/me",
            for_mcp["access_token"].as_str().unwrap()
        ))
        .response
        .status,
        401
    );
    let next = for_mcp["refresh_token"].as_str().unwrap();
    assert_eq!(
        error(&oauth_provider::refresh(
            &env,
            &client,
            next,
            &[("resource", "https://elsewhere.example/api")]
        )),
        "invalid_target"
    );
}

#[test]
fn userinfo_answers_the_granted_claims() {
    let env = oauth_provider::env();
    let (_, browser, with_email) = grant(&env, "openid email", &[]);
    let token = with_email["access_token"].as_str().unwrap();
    let claims = body(
        &env.serve::<OAuth>(&bearer("/oauth/userinfo", token))
            .response,
    );
    assert_eq!(claims["sub"], browser.user_id.as_str());
    assert!(claims["email"].as_str().unwrap().ends_with("@example.com"));
    assert_eq!(claims["email_verified"], true);
    let (_, _, without) = grant(&env, "openid", &[]);
    let claims = body(
        &env.serve::<OAuth>(&bearer(
            "/oauth/userinfo",
            without["access_token"].as_str().unwrap(),
        ))
        .response,
    );
    assert!(claims.get("email").is_none());
    let (_, _, no_openid) = grant(&env, "profile", &[]);
    let refused = env.serve::<OAuth>(&bearer(
        "/oauth/userinfo",
        no_openid["access_token"].as_str().unwrap(),
    ));
    assert_eq!(refused.response.status, 403);
    let missing = env.serve::<OAuth>(&request(Method::Get, "/oauth/userinfo"));
    assert_eq!(missing.response.status, 401);
    assert!(missing
        .response
        .header("WWW-Authenticate")
        .unwrap()
        .starts_with("Bearer"));
}

#[test]
fn revoking_either_token_ends_the_grant() {
    let env = oauth_provider::env();
    for which in ["refresh_token", "access_token"] {
        let (client, _, answer) = grant(&env, "openid offline_access", &[]);
        let token = answer[which].as_str().unwrap();
        let outcome = env.serve::<OAuth>(&oauth_provider::form_post(
            "/oauth/revoke",
            &client,
            &[("token", token)],
        ));
        assert_eq!(outcome.response.status, 200, "{which}");
        assert!(outcome
            .audit
            .iter()
            .any(|event| event.event == AuditKind::OauthTokenRevoked));
        let refresh_token = answer["refresh_token"].as_str().unwrap();
        assert_eq!(
            error(&oauth_provider::refresh(&env, &client, refresh_token, &[])),
            "invalid_grant",
            "{which}"
        );
        assert_eq!(
            oauth_provider::userinfo_status(&env, answer["access_token"].as_str().unwrap()),
            401
        );
    }
}

#[test]
fn revocation_by_another_client_or_of_garbage_is_a_quiet_200() {
    let env = oauth_provider::env();
    let (client, _, answer) = grant(&env, "openid offline_access", &[]);
    let other = oauth_provider::seed_client(&env, AuthMethod::ClientSecretBasic, true);
    let refresh_token = answer["refresh_token"].as_str().unwrap();
    for (by, token) in [(&other, refresh_token), (&client, "garbage")] {
        let outcome = env.serve::<OAuth>(&oauth_provider::form_post(
            "/oauth/revoke",
            by,
            &[("token", token)],
        ));
        assert_eq!(outcome.response.status, 200);
        assert!(outcome.audit.is_empty());
    }
    assert!(
        oauth_provider::tokens(&oauth_provider::refresh(&env, &client, refresh_token, &[]))
            .get("access_token")
            .is_some()
    );
}

#[test]
fn introspection_reports_the_callers_live_tokens_only() {
    let env = oauth_provider::env();
    let (client, _, answer) = grant(&env, "openid offline_access", &[MCP]);
    let other = oauth_provider::seed_client(&env, AuthMethod::ClientSecretBasic, true);
    let introspect = |by: &TestClient, token: &str| {
        body(
            &env.serve::<OAuth>(&oauth_provider::form_post(
                "/oauth/introspect",
                by,
                &[("token", token)],
            ))
            .response,
        )
    };
    let access = answer["access_token"].as_str().unwrap();
    let active = introspect(&client, access);
    assert_eq!(active["active"], true);
    assert_eq!(active["aud"], MCP);
    assert_eq!(active["client_id"], client.id());
    assert_eq!(active["token_type"], "Bearer");
    let refresh_token = answer["refresh_token"].as_str().unwrap();
    assert_eq!(
        introspect(&client, refresh_token)["token_type"],
        "refresh_token"
    );
    assert_eq!(
        introspect(&other, access),
        serde_json::json!({"active": false})
    );
    assert_eq!(
        introspect(&client, "garbage"),
        serde_json::json!({"active": false})
    );
    env.serve::<OAuth>(&oauth_provider::form_post(
        "/oauth/revoke",
        &client,
        &[("token", refresh_token)],
    ));
    assert_eq!(
        introspect(&client, access),
        serde_json::json!({"active": false})
    );
}

#[test]
fn introspection_needs_client_authentication() {
    let env = oauth_provider::env();
    let mut request = request(Method::Post, "/oauth/introspect")
        .header("Content-Type", "application/x-www-form-urlencoded");
    request.body = b"token=abc".to_vec();
    let outcome = env.serve::<OAuth>(&request);
    assert_eq!(outcome.response.status, 401);
    assert_eq!(error(&outcome), "invalid_client");
}
