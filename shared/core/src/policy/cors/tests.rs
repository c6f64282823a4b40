use super::*;
use crate::http::Method;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;
use proptest::prelude::*;

fn request(method: Method, origin: Option<&str>, preflight: bool) -> Request {
    let mut headers = Vec::new();
    if let Some(origin) = origin {
        headers.push(("Origin".to_string(), origin.to_string()));
    }
    if preflight {
        headers.push((
            "Access-Control-Request-Method".to_string(),
            "POST".to_string(),
        ));
    }
    Request {
        method,
        scheme: "https".into(),
        host: "auth.example.com".into(),
        port: None,
        path: "/auth/login".into(),
        query: String::new(),
        headers,
        body: Vec::new(),
    }
}

fn allowlist() -> Vec<String> {
    vec!["https://app.example.com".to_string()]
}

#[test]
fn preflight_from_allowed_origin_is_granted_with_exact_echo() {
    let request = request(Method::Options, Some("https://app.example.com"), true);
    assert!(is_preflight(&request));
    let response = preflight(&request, &allowlist(), &["POST"]).unwrap();
    assert_eq!(response.status, 204);
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        response.header("access-control-allow-credentials"),
        Some("true")
    );
}

#[test]
fn rejects_preflight_from_unlisted_origin() {
    let request = request(Method::Options, Some("https://evil.example"), true);
    assert_eq!(
        preflight(&request, &allowlist(), &["POST"]),
        Err(ApiError::CorsRejected)
    );
}

#[test]
fn actual_response_gets_vary_and_grant_only_for_allowed_origin() {
    let mut response = Response::empty(200);
    apply(
        &mut response,
        &request(Method::Get, Some("https://evil.example"), false),
        &allowlist(),
    );
    assert_eq!(response.header("vary"), Some("Origin"));
    assert!(response.header("access-control-allow-origin").is_none());
}

fn vary_origin_count(response: &Response) -> usize {
    response
        .headers
        .iter()
        .filter(|(name, value)| name.eq_ignore_ascii_case("vary") && value == "Origin")
        .count()
}

#[test]
fn a_refused_preflight_still_varies_on_origin() {
    // The layer turns `CorsRejected` into a 403 problem body and then applies CORS.
    let mut refused = Response::empty(403);
    apply(
        &mut refused,
        &request(Method::Options, Some("https://evil.example"), true),
        &allowlist(),
    );
    assert_eq!(vary_origin_count(&refused), 1);
    assert!(refused.header("access-control-allow-origin").is_none());
}

#[test]
fn an_allowed_preflight_to_an_unknown_path_varies_on_origin() {
    let mut not_found = Response::empty(404);
    apply(
        &mut not_found,
        &request(Method::Options, Some("https://app.example.com"), true),
        &allowlist(),
    );
    assert_eq!(vary_origin_count(&not_found), 1);
}

#[test]
fn a_granted_preflight_names_origin_in_vary_once() {
    let request = request(Method::Options, Some("https://app.example.com"), true);
    let mut granted = preflight(&request, &allowlist(), &["POST"]).unwrap();
    apply(&mut granted, &request, &allowlist());
    assert_eq!(vary_origin_count(&granted), 1);
}

proptest! {
    #[test]
    fn never_grants_an_origin_that_is_not_listed_exactly(origin in "[a-z:/.]{0,40}") {
        let allowed = allowlist();
        let mut response = Response::empty(200);
        apply(&mut response, &request(Method::Get, Some(&origin), false), &allowed);
        let granted = response.header("access-control-allow-origin");
        prop_assert!(granted.is_none() || allowed.iter().any(|a| Some(a.as_str()) == granted));
        prop_assert_ne!(granted, Some("*"));
    }
}
