use crate::ctx::Services;
use crate::functions::OAuth;
use crate::http::Method;
use crate::model::audit::AuditKind;
use crate::model::oauth_provider::client::AuthMethod;
use crate::testkit::api::{answer, Kit};
use crate::testkit::oauth_provider::{self, error, exchange};
use crate::testkit::{self, body, request, RequestExt};
use alloc::string::ToString;

#[test]
fn each_client_authenticates_with_its_registered_method_only() {
    let env = oauth_provider::env();
    let browser = oauth_provider::browser(&env, "methods@example.com");
    for method in [
        AuthMethod::ClientSecretBasic,
        AuthMethod::ClientSecretPost,
        AuthMethod::PrivateKeyJwt,
        AuthMethod::None,
    ] {
        let client = oauth_provider::seed_client(&env, method, false);
        let code = oauth_provider::code(&env, &browser, client.id(), &[]);
        // Another method than the registered one is invalid_client.
        let mut posing = client.clone();
        posing.record.auth_method = if method == AuthMethod::None {
            AuthMethod::ClientSecretPost
        } else {
            AuthMethod::None
        };
        if posing.secret.is_none() {
            posing.secret = Some("guess".to_string());
        }
        let refused = exchange(&env, &posing, &code, &[]);
        assert_eq!(error(&refused), "invalid_client", "{method:?}");
        assert_eq!(refused.response.status, 401);
        assert!(
            oauth_provider::tokens(&exchange(&env, &client, &code, &[]))
                .get("access_token")
                .is_some(),
            "{method:?}"
        );
    }
}

#[test]
fn a_wrong_secret_and_a_disabled_client_are_the_same_invalid_client() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::ClientSecretBasic, false);
    let mut wrong = client.clone();
    wrong.secret = Some("not-the-secret".into());
    let refused = oauth_provider::refresh(&env, &wrong, "x", &[]);
    assert_eq!(error(&refused), "invalid_client");
    assert_eq!(
        refused.response.header("WWW-Authenticate"),
        Some("Basic realm=\"edgeauth\"")
    );
    let disabled =
        oauth_provider::seed_client_with(&env, AuthMethod::ClientSecretBasic, false, |record| {
            record.disabled = true
        });
    assert_eq!(
        testkit::body(&oauth_provider::refresh(&env, &disabled, "x", &[]).response),
        testkit::body(&refused.response)
    );
}

#[test]
fn two_authentication_methods_in_one_request_are_refused() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::ClientSecretBasic, false);
    let mut request = oauth_provider::form_post(
        "/oauth/token",
        &client,
        &[("grant_type", "refresh_token"), ("refresh_token", "x")],
    );
    request.body.extend_from_slice(
        alloc::format!("&client_secret={}", client.secret.as_deref().unwrap()).as_bytes(),
    );
    assert_eq!(error(&env.serve::<OAuth>(&request)), "invalid_request");
}

#[test]
fn a_private_key_jwt_assertion_is_accepted_once() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::PrivateKeyJwt, false);
    let assertion = oauth_provider::client_assertion(client.id(), "once");
    let post = |assertion: &str| {
        let form = alloc::format!(
            "grant_type=refresh_token&refresh_token=x&client_assertion_type={}&client_assertion={assertion}",
            crate::policy::oauth_provider::params::encode_component(crate::policy::oauth_provider::assertion::ASSERTION_TYPE)
        );
        let mut request = request(Method::Post, "/oauth/token")
            .header("Content-Type", "application/x-www-form-urlencoded");
        request.body = form.into_bytes();
        env.serve::<OAuth>(&request)
    };
    // Authenticated (the refresh token itself is then refused), then a replay is not.
    assert_eq!(error(&post(&assertion)), "invalid_grant");
    assert_eq!(error(&post(&assertion)), "invalid_client");
}

#[test]
fn the_token_endpoint_takes_forms_only() {
    let env = oauth_provider::env();
    let request = request(Method::Post, "/oauth/token")
        .json(serde_json::json!({"grant_type": "refresh_token"}));
    assert_eq!(env.serve::<OAuth>(&request).response.status, 415);
}

