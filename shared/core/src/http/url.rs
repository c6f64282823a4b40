//! Splitting a request URL as a runtime serialized it into what the core routes on.
//!
//! The Workers adapter receives the URL as the runtime's WHATWG serialization: an
//! absolute URL with a lower-case scheme, an ASCII (punycoded) lower-case host, IPv6
//! in brackets, the port only when it is not the scheme's default, a percent-encoded
//! path and query. Splitting that text needs no URL parser (and no IDNA tables in the
//! bundle) and no JS `URL` object per request.
//!
//! Security considerations: the path is taken verbatim (routing compares it exactly;
//! percent-encoding is not undone, so `/api%2Fme` is not `/api/me`); a URL with user
//! info, no host, or a port that is not a number is refused, never guessed at; the
//! fragment (never sent by clients) is dropped.

use alloc::string::{String, ToString};

/// The parts of a request URL the core needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    /// Lower-case scheme (`https`).
    pub scheme: String,
    /// The host as serialized (IPv6 with brackets).
    pub host: String,
    /// The port, when the URL names one.
    pub port: Option<u16>,
    /// The path (`/` when empty).
    pub path: String,
    /// The query without `?` (empty when none).
    pub query: String,
}

/// Splits an absolute URL (see the module docs); `None` for anything else.
pub fn split(url: &str) -> Option<UrlParts> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return None;
    }
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host, Some(port.parse().ok()?)),
        _ => (authority, None),
    };
    if host.is_empty() {
        return None;
    }
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    Some(UrlParts {
        scheme: scheme.to_ascii_lowercase(),
        host: host.to_string(),
        port,
        path: if path.is_empty() {
            "/".into()
        } else {
            path.into()
        },
        query: query.to_string(),
    })
}

#[cfg(test)]
mod tests;
