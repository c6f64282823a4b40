//! CORS (docs/contract.md §4): only allowlisted origins, exact echo, credentials allowed.
//!
//! Security considerations:
//! - The allowlist holds exact serialized origins (`scheme://host[:port]`); there is
//!   no wildcard, no suffix matching and no regex, so `https://app.example.com.evil`
//!   never matches. `*` is refused when the configuration is parsed.
//! - `Access-Control-Allow-Origin` echoes the request's origin only after an exact
//!   match, always with `Vary: Origin` so caches keep per-origin copies.
//! - A preflight from any other origin gets `403 cors_rejected`, so a browser never
//!   sends the actual cross-origin request.
//! - Every answer says `Vary: Origin`, preflights included — refused ones and the `404`
//!   of an unknown path too: what they say depends on the `Origin` sent, so a cache that
//!   kept one origin's refusal must not serve it to another ([`apply`]).

use crate::error::ApiError;
use crate::http::{Request, Response};
use alloc::string::String;

/// Request headers a browser may send cross-origin.
pub const ALLOWED_REQUEST_HEADERS: &str = "Content-Type, Authorization, X-CSRF-Token";
/// Response headers a cross-origin page may read.
pub const EXPOSED_HEADERS: &str = "X-Request-Id, Retry-After";
/// How long a browser may cache a successful preflight, in seconds.
pub const PREFLIGHT_MAX_AGE_SECS: &str = "600";

/// Whether a request is a CORS preflight (`OPTIONS` + `Origin` + requested method).
pub fn is_preflight(request: &Request) -> bool {
    request.method == crate::http::Method::Options
        && request.header("origin").is_some()
        && request.header("access-control-request-method").is_some()
}

/// Whether `origin` is exactly one of `allowed`.
pub fn origin_allowed(origin: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|candidate| candidate == origin)
}

/// Answers a preflight: `204` with the CORS grant, or `403 cors_rejected`.
pub fn preflight(
    request: &Request,
    allowed: &[String],
    methods: &[&str],
) -> Result<Response, ApiError> {
    let origin = request.header("origin").unwrap_or_default();
    if !origin_allowed(origin, allowed) {
        return Err(ApiError::CorsRejected);
    }
    let mut response = Response::empty(204);
    response.append_header("Vary", "Origin");
    response.append_header("Vary", "Access-Control-Request-Method");
    response.append_header("Vary", "Access-Control-Request-Headers");
    grant(&mut response, origin);
    response.set_header("Access-Control-Allow-Methods", &methods.join(", "));
    response.set_header("Access-Control-Allow-Headers", ALLOWED_REQUEST_HEADERS);
    response.set_header("Access-Control-Max-Age", PREFLIGHT_MAX_AGE_SECS);
    Ok(response)
}

/// Adds the CORS grant to an actual (non-preflight) response when the origin is allowed,
/// and `Vary: Origin` to every response, a preflight's included (a granted preflight
/// already carries it from [`preflight`]; a refused one and an unknown path's `404`
/// get it here), since the answer depends on it.
pub fn apply(response: &mut Response, request: &Request, allowed: &[String]) {
    if is_preflight(request) {
        if !varies_on_origin(response) {
            response.append_header("Vary", "Origin");
        }
        return;
    }
    response.append_header("Vary", "Origin");
    if let Some(origin) = request.header("origin") {
        if origin_allowed(origin, allowed) {
            grant(response, origin);
            response.set_header("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        }
    }
}

/// Whether some `Vary` header of `response` already names `Origin`.
fn varies_on_origin(response: &Response) -> bool {
    response.headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("vary")
            && value
                .split(',')
                .any(|field| field.trim().eq_ignore_ascii_case("origin"))
    })
}

fn grant(response: &mut Response, origin: &str) {
    response.set_header("Access-Control-Allow-Origin", origin);
    response.set_header("Access-Control-Allow-Credentials", "true");
}

#[cfg(test)]
mod tests;
