use crate::crypto::signature::SoftwareVerifier;
use crate::model::audit::AuditKind;
use crate::model::oauth_provider::client::AuthMethod;
use crate::policy::oauth_provider::tokens;
use crate::testkit::oauth_provider::{self, error, exchange, refresh};
use crate::testkit::{self, START_MS};
use alloc::string::ToString;

fn verify_access(env: &crate::testkit::TestEnv, token: &str, audience: &str) -> bool {
    pollster::block_on(tokens::verify_access(
        &env.config,
        &SoftwareVerifier,
        token,
        testkit::START_MS,
        Some(audience),
    ))
    .is_ok()
}

#[test]
fn the_code_exchange_answers_an_access_token_a_refresh_token_and_an_id_token() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::ClientSecretBasic, true);
    let browser = oauth_provider::browser(&env, "exchange@example.com");
    let code = oauth_provider::code(
        &env,
        &browser,
        client.id(),
        &[("scope", "openid email offline_access"), ("nonce", "n-42")],
    );
    let outcome = exchange(&env, &client, &code, &[]);
    assert_eq!(outcome.response.header("Cache-Control"), Some("no-store"));
    assert_eq!(outcome.response.header("Pragma"), Some("no-cache"));
    assert!(outcome
        .audit
        .iter()
        .any(|event| event.event == AuditKind::OauthTokenIssued));
    let answer = oauth_provider::tokens(&outcome);
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["expires_in"], 900);
    assert_eq!(answer["scope"], "openid email offline_access");
    assert!(answer["refresh_token"].is_string());
    let access = answer["access_token"].as_str().unwrap();
    assert!(verify_access(
        &env,
        access,
        "https://app.example.com/oauth/userinfo"
    ));
    let id_token = answer["id_token"].as_str().unwrap();
    let read = crate::policy::oauth_provider::jws::parse(id_token).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&read.payload).unwrap();
    assert_eq!(read.header.alg, "EdDSA");
    assert_eq!(claims["aud"], client.id());
    assert_eq!(claims["sub"], browser.user_id.as_str());
    assert_eq!(claims["nonce"], "n-42");
    assert_eq!(claims["iss"], testkit::ORIGIN);
    assert_eq!(claims["auth_time"], START_MS / 1000);
}

#[test]
fn an_openid_grant_without_offline_access_gets_no_refresh_token() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::ClientSecretPost, true);
    let browser = oauth_provider::browser(&env, "online@example.com");
    let code = oauth_provider::code(&env, &browser, client.id(), &[("scope", "openid")]);
    let answer = oauth_provider::tokens(&exchange(&env, &client, &code, &[]));
    assert!(answer.get("refresh_token").is_none());
    // A plain OAuth grant (an MCP client, say) gets one.
    let code = oauth_provider::code(
        &env,
        &browser,
        client.id(),
        &[("scope", "mcp:tools"), ("resource", oauth_provider::MCP)],
    );
    let answer = oauth_provider::tokens(&exchange(&env, &client, &code, &[]));
    assert!(answer["refresh_token"].is_string());
    assert!(answer.get("id_token").is_none());
}

#[test]
fn a_code_used_twice_is_refused_and_revokes_the_tokens_it_gave() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::ClientSecretBasic, true);
    let browser = oauth_provider::browser(&env, "twice@example.com");
    let code = oauth_provider::code(
        &env,
        &browser,
        client.id(),
        &[("scope", "openid offline_access")],
    );
    let first = oauth_provider::tokens(&exchange(&env, &client, &code, &[]));
    let refresh_token = first["refresh_token"].as_str().unwrap().to_string();
    let access = first["access_token"].as_str().unwrap().to_string();
    assert_eq!(oauth_provider::userinfo_status(&env, &access), 200);
    let second = exchange(&env, &client, &code, &[]);
    assert_eq!(second.response.status, 400);
    assert_eq!(error(&second), "invalid_grant");
    assert!(second
        .audit
        .iter()
        .any(|event| event.event == AuditKind::OauthCodeReuseDetected));
    // What the first use produced is dead: the refresh token and the access token.
    assert_eq!(
        error(&refresh(&env, &client, &refresh_token, &[])),
        "invalid_grant"
    );
    assert_eq!(oauth_provider::userinfo_status(&env, &access), 401);
    // And the code stays refused.
    assert_eq!(error(&exchange(&env, &client, &code, &[])), "invalid_grant");
}

#[test]
fn concurrent_exchanges_of_one_code_leave_no_live_grant() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::ClientSecretBasic, true);
    let browser = oauth_provider::browser(&env, "race@example.com");
    let code = oauth_provider::code(&env, &browser, client.id(), &[("scope", "offline_access")]);
    env.interleave(true);
    let requests: alloc::vec::Vec<_> = (0..4)
        .map(|_| {
            oauth_provider::form_post(
                "/oauth/token",
                &client,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", oauth_provider::REDIRECT),
                    ("code_verifier", oauth_provider::VERIFIER),
                ],
            )
        })
        .collect();
    let outcomes = pollster::block_on(futures::future::join_all(
        requests
            .iter()
            .map(|request| env.serve_async::<crate::functions::OAuth>(request)),
    ));
    env.interleave(false);
    let issued: alloc::vec::Vec<_> = outcomes
        .iter()
        .filter(|o| o.response.status == 200)
        .collect();
    assert!(issued.len() <= 1);
    for outcome in &issued {
        let refresh_token = testkit::body(&outcome.response)["refresh_token"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            error(&refresh(&env, &client, &refresh_token, &[])),
            "invalid_grant"
        );
    }
}

