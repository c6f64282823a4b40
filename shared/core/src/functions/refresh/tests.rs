//! The `refresh` table, and the per-user budget of its signed-in session routes
//! (`RATE_LIMIT_SESSIONS_PER_USER`).

use alloc::vec::Vec;

use super::*;
use crate::app::Handler;
use crate::flows::ratelimit::PerUser;
use crate::http::{Method, Request};
use crate::testkit::{self, request, Client, TestEnv};

#[test]
fn the_routes_an_access_token_authenticates_are_signed_in_and_spend_a_per_user_budget() {
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
            ("GET", "/auth/introspect"),
            ("POST", "/auth/introspect"),
        ]
    );
    // The monitoring admin routes the Workers `api` forwards here are `api`'s entries
    // (functions::api's tests hold them equal); the session routes are the rest.
    for route in table.iter().filter(|route| route.served_by.is_none()) {
        // The introspection is the check of an API request made elsewhere: it spends
        // the API budget; the routes on one's sessions spend their own.
        let expected = match route.handler {
            Handler::SignedIn(_) if route.pattern == "/auth/introspect" => Some(PerUser::Api),
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

/// `GET`/`POST /auth/introspect`: the session check for resource servers outside
/// edgeauth.
mod introspection {
    use super::*;
    use crate::memory::REVOCATION_BOUND_MS;
    use crate::testkit::RequestExt;

    fn bearer(token: &str, method: Method) -> Request {
        request(method, "/auth/introspect")
            .header("Authorization", &alloc::format!("Bearer {token}"))
    }

    #[test]
    fn a_live_session_is_answered_with_its_ids_stored_roles_and_age() {
        let env = TestEnv::new();
        let user = testkit::seed_user(&env, "nia@example.com", true);
        testkit::edit_user(&env, &user.id, |u| u.roles.push("admin".into()));
        let client = testkit::sign_in(&env, &user.id, "cookie");
        let answer = env
            .serve::<Refresh>(&bearer(&client.access, Method::Get))
            .response;
        assert_eq!(answer.status, 200);
        assert_eq!(
            testkit::body(&answer),
            serde_json::json!({
                "active": true, "sub": user.id, "sid": client.session_id,
                "roles": ["user", "admin"], "email_verified": true, "age_ms": 0,
                "session_check": "cached",
            })
        );
        env.clock.advance(1_500);
        let later = env
            .serve::<Refresh>(&bearer(&client.access, Method::Get))
            .response;
        assert_eq!(
            testkit::body(&later)["age_ms"],
            1_500,
            "a reused check says how old it is"
        );
        let fresh = env
            .serve::<Refresh>(&bearer(&client.access, Method::Post))
            .response;
        assert_eq!(testkit::body(&fresh)["age_ms"], 0, "POST reads now");
    }

    #[test]
    fn a_revoked_session_is_refused_at_once_by_post_and_within_the_bound_by_get() {
        let env = TestEnv::new();
        let user = testkit::seed_user(&env, "otto@example.com", true);
        let client = testkit::sign_in(&env, &user.id, "token");
        assert_eq!(status(&env, &bearer(&client.access, Method::Get)), 200);
        // Another function ends every session of the user (this isolate keeps its
        // snapshot).
        testkit::edit_user(&env, &user.id, |u| {
            crate::policy::session_epoch::advance(u, None)
        });
        assert_eq!(status(&env, &bearer(&client.access, Method::Post)), 401);
        env.clock.advance(REVOCATION_BOUND_MS);
        assert_eq!(status(&env, &bearer(&client.access, Method::Get)), 401);
        assert_eq!(status(&env, &bearer("not-a-token", Method::Get)), 401);
    }

    #[test]
    fn a_csrf_token_is_checked_against_the_session() {
        let env = TestEnv::new();
        let user = testkit::seed_user(&env, "pia@example.com", true);
        let client = testkit::sign_in(&env, &user.id, "cookie");
        let other = testkit::sign_in(&env, &user.id, "cookie");
        let csrf = client.csrf.clone().unwrap();
        let post = |token: &str| {
            env.serve::<Refresh>(
                &bearer(&client.access, Method::Post)
                    .json(serde_json::json!({ "csrf_token": token })),
            )
            .response
        };
        assert_eq!(post(&csrf).status, 200);
        let refused = post(other.csrf.as_deref().unwrap());
        assert_eq!(refused.status, 403, "another session's token");
        assert_eq!(testkit::body(&refused)["code"], "csrf_failed");
        assert_eq!(post("").status, 403);
        let unknown_field = env.serve::<Refresh>(
            &bearer(&client.access, Method::Post).json(serde_json::json!({ "csrf": csrf })),
        );
        assert_eq!(unknown_field.response.status, 400);
    }

    #[test]
    fn the_introspection_spends_the_callers_api_budget() {
        let env = TestEnv::with_config(testkit::config(&[("RATE_LIMIT_API_PER_USER", "2/60")]));
        let user = testkit::seed_user(&env, "quin@example.com", true);
        let client = testkit::sign_in(&env, &user.id, "token");
        assert_eq!(status(&env, &bearer(&client.access, Method::Get)), 200);
        assert_eq!(status(&env, &bearer(&client.access, Method::Post)), 200);
        assert_eq!(status(&env, &bearer(&client.access, Method::Get)), 429);
        assert_eq!(
            status(&env, &get(&client, "/auth/sessions")),
            200,
            "the sessions budget is another"
        );
    }
}
