//! The social sign-in flow end to end through `app::serve`, against a fake OpenID
//! provider answered by the test's outbound HTTP (discovery, an Ed25519 key set, a
//! token endpoint that signs the ID token the test describes).

use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::RefCell;
use serde_json::{json, Value};

use crate::crypto::eddsa::EdSigningKey;
use crate::encoding::{b64url, b64url_decode};
use crate::functions::{Api, Login};
use crate::http::{Method, Request, Response};
use crate::model::audit::AuditKind;
use crate::model::user;
use crate::outbound::OutboundMethod;
use crate::secret::Secret;
use crate::testkit::http::json as answer;
use crate::testkit::{self, request, RequestExt, TestEnv};

const ISSUER: &str = "https://idp.example.com";
const CLIENT_ID: &str = "edgeauth-test";
const SEED: [u8; 32] = [7; 32];

/// The fake provider's state: the claims of the next ID token, and its key id.
struct Provider {
    claims: RefCell<Value>,
    kid: RefCell<&'static str>,
    token_status: RefCell<u16>,
}

fn env_with_provider() -> (TestEnv, Rc<Provider>) {
    let env = TestEnv::with_config(testkit::config(&[
        ("OAUTH_PROVIDERS", "acme"),
        ("OAUTH_ACME_CLIENT_ID", CLIENT_ID),
        ("OAUTH_ACME_CLIENT_SECRET", "s3cret-value"),
        ("OAUTH_ACME_ISSUER", ISSUER),
        ("RETURN_TO_PATHS", "/account,/app/"),
    ]));
    let provider = Rc::new(Provider {
        claims: RefCell::new(json!({})),
        kid: RefCell::new("k1"),
        token_status: RefCell::new(200),
    });
    let key = EdSigningKey::from_seed(&Secret::new(SEED.to_vec())).unwrap();
    let x = b64url(&key.verifying_key().to_bytes());
    let state = provider.clone();
    env.http.answer_with(move |sent| match (sent.method, sent.url.as_str()) {
        (OutboundMethod::Get, "https://idp.example.com/.well-known/openid-configuration") => answer(
            200,
            &json!({
                "issuer": ISSUER,
                "authorization_endpoint": "https://idp.example.com/authorize",
                "token_endpoint": "https://idp.example.com/token",
                "jwks_uri": "https://idp.example.com/jwks",
            }),
        ),
        (OutboundMethod::Get, "https://idp.example.com/jwks") => answer(
            200,
            &json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "kid": *state.kid.borrow(), "alg": "EdDSA"}]}),
        ),
        (OutboundMethod::Post, "https://idp.example.com/token") => {
            let status = *state.token_status.borrow();
            if status != 200 {
                return answer(status, &json!({"error": "invalid_grant", "error_description": "<script>"}));
            }
            let header = json!({"alg": "EdDSA", "kid": *state.kid.borrow()}).to_string();
            let input = alloc::format!(
                "{}.{}",
                b64url(header.as_bytes()),
                b64url(state.claims.borrow().to_string().as_bytes())
            );
            let signature = key.sign(input.as_bytes());
            answer(200, &json!({"access_token": "at", "token_type": "Bearer", "id_token": alloc::format!("{input}.{}", b64url(&signature))}))
        }
        _ => answer(404, &json!({})),
    });
    (env, provider)
}

/// A started flow: state, nonce and the binding cookie from the start's answer.
struct Started {
    state: String,
    nonce: String,
    cookie: String,
}

fn query_value(url: &str, name: &str) -> String {
    let query = url.split_once('?').unwrap().1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&alloc::format!("{name}=")))
        .map(crate::encoding::percent_decode)
        .unwrap()
}

fn binding_of(response: &Response) -> String {
    let set = testkit::set_cookies(response)
        .into_iter()
        .find(|cookie| cookie.starts_with("__Host-oauth="))
        .unwrap()
        .to_string();
    set.split(';')
        .next()
        .unwrap()
        .trim_start_matches("__Host-oauth=")
        .to_string()
}

