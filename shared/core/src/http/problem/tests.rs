use super::*;
use crate::error::Internal;

fn body_json(response: &Response) -> serde_json::Value {
    serde_json::from_slice(&response.body).unwrap()
}

#[test]
fn problem_body_has_the_contract_fields() {
    let response = problem_response(&ApiError::InvalidCredentials, "req-1");
    assert_eq!(response.status, 401);
    assert_eq!(response.header("content-type"), Some(PROBLEM_CONTENT_TYPE));
    let body = body_json(&response);
    assert_eq!(body["status"], 401);
    assert_eq!(body["code"], "invalid_credentials");
    assert_eq!(body["request_id"], "req-1");
    assert!(body["type"]
        .as_str()
        .unwrap()
        .ends_with("invalid_credentials"));
    assert!(body.get("detail").is_none());
}

#[test]
fn internal_cause_never_reaches_the_body() {
    let response = problem_response(&ApiError::Unavailable(Internal("kv timeout")), "r");
    let text = core::str::from_utf8(&response.body).unwrap();
    assert!(!text.contains("kv timeout"));
    assert_eq!(body_json(&response)["code"], "unavailable");
}

#[test]
fn method_not_allowed_lists_allow_and_rate_limit_sets_retry_after() {
    let get = crate::http::Methods::NONE.with(crate::http::Method::Get);
    let response = problem_response(&ApiError::MethodNotAllowed(get), "r");
    assert_eq!(response.header("allow"), Some("GET, HEAD, OPTIONS"));
    let response = problem_response(
        &ApiError::RateLimited {
            retry_after_secs: 0,
        },
        "r",
    );
    assert_eq!(response.header("retry-after"), Some("1"));
}
