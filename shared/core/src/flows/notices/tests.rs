//! Security notices through whole requests: the new-device sign-in, the password
//! change, the hooks, and the "this wasn't me" route.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::json;

use super::*;
use crate::app::Outcome;
use crate::http::{Method, Request};
use crate::model::audit::AuditKind;
use crate::testkit::{self, request, Client, RequestExt, TestEnv, ORIGIN};

const PASSWORD: &str = "correct horse battery staple";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

fn account(env: &TestEnv, email: &str) -> String {
    let user = testkit::seed_user(env, email, true);
    let hash = crate::policy::password::hash_password(
        PASSWORD,
        &env.config.password_hash,
        None,
        &crate::env::fake::SeededRandom::new(7),
    )
    .unwrap();
    testkit::edit_user(env, &user.id, |record| record.password_hash = hash);
    user.id
}

fn with_agent(mut request: Request, agent: &str, country: Option<&str>) -> Request {
    request
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case("user-agent"));
    let request = request.header("User-Agent", agent);
    match country {
        Some(country) => request.header(crate::http::COUNTRY_HEADER, country),
        None => request,
    }
}

fn login(env: &TestEnv, email: &str, agent: &str, country: Option<&str>) -> Outcome {
    env.serve::<crate::functions::Login>(&with_agent(
        request(Method::Post, "/auth/login")
            .json(json!({"email": email, "password": PASSWORD, "mode": "token"})),
        agent,
        country,
    ))
}

