//! The OAuth 2.1 / OpenID Connect provider's settings (docs/contract.md §11.8):
//! `OIDC_RSA_SIGNING_KEYS`, `OAUTH_RESOURCES`, `OAUTH_SCOPES`,
//! `OAUTH_DYNAMIC_REGISTRATION`, `OAUTH_REGISTRATION_ALLOWLIST`,
//! `RATE_LIMIT_OAUTH_PROVIDER_PER_IP`, `RATE_LIMIT_OAUTH_REGISTER_PER_IP`.
//!
//! Security considerations:
//! - A resource identifier becomes the `aud` of the access tokens issued for it, so
//!   each must be an absolute `https://` URI (`http://` only for a loopback host in
//!   development) without fragment or query (RFC 8707 §2), and none may be
//!   `PUBLIC_ORIGIN` itself: that is the audience of edgeauth's own session tokens, and
//!   a client's token must never be one.
//! - Dynamic registration is off unless configured; the allowlist mode admits only
//!   redirect URIs on listed origins (and loopback URIs when `loopback` is listed).
//! - The RSA ring follows the other keyrings: `dev-` ids only in development, ids
//!   unique across both signing rings (they share one JWKS).

use alloc::string::String;
#[cfg(any(test, feature = "oauth-provider"))]
use alloc::string::ToString;
use alloc::vec::Vec;

use super::RateLimit;
use crate::crypto::rsa::RsaKeyring;

/// The path of the `api` function's resource identifier, below `PUBLIC_ORIGIN`.
pub const API_RESOURCE_PATH: &str = "/api";
/// The path of the userinfo endpoint, whose identifier is the audience of tokens
/// issued without a resource indicator.
pub const USERINFO_PATH: &str = "/oauth/userinfo";
/// Most configured resources and extra scopes.
pub const MAX_ENTRIES: usize = 32;
/// Longest resource identifier.
pub const MAX_RESOURCE_BYTES: usize = 512;

/// Who may register clients at `POST /oauth/register` (RFC 7591).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registration {
    /// Nobody: the endpoint answers `404` (default).
    Off,
    /// Anyone, within the per-address rate limit.
    Open,
    /// Anyone whose every redirect URI is on a listed origin (or a loopback URI when
    /// `loopback` is listed).
    Allowlist {
        /// Exact origins (`https://host[:port]`).
        origins: Vec<String>,
        /// Whether native apps' loopback redirect URIs (RFC 8252 §7.3) are admitted.
        loopback: bool,
    },
}

/// The provider's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthProviderConfig {
    /// `OIDC_RSA_SIGNING_KEYS`: RS256 ID tokens when set (EdDSA otherwise only).
    pub rsa_signing_keys: Option<RsaKeyring>,
    /// `OAUTH_RESOURCES`: resource identifiers clients may ask for, besides the
    /// built-in `api` (`PUBLIC_ORIGIN/api`).
    pub resources: Vec<String>,
    /// `OAUTH_SCOPES`: scopes of those resources, besides the built-in ones.
    pub scopes: Vec<String>,
    /// `OAUTH_DYNAMIC_REGISTRATION` and `OAUTH_REGISTRATION_ALLOWLIST`.
    pub registration: Registration,
    /// `RATE_LIMIT_OAUTH_PROVIDER_PER_IP`: authorize, token, revoke, introspect.
    pub per_ip: RateLimit,
    /// `RATE_LIMIT_OAUTH_REGISTER_PER_IP`: dynamic registrations.
    pub register_per_ip: RateLimit,
}

impl Default for OAuthProviderConfig {
    fn default() -> Self {
        Self {
            rsa_signing_keys: None,
            resources: Vec::new(),
            scopes: Vec::new(),
            registration: Registration::Off,
            per_ip: RateLimit {
                limit: 120,
                window_secs: 60,
            },
            register_per_ip: RateLimit {
                limit: 10,
                window_secs: 3_600,
            },
        }
    }
}

/// Why an OAuth variable was refused.
#[cfg(any(test, feature = "oauth-provider"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OAuthError {
    /// `OAUTH_RESOURCES`: not an absolute https URI, a fragment or query, too long,
    /// too many, or `PUBLIC_ORIGIN` itself.
    Resources,
    /// `OAUTH_SCOPES`: a scope outside `[A-Za-z0-9:._/-]{1,64}`, or too many.
    Scopes,
    /// `OAUTH_DYNAMIC_REGISTRATION`: not `off`, `open` or `allowlist`.
    Registration,
    /// `OAUTH_REGISTRATION_ALLOWLIST`: missing in allowlist mode, or an entry that is
    /// neither an origin nor `loopback`.
    Allowlist,
}

