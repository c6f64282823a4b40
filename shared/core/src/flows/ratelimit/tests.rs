//! Rate limits through whole requests: counters under concurrency, each scope's
//! limit, client keys, the per-user API limit, failing storage, the hashing gate.

use alloc::string::String;
use alloc::vec::Vec;
use serde_json::json;

use super::{check_ip, Scope, UNKNOWN_CLIENT};
use crate::app::{Function, Params, Route};
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::http::{Method, Response};
use crate::testkit::{self, from_ip, request, RequestExt, TestEnv};

/// A function whose one route counts the request against a per-address scope.
#[derive(Debug)]
struct Probe;

impl Function for Probe {
    const NAME: &'static str = "probe";
    fn routes<S: Services>() -> &'static [Route<S>] {
        const {
            &[Route::public(Method::Post, "/probe/{scope}", |ctx, p| {
                alloc::boxed::Box::pin(probe_scope(ctx, p))
            })]
        }
    }
}

async fn probe_scope<S: Services>(
    ctx: &Ctx<'_, S>,
    params: &Params<'_>,
) -> Result<Response, ApiError> {
    {
        let scope = match params[0] {
            "login" => Scope::Login,
            "register" => Scope::Register,
            "forgot" => Scope::Forgot,
            _ => Scope::Refresh,
        };
        check_ip(ctx, scope).await?;
        Ok(Response::empty(204))
    }
}

fn probe(env: &TestEnv, scope: &str, ip: Option<&str>) -> Response {
    let path = alloc::format!("/probe/{scope}");
    env.serve::<Probe>(&from_ip(request(Method::Post, &path).json(json!({})), ip))
        .response
}

fn statuses(responses: &[Response]) -> Vec<u16> {
    responses.iter().map(|r| r.status).collect()
}

#[test]
fn thirty_concurrent_requests_from_one_address_admit_exactly_the_limit() {
    let env = TestEnv::new();
    env.interleave(true);
    let request = from_ip(
        request(Method::Post, "/probe/login").json(json!({})),
        Some("198.51.100.7"),
    );
    let outcomes = pollster::block_on(futures::future::join_all(
        (0..30).map(|_| env.serve_async::<Probe>(&request)),
    ));
    let allowed = outcomes.iter().filter(|o| o.response.status == 204).count();
    assert_eq!(allowed, 20, "login: 20 per minute");
    for outcome in outcomes.iter().filter(|o| o.response.status != 204) {
        assert_eq!(outcome.response.status, 429);
        assert_eq!(testkit::body(&outcome.response)["code"], "rate_limited");
        let retry: u64 = outcome
            .response
            .header("retry-after")
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=120).contains(&retry), "{retry}");
    }
}

#[test]
fn each_scope_has_its_own_default_limit_and_budget() {
    let env = TestEnv::new();
    let ip = Some("198.51.100.8");
    for (scope, limit) in [
        ("login", 20),
        ("register", 5),
        ("forgot", 5),
        ("refresh", 60),
    ] {
        let responses: Vec<Response> = (0..=limit).map(|_| probe(&env, scope, ip)).collect();
        let codes = statuses(&responses);
        assert!(
            codes[..limit].iter().all(|&s| s == 204),
            "{scope}: {codes:?}"
        );
        assert_eq!(codes[limit], 429, "{scope}: request {} refused", limit + 1);
    }
}

#[test]
fn the_budget_comes_back_as_the_window_slides() {
    let env = TestEnv::new();
    let ip = Some("198.51.100.9");
    for _ in 0..5 {
        assert_eq!(probe(&env, "forgot", ip).status, 204);
    }
    let refused = probe(&env, "forgot", ip);
    assert_eq!(refused.status, 429);
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 60 && retry <= 7_200, "{retry}");
    env.advance_secs(retry);
    assert_eq!(
        probe(&env, "forgot", ip).status,
        204,
        "allowed once Retry-After passed"
    );
}

