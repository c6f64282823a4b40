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
mod tests;
