//! Security headers applied to every response of every function (docs/contract.md §2).
//!
//! Each header carries the reason it is there. Values are the contract's or
//! stricter. A route that set its own value (say a stricter CSP) keeps it: headers
//! are only filled in where missing, except `X-Request-Id`, which is always ours.

use crate::http::Response;

/// Whether HSTS may be omitted: only plain-http loopback in development.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hsts {
    /// Send `Strict-Transport-Security`.
    Send,
    /// Omit it (development on `http://127.0.0.1`, where HSTS would pin localhost).
    OmitForLoopbackDevelopment,
}

/// The header set, in one table so that a test can assert all of them.
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    // JSON never needs to load anything, be framed, or set a base URL (CSP Level 3).
    (
        "Content-Security-Policy",
        "default-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    ),
    // Stops MIME sniffing a JSON body into HTML or script (Fetch standard).
    ("X-Content-Type-Options", "nosniff"),
    // Legacy clickjacking defence for browsers without frame-ancestors.
    ("X-Frame-Options", "DENY"),
    // Tokens travel in fragments, but URLs still must not leak to third parties.
    ("Referrer-Policy", "no-referrer"),
    // An auth API needs none of these powerful features.
    (
        "Permissions-Policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    ),
    // Isolates the browsing context group (Spectre, window.opener attacks).
    ("Cross-Origin-Opener-Policy", "same-origin"),
    // Only same-origin pages may embed these responses.
    ("Cross-Origin-Resource-Policy", "same-origin"),
    // The legacy XSS auditor is itself an XSS vector; CSP replaces it (OWASP).
    ("X-XSS-Protection", "0"),
];

/// The header that carries the request's id on every answer (always set here).
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";

/// Two years with subdomains, as the contract requires (RFC 6797).
pub const HSTS_VALUE: &str = "max-age=63072000; includeSubDomains";

/// Adds the security headers, `Cache-Control` for auth/api/oauth paths, and the request id.
pub fn apply(response: &mut Response, path: &str, request_id: &str, hsts: Hsts) {
    for (name, value) in SECURITY_HEADERS {
        response.set_default_header(name, value);
    }
    if hsts == Hsts::Send {
        response.set_default_header("Strict-Transport-Security", HSTS_VALUE);
    }
    // Credentials and personal data must never sit in a shared or browser cache.
    // `/.well-known/jwks.json` is public and may be cached briefly by its route.
    if path.starts_with("/auth/")
        || path.starts_with("/api/")
        || path.starts_with("/oauth/")
        || path == "/auth"
        || path == "/api"
    {
        response.set_header("Cache-Control", "no-store");
    } else {
        response.set_default_header("Cache-Control", "no-store");
    }
    response.set_header(REQUEST_ID_HEADER, request_id);
}

#[cfg(test)]
mod tests;