#[test]
fn addresses_are_counted_apart_and_ipv6_by_its_64() {
    let env = TestEnv::new();
    for _ in 0..5 {
        assert_eq!(probe(&env, "register", Some("2001:db8:1:2::1")).status, 204);
    }
    // Same /64, another interface id: the same budget.
    assert_eq!(
        probe(&env, "register", Some("2001:db8:1:2:ffff::9")).status,
        429
    );
    // Another /64 and another IPv4 address: their own budgets.
    assert_eq!(probe(&env, "register", Some("2001:db8:1:3::1")).status, 204);
    assert_eq!(probe(&env, "register", Some("198.51.100.10")).status, 204);
}

#[test]
fn requests_without_a_readable_address_share_one_budget() {
    let env = TestEnv::new();
    for ip in [
        None,
        Some("not-an-ip"),
        Some("1.2.3.4, 5.6.7.8"),
        None,
        Some(""),
    ] {
        assert_eq!(probe(&env, "forgot", ip).status, 204);
    }
    assert_eq!(probe(&env, "forgot", None).status, 429);
    assert_eq!(probe(&env, "forgot", Some("garbage")).status, 429);
    assert_eq!(probe(&env, "forgot", Some("198.51.100.11")).status, 204);
    let keys: Vec<String> = env.store.dump().into_iter().map(|(k, _)| k).collect();
    assert!(keys
        .iter()
        .any(|k| k.contains(&alloc::format!("ratelimit/ip/{UNKNOWN_CLIENT}/"))));
}

#[test]
fn limits_follow_the_configuration() {
    let env = TestEnv::with_config(testkit::config(&[("RATE_LIMIT_LOGIN_PER_IP", "3/10")]));
    let ip = Some("198.51.100.12");
    let codes: Vec<u16> = (0..4).map(|_| probe(&env, "login", ip).status).collect();
    assert_eq!(codes, [204, 204, 204, 429]);
    env.advance_secs(20);
    assert_eq!(probe(&env, "login", ip).status, 204);
}

#[test]
fn a_failing_store_fails_closed() {
    let env = TestEnv::new();
    env.store.set_failing(true);
    let response = probe(&env, "login", Some("198.51.100.13"));
    assert_eq!(response.status, 503);
    assert_eq!(testkit::body(&response)["code"], "unavailable");
}

#[test]
fn the_api_limit_counts_per_user_after_authentication() {
    use crate::functions::Api;
    let env = TestEnv::with_config(testkit::config(&[("RATE_LIMIT_API_PER_USER", "5/60")]));
    let alice = testkit::seed_user(&env, "alice@example.com", true);
    let bob = testkit::seed_user(&env, "bob@example.com", true);
    let alice = testkit::sign_in(&env, &alice.id, "token");
    let bob = testkit::sign_in(&env, &bob.id, "token");
    let me = |client: &testkit::Client, ip: &str| {
        env.serve::<Api>(&from_ip(
            client.authorize(request(Method::Get, "/api/me")),
            Some(ip),
        ))
        .response
    };
    // Five from two different addresses: the limit is the user's, not the address's.
    for i in 0..5 {
        let ip = if i % 2 == 0 {
            "198.51.100.14"
        } else {
            "198.51.100.15"
        };
        assert_eq!(me(&alice, ip).status, 200);
    }
    let refused = me(&alice, "198.51.100.16");
    assert_eq!(refused.status, 429);
    assert!(refused.header("retry-after").is_some());
    assert_eq!(
        me(&bob, "198.51.100.14").status,
        200,
        "another user's budget is untouched"
    );
    // Public routes and unauthenticated requests are not counted.
    for _ in 0..10 {
        let health = env
            .serve::<Api>(&request(Method::Get, "/api/health"))
            .response;
        assert_eq!(health.status, 200);
        let anonymous = env.serve::<Api>(&request(Method::Get, "/api/me")).response;
        assert_eq!(anonymous.status, 401);
    }
    env.advance_secs(120);
    assert_eq!(me(&alice, "198.51.100.14").status, 200);
}

