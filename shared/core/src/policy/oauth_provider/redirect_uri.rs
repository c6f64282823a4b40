//! Redirect URIs: which a client may register, whether an authorization request's
//! matches one, and how the answer is appended to it.
//!
//! Registration accepts three kinds (RFC 8252 §7, OAuth 2.1 §2.3.1):
//! - `https://` URIs of web clients;
//! - loopback URIs of native apps: `http://127.0.0.1[:port]/…`, `http://[::1][:port]/…`
//!   and `http://localhost[:port]/…`;
//! - private-use schemes of native apps in reverse-domain form (`com.example.app:/cb`,
//!   RFC 8252 §7.1): a scheme with a `.`, so `javascript:`, `data:`, `file:` and every
//!   other single-word scheme are refused.
//!
//! Matching is exact string comparison (OAuth 2.1 §4.1.3, RFC 9700 §2.1), with one
//! exception: a request may use any port on a registered loopback URI (RFC 8252 §7.3),
//! because a native app gets its port from the operating system at run time. Scheme,
//! host, path and query must still be exactly the registered ones.
//!
//! Security considerations: no fragment, no userinfo (`https://good@evil`), no
//! backslash, no whitespace or control character, at most [`MAX_URI_BYTES`]; no
//! pattern, wildcard, prefix or case-insensitive match — a URI that differs in one
//! character is a different URI. The authorization endpoint never redirects to a URI
//! that did not match: it shows an error page instead.

use alloc::string::String;

use super::params::encode_component;
use crate::config::oauth_provider::{http_host, is_loopback_host};

/// Longest redirect URI accepted.
pub const MAX_URI_BYTES: usize = 512;
/// Most redirect URIs per client.
pub const MAX_URIS: usize = 10;

/// What kind of redirect URI a registered one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `https://` (a web client).
    Web,
    /// `http://` on a loopback host (a native app; any port matches).
    Loopback,
    /// A reverse-domain private-use scheme (a native app).
    PrivateUse,
}

/// Why a redirect URI cannot be registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectError {
    /// Not an absolute URI of an accepted kind, or with a fragment, userinfo,
    /// backslash, whitespace or control character, or too long.
    Invalid,
    /// `http://` on a host that is not loopback.
    InsecureScheme,
}

/// Whether `uri` may be registered, and of which kind.
pub fn classify(uri: &str) -> Result<Kind, RedirectError> {
    if uri.is_empty()
        || uri.len() > MAX_URI_BYTES
        || uri.contains(['#', '\\'])
        || !uri.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(RedirectError::Invalid);
    }
    let Some((scheme, rest)) = uri.split_once(':') else {
        return Err(RedirectError::Invalid);
    };
    match scheme {
        "https" | "http" => {
            let Some((_, host)) = http_host(uri) else {
                return Err(RedirectError::Invalid);
            };
            if authority(uri).is_none_or(|authority| authority.contains('@')) {
                return Err(RedirectError::Invalid);
            }
            match (scheme, is_loopback_host(host)) {
                ("http", true) => Ok(Kind::Loopback),
                ("http", false) => Err(RedirectError::InsecureScheme),
                _ => Ok(Kind::Web),
            }
        }
        _ if is_private_use_scheme(scheme) && rest.starts_with('/') => Ok(Kind::PrivateUse),
        _ => Err(RedirectError::Invalid),
    }
}

/// A reverse-domain URI scheme: RFC 3986 scheme characters, lower case, with a `.`.
fn is_private_use_scheme(scheme: &str) -> bool {
    scheme.contains('.')
        && scheme.starts_with(|c: char| c.is_ascii_lowercase())
        && !scheme.ends_with('.')
        && scheme
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b))
}

/// The authority of an `http(s)://` URI.
fn authority(uri: &str) -> Option<&str> {
    let (_, rest) = uri.split_once("://")?;
    rest.split(['/', '?']).next()
}

/// `uri` without its port: what loopback URIs are compared by.
fn without_port(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let authority = authority(uri)?;
    let after = rest.get(authority.len()..)?;
    let host = match authority.strip_prefix('[') {
        Some(v6) => {
            let end = v6.find(']')?;
            let port = v6.get(end + 1..)?;
            if !(port.is_empty() || is_port(port)) {
                return None;
            }
            authority.get(..end + 2)?
        }
        None => match authority.split_once(':') {
            Some((host, port)) if is_port(&alloc::format!(":{port}")) => host,
            Some(_) => return None,
            None => authority,
        },
    };
    Some(alloc::format!("{scheme}://{host}{after}"))
}

/// `:` and 1–5 digits.
fn is_port(text: &str) -> bool {
    text.strip_prefix(':').is_some_and(|digits| {
        !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The registered URI that `presented` matches, if any (see the module docs).
pub fn find<'a>(registered: &'a [String], presented: &str) -> Option<&'a str> {
    if let Some(exact) = registered.iter().find(|uri| uri.as_str() == presented) {
        return Some(exact);
    }
    if classify(presented) != Ok(Kind::Loopback) {
        return None;
    }
    let presented = without_port(presented)?;
    registered
        .iter()
        .filter(|uri| classify(uri) == Ok(Kind::Loopback))
        .find(|uri| without_port(uri).as_deref() == Some(presented.as_str()))
        .map(String::as_str)
}

/// `base` with `params` appended to its query (RFC 6749 §4.1.2: the redirect URI's own
/// query is kept), each value percent-encoded.
pub fn with_params(base: &str, params: &[(&str, &str)]) -> String {
    let mut out = String::from(base);
    let mut separator = if base.contains('?') { '&' } else { '?' };
    if base.ends_with('?') || base.ends_with('&') {
        separator = '\0';
    }
    for (name, value) in params {
        if separator != '\0' {
            out.push(separator);
        }
        separator = '&';
        out.push_str(name);
        out.push('=');
        out.push_str(&encode_component(value));
    }
    out
}

#[cfg(test)]
mod tests;