fn start(env: &TestEnv, cookie: Option<&str>) -> Started {
    let mut req = request(Method::Get, "/auth/oauth/acme/start");
    req.query = "return_to=%2Fapp%2Fhome".into();
    if let Some(cookie) = cookie {
        req = req.cookies(&[("__Host-oauth", cookie)]);
    }
    let response = env.serve::<Login>(&req).response;
    assert_eq!(
        response.status,
        303,
        "{:?}",
        String::from_utf8_lossy(&response.body)
    );
    let location = response.header("location").unwrap().to_string();
    assert!(location.starts_with("https://idp.example.com/authorize?response_type=code&client_id=edgeauth-test&redirect_uri=https%3A%2F%2Fapp.example.com%2Fauth%2Foauth%2Facme%2Fcallback"));
    assert_eq!(query_value(&location, "code_challenge_method"), "S256");
    assert_eq!(query_value(&location, "scope"), "openid email profile");
    let cookie_line = testkit::set_cookies(&response)
        .into_iter()
        .find(|cookie| cookie.starts_with("__Host-oauth="))
        .unwrap()
        .to_string();
    assert!(cookie_line.ends_with("; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600"));
    Started {
        state: query_value(&location, "state"),
        nonce: query_value(&location, "nonce"),
        cookie: binding_of(&response),
    }
}

fn claims(provider: &Provider, nonce: &str, sub: &str, email: &str, verified: bool) {
    let now = testkit::START_MS / 1000;
    provider.claims.replace(json!({
        "iss": ISSUER, "sub": sub, "aud": CLIENT_ID, "exp": now + 300, "iat": now,
        "nonce": nonce, "email": email, "email_verified": verified,
    }));
}

fn callback_request(state: &str, cookie: Option<&str>) -> Request {
    let mut req = request(Method::Get, "/auth/oauth/acme/callback");
    req.query = alloc::format!("code=the-code&state={state}");
    match cookie {
        Some(cookie) => req.cookies(&[("__Host-oauth", cookie)]),
        None => req,
    }
}

fn callback(env: &TestEnv, started: &Started) -> Response {
    env.serve::<Login>(&callback_request(&started.state, Some(&started.cookie)))
        .response
}