/// Whether `host` (without port, IPv6 in brackets) is a loopback host.
pub fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host == "[::1]"
        || host
            .strip_prefix("127.")
            .is_some_and(|rest| rest.split('.').count() == 3 && rest.split('.').all(is_octet))
}

fn is_octet(text: &str) -> bool {
    !text.is_empty() && text.len() <= 3 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The host of an `http(s)://host[:port][/path]` URI (IPv6 literals keep their
/// brackets), when it has that shape: no userinfo, a non-empty host.
pub fn http_host(uri: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = uri.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let host = if authority.starts_with('[') {
        let end = authority.find(']')?;
        authority.get(..=end)?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then_some((scheme, host))
}

/// Whether `text` is an origin: `http(s)://host[:port]` and nothing else.
pub fn is_origin(text: &str) -> bool {
    http_host(text).is_some()
        && text.split_once("://").is_some_and(|(_, rest)| {
            !rest.contains(['/', '?', '#', '@', '*', ' ', '\\'])
                && rest.bytes().all(|b| b.is_ascii_graphic())
        })
}

/// Whether `uri` may identify a resource (see the module docs).
pub fn is_resource_identifier(uri: &str, development: bool) -> bool {
    if uri.is_empty()
        || uri.len() > MAX_RESOURCE_BYTES
        || uri.contains(['#', '?', '\\'])
        || !uri.bytes().all(|b| b.is_ascii_graphic())
    {
        return false;
    }
    match http_host(uri) {
        Some(("https", _)) => true,
        Some(("http", host)) => development && is_loopback_host(host),
        _ => false,
    }
}

/// Whether `scope` is a well-formed scope token of ours (RFC 6749 §3.3 allows more;
/// we keep to a plain alphabet so scopes can be shown and logged as they are).
pub fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty()
        && scope.len() <= 64
        && scope
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b":._/-".contains(&b))
}

#[cfg(any(test, feature = "oauth-provider"))]
pub(crate) struct OAuthVars {
    pub(crate) resources: Option<String>,
    pub(crate) scopes: Option<String>,
    pub(crate) registration: Option<String>,
    pub(crate) allowlist: Option<String>,
}

#[cfg(any(test, feature = "oauth-provider"))]
fn list(text: Option<String>) -> Vec<String> {
    text.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(ToString::to_string)
        .collect()
}

/// Parses the variables (each `None` when unset) into `config` (whose keyring and
/// rate limits the caller has filled in).
#[cfg(any(test, feature = "oauth-provider"))]
pub(crate) fn parse(
    vars: OAuthVars,
    public_origin: &str,
    development: bool,
    config: &mut OAuthProviderConfig,
) -> Result<(), OAuthError> {
    let resources = list(vars.resources);
    if resources.len() > MAX_ENTRIES
        || resources.iter().any(|resource| {
            !is_resource_identifier(resource, development)
                || resource.trim_end_matches('/') == public_origin
        })
    {
        return Err(OAuthError::Resources);
    }
    let scopes = list(vars.scopes);
    if scopes.len() > MAX_ENTRIES || !scopes.iter().all(|scope| is_scope_token(scope)) {
        return Err(OAuthError::Scopes);
    }
    let registration = match vars.registration.as_deref() {
        None | Some("off") => Registration::Off,
        Some("open") => Registration::Open,
        Some("allowlist") => {
            let entries = list(vars.allowlist);
            if entries.is_empty() {
                return Err(OAuthError::Allowlist);
            }
            let mut origins = Vec::new();
            let mut loopback = false;
            for entry in entries {
                if entry == "loopback" {
                    loopback = true;
                    continue;
                }
                let entry = entry.trim_end_matches('/');
                let is_origin = is_origin(entry) && (entry.starts_with("https://") || development);
                if !is_origin {
                    return Err(OAuthError::Allowlist);
                }
                origins.push(entry.to_string());
            }
            Registration::Allowlist { origins, loopback }
        }
        Some(_) => return Err(OAuthError::Registration),
    };
    config.resources = resources;
    config.scopes = scopes;
    config.registration = registration;
    Ok(())
}

#[cfg(test)]
mod tests;
