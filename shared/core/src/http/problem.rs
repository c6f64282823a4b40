//! RFC 9457 problem bodies (`application/problem+json`).
//!
//! Security considerations: the body is built only from the static strings of
//! [`ApiError`] and the request id the server generated, so it cannot carry a stack
//! trace, a store error, input, or whether an account exists.

use super::Response;
use crate::error::ApiError;
use alloc::format;
use alloc::string::String;
use serde::Serialize;

/// The media type of problem bodies.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    request_id: &'a str,
}

/// Renders an error as a problem response (headers of the layer are added later).
pub fn problem_response(error: &ApiError, request_id: &str) -> Response {
    let body = ProblemBody {
        kind: format!("https://edgeauth.dev/problems/{}", error.code()),
        title: error.title(),
        status: error.status(),
        code: error.code(),
        detail: error.detail(),
        request_id,
    };
    let mut response = Response::json(error.status(), &body);
    response.set_header("Content-Type", PROBLEM_CONTENT_TYPE);
    match error {
        ApiError::MethodNotAllowed(allowed) => {
            response.set_header("Allow", &allowed.allow().join(", "));
        }
        ApiError::RateLimited { retry_after_secs } => {
            response.set_header("Retry-After", &format!("{}", retry_after_secs.max(&1)));
        }
        _ => {}
    }
    response
}

#[cfg(test)]
mod tests {
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
}
