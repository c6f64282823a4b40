use crate::functions::{OAuth, Pages};
use crate::http::Method;
use crate::model::oauth_provider::client::AuthMethod;
use crate::testkit::oauth_provider::{
    self, authorize_path, decide, get, location, param, REDIRECT,
};
use crate::testkit::{body, request, RequestExt};
use alloc::string::ToString;

fn page_problem(response: &crate::http::Response) -> String {
    let html = String::from_utf8_lossy(&response.body).into_owned();
    html.split("data-problem=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("")
        .into()
}

use alloc::string::String;
use alloc::vec::Vec;

#[test]
fn discovery_documents_name_the_issuer_endpoints_and_capabilities() {
    let env = oauth_provider::env_with(&[("OAUTH_DYNAMIC_REGISTRATION", "open")]);
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let response = get(&env, path, None).response;
        assert_eq!(response.status, 200);
        assert_eq!(
            response.header("Cache-Control"),
            Some("public, max-age=300")
        );
        let doc = body(&response);
        assert_eq!(doc["issuer"], crate::testkit::ORIGIN);
        assert_eq!(
            doc["authorization_endpoint"],
            "https://app.example.com/oauth/authorize"
        );
        assert_eq!(
            doc["registration_endpoint"],
            "https://app.example.com/oauth/register"
        );
        assert_eq!(
            doc["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
        assert_eq!(doc["response_types_supported"], serde_json::json!(["code"]));
        assert_eq!(
            doc["id_token_signing_alg_values_supported"],
            serde_json::json!(["EdDSA", "RS256"])
        );
        assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    }
    let quiet = oauth_provider::env_with(&[]);
    let doc = body(&get(&quiet, "/.well-known/openid-configuration", None).response);
    assert!(doc.get("registration_endpoint").is_none());
    let resource = body(&get(&env, "/.well-known/oauth-protected-resource/api", None).response);
    assert_eq!(resource["resource"], "https://app.example.com/api");
    assert_eq!(
        resource["authorization_servers"],
        serde_json::json!(["https://app.example.com"])
    );
}

#[test]
fn an_unknown_client_or_unregistered_redirect_uri_gets_the_error_page_never_a_redirect() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::ClientSecretBasic, true);
    let cases = [
        (
            authorize_path("ffffffffffffffffffffffffffffffff", &[]),
            "unknown_client",
        ),
        (authorize_path("not-an-id", &[]), "unknown_client"),
        (
            authorize_path(
                client.id(),
                &[("redirect_uri", "https://evil.example/callback")],
            ),
            "bad_redirect_uri",
        ),
        (
            alloc::format!(
                "{}&redirect_uri=https%3A%2F%2Fevil.example%2F",
                authorize_path(client.id(), &[])
            ),
            "bad_redirect_uri",
        ),
        ("/oauth/authorize?client_id=%ZZ".into(), "malformed"),
    ];
    for (path, problem) in cases {
        let response = get(&env, &path, None).response;
        assert_eq!(response.status, 400, "{path}");
        assert!(response.header("Location").is_none(), "{path}");
        assert_eq!(page_problem(&response), problem, "{path}");
        assert!(response
            .header("Content-Security-Policy")
            .unwrap()
            .starts_with("default-src 'none'"));
        assert!(!String::from_utf8_lossy(&response.body).contains("evil.example"));
    }
}

#[test]
fn a_redirect_uri_varied_by_one_character_is_refused_at_authorization() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::None, false);
    for varied in [
        "https://rp.example.org/callbacK",
        "https://rp.example.org/callback/",
        "https://rp.example.org/Callback",
        "https://rp.example.org/callbac",
        "https://rp.example.orgg/callback",
        "https://rp.example.org/callback?",
        "http://rp.example.org/callback",
    ] {
        let response = get(
            &env,
            &authorize_path(client.id(), &[("redirect_uri", varied)]),
            None,
        )
        .response;
        assert_eq!(response.status, 400, "{varied}");
        assert_eq!(page_problem(&response), "bad_redirect_uri", "{varied}");
    }
}

