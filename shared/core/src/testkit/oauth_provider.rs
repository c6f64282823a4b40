//! Fixtures for the OAuth provider's tests: registered clients, a signed-in browser
//! walking through authorization and consent, and token requests in each client
//! authentication method.

use crate::ctx::Services;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::app::Outcome;
use crate::crypto::eddsa::EdSigningKey;
use crate::encoding;
use crate::functions::OAuth;
use crate::http::{Method, Request, Response};
use crate::model::oauth_provider::client::{self, AuthMethod, ClientRecord, IdTokenAlg};
use crate::policy::oauth_provider::params::{encode_component, Params};
use crate::secret::Secret;
use crate::testkit::{self, body, request, Client, RequestExt, TestEnv};

/// The redirect URI every test client registers.
pub(crate) const REDIRECT: &str = "https://rp.example.org/callback";
/// RFC 7636 Appendix B's verifier and its S256 challenge.
pub(crate) const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// The challenge of [`VERIFIER`].
pub(crate) const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// A resource configured by [`env`].
pub(crate) const MCP: &str = "https://mcp.example.com/mcp";

/// A registered client and its secret.
#[derive(Debug, Clone)]
pub(crate) struct TestClient {
    pub(crate) record: ClientRecord,
    pub(crate) secret: Option<String>,
}

impl TestClient {
    pub(crate) fn id(&self) -> &str {
        &self.record.id
    }
}

/// The Ed25519 key of `private_key_jwt` test clients.
pub(crate) fn assertion_key() -> EdSigningKey {
    EdSigningKey::from_seed(&Secret::new(alloc::vec![42u8; 32])).unwrap()
}

/// A test environment with the MCP resource, an extra scope and the RSA ring.
pub(crate) fn env() -> TestEnv {
    env_with(&[])
}

/// [`env`] with more `overrides`.
pub(crate) fn env_with(overrides: &[(&str, &str)]) -> TestEnv {
    let keys = testkit::rsa_keys();
    let mut all: Vec<(&str, &str)> = alloc::vec![
        ("OAUTH_RESOURCES", MCP),
        ("OAUTH_SCOPES", "mcp:tools"),
        ("OIDC_RSA_SIGNING_KEYS", keys.as_str()),
    ];
    all.extend_from_slice(overrides);
    TestEnv::with_config(testkit::config(&all))
}

/// Registers a client straight into the store.
pub(crate) fn seed_client(env: &TestEnv, method: AuthMethod, refresh: bool) -> TestClient {
    seed_client_with(env, method, refresh, |_| {})
}

/// [`seed_client`], with the record adjusted by `change` before it is stored.
pub(crate) fn seed_client_with(
    env: &TestEnv,
    method: AuthMethod,
    refresh: bool,
    change: impl FnOnce(&mut ClientRecord),
) -> TestClient {
    let id = crate::model::user::new_id(&*env.random).unwrap();
    let secret = method
        .uses_secret()
        .then(|| encoding::b64url(&crate::env::random_array::<32>(&*env.random).unwrap()));
    let jwks = (method == AuthMethod::PrivateKeyJwt).then(|| {
        serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "k1", "alg": "EdDSA",
            "x": encoding::b64url(&assertion_key().verifying_key().to_bytes())}]})
        .to_string()
    });
    let mut record = ClientRecord {
        id: id.clone(),
        name: "Test RP".into(),
        redirect_uris: alloc::vec![REDIRECT.into(), "http://127.0.0.1/native".into()],
        post_logout_redirect_uris: alloc::vec!["https://rp.example.org/bye".into()],
        auth_method: method,
        secret_hash: secret.as_deref().map(client::secret_hash),
        jwks,
        refresh_tokens: refresh,
        id_token_alg: IdTokenAlg::EdDsa,
        dynamic: false,
        created_at_ms: testkit::START_MS,
        created_by: None,
        disabled: false,
    };
    change(&mut record);
    pollster::block_on(client::swap(env.atomic(), None, Some(&record), &id)).unwrap();
    TestClient { record, secret }
}

/// A `GET` of the `oauth` function, by `browser` (its cookies) or anonymously.
pub(crate) fn get(env: &TestEnv, path_and_query: &str, browser: Option<&Client>) -> Outcome {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut req = request(Method::Get, path);
    req.query = query.to_string();
    if let Some(browser) = browser {
        req = browser.authorize(req);
    }
    env.serve::<OAuth>(&req)
}

/// The query of an authorization request of `client` (PKCE included) plus `extra`.
pub(crate) fn authorize_path(client_id: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(&str, &str)> = alloc::vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("state", "st-1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    for (name, value) in extra {
        // `resource` repeats (RFC 8707); every other parameter replaces the default.
        if *name != "resource" {
            pairs.retain(|(known, _)| known != name);
        }
        pairs.push((name, value));
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(name, value)| alloc::format!("{name}={}", encode_component(value)))
        .collect();
    alloc::format!("/oauth/authorize?{}", query.join("&"))
}

/// The `Location` of a response.
pub(crate) fn location(response: &Response) -> String {
    response.header("Location").unwrap_or_default().to_string()
}

/// The query parameters of a URL.
pub(crate) fn query(url: &str) -> Params {
    Params::parse(url.split_once('?').map_or("", |(_, q)| q)).unwrap()
}

/// The one value of `name` in `url`'s query.
pub(crate) fn param(url: &str, name: &'static str) -> Option<String> {
    query(url).one(name).unwrap().map(String::from)
}

/// The consent page's decision of request `id` by `browser`: the `redirect_to`.
pub(crate) fn decide(env: &TestEnv, browser: &Client, id: &str, approve: bool) -> Response {
    let req = browser.authorize(
        request(Method::Post, &alloc::format!("/oauth/requests/{id}"))
            .json(serde_json::json!({ "approve": approve })),
    );
    env.serve::<OAuth>(&req).response
}

