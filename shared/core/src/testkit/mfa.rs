//! Whole-request helpers for the MFA and data-at-rest tests: register and verify,
//! log in, set up and confirm TOTP, finish a login with a second factor — each
//! through `app::serve` of the function that owns the route, so the HTTP layer is
//! always included.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{json, Value};

use crate::app::Outcome;
use crate::ctx::Services;
use crate::functions::{Api, Login, Reset};
use crate::http::Method;
use crate::model::user;
use crate::policy::mfa::{base32, totp};
use crate::testkit::{self, request, Client, RequestExt, TestEnv};

/// The password of every test account.
pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// The token of the `#token=` link in the first mail of `outcome`.
pub(crate) fn token_in_mail(outcome: &Outcome) -> String {
    let text = &outcome.mails[0].text;
    let start = text.find("#token=").unwrap() + "#token=".len();
    text[start..].split_whitespace().next().unwrap().to_string()
}

/// The user id behind an address (looked up under every data key).
pub(crate) fn user_id_of(env: &TestEnv, email: &str) -> Option<String> {
    pollster::block_on(user::find_by_email(env.atomic(), &env.config, email)).unwrap()
}

/// Registers and verifies `email` through the `login` and `reset` functions.
pub(crate) fn registered(env: &TestEnv, email: &str) -> String {
    let outcome = env.serve::<Login>(
        &request(Method::Post, "/auth/register")
            .json(json!({"email": email, "password": PASSWORD})),
    );
    assert_eq!(outcome.response.status, 202);
    let verified = env.serve::<Reset>(
        &request(Method::Post, "/auth/email/verify")
            .json(json!({"token": token_in_mail(&outcome)})),
    );
    assert_eq!(verified.response.status, 200);
    user_id_of(env, email).unwrap()
}

/// `POST /auth/login` with the test password.
pub(crate) fn login(env: &TestEnv, email: &str, mode: &str) -> Outcome {
    env.serve::<Login>(
        &request(Method::Post, "/auth/login")
            .json(json!({"email": email, "password": PASSWORD, "mode": mode})),
    )
}

/// Logs in with the password alone, asserting a session (no MFA).
pub(crate) fn signed_in(env: &TestEnv, email: &str, mode: &'static str) -> Client {
    Client::from_answer(&login(env, email, mode).response, mode)
}

/// The MFA token of a login that must answer `mfa_required`.
pub(crate) fn mfa_token(env: &TestEnv, email: &str, mode: &str) -> String {
    let outcome = login(env, email, mode);
    assert_eq!(outcome.response.status, 200);
    let body = testkit::body(&outcome.response);
    assert_eq!(body["mfa_required"], true, "{body}");
    body["mfa_token"].as_str().unwrap().to_string()
}

/// `POST /auth/login/mfa` with `body` (which should hold `mfa_token` and a factor).
pub(crate) fn second_step(env: &TestEnv, body: Value) -> Outcome {
    env.serve::<Login>(&request(Method::Post, "/auth/login/mfa").json(body))
}

/// `POST /auth/login/mfa` with each of `bodies` at once, every store call yielding
/// first so the requests interleave; the outcomes in the order of `bodies`.
pub(crate) fn second_steps_concurrently(env: &TestEnv, bodies: &[Value]) -> Vec<Outcome> {
    let requests: Vec<_> = bodies
        .iter()
        .map(|body| request(Method::Post, "/auth/login/mfa").json(body.clone()))
        .collect();
    env.interleave(true);
    let outcomes = pollster::block_on(futures::future::join_all(
        requests.iter().map(|r| env.serve_async::<Login>(r)),
    ));
    env.interleave(false);
    outcomes
}

/// A request to the `api` function as `client`.
pub(crate) fn api(
    env: &TestEnv,
    client: &Client,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Outcome {
    let mut req = request(method, path);
    if let Some(body) = body {
        req = req.json(body);
    }
    env.serve::<Api>(&client.authorize(req))
}

/// `POST /api/me/mfa/totp/setup` → the decoded secret and the answer's body.
pub(crate) fn setup(env: &TestEnv, client: &Client) -> (Vec<u8>, Value) {
    let outcome = api(env, client, Method::Post, "/api/me/mfa/totp/setup", None);
    assert_eq!(
        outcome.response.status,
        200,
        "{:?}",
        testkit::body(&outcome.response)
    );
    let body = testkit::body(&outcome.response);
    let secret = base32::decode(body["secret"].as_str().unwrap()).unwrap();
    (secret, body)
}

/// The TOTP code of `secret` at the test clock's time.
pub(crate) fn code_now(env: &TestEnv, secret: &[u8]) -> String {
    totp::generate_code(secret, crate::Clock::now_ms(&*env.clock) / 1000)
}

/// Sets up and confirms TOTP for `client`; returns the secret and the recovery codes.
/// The clock is moved one step on, so the confirming code's step is not the
/// current one any more (it was used).
pub(crate) fn enable_totp(env: &TestEnv, client: &Client) -> (Vec<u8>, Vec<String>) {
    let (secret, _) = setup(env, client);
    let code = code_now(env, &secret);
    let outcome = api(
        env,
        client,
        Method::Post,
        "/api/me/mfa/totp/confirm",
        Some(json!({ "code": code })),
    );
    assert_eq!(
        outcome.response.status,
        200,
        "{:?}",
        testkit::body(&outcome.response)
    );
    let codes = testkit::body(&outcome.response)["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    env.advance_secs(totp::STEP_SECS);
    (secret, codes)
}

/// Password, then a TOTP code: a session in `mode`.
pub(crate) fn mfa_login(env: &TestEnv, email: &str, secret: &[u8], mode: &'static str) -> Client {
    let token = mfa_token(env, email, mode);
    let outcome = second_step(
        env,
        json!({"mfa_token": token, "code": code_now(env, secret)}),
    );
    Client::from_answer(&outcome.response, mode)
}