#[test]
fn errors_after_the_redirect_uri_is_validated_redirect_with_state_and_iss() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::None, false);
    let cases: [(&[(&str, &str)], &str); 8] = [
        (&[("code_challenge_method", "plain")], "invalid_request"),
        (&[("code_challenge", "")], "invalid_request"),
        (&[("response_type", "token")], "unsupported_response_type"),
        (
            &[("response_type", "code id_token")],
            "unsupported_response_type",
        ),
        (&[("scope", "openid admin")], "invalid_scope"),
        (
            &[("resource", "https://not-configured.example/api")],
            "invalid_target",
        ),
        (
            &[("request", "eyJhbGciOiJub25lIn0.e30.")],
            "request_not_supported",
        ),
        (&[("prompt", "none login")], "invalid_request"),
    ];
    for (extra, error) in cases {
        let response = get(&env, &authorize_path(client.id(), extra), None).response;
        assert_eq!(response.status, 303, "{extra:?}");
        let target = location(&response);
        assert!(
            target.starts_with("https://rp.example.org/callback?"),
            "{target}"
        );
        assert_eq!(param(&target, "error").as_deref(), Some(error), "{extra:?}");
        assert_eq!(param(&target, "state").as_deref(), Some("st-1"));
        assert_eq!(
            param(&target, "iss").as_deref(),
            Some(crate::testkit::ORIGIN)
        );
        assert!(param(&target, "code").is_none());
    }
}

#[test]
fn a_signed_out_browser_is_sent_to_sign_in_and_back_to_the_request() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::None, false);
    let response = get(
        &env,
        &authorize_path(client.id(), &[("scope", "openid")]),
        None,
    )
    .response;
    assert_eq!(response.status, 303);
    let target = location(&response);
    assert!(
        target.starts_with("/sign-in?return_to=%2Foauth%2Fcontinue%3Frequest%3D"),
        "{target}"
    );
    let back = param(&target, "return_to").unwrap();
    // The hosted sign-in page accepts the way back (its return_to rules apply).
    let mut sign_in = request(Method::Get, "/sign-in");
    sign_in.query = target.split_once('?').unwrap().1.into();
    let page = env.serve::<Pages>(&sign_in).response;
    let html = String::from_utf8_lossy(&page.body).into_owned();
    assert!(
        html.contains(&alloc::format!(
            "data-return-to=\"{}\"",
            back.replace('&', "&amp;")
        )),
        "{html}"
    );
    // Signed in now: the request continues to the consent page, then to a code.
    let browser = oauth_provider::browser(&env, "back@example.com");
    let resumed = get(&env, &back, Some(&browser)).response;
    let consent = location(&resumed);
    assert!(consent.starts_with("/consent?request="), "{consent}");
    let decided = decide(&env, &browser, &param(&consent, "request").unwrap(), true);
    let redirect = body(&decided)["redirect_to"].as_str().unwrap().to_string();
    assert!(redirect.starts_with(REDIRECT));
    assert!(param(&redirect, "code").is_some());
    assert_eq!(param(&redirect, "state").as_deref(), Some("st-1"));
    // A decided request cannot be resumed again.
    let again = get(&env, &back, Some(&browser)).response;
    assert_eq!(again.status, 400);
    assert_eq!(page_problem(&again), "expired");
}

#[test]
fn consent_is_asked_once_then_remembered_per_client_and_scope() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::None, false);
    let other = oauth_provider::seed_client(&env, AuthMethod::None, false);
    let browser = oauth_provider::browser(&env, "consent@example.com");
    let ask = |client_id: &str, scope: &str| {
        location(
            &get(
                &env,
                &authorize_path(client_id, &[("scope", scope)]),
                Some(&browser),
            )
            .response,
        )
    };
    assert!(ask(client.id(), "openid email").starts_with("/consent?"));
    oauth_provider::code(&env, &browser, client.id(), &[("scope", "openid email")]);
    // Remembered: within the granted scopes, a code at once.
    assert!(ask(client.id(), "openid").starts_with(REDIRECT));
    assert!(ask(client.id(), "email openid").starts_with(REDIRECT));
    // Beyond them, or another client: asked again.
    assert!(ask(client.id(), "openid documents").starts_with("/consent?"));
    assert!(ask(other.id(), "openid").starts_with("/consent?"));
    // prompt=consent always asks.
    let forced = get(
        &env,
        &authorize_path(client.id(), &[("scope", "openid"), ("prompt", "consent")]),
        Some(&browser),
    );
    assert!(location(&forced.response).starts_with("/consent?"));
}

