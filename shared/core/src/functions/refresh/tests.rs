//! The `refresh` table, and the per-user budget of its signed-in session routes
//! (`RATE_LIMIT_SESSIONS_PER_USER`).

use alloc::vec::Vec;

use super::*;
use crate::app::Handler;
use crate::flows::ratelimit::PerUser;
use crate::http::{Method, Request};
use crate::testkit::{self, request, Client, TestEnv};

#[test]
fn the_routes_an_access_token_authenticates_are_signed_in_and_spend_the_sessions_budget() {
    let table = Refresh::routes::<TestEnv>();
    let signed_in: Vec<(&str, &str)> = table
        .iter()
        .filter(|route| matches!(route.handler, Handler::SignedIn(_)))
        .map(|route| (route.method.as_str(), route.pattern))
        .collect();
    assert_eq!(
        signed_in,
        [
            ("GET", "/auth/session"),
            ("POST", "/auth/session/logout-all"),
            ("GET", "/auth/sessions"),
            ("DELETE", "/auth/sessions/{id}"),
        ]
    );
    // The monitoring admin routes the Workers `api` forwards here are `api`'s entries
    // (functions::api's tests hold them equal); the session routes are the rest.
    for route in table.iter().filter(|route| route.served_by.is_none()) {
        let expected = match route.handler {
            Handler::SignedIn(_) => Some(PerUser::Sessions),
            _ => None,
        };
        assert_eq!(route.per_user, expected, "{}", route.pattern);
        assert_eq!(route.permission(), None, "{}", route.pattern);
    }
}

fn env_with_budget(budget: &str) -> TestEnv {
    TestEnv::with_config(testkit::config(&[("RATE_LIMIT_SESSIONS_PER_USER", budget)]))
}

fn status(env: &TestEnv, req: &Request) -> u16 {
    env.serve::<Refresh>(req).response.status
}

fn get(client: &Client, path: &str) -> Request {
    client.authorize(request(Method::Get, path))
}

#[test]
fn the_session_routes_share_one_budget_per_user_and_answer_429_past_it() {
    let env = env_with_budget("3/60");
    let user = testkit::seed_user(&env, "ivy@example.com", true);
    let client = testkit::sign_in(&env, &user.id, "token");
    assert_eq!(status(&env, &get(&client, "/auth/sessions")), 200);
    assert_eq!(status(&env, &get(&client, "/auth/session")), 200);
    assert_eq!(status(&env, &get(&client, "/auth/sessions")), 200);
    let limited = env
        .serve::<Refresh>(&get(&client, "/auth/sessions"))
        .response;
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").is_some());
    assert_eq!(status(&env, &get(&client, "/auth/session")), 429);
    let revoke = client.authorize(request(
        Method::Delete,
        &alloc::format!("/auth/sessions/{}", client.session_id),
    ));
    assert_eq!(status(&env, &revoke), 429, "a revocation is counted too");
    let logout_all = client.authorize(request(Method::Post, "/auth/session/logout-all"));
    assert_eq!(status(&env, &logout_all), 429);

    // Another user's budget is untouched, and the window passes.
    let other = testkit::seed_user(&env, "jo@example.com", true);
    let other = testkit::sign_in(&env, &other.id, "token");
    assert_eq!(status(&env, &get(&other, "/auth/sessions")), 200);
    env.advance_secs(120);
    assert_eq!(status(&env, &get(&client, "/auth/sessions")), 200);
}

#[test]
fn unauthenticated_requests_spend_no_budget() {
    let env = env_with_budget("1/60");
    let user = testkit::seed_user(&env, "kim@example.com", true);
    let client = testkit::sign_in(&env, &user.id, "token");
    for _ in 0..3 {
        let anonymous = request(Method::Get, "/auth/sessions");
        assert_eq!(status(&env, &anonymous), 401);
    }
    assert_eq!(status(&env, &get(&client, "/auth/sessions")), 200);
}