/// The token of the "this wasn't me" link in a notice.
fn not_me_token(mail: &Mail) -> String {
    let prefix = alloc::format!("{ORIGIN}{NOT_ME_PATH}#token=");
    let start = mail.text.find(&prefix).expect("a not-me link") + prefix.len();
    mail.text[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

fn events(outcome: &Outcome) -> Vec<AuditKind> {
    outcome.audit.iter().map(|event| event.event).collect()
}

#[test]
fn the_first_sign_in_is_learned_and_a_new_device_gets_a_notice_and_an_alert() {
    let env = TestEnv::new();
    account(&env, "nia@example.com");
    let first = login(&env, "nia@example.com", FIREFOX, None);
    assert_eq!(first.response.status, 200);
    assert!(
        first.mails.is_empty(),
        "the first device is learned silently"
    );
    assert!(first.alerts.is_empty());
    let again = login(&env, "nia@example.com", FIREFOX, None);
    assert!(again.mails.is_empty(), "a known device");

    let phone = login(&env, "nia@example.com", SAFARI, None);
    assert_eq!(phone.response.status, 200);
    assert_eq!(phone.mails.len(), 1);
    let mail = &phone.mails[0];
    assert_eq!(mail.to, "nia@example.com");
    assert_eq!(mail.subject, "New sign-in to your account");
    assert!(
        mail.text.contains("When: 2026-01-01T00:00:00"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("Device: Safari on iOS"), "{}", mail.text);
    assert!(
        mail.text.contains("Location: network 203.0.113.0/24"),
        "{}",
        mail.text
    );
    assert!(!mail.text.contains("?token"), "never in a query string");
    assert!(!not_me_token(mail).is_empty());
    let event = phone
        .audit
        .iter()
        .find(|event| event.event == AuditKind::LoginSucceeded)
        .unwrap();
    assert_eq!(event.detail["new_device"], "true");
    assert_eq!(phone.alerts.len(), 1);
    assert_eq!(
        phone.alerts[0].kind,
        crate::config::AlertKind::NewDeviceSignIn
    );
}

#[test]
fn a_new_country_is_news_where_the_platform_gives_one() {
    let env = TestEnv::new();
    account(&env, "oli@example.com");
    assert!(login(&env, "oli@example.com", FIREFOX, Some("DE"))
        .mails
        .is_empty());
    assert!(login(&env, "oli@example.com", FIREFOX, Some("DE"))
        .mails
        .is_empty());
    let abroad = login(&env, "oli@example.com", FIREFOX, Some("BR"));
    assert_eq!(abroad.mails.len(), 1);
    assert!(
        abroad.mails[0].text.contains("Location: BR (country"),
        "{}",
        abroad.mails[0].text
    );
    let event = &abroad
        .audit
        .iter()
        .find(|e| e.event == AuditKind::LoginSucceeded)
        .unwrap();
    assert_eq!(event.detail["new_country"], "BR");
    assert!(!event.detail.contains_key("new_device"));
}

#[test]
fn a_password_change_notice_says_when_from_what_and_where_with_a_not_me_link() {
    let env = TestEnv::new();
    account(&env, "pat@example.com");
    let client = Client::from_answer(
        &login(&env, "pat@example.com", FIREFOX, None).response,
        "token",
    );
    let outcome = env.serve::<crate::functions::Reset>(&client.authorize(with_agent(
        request(Method::Post, "/auth/password/change").json(json!({
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase 2026",
        })),
        FIREFOX,
        None,
    )));
    assert_eq!(outcome.response.status, 200);
    let mail = &outcome.mails[0];
    assert_eq!(mail.subject, "Your password was changed");
    assert!(mail.text.contains("Device: Firefox on Linux"));
    assert!(mail.text.contains("If this wasn't you"));
    assert!(!mail.text.contains("a brand new passphrase"));
    assert!(!not_me_token(mail).is_empty());
}

#[test]
fn this_wasnt_me_revokes_every_session_locks_the_password_and_mails_a_reset_once() {
    let env = TestEnv::new();
    let user_id = account(&env, "quin@example.com");
    login(&env, "quin@example.com", FIREFOX, None);
    let phone = login(&env, "quin@example.com", SAFARI, None);
    let session = Client::from_answer(&phone.response, "token");
    let token = not_me_token(&phone.mails[0]);

    let redeem = |token: &str| {
        env.serve::<crate::functions::Reset>(
            &request(Method::Post, "/auth/security/not-me").json(json!({ "token": token })),
        )
    };
    let outcome = redeem(&token);
    assert_eq!(outcome.response.status, 200);
    let body = testkit::body(&outcome.response);
    assert_eq!(body["status"], "secured");
    assert_eq!(body["sessions_revoked"], 2);
    assert_eq!(events(&outcome), [AuditKind::CompromiseReported]);
    assert_eq!(
        outcome.alerts[0].kind,
        crate::config::AlertKind::CompromiseReported
    );
    assert_eq!(outcome.mails.len(), 1);
    assert_eq!(outcome.mails[0].subject, "Reset your password");
    assert!(outcome.mails[0].text.contains("/reset-password#token="));

    assert_eq!(
        testkit::sessions::me_status(&env, &session),
        401,
        "sessions are gone"
    );
    assert_eq!(
        login(&env, "quin@example.com", FIREFOX, None)
            .response
            .status,
        401,
        "the old password no longer signs in"
    );
    let again = redeem(&token);
    assert_eq!(again.response.status, 400, "single use");
    assert_eq!(redeem("not-a-token").response.status, 400);
    assert!(testkit::stored_user(&env, &user_id)
        .password_hash
        .starts_with("$argon2id$"));
}

#[test]
fn the_hooks_for_passkeys_and_linked_identities_send_their_notice() {
    let env = TestEnv::new();
    let user_id = account(&env, "ray@example.com");
    let req = with_agent(request(Method::Post, "/x"), FIREFOX, Some("FR"));
    let ctx = crate::ctx::Ctx::new(&env.config, &env.memory, &env, &req, "r", testkit::START_MS);
    pollster::block_on(notify(
        &ctx,
        &user_id,
        "ray@example.com",
        SecurityNotice::PasskeyAdded {
            name: Some("Work laptop\u{7}"),
        },
    ))
    .unwrap();
    pollster::block_on(notify(
        &ctx,
        &user_id,
        "ray@example.com",
        SecurityNotice::IdentityLinked { provider: "google" },
    ))
    .unwrap();
    let effects = ctx.into_effects();
    assert_eq!(effects.mails.len(), 2);
    assert_eq!(
        effects.mails[0].subject,
        "A passkey was added to your account"
    );
    assert!(
        effects.mails[0].text.contains("(\"Work laptop\")"),
        "control characters dropped"
    );
    assert!(effects.mails[1]
        .text
        .contains("A google account was linked"));
    assert!(effects
        .mails
        .iter()
        .all(|mail| mail.text.contains("Location: FR")));
    assert_ne!(
        not_me_token(&effects.mails[0]),
        not_me_token(&effects.mails[1])
    );
}
