//! The HTTPS rule: plain `http://` is answered `308` to the same `https://` URL.
//!
//! The one exception is a loopback host with `ENVIRONMENT=development`, so that
//! `http://127.0.0.1:8787` works for local development. A `308` (not `301`) keeps
//! the method and body, so a misdirected `POST` is not silently turned into a `GET`.
//!
//! The scheme is the one the platform reports for the request URL, unless
//! `TRUSTED_PROXY_PROTO_HEADER` names a header ([`client_scheme`]): behind a proxy that
//! terminates TLS (a load balancer, an ingress, SpinKube), Spin builds the URL from its
//! own plain-http listener, and every request would be redirected to itself.
//!
//! Security considerations: the header is honoured only when configured — off by
//! default, since a client can send any header, and a client that claims `https` over
//! plain http skips the redirect (its own request, in clear). Set it only where every
//! request reaches the function through a proxy that sets the header, overwriting or
//! appending to whatever the client sent; the value the nearest proxy added (the last
//! one) is used, and anything but exactly `http` or `https` is ignored (the platform's
//! scheme applies: the safe side, a redirect).

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

/// The scheme the client used: the value the nearest proxy put in the header
/// `trusted` names (the last comma-separated value of its last occurrence) when it is
/// `http` or `https`; otherwise, and without `trusted`, the platform's.
pub fn client_scheme<'a>(request: &'a Request, trusted: Option<&str>) -> &'a str {
    let forwarded = trusted.and_then(|name| {
        let value = request
            .headers
            .iter()
            .rev()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))?;
        let last = value.1.rsplit(',').next()?.trim();
        ["https", "http"]
            .into_iter()
            .find(|scheme| last.eq_ignore_ascii_case(scheme))
    });
    forwarded.unwrap_or(request.scheme.as_str())
}

/// The redirect for a plain-http request (by [`client_scheme`] with the trusted
/// header `trusted`), or `None` when it may be served as is.
pub fn redirect(
    request: &Request,
    environment: Environment,
    trusted: Option<&str>,
) -> Option<Response> {
    if !client_scheme(request, trusted).eq_ignore_ascii_case("http")
        || plain_http_allowed(request, environment)
    {
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