fn code_of(response: &Response) -> String {
    testkit::body(response)["code"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

fn audited(env: &TestEnv, outcome: &crate::app::Outcome, kind: AuditKind) -> bool {
    let _ = env;
    outcome.audit.iter().any(|event| event.event == kind)
}

#[test]
fn a_first_sign_in_with_a_verified_address_creates_the_account_and_signs_in() {
    let (env, provider) = env_with_provider();
    let started = start(&env, None);
    claims(&provider, &started.nonce, "sub-1", "New@Example.com", true);
    let outcome = env.serve::<Login>(&callback_request(&started.state, Some(&started.cookie)));
    let response = &outcome.response;
    assert_eq!(response.status, 200, "{:?}", testkit::body(response));
    assert_eq!(testkit::body(response)["user"]["email"], "new@example.com");
    assert!(testkit::set_cookies(response)
        .iter()
        .any(|c| c.starts_with("__Host-access=")));
    assert!(audited(&env, &outcome, AuditKind::OauthLogin));
    assert!(audited(&env, &outcome, AuditKind::IdentityLinked));
    let id = testkit::mfa::user_id_of(&env, "new@example.com").unwrap();
    let stored = testkit::stored_user(&env, &id);
    assert!(stored.email_verified && !stored.has_password());
    assert_eq!(stored.identities.len(), 1);
    // The PKCE verifier went to the token endpoint and matches the challenge sent.
    let token_call = env
        .http
        .sent()
        .into_iter()
        .find(|s| s.url.ends_with("/token"))
        .unwrap();
    let form = String::from_utf8(token_call.body).unwrap();
    assert!(form.contains("grant_type=authorization_code&code=the-code&redirect_uri="));
    assert!(form.contains("code_verifier="));
    assert!(token_call
        .headers
        .iter()
        .any(|(n, v)| n == "Authorization" && v.starts_with("Basic ")));

    // A second sign-in with the same provider account finds the same user.
    let again = start(&env, Some(&started.cookie));
    assert_eq!(
        again.cookie, started.cookie,
        "the binding is kept across starts"
    );
    claims(
        &provider,
        &again.nonce,
        "sub-1",
        "renamed@example.com",
        true,
    );
    let response = callback(&env, &again);
    assert_eq!(testkit::body(&response)["user"]["id"], id.as_str());
}

#[test]
fn a_browser_navigation_lands_on_return_to_with_the_session_cookies() {
    let (env, provider) = env_with_provider();
    let started = start(&env, None);
    claims(&provider, &started.nonce, "sub-1", "nav@example.com", true);
    let req = callback_request(&started.state, Some(&started.cookie))
        .header("Sec-Fetch-Mode", "navigate");
    let response = env.serve::<Login>(&req).response;
    assert_eq!(response.status, 303);
    assert_eq!(response.header("location"), Some("/app/home"));
    assert!(testkit::set_cookies(&response)
        .iter()
        .any(|c| c.starts_with("__Host-access=")));
    // A failure redirects back to the sign-in page with the code only.
    let req = callback_request(&started.state, Some(&started.cookie))
        .header("Sec-Fetch-Mode", "navigate");
    let response = env.serve::<Login>(&req).response;
    assert_eq!(
        response.header("location"),
        Some("/sign-in?error=oauth_failed")
    );
}

#[test]
fn a_callback_in_another_browser_or_replayed_fails() {
    let (env, provider) = env_with_provider();
    let started = start(&env, None);
    claims(&provider, &started.nonce, "sub-1", "a@example.com", true);
    // Without the cookie, or with another browser's: refused, and the state is spent.
    let other = start(&env, None);
    for cookie in [None, Some(other.cookie.as_str())] {
        let response = env
            .serve::<Login>(&callback_request(&started.state, cookie))
            .response;
        assert_eq!(response.status, 400);
        assert_eq!(code_of(&response), "oauth_failed");
    }
    let response = callback(&env, &started);
    assert_eq!(
        response.status, 400,
        "a state is used once, even by its own browser"
    );
    assert_eq!(
        testkit::body(&response)["detail"],
        "the sign-in request is unknown, expired or was already used"
    );
    // No token request was made for any of them.
    assert!(env.http.sent().iter().all(|s| !s.url.ends_with("/token")));
}

#[test]
fn a_replayed_successful_callback_is_refused() {
    let (env, provider) = env_with_provider();
    let started = start(&env, None);
    claims(&provider, &started.nonce, "sub-1", "r@example.com", true);
    assert_eq!(callback(&env, &started).status, 200);
    let replay = callback(&env, &started);
    assert_eq!(replay.status, 400);
    assert_eq!(code_of(&replay), "oauth_failed");
}

#[test]
fn id_tokens_of_another_flow_audience_or_time_are_refused() {
    let (env, provider) = env_with_provider();
    let now = testkit::START_MS / 1000;
    type Change = fn(&mut serde_json::Map<String, Value>);
    let cases: Vec<(&str, Change)> = alloc::vec![
        ("nonce of another flow", |c| {
            c.insert("nonce".into(), json!("another"));
        }),
        ("wrong audience", |c| {
            c.insert("aud".into(), json!("someone-else"));
        }),
        ("expired", |c| {
            c.insert("exp".into(), json!(1));
        }),
        ("other issuer", |c| {
            c.insert("iss".into(), json!("https://evil.example.com"));
        }),
    ];
    for (name, change) in cases {
        let started = start(&env, None);
        claims(&provider, &started.nonce, "sub-1", "t@example.com", true);
        change(provider.claims.borrow_mut().as_object_mut().unwrap());
        let response = callback(&env, &started);
        assert_eq!(response.status, 400, "{name}");
        assert_eq!(
            testkit::body(&response)["detail"],
            "the provider's answer failed validation",
            "{name}"
        );
    }
    let _ = now;
    assert!(testkit::mfa::user_id_of(&env, "t@example.com").is_none());
}

#[test]
fn a_token_signed_by_an_unknown_key_is_refused_after_one_refetch() {
    let (env, provider) = env_with_provider();
    let started = start(&env, None);
    claims(&provider, &started.nonce, "sub-1", "k@example.com", true);
    assert_eq!(callback(&env, &started).status, 200);
    let key_fetches = || {
        env.http
            .sent()
            .iter()
            .filter(|s| s.url.ends_with("/jwks"))
            .count()
    };
    assert_eq!(key_fetches(), 1);
    // The provider rolls its key: the new kid is unknown to the remembered set; within
    // the refetch interval nothing is fetched and the token is refused.
    provider.kid.replace("k2");
    let started = start(&env, None);
    claims(&provider, &started.nonce, "sub-1", "k@example.com", true);
    assert_eq!(callback(&env, &started).status, 400);
    assert_eq!(key_fetches(), 1);
    // After the interval, one refetch finds it.
    env.advance_secs(crate::memory::oidc::REFETCH_INTERVAL_MS / 1000);
    let started = start(&env, None);
    let now = crate::Clock::now_ms(&*env.clock) / 1000;
    claims(&provider, &started.nonce, "sub-1", "k@example.com", true);
    provider.claims.borrow_mut()["iat"] = json!(now);
    assert_eq!(callback(&env, &started).status, 200);
    assert_eq!(key_fetches(), 2);
}

#[test]
fn an_existing_account_is_never_linked_by_a_sign_in_with_its_address() {
    let (env, provider) = env_with_provider();
    let owner = testkit::seed_user(&env, "owner@example.com", true);
    let started = start(&env, None);
    claims(
        &provider,
        &started.nonce,
        "attacker-sub",
        "Owner@Example.com",
        true,
    );
    let outcome = env.serve::<Login>(&callback_request(&started.state, Some(&started.cookie)));
    assert_eq!(outcome.response.status, 409);
    assert_eq!(code_of(&outcome.response), "oauth_account_exists");
    assert!(testkit::set_cookies(&outcome.response)
        .iter()
        .all(|c| !c.starts_with("__Host-access=")));
    assert!(testkit::stored_user(&env, &owner.id).identities.is_empty());
    assert!(audited(&env, &outcome, AuditKind::OauthFailed));
}

#[test]
fn no_account_is_created_without_a_verified_address() {
    let (env, provider) = env_with_provider();
    let started = start(&env, None);
    claims(
        &provider,
        &started.nonce,
        "sub-u",
        "unverified@example.com",
        false,
    );
    let response = callback(&env, &started);
    assert_eq!(response.status, 400);
    assert_eq!(code_of(&response), "oauth_email_unverified");
    assert!(testkit::mfa::user_id_of(&env, "unverified@example.com").is_none());
}

#[test]
fn provider_refusals_and_outages_map_to_fixed_codes() {
    let (env, provider) = env_with_provider();
    provider.token_status.replace(400);
    let started = start(&env, None);
    let response = callback(&env, &started);
    assert_eq!(response.status, 400);
    assert_eq!(
        testkit::body(&response)["detail"],
        "the provider did not accept the sign-in"
    );
    assert!(!String::from_utf8_lossy(&response.body).contains("script"));
    provider.token_status.replace(500);
    let started = start(&env, None);
    let response = callback(&env, &started);
    assert_eq!(response.status, 502);
    assert_eq!(code_of(&response), "oauth_unavailable");
    // The provider's own error answer at the callback.
    let started = start(&env, None);
    let mut req = callback_request(&started.state, Some(&started.cookie));
    req.query = alloc::format!(
        "error=access_denied&error_description=%3Cb%3E&state={}",
        started.state
    );
    let response = env.serve::<Login>(&req).response;
    assert_eq!(
        testkit::body(&response)["detail"],
        "the provider did not complete the sign-in"
    );
}

#[test]
fn mfa_still_applies_after_a_social_sign_in() {
    let (env, provider) = env_with_provider();
    let started = start(&env, None);
    claims(&provider, &started.nonce, "sub-m", "mfa@example.com", true);
    assert_eq!(callback(&env, &started).status, 200);
    let id = testkit::mfa::user_id_of(&env, "mfa@example.com").unwrap();
    let client = testkit::sign_in(&env, &id, "token");
    let (secret, _) = testkit::mfa::enable_totp(&env, &client);
    let started = start(&env, None);
    claims(&provider, &started.nonce, "sub-m", "mfa@example.com", true);
    provider.claims.borrow_mut()["iat"] = json!(crate::Clock::now_ms(&*env.clock) / 1000);
    provider.claims.borrow_mut()["exp"] = json!(crate::Clock::now_ms(&*env.clock) / 1000 + 300);
    let response = callback(&env, &started);
    let body = testkit::body(&response);
    assert_eq!(body["mfa_required"], true, "{body}");
    assert!(testkit::set_cookies(&response)
        .iter()
        .all(|c| !c.starts_with("__Host-access=")));
    let outcome = testkit::mfa::second_step(
        &env,
        json!({"mfa_token": body["mfa_token"], "code": testkit::mfa::code_now(&env, &secret)}),
    );
    assert_eq!(outcome.response.status, 200);
    let event = outcome
        .audit
        .iter()
        .find(|e| e.event == AuditKind::OauthLogin)
        .unwrap();
    assert_eq!(
        event.detail.get("provider").map(String::as_str),
        Some("acme")
    );
    assert_eq!(event.detail.get("mfa").map(String::as_str), Some("totp"));
}

#[test]
fn linking_after_signing_in_then_unlinking_down_to_the_last_method() {
    let (env, provider) = env_with_provider();
    let owner = testkit::seed_user(&env, "owner@example.com", true);
    let client = testkit::sign_in(&env, &owner.id, "token");
    // Link: an authenticated POST answers the authorization URL and the cookie.
    let outcome =
        env.serve::<Login>(&client.authorize(request(Method::Post, "/auth/oauth/acme/link")));
    assert_eq!(
        outcome.response.status,
        200,
        "{:?}",
        testkit::body(&outcome.response)
    );
    let url = testkit::body(&outcome.response)["authorization_url"]
        .as_str()
        .unwrap()
        .to_string();
    let started = Started {
        state: query_value(&url, "state"),
        nonce: query_value(&url, "nonce"),
        cookie: binding_of(&outcome.response),
    };
    claims(
        &provider,
        &started.nonce,
        "owner-sub",
        "someone@else.example",
        false,
    );
    let linked = env.serve::<Login>(&callback_request(&started.state, Some(&started.cookie)));
    assert_eq!(testkit::body(&linked.response)["status"], "linked");
    assert_eq!(testkit::stored_user(&env, &owner.id).identities.len(), 1);
    // The owner is told, with the "this wasn't me" link.
    assert_eq!(linked.mails.len(), 1, "{:?}", linked.mails);
    assert_eq!(linked.mails[0].to, "owner@example.com");
    assert_eq!(
        linked.mails[0].subject,
        "A sign-in method was linked to your account"
    );
    assert!(linked.mails[0].text.contains("A acme account was linked"));
    assert!(linked.mails[0].text.contains("/security-alert#token="));
    // Now the provider account signs the owner in.
    let again = start(&env, None);
    claims(&provider, &again.nonce, "owner-sub", "x@example.com", false);
    assert_eq!(
        testkit::body(&callback(&env, &again))["user"]["id"],
        owner.id.as_str()
    );

    // The listing shows it; unlinking leaves the password; with no password left, the
    // last method stays.
    let list = env.serve::<Api>(&client.authorize(request(Method::Get, "/api/me/identities")));
    let body = testkit::body(&list.response);
    assert_eq!(body["identities"][0]["provider"], "acme");
    assert_eq!(body["password_set"], true);
    testkit::edit_user(&env, &owner.id, |user| user.password_hash.clear());
    let unlink =
        env.serve::<Api>(&client.authorize(request(Method::Delete, "/api/me/identities/acme")));
    assert_eq!(unlink.response.status, 400);
    assert_eq!(
        testkit::body(&unlink.response)["detail"],
        "the last sign-in method cannot be removed"
    );
    testkit::edit_user(&env, &owner.id, |user| {
        user.password_hash = "$argon2id$set".into()
    });
    let unlink =
        env.serve::<Api>(&client.authorize(request(Method::Delete, "/api/me/identities/acme")));
    assert_eq!(unlink.response.status, 204);
    assert!(unlink
        .audit
        .iter()
        .any(|e| e.event == AuditKind::IdentityUnlinked));
    assert!(testkit::stored_user(&env, &owner.id).identities.is_empty());
    // The provider account is free again: a new sign-in with it makes a new account.
    let again = start(&env, None);
    claims(
        &provider,
        &again.nonce,
        "owner-sub",
        "fresh@example.com",
        true,
    );
    let answer = testkit::body(&callback(&env, &again));
    assert_ne!(answer["user"]["id"], owner.id.as_str());
    let _ = user::is_id("");
    let _ = b64url_decode("");
}

#[test]
fn erasure_releases_the_identity_index() {
    let (env, provider) = env_with_provider();
    let started = start(&env, None);
    claims(
        &provider,
        &started.nonce,
        "sub-e",
        "erase@example.com",
        true,
    );
    assert_eq!(callback(&env, &started).status, 200);
    let id = testkit::mfa::user_id_of(&env, "erase@example.com").unwrap();
    let stored = testkit::stored_user(&env, &id);
    let index = stored.identities[0].index.clone();
    pollster::block_on(crate::flows::gdpr::erase::erase_account(
        &env,
        &env.config,
        &id,
    ))
    .unwrap();
    let owner = pollster::block_on(crate::store::AtomicStore::get(
        crate::ctx::Services::atomic(&env),
        crate::store::AtomicKey::new(&crate::model::identity::shard(&index), "owner"),
    ))
    .unwrap();
    assert_eq!(owner, None);
}