#[test]
fn refresh_is_limited_per_address_after_the_token_is_read() {
    use crate::functions::Refresh;
    let env = TestEnv::with_config(testkit::config(&[("RATE_LIMIT_REFRESH_PER_IP", "3/60")]));
    let forged = alloc::format!("{}.{}.{}", "a".repeat(32), "b".repeat(32), "c".repeat(43));
    let refresh = |body: serde_json::Value| {
        env.serve::<Refresh>(&from_ip(
            request(Method::Post, "/auth/session/refresh").json(body),
            Some("198.51.100.17"),
        ))
        .response
    };
    // Unreadable tokens are refused before the limit and not counted.
    for _ in 0..5 {
        assert_eq!(refresh(json!({"refresh_token": "nonsense"})).status, 401);
    }
    let codes: Vec<u16> = (0..4)
        .map(|_| refresh(json!({ "refresh_token": forged })).status)
        .collect();
    assert_eq!(codes, [401, 401, 401, 429]);
}

#[cfg(feature = "password-policy")]
#[test]
fn a_saturated_isolate_refuses_logins_before_any_lookup() {
    use crate::functions::Login;
    use crate::memory::hashing::CAPACITY;
    let env = TestEnv::new();
    let held: Vec<_> = (0..CAPACITY)
        .map(|_| env.memory.hashing.admit().unwrap())
        .collect();
    let outcome =
        env.serve::<Login>(&request(Method::Post, "/auth/login").json(
            json!({"email": "nobody@example.com", "password": "correct horse battery staple"}),
        ));
    assert_eq!(outcome.response.status, 429);
    assert_eq!(outcome.response.header("retry-after"), Some("1"));
    assert!(outcome.audit.is_empty(), "no password check was made");
    assert!(
        !env.store.dump().iter().any(|(k, _)| k.contains("lockout/")),
        "no lockout attempt was spent"
    );
    drop(held);
    let outcome =
        env.serve::<Login>(&request(Method::Post, "/auth/login").json(
            json!({"email": "nobody@example.com", "password": "correct horse battery staple"}),
        ));
    assert_eq!(outcome.response.status, 401);
    assert_eq!(env.memory.hashing.in_flight(), 0, "every permit returned");
}

#[test]
fn the_client_key_is_the_rate_limit_key() {
    let env = TestEnv::new();
    let _ = probe(&env, "login", Some("2001:db8:aa:bb:cc::1"));
    let keys: Vec<String> = env.store.dump().into_iter().map(|(k, _)| k).collect();
    assert!(
        keys.iter()
            .any(|k| k.contains("ratelimit/ip/2001:db8:aa:bb::/64/login/")),
        "{keys:?}"
    );
    assert!(!keys.iter().any(|k| k.contains("cc::1")), "{keys:?}");
}

/// The settled-count memory ([`crate::memory::settled`]) saves a store read; it must never
/// change a verdict. The same irregular request sequence, through one isolate (memory
/// kept) and through a fresh isolate per request (memory always empty), gets the same
/// answers across several windows.
#[test]
fn remembering_settled_windows_changes_no_verdict() {
    let remembering = TestEnv::new();
    let forgetting = TestEnv::new();
    let ip = Some("198.51.100.77");
    let mut kept = Vec::new();
    let mut fresh = Vec::new();
    for step in 0..120u64 {
        let advance_ms = 700 + (step * 7919) % 2_900;
        remembering.clock.advance(advance_ms);
        forgetting.clock.advance(advance_ms);
        kept.push(probe(&remembering, "login", ip).status);
        let req = from_ip(request(Method::Post, "/probe/login").json(json!({})), ip);
        let isolate = crate::memory::IsolateMemory::new();
        let outcome = pollster::block_on(crate::app::serve::<Probe, _>(
            Ok(&forgetting.config),
            &isolate,
            &forgetting,
            &req,
        ));
        fresh.push(outcome.response.status);
    }
    assert_eq!(kept, fresh);
    assert!(kept.contains(&429) && kept.contains(&204), "{kept:?}");
}