#[test]
fn dynamic_registration_is_off_unless_enabled() {
    let env = oauth_provider::env();
    let register = request(Method::Post, "/oauth/register")
        .json(serde_json::json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none"}));
    assert_eq!(env.serve::<OAuth>(&register).response.status, 404);
    let open = oauth_provider::env_with(&[("OAUTH_DYNAMIC_REGISTRATION", "open")]);
    let outcome = open.serve::<OAuth>(&register);
    assert_eq!(outcome.response.status, 201);
    let registered = body(&outcome.response);
    assert_eq!(registered["token_endpoint_auth_method"], "none");
    assert!(registered.get("client_secret").is_none());
    assert!(outcome
        .audit
        .iter()
        .any(|event| event.event == AuditKind::OauthClientRegistered));
    let stored = pollster::block_on(crate::model::oauth_provider::client::load(
        open.atomic(),
        registered["client_id"].as_str().unwrap(),
    ))
    .unwrap()
    .unwrap();
    assert!(stored.dynamic);
}

#[test]
fn a_confidential_registration_gets_its_secret_once() {
    let env = oauth_provider::env_with(&[("OAUTH_DYNAMIC_REGISTRATION", "open")]);
    let register = request(Method::Post, "/oauth/register").json(serde_json::json!({
        "redirect_uris": ["https://app.example.org/cb"], "client_name": "Confidential",
        "grant_types": ["authorization_code", "refresh_token"]}));
    let registered = body(&env.serve::<OAuth>(&register).response);
    assert_eq!(
        registered["token_endpoint_auth_method"],
        "client_secret_basic"
    );
    assert_eq!(registered["client_secret_expires_at"], 0);
    let secret = registered["client_secret"].as_str().unwrap();
    let stored = pollster::block_on(crate::model::oauth_provider::client::load(
        env.atomic(),
        registered["client_id"].as_str().unwrap(),
    ))
    .unwrap()
    .unwrap();
    assert!(stored.secret_matches(secret));
    assert!(!serde_json::to_string(&stored).unwrap().contains(secret));
}

#[test]
fn registration_in_allowlist_mode_admits_listed_origins_and_loopback_only() {
    let env = oauth_provider::env_with(&[
        ("OAUTH_DYNAMIC_REGISTRATION", "allowlist"),
        ("OAUTH_REGISTRATION_ALLOWLIST", "https://claude.ai,loopback"),
    ]);
    let register = |uri: &str| {
        let request = request(Method::Post, "/oauth/register").json(
            serde_json::json!({"redirect_uris": [uri], "token_endpoint_auth_method": "none"}),
        );
        env.serve::<OAuth>(&request)
    };
    assert_eq!(
        register("https://claude.ai/api/mcp/auth_callback")
            .response
            .status,
        201
    );
    assert_eq!(
        register("http://localhost:6274/oauth/callback")
            .response
            .status,
        201
    );
    for refused in [
        "https://claude.ai.evil.com/cb",
        "https://evil.example/cb",
        "com.example.app:/cb",
    ] {
        let outcome = register(refused);
        assert_eq!(outcome.response.status, 400, "{refused}");
        assert_eq!(error(&outcome), "invalid_redirect_uri");
    }
}

#[test]
fn registration_is_rate_limited_per_address() {
    let env = oauth_provider::env_with(&[
        ("OAUTH_DYNAMIC_REGISTRATION", "open"),
        ("RATE_LIMIT_OAUTH_REGISTER_PER_IP", "2/3600"),
    ]);
    let register = || {
        let request = request(Method::Post, "/oauth/register")
            .json(serde_json::json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none"}));
        env.serve::<OAuth>(&request).response.status
    };
    assert_eq!([register(), register(), register()], [201, 201, 429]);
}

#[test]
fn registration_answers_rfc_7591_errors_for_bad_metadata() {
    let env = oauth_provider::env_with(&[("OAUTH_DYNAMIC_REGISTRATION", "open")]);
    let cases = [
        (
            serde_json::json!({"redirect_uris": ["javascript:alert(1)"]}),
            "invalid_redirect_uri",
        ),
        (
            serde_json::json!({"redirect_uris": ["https://a.example/cb"], "grant_types": ["implicit"]}),
            "invalid_client_metadata",
        ),
        (
            serde_json::json!(["not an object"]),
            "invalid_client_metadata",
        ),
    ];
    for (metadata, code) in cases {
        let outcome =
            env.serve::<OAuth>(&request(Method::Post, "/oauth/register").json(metadata.clone()));
        assert_eq!(outcome.response.status, 400, "{metadata}");
        assert_eq!(error(&outcome), code, "{metadata}");
    }
}

#[test]
fn administrators_list_create_disable_enable_and_delete_clients() {
    let kit = Kit::with(&[("OIDC_RSA_SIGNING_KEYS", &testkit::rsa_keys())]);
    let admin = kit.user("root@example.com", &["admin"]);
    let call = |method: Method, path: &str, body: Option<serde_json::Value>| {
        let mut request = request(method, path);
        if let Some(body) = body {
            request = request.json(body);
        }
        kit.env.serve::<OAuth>(&admin.authorize(request))
    };
    let created = call(
        Method::Post,
        "/oauth/admin/clients",
        Some(serde_json::json!({
        "client_name": "Docs app", "redirect_uris": ["https://docs.example.org/cb"],
        "id_token_signed_response_alg": "RS256"})),
    );
    let (status, view) = answer(&created);
    assert_eq!(status, 201);
    assert!(view["client_secret"].is_string());
    assert!(created
        .audit
        .iter()
        .any(|event| event.event == AuditKind::OauthClientCreated));
    let id = view["client_id"].as_str().unwrap().to_string();
    let path = alloc::format!("/oauth/admin/clients/{id}");
    assert_eq!(
        answer(&call(Method::Get, &path, None)).1["client_name"],
        "Docs app"
    );
    assert!(answer(&call(Method::Get, &path, None))
        .1
        .get("client_secret")
        .is_none());
    kit.env.advance_secs(1);
    let listed = answer(&call(Method::Get, "/oauth/admin/clients", None)).1;
    assert_eq!(listed["clients"][0]["client_id"], id.as_str());
    assert_eq!(
        call(Method::Post, &alloc::format!("{path}/disable"), None)
            .response
            .status,
        204
    );
    assert_eq!(answer(&call(Method::Get, &path, None)).1["disabled"], true);
    assert_eq!(
        call(Method::Post, &alloc::format!("{path}/enable"), None)
            .response
            .status,
        204
    );
    assert_eq!(call(Method::Delete, &path, None).response.status, 204);
    assert_eq!(call(Method::Get, &path, None).response.status, 404);
}

#[test]
fn client_management_is_for_administrators_only() {
    let kit = Kit::new();
    let user = kit.user("plain@example.com", &[]);
    let auditor = kit.user("audit@example.com", &["auditor"]);
    for caller in [&user, &auditor] {
        let outcome = kit
            .env
            .serve::<OAuth>(&caller.authorize(request(Method::Get, "/oauth/admin/clients")));
        assert_eq!(outcome.response.status, 403);
    }
    let anonymous = kit
        .env
        .serve::<OAuth>(&request(Method::Get, "/oauth/admin/clients"));
    assert_eq!(anonymous.response.status, 401);
}

#[test]
fn a_disabled_client_is_refused_at_authorization_and_token_endpoints() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::ClientSecretBasic, true);
    let browser = oauth_provider::browser(&env, "disabled@example.com");
    let code = oauth_provider::code(&env, &browser, client.id(), &[]);
    let (mut record, raw) = pollster::block_on(crate::model::oauth_provider::client::load_raw(
        env.atomic(),
        client.id(),
    ))
    .unwrap()
    .unwrap();
    record.disabled = true;
    assert!(
        pollster::block_on(crate::model::oauth_provider::client::swap(
            env.atomic(),
            Some(&raw),
            Some(&record),
            client.id()
        ))
        .unwrap()
    );
    assert_eq!(
        error(&exchange(&env, &client, &code, &[])),
        "invalid_client"
    );
    let page = oauth_provider::get(
        &env,
        &oauth_provider::authorize_path(client.id(), &[]),
        Some(&browser),
    )
    .response;
    assert_eq!(page.status, 400);
}