#[test]
fn the_consent_page_api_describes_the_request_and_a_denial_redirects_access_denied() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client_with(&env, AuthMethod::None, false, |record| {
        record.dynamic = true
    });
    let browser = oauth_provider::browser(&env, "deny@example.com");
    let first = get(
        &env,
        &authorize_path(
            client.id(),
            &[
                ("scope", "openid documents"),
                ("resource", oauth_provider::MCP),
            ],
        ),
        Some(&browser),
    );
    let id = param(&location(&first.response), "request").unwrap();
    let described = env.serve::<OAuth>(&browser.authorize(request(
        Method::Get,
        &alloc::format!("/oauth/requests/{id}"),
    )));
    let view = body(&described.response);
    assert_eq!(view["client"]["name"], "Test RP");
    assert_eq!(view["client"]["dynamic"], true);
    assert_eq!(view["client"]["redirect_host"], "rp.example.org");
    assert_eq!(view["scopes"][1]["scope"], "documents");
    assert_eq!(view["resources"], serde_json::json!([oauth_provider::MCP]));
    let denied = decide(&env, &browser, &id, false);
    let target = body(&denied)["redirect_to"].as_str().unwrap().to_string();
    assert_eq!(param(&target, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&target, "state").as_deref(), Some("st-1"));
    // Decided once: a second decision (say, another tab approving) finds nothing.
    assert_eq!(decide(&env, &browser, &id, true).status, 404);
}

#[test]
fn deciding_needs_the_csrf_header_and_a_signed_in_user() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::None, false);
    let browser = oauth_provider::browser(&env, "csrf@example.com");
    let first = get(
        &env,
        &authorize_path(client.id(), &[("scope", "openid")]),
        Some(&browser),
    );
    let id = param(&location(&first.response), "request").unwrap();
    let path = alloc::format!("/oauth/requests/{id}");
    let no_header = request(Method::Post, &path)
        .cookies(&[
            ("__Host-access", &browser.access),
            ("__Host-csrf", browser.csrf.as_deref().unwrap()),
        ])
        .json(serde_json::json!({"approve": true}));
    assert_eq!(env.serve::<OAuth>(&no_header).response.status, 403);
    let anonymous = request(Method::Post, &path).json(serde_json::json!({"approve": true}));
    assert_eq!(env.serve::<OAuth>(&anonymous).response.status, 401);
    // Still waiting: the legitimate decision works.
    assert_eq!(decide(&env, &browser, &id, true).status, 200);
}

#[test]
fn prompt_none_answers_login_required_and_consent_required() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::None, false);
    let signed_out = get(
        &env,
        &authorize_path(client.id(), &[("prompt", "none")]),
        None,
    )
    .response;
    assert_eq!(
        param(&location(&signed_out), "error").as_deref(),
        Some("login_required")
    );
    let browser = oauth_provider::browser(&env, "none@example.com");
    let no_consent = get(
        &env,
        &authorize_path(client.id(), &[("prompt", "none"), ("scope", "openid")]),
        Some(&browser),
    )
    .response;
    assert_eq!(
        param(&location(&no_consent), "error").as_deref(),
        Some("consent_required")
    );
    oauth_provider::code(&env, &browser, client.id(), &[("scope", "openid")]);
    let silent = get(
        &env,
        &authorize_path(client.id(), &[("prompt", "none"), ("scope", "openid")]),
        Some(&browser),
    )
    .response;
    assert!(param(&location(&silent), "code").is_some());
}

