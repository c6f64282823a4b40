//! CSRF policy (docs/contract.md §4) as pure functions over request parts.
//!
//! A request authenticated by cookie with an unsafe method passes only when
//! - its `Origin`, if present, is `PUBLIC_ORIGIN` or on `ALLOWED_ORIGINS`; and
//! - header `X-CSRF-Token` is present, equals the `__Host-csrf` cookie, and equals
//!   the session's CSRF token, recomputed from the session id of the access (or
//!   refresh) token that authenticated the request.
//!
//! Requests authenticated by `Authorization: Bearer` are exempt: a browser never
//! attaches that header by itself, and a cross-origin page cannot add it without a
//! CORS preflight, which only allowlisted origins pass. Safe methods are exempt
//! (they change nothing). The routes without a session — register, login and its
//! MFA step, forgot, reset, verify and not-me — check only the `Origin`
//! ([`check_origin`]).
//!
//! The CSRF token is `base64url(HMAC(K_csrf, session_id))` with `K_csrf` the CSRF
//! subkey of the active `DATA_ENCRYPTION_KEYS` entry; every entry of the ring is
//! tried on verification, so rotating that ring does not break live pages.
//!
//! Why three conditions and not one: the double submit (header = cookie) proves the
//! page could read our cookie (same origin); binding the value to the session stops a
//! related-domain attacker who can *write* cookies (cookie tossing — `__Host-`
//! already makes that hard) from choosing a pair; `Origin` is a cheap second line
//! the browser fills in itself.
//!
//! Security considerations: comparisons are constant-time; nothing here reads a
//! store, clock or random source, so the whole policy is unit- and property-tested.

use alloc::string::String;

use crate::config::{Config, Keyring};
use crate::crypto::kdf::{self, Purpose};
use crate::encoding;
use crate::error::ApiError;
use crate::http::{cookies, Method, Request};
use crate::secret::constant_time_eq;

pub use crate::model::principal::Via;

/// The request header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The parts of a request the CSRF decision depends on.
#[derive(Debug, Clone, Copy)]
pub struct CsrfParts<'a> {
    /// The request method.
    pub method: Method,
    /// How the request was authenticated.
    pub via: Via,
    /// The `Origin` header, if any.
    pub origin: Option<&'a str>,
    /// The `X-CSRF-Token` header, if any.
    pub header_token: Option<&'a str>,
    /// The `__Host-csrf` cookie, if any.
    pub cookie_token: Option<&'a str>,
    /// The session the credential belongs to.
    pub session_id: &'a str,
}

impl<'a> CsrfParts<'a> {
    /// Reads the parts from a request.
    pub fn of(request: &'a Request, via: Via, session_id: &'a str) -> Self {
        Self {
            method: request.method,
            via,
            origin: request.header("origin"),
            header_token: request.header(CSRF_HEADER),
            cookie_token: request
                .header("cookie")
                .and_then(|header| cookies::get(header, crate::model::cookies::CSRF_COOKIE)),
            session_id,
        }
    }
}

fn token_with(key: &crate::config::KeyEntry, session_id: &str) -> String {
    encoding::b64url(&kdf::mac(
        key.subkey(Purpose::Csrf),
        &[session_id.as_bytes()],
    ))
}

/// The CSRF token of `session_id` (under the active data key).
pub fn token_for(config: &Config, session_id: &str) -> String {
    token_with(config.data_encryption_keys.active(), session_id)
}

/// Whether `origin` is our own or an allowlisted one (exact match).
pub fn origin_allowed(config: &Config, origin: &str) -> bool {
    origin == config.public_origin
        || crate::policy::cors::origin_allowed(origin, &config.allowed_origins)
}

/// The `Origin` rule alone (the routes without a session: register, login and its MFA
/// step, forgot, reset, verify): absent, ours, or allowlisted.
pub fn check_origin(config: &Config, request: &Request) -> Result<(), ApiError> {
    match request.header("origin") {
        Some(origin) if !origin_allowed(config, origin) => Err(ApiError::CsrfFailed),
        _ => Ok(()),
    }
}

/// The whole CSRF decision for an authenticated request: [`check_request`] with our
/// origins, then [`is_bound`] under the data keyring.
pub fn check(config: &Config, parts: &CsrfParts<'_>) -> Result<(), ApiError> {
    match check_request(parts, |origin| origin_allowed(config, origin))? {
        None => Ok(()),
        Some(token) if is_bound(&config.data_encryption_keys, parts.session_id, token) => Ok(()),
        Some(_) => Err(ApiError::CsrfFailed),
    }
}

/// The part of the decision that needs no key: exemptions (Bearer, safe methods:
/// `Ok(None)`), the `Origin` rule with `origin_allowed`, and the double submit
/// (header present, equal to the cookie). `Ok(Some(token))`: the token still has to be
/// bound to the session ([`is_bound`]) by whoever holds the data keys — edgeauth
/// itself, or for a resource server outside it, edgeauth's introspection.
pub fn check_request<'a>(
    parts: &CsrfParts<'a>,
    origin_allowed: impl Fn(&str) -> bool,
) -> Result<Option<&'a str>, ApiError> {
    if parts.via == Via::Bearer || parts.method.is_safe() {
        return Ok(None);
    }
    if parts.origin.is_some_and(|origin| !origin_allowed(origin)) {
        return Err(ApiError::CsrfFailed);
    }
    let (Some(header), Some(cookie)) = (parts.header_token, parts.cookie_token) else {
        return Err(ApiError::CsrfFailed);
    };
    if header.is_empty() || !constant_time_eq(header.as_bytes(), cookie.as_bytes()) {
        return Err(ApiError::CsrfFailed);
    }
    Ok(Some(header))
}

/// Whether `token` is the CSRF token of `session_id` under some key of `keys` (the
/// data keyring). Every key is tried, with no early exit, so timing does not say
/// which key matched.
pub fn is_bound(keys: &Keyring, session_id: &str, token: &str) -> bool {
    let mut bound = false;
    for entry in keys.iter() {
        let expected = token_with(entry, session_id);
        bound |= constant_time_eq(expected.as_bytes(), token.as_bytes());
    }
    bound
}

#[cfg(test)]
mod tests;