/// A code for `client` through `browser`: authorize, consent when asked, and the code
/// of the final redirect.
pub(crate) fn code(
    env: &TestEnv,
    browser: &Client,
    client_id: &str,
    extra: &[(&str, &str)],
) -> String {
    let first = get(env, &authorize_path(client_id, extra), Some(browser)).response;
    assert_eq!(
        first.status,
        303,
        "{}",
        String::from_utf8_lossy(&first.body)
    );
    let mut target = location(&first);
    if target.starts_with("/consent?") {
        let id = param(&target, "request").unwrap();
        let decided = decide(env, browser, &id, true);
        assert_eq!(
            decided.status,
            200,
            "{}",
            String::from_utf8_lossy(&decided.body)
        );
        target = body(&decided)["redirect_to"].as_str().unwrap().to_string();
    }
    assert!(target.starts_with(REDIRECT), "{target}");
    param(&target, "code").unwrap()
}

/// A form `POST` of the `oauth` function authenticated as `client` in its method.
pub(crate) fn form_post(path: &str, client: &TestClient, form: &[(&str, &str)]) -> Request {
    let mut pairs: Vec<String> = form
        .iter()
        .map(|(name, value)| alloc::format!("{name}={}", encode_component(value)))
        .collect();
    let mut req = request(Method::Post, path);
    match client.record.auth_method {
        AuthMethod::ClientSecretBasic => {
            let credentials = alloc::format!(
                "{}:{}",
                encode_component(client.id()),
                encode_component(client.secret.as_deref().unwrap())
            );
            let basic = base64_standard(credentials.as_bytes());
            req = req.header("Authorization", &alloc::format!("Basic {basic}"));
        }
        AuthMethod::ClientSecretPost => {
            pairs.push(alloc::format!("client_id={}", client.id()));
            pairs.push(alloc::format!(
                "client_secret={}",
                encode_component(client.secret.as_deref().unwrap())
            ));
        }
        AuthMethod::None => pairs.push(alloc::format!("client_id={}", client.id())),
        AuthMethod::PrivateKeyJwt => {
            let assertion = client_assertion(client.id(), &next_jti());
            pairs.push(alloc::format!(
                "client_assertion_type={}",
                encode_component(crate::policy::oauth_provider::assertion::ASSERTION_TYPE)
            ));
            pairs.push(alloc::format!("client_assertion={assertion}"));
        }
    }
    req.body = pairs.join("&").into_bytes();
    req.header("Content-Type", "application/x-www-form-urlencoded")
}

/// A fresh `jti` for each assertion the fixtures make.
fn next_jti() -> String {
    static NEXT: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(1);
    alloc::format!(
        "jti-{}",
        NEXT.fetch_add(1, core::sync::atomic::Ordering::Relaxed)
    )
}

/// A `private_key_jwt` assertion of `client_id` with `jti`, valid for a minute.
pub(crate) fn client_assertion(client_id: &str, jti: &str) -> String {
    let now = testkit::START_MS / 1000;
    crate::policy::oauth_provider::jws::sign_eddsa(
        &assertion_key(),
        &serde_json::json!({"alg": "EdDSA", "kid": "k1"}),
        &serde_json::json!({"iss": client_id, "sub": client_id, "jti": jti, "iat": now,
            "exp": now + 60, "aud": alloc::format!("{}/oauth/token", testkit::ORIGIN)}),
    )
}

/// Standard base64 with padding (what `Authorization: Basic` carries).
pub(crate) fn base64_standard(bytes: &[u8]) -> String {
    let mut text: String = encoding::b64url(bytes)
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    while !text.len().is_multiple_of(4) {
        text.push('=');
    }
    text
}

/// The token endpoint's answer to exchanging `code` as `client`.
pub(crate) fn exchange(
    env: &TestEnv,
    client: &TestClient,
    code: &str,
    extra: &[(&str, &str)],
) -> Outcome {
    let mut form: Vec<(&str, &str)> = alloc::vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    for (name, value) in extra {
        form.retain(|(known, _)| known != name);
        form.push((name, value));
    }
    env.serve::<OAuth>(&form_post("/oauth/token", client, &form))
}

/// The token endpoint's answer to a refresh with `refresh_token` as `client`.
pub(crate) fn refresh(
    env: &TestEnv,
    client: &TestClient,
    refresh_token: &str,
    extra: &[(&str, &str)],
) -> Outcome {
    let mut form: Vec<(&str, &str)> = alloc::vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    form.extend_from_slice(extra);
    env.serve::<OAuth>(&form_post("/oauth/token", client, &form))
}

/// The JSON body of a token answer (asserting `200`).
pub(crate) fn tokens(outcome: &Outcome) -> serde_json::Value {
    assert_eq!(
        outcome.response.status,
        200,
        "{}",
        String::from_utf8_lossy(&outcome.response.body)
    );
    body(&outcome.response)
}

/// The `error` of an OAuth error answer.
pub(crate) fn error(outcome: &Outcome) -> String {
    body(&outcome.response)["error"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// The status of `GET /oauth/userinfo` with `access_token`.
pub(crate) fn userinfo_status(env: &TestEnv, access_token: &str) -> u16 {
    let req = request(Method::Get, "/oauth/userinfo")
        .header("Authorization", &alloc::format!("Bearer {access_token}"));
    env.serve::<OAuth>(&req).response.status
}

/// A signed-in browser (cookie mode) of a new verified user.
pub(crate) fn browser(env: &TestEnv, address: &str) -> Client {
    let user = testkit::seed_user(env, address, true);
    testkit::sign_in(env, &user.id, "cookie")
}
