//! The HTTPS rule: plain `http://` is answered `308` to the same `https://` URL.
//!
//! The one exception is a loopback host with `ENVIRONMENT=development`, so that
//! `http://127.0.0.1:8787` works for local development. A `308` (not `301`) keeps
//! the method and body, so a misdirected `POST` is not silently turned into a `GET`.

use crate::config::Environment;
use crate::http::{Request, Response};
use alloc::format;

/// True for `localhost`, `*.localhost`, `127.0.0.0/8` and `[::1]`.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    host.eq_ignore_ascii_case("localhost")
        || host.to_ascii_lowercase().ends_with(".localhost")
        || host.starts_with("127.")
            && host.split('.').count() == 4
            && host.split('.').all(|part| part.parse::<u8>().is_ok())
        || host == "[::1]"
        || host == "::1"
}

/// Whether the request may be served over plain http.
pub fn plain_http_allowed(request: &Request, environment: Environment) -> bool {
    environment == Environment::Development && is_loopback_host(&request.host)
}

/// The redirect for a plain-http request, or `None` when it may be served as is.
pub fn redirect(request: &Request, environment: Environment) -> Option<Response> {
    if !request.scheme.eq_ignore_ascii_case("http") || plain_http_allowed(request, environment) {
        return None;
    }
    // The port of an http URL says nothing about the https one: drop it.
    let mut location = format!("https://{}{}", request.host, request.path);
    if !request.query.is_empty() {
        location.push('?');
        location.push_str(&request.query);
    }
    let mut response = Response::empty(308);
    response.set_header("Location", &location);
    Some(response)
}

#[cfg(test)]
mod tests;