#[test]
fn prompt_login_and_max_age_ask_for_a_fresh_sign_in() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::None, false);
    let browser = oauth_provider::browser(&env, "fresh@example.com");
    oauth_provider::code(&env, &browser, client.id(), &[("scope", "openid")]);
    env.advance_secs(120);
    let login = get(
        &env,
        &authorize_path(client.id(), &[("scope", "openid"), ("prompt", "login")]),
        Some(&browser),
    )
    .response;
    let target = location(&login);
    assert!(
        target.starts_with("/sign-in?") && target.ends_with("&prompt=login"),
        "{target}"
    );
    let aged = get(
        &env,
        &authorize_path(client.id(), &[("scope", "openid"), ("max_age", "60")]),
        Some(&browser),
    )
    .response;
    assert!(location(&aged).starts_with("/sign-in?"));
    let young = get(
        &env,
        &authorize_path(client.id(), &[("scope", "openid"), ("max_age", "600")]),
        Some(&browser),
    )
    .response;
    assert!(location(&young).starts_with(REDIRECT));
    // A new sign-in satisfies the waiting request.
    let back = param(&target, "return_to").unwrap();
    let user_id = browser.user_id.clone();
    let fresh = crate::testkit::sign_in(&env, &user_id, "cookie");
    let resumed = get(&env, &back, Some(&fresh)).response;
    assert!(
        location(&resumed).starts_with(REDIRECT),
        "{}",
        location(&resumed)
    );
}

#[test]
fn a_registered_loopback_redirect_uri_accepts_any_port() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::None, false);
    let browser = oauth_provider::browser(&env, "native@example.com");
    let native = "http://127.0.0.1:53682/native";
    let first = get(
        &env,
        &authorize_path(client.id(), &[("redirect_uri", native)]),
        Some(&browser),
    )
    .response;
    let id = param(&location(&first), "request").unwrap();
    let target = body(&decide(&env, &browser, &id, true))["redirect_to"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        target.starts_with("http://127.0.0.1:53682/native?code="),
        "{target}"
    );
}

// OpenID conformance `oidcc-response-type-missing`: the error goes to the validated
// redirect URI, with the state and the issuer.
#[test]
fn a_missing_response_type_is_invalid_request_at_the_redirect_uri() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::None, false);
    let path = authorize_path(client.id(), &[]).replace("response_type=code&", "");
    assert!(!path.contains("response_type"), "{path}");
    let response = get(&env, &path, None).response;
    assert_eq!(response.status, 303);
    let target = location(&response);
    assert!(target.starts_with(REDIRECT), "{target}");
    assert_eq!(param(&target, "error").as_deref(), Some("invalid_request"));
    assert_eq!(param(&target, "state").as_deref(), Some("st-1"));
    assert_eq!(
        param(&target, "iss").as_deref(),
        Some(crate::testkit::ORIGIN)
    );
    assert!(param(&target, "code").is_none());
}

// OpenID conformance `oidcc-ensure-request-with-unknown-parameter-succeeds`,
// `oidcc-display-page`/`-popup`, `oidcc-login-hint`, `oidcc-ui-locales`,
// `oidcc-claims-locales`, `oidcc-acr-values`, `oidcc-id-token-hint`: accepted and
// ignored — the request goes on to a code, for a signed-out browser through sign-in.
#[test]
fn unknown_parameters_and_hints_are_ignored_and_the_request_goes_on() {
    let env = oauth_provider::env();
    let client = oauth_provider::seed_client(&env, AuthMethod::None, false);
    let extras: [&[(&str, &str)]; 7] = [
        &[("vendor_extension", "whatever"), ("another", "")],
        &[("display", "page")],
        &[("display", "popup")],
        &[("login_hint", "someone@example.com")],
        &[("ui_locales", "de-CH fr")],
        &[
            ("claims_locales", "de"),
            ("acr_values", "urn:mace:incommon:iap:silver"),
        ],
        &[("id_token_hint", "not.a.token")],
    ];
    for extra in extras {
        let mut params: Vec<(&str, &str)> = alloc::vec![("scope", "openid")];
        params.extend_from_slice(extra);
        let signed_out = get(&env, &authorize_path(client.id(), &params), None).response;
        assert_eq!(signed_out.status, 303, "{extra:?}");
        assert!(
            location(&signed_out).starts_with("/sign-in?return_to="),
            "{extra:?}: {}",
            location(&signed_out)
        );
    }
    let browser = oauth_provider::browser(&env, "hints@example.com");
    for extra in extras {
        let mut params: Vec<(&str, &str)> = alloc::vec![("scope", "openid")];
        params.extend_from_slice(extra);
        // The first asks for consent (remembered from then on), each gets a code.
        let code = oauth_provider::code(&env, &browser, client.id(), &params);
        assert!(!code.is_empty(), "{extra:?}");
    }
}
