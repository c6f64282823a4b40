//! An OpenID provider's metadata (OpenID Connect Discovery 1.0 §3), as fetched from
//! `{issuer}/.well-known/openid-configuration` and checked before use.
//!
//! Checked: `issuer` equals the configured issuer exactly (§4.3; for Microsoft's
//! tenants, what [`super::entra::discovered_issuer_allowed`] allows); the authorization,
//! token and key-set endpoints are present and `https://` (plain `http://` only to a
//! loopback host in development, as for the issuer itself); `code_challenge_methods_supported`,
//! when published, includes `S256`; and the client authentication edgeauth will use at
//! the token endpoint — `client_secret_basic` (the default when nothing is published),
//! else `client_secret_post`.
//!
//! Security considerations: a document whose issuer differs is refused (a mix-up or a
//! hijacked discovery URL cannot substitute another provider's endpoints); endpoints
//! must be absolute secure URLs, so no code or secret is ever sent in the clear.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Deserialize;

use super::entra;
use crate::config::oauth::is_provider_url;

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAuth {
    /// HTTP Basic with the client id and secret (RFC 6749 §2.3.1).
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Post,
}

/// The endpoints of a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// The issuer (for Entra's multi-tenant endpoints, the `{tenantid}` template).
    pub issuer: String,
    /// Where the browser is sent.
    pub authorization_endpoint: String,
    /// Where the code is exchanged.
    pub token_endpoint: String,
    /// The provider's public keys.
    pub jwks_uri: String,
    /// Client authentication at the token endpoint.
    pub token_auth: TokenAuth,
}

/// What the issuer must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuerCheck<'a> {
    /// Exactly this issuer.
    Exact(&'a str),
    /// Microsoft Entra, tenant as configured.
    Entra(&'a str),
}

/// Why a discovery document was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// Not JSON of the metadata's shape, or a required member missing.
    Malformed,
    /// The `issuer` is not the configured one.
    Issuer,
    /// An endpoint is not a secure absolute URL.
    InsecureEndpoint,
    /// PKCE `S256` is not supported, or no client authentication edgeauth uses is.
    Unsupported,
}

impl DiscoveryError {
    /// The static cause, for logs.
    pub const fn cause(self) -> &'static str {
        match self {
            Self::Malformed => "OIDC discovery: malformed metadata",
            Self::Issuer => "OIDC discovery: issuer differs from the configured one",
            Self::InsecureEndpoint => "OIDC discovery: an endpoint is not https",
            Self::Unsupported => "OIDC discovery: no S256 PKCE or no usable client authentication",
        }
    }
}

#[derive(Deserialize)]
struct Raw {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
}

/// Reads and checks a discovery document.
pub fn parse(
    json: &[u8],
    issuer: IssuerCheck<'_>,
    development: bool,
) -> Result<Metadata, DiscoveryError> {
    let raw: Raw = serde_json::from_slice(json).map_err(|_| DiscoveryError::Malformed)?;
    let issuer_ok = match issuer {
        IssuerCheck::Exact(expected) => raw.issuer == expected,
        IssuerCheck::Entra(tenant) => entra::discovered_issuer_allowed(tenant, &raw.issuer),
    };
    if !issuer_ok {
        return Err(DiscoveryError::Issuer);
    }
    for endpoint in [
        &raw.authorization_endpoint,
        &raw.token_endpoint,
        &raw.jwks_uri,
    ] {
        // The authorization endpoint may carry a query (some providers need one); the
        // others may not.
        let base = endpoint.split('?').next().unwrap_or("");
        let query_ok = endpoint == &raw.authorization_endpoint || !endpoint.contains('?');
        if !query_ok || !is_provider_url(base, development) {
            return Err(DiscoveryError::InsecureEndpoint);
        }
    }
    if let Some(methods) = &raw.code_challenge_methods_supported {
        if !methods.iter().any(|method| method == "S256") {
            return Err(DiscoveryError::Unsupported);
        }
    }
    let token_auth = match &raw.token_endpoint_auth_methods_supported {
        None => TokenAuth::Basic,
        Some(methods) if methods.iter().any(|m| m == "client_secret_basic") => TokenAuth::Basic,
        Some(methods) if methods.iter().any(|m| m == "client_secret_post") => TokenAuth::Post,
        Some(_) => return Err(DiscoveryError::Unsupported),
    };
    Ok(Metadata {
        issuer: raw.issuer,
        authorization_endpoint: raw.authorization_endpoint,
        token_endpoint: raw.token_endpoint,
        jwks_uri: raw.jwks_uri,
        token_auth,
    })
}

#[cfg(test)]
mod tests;