#[test]
fn a_pkce_verifier_mismatch_is_invalid_grant_and_consumes_nothing() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::None, false);
    let browser = oauth_provider::browser(&env, "pkce@example.com");
    let code = oauth_provider::code(&env, &browser, client.id(), &[]);
    let wrong = "x".repeat(43);
    for verifier in [wrong.as_str(), oauth_provider::CHALLENGE, "short"] {
        let refused = exchange(&env, &client, &code, &[("code_verifier", verifier)]);
        assert_eq!(error(&refused), "invalid_grant", "{verifier}");
    }
    let missing = oauth_provider::form_post(
        "/oauth/token",
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", oauth_provider::REDIRECT),
        ],
    );
    assert_eq!(
        error(&env.serve::<crate::functions::OAuth>(&missing)),
        "invalid_request"
    );
    assert!(oauth_provider::tokens(&exchange(&env, &client, &code, &[]))
        .get("access_token")
        .is_some());
}

#[test]
fn a_code_is_bound_to_its_client_redirect_uri_and_sixty_seconds() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::None, false);
    let thief = oauth_provider::seed_client(&env, AuthMethod::None, false);
    let browser = oauth_provider::browser(&env, "bound@example.com");
    let code = oauth_provider::code(&env, &browser, client.id(), &[]);
    assert_eq!(error(&exchange(&env, &thief, &code, &[])), "invalid_grant");
    assert_eq!(
        error(&exchange(
            &env,
            &client,
            &code,
            &[("redirect_uri", "https://rp.example.org/callback2")]
        )),
        "invalid_grant"
    );
    env.advance_secs(61);
    assert_eq!(error(&exchange(&env, &client, &code, &[])), "invalid_grant");
}

#[test]
fn a_password_reset_between_authorization_and_exchange_kills_the_code() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::None, false);
    let browser = oauth_provider::browser(&env, "epoch-code@example.com");
    let code = oauth_provider::code(&env, &browser, client.id(), &[]);
    testkit::edit_user(&env, &browser.user_id, |user| {
        crate::policy::session_epoch::advance(user, None);
    });
    assert_eq!(error(&exchange(&env, &client, &code, &[])), "invalid_grant");
}

#[test]
fn implicit_password_and_client_credentials_grants_do_not_exist() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::ClientSecretBasic, true);
    for grant in [
        "password",
        "client_credentials",
        "implicit",
        "urn:ietf:params:oauth:grant-type:device_code",
    ] {
        let request = oauth_provider::form_post(
            "/oauth/token",
            &client,
            &[("grant_type", grant), ("username", "a"), ("password", "b")],
        );
        let outcome = env.serve::<crate::functions::OAuth>(&request);
        assert_eq!(outcome.response.status, 400);
        assert_eq!(error(&outcome), "unsupported_grant_type", "{grant}");
    }
}

#[test]
fn rs256_clients_get_id_tokens_that_verify_with_the_published_rsa_key() {
    let env = oauth_provider::env();
    let client =
        oauth_provider::seed_client_with(&env, AuthMethod::ClientSecretBasic, false, |record| {
            record.id_token_alg = crate::model::oauth_provider::client::IdTokenAlg::Rs256;
        });
    let browser = oauth_provider::browser(&env, "rsa@example.com");
    let code = oauth_provider::code(&env, &browser, client.id(), &[("scope", "openid")]);
    let answer = oauth_provider::tokens(&exchange(&env, &client, &code, &[]));
    let id_token = answer["id_token"].as_str().unwrap();
    let read = crate::policy::oauth_provider::jws::parse(id_token).unwrap();
    assert_eq!(read.header.alg, "RS256");
    assert_eq!(read.header.kid.as_deref(), Some("rsa-a"));
    let jwks = testkit::body(
        &env.serve::<crate::functions::Refresh>(&testkit::request(
            crate::http::Method::Get,
            "/.well-known/jwks.json",
        ))
        .response,
    );
    let keys = crate::crypto::jwk::parse_jwks(jwks.to_string().as_bytes()).unwrap();
    let key = crate::crypto::jwk::find(
        &keys,
        Some("rsa-a"),
        crate::crypto::signature::Algorithm::Rs256,
    )
    .unwrap();
    assert!(SoftwareVerifier::verify_now(
        &crate::crypto::signature::SignatureCheck {
            algorithm: crate::crypto::signature::Algorithm::Rs256,
            public_key_spki: &key.spki,
            message: read.signing_input,
            signature: &read.signature,
        }
    ));
}
