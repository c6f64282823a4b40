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
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec::Vec;

    fn request(scheme: &str, host: &str) -> Request {
        Request {
            method: crate::http::Method::Post,
            scheme: scheme.to_string(),
            host: host.to_string(),
            port: None,
            path: "/auth/login".to_string(),
            query: "a=1".to_string(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    #[test]
    fn plain_http_is_redirected_with_308_keeping_path_and_query() {
        let response = redirect(&request("http", "app.example.com"), Environment::Production);
        let response = response.unwrap();
        assert_eq!(response.status, 308);
        assert_eq!(
            response.header("location"),
            Some("https://app.example.com/auth/login?a=1")
        );
    }

    #[test]
    fn loopback_is_exempt_only_in_development() {
        assert!(redirect(&request("http", "127.0.0.1"), Environment::Development).is_none());
        assert!(redirect(&request("http", "localhost"), Environment::Development).is_none());
        assert!(redirect(&request("http", "127.0.0.1"), Environment::Production).is_some());
        assert!(redirect(&request("http", "example.com"), Environment::Development).is_some());
    }

    #[test]
    fn https_is_served() {
        assert!(redirect(&request("https", "example.com"), Environment::Production).is_none());
    }

    #[test]
    fn lookalike_hosts_are_not_loopback() {
        assert!(!is_loopback_host("127.0.0.1.evil.com"));
        assert!(!is_loopback_host("localhost.evil.com"));
        assert!(is_loopback_host("127.1.2.3"));
    }
}
