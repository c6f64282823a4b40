//! Client metadata (RFC 7591 §2, OIDC Registration §2): what dynamic registration and
//! the administrators' API accept, validated into the facts a client record keeps.
//!
//! | member | accepted |
//! |---|---|
//! | `redirect_uris` | required, 1–10, each as [`super::redirect_uri::classify`] allows |
//! | `client_name` | 1–100 characters without control characters (default "Unnamed application") |
//! | `token_endpoint_auth_method` | `client_secret_basic` (default), `client_secret_post`, `private_key_jwt` (needs `jwks`), `none` |
//! | `grant_types` | `authorization_code` (required, the default), `refresh_token` |
//! | `response_types` | `code` only (the default) |
//! | `id_token_signed_response_alg` | `EdDSA` (default), `RS256` (when `OIDC_RSA_SIGNING_KEYS` is set) |
//! | `jwks` | a JWK Set of signature keys, with `private_key_jwt` only; `jwks_uri` is refused |
//! | `post_logout_redirect_uris` | 0–10, as redirect URIs |
//! | `application_type` | `web` (default) or `native` |
//! | `scope` | supported scopes (checked; clients are not limited to them) |
//!
//! Other members (`client_uri`, `logo_uri`, `contacts`, …) are ignored, as RFC 7591
//! §2 asks; nothing else is stored.
//!
//! Security considerations: no implicit or password grant, no `token` or `id_token`
//! response type (OAuth 2.1 removes both); a confidential client never registers
//! `none` by accident (the default is a secret); keys are registered by value, so
//! verifying an assertion fetches nothing from a URL the client chose.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde::Deserialize;

use super::error::OAuthError;
use super::redirect_uri::{self, RedirectError};
use super::scope;
use crate::config::Config;
use crate::crypto::jwk;
use crate::model::oauth_provider::client::{AuthMethod, IdTokenAlg};

/// The name shown for a client that registered none.
pub const UNNAMED: &str = "Unnamed application";
/// Longest client name.
pub const MAX_NAME_CHARS: usize = 100;

/// The members read from a registration request (others are ignored).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Metadata {
    /// `redirect_uris`.
    #[serde(default)]
    pub redirect_uris: Option<Vec<String>>,
    /// `client_name`.
    #[serde(default)]
    pub client_name: Option<String>,
    /// `token_endpoint_auth_method`.
    #[serde(default)]
    pub token_endpoint_auth_method: Option<String>,
    /// `grant_types`.
    #[serde(default)]
    pub grant_types: Option<Vec<String>>,
    /// `response_types`.
    #[serde(default)]
    pub response_types: Option<Vec<String>>,
    /// `id_token_signed_response_alg`.
    #[serde(default)]
    pub id_token_signed_response_alg: Option<String>,
    /// `jwks`.
    #[serde(default)]
    pub jwks: Option<serde_json::Value>,
    /// `jwks_uri` (refused).
    #[serde(default)]
    pub jwks_uri: Option<serde_json::Value>,
    /// `post_logout_redirect_uris`.
    #[serde(default)]
    pub post_logout_redirect_uris: Option<Vec<String>>,
    /// `application_type`.
    #[serde(default)]
    pub application_type: Option<String>,
    /// `scope`.
    #[serde(default)]
    pub scope: Option<String>,
}

/// Metadata that passed: what a client record keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    /// The display name.
    pub name: String,
    /// Redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Post-logout redirect URIs.
    pub post_logout_redirect_uris: Vec<String>,
    /// The authentication method.
    pub auth_method: AuthMethod,
    /// The JWK Set text (`private_key_jwt`).
    pub jwks: Option<String>,
    /// Whether the client may refresh.
    pub refresh_tokens: bool,
    /// ID token algorithm.
    pub id_token_alg: IdTokenAlg,
}

fn metadata_error(text: &'static str) -> OAuthError {
    OAuthError::InvalidClientMetadata(text)
}

fn uris(list: Option<Vec<String>>, required: bool) -> Result<Vec<String>, OAuthError> {
    let list = list.unwrap_or_default();
    if (required && list.is_empty()) || list.len() > redirect_uri::MAX_URIS {
        return Err(OAuthError::InvalidRedirectUri(
            "redirect_uris: between 1 and 10 are required",
        ));
    }
    for uri in &list {
        match redirect_uri::classify(uri) {
            Ok(_) => {}
            Err(RedirectError::InsecureScheme) => {
                return Err(OAuthError::InvalidRedirectUri(
                    "redirect_uris: http is allowed for loopback hosts only",
                ))
            }
            Err(RedirectError::Invalid) => {
                return Err(OAuthError::InvalidRedirectUri(
                    "redirect_uris: an https URI, a loopback URI or a reverse-domain scheme, without fragment or userinfo",
                ))
            }
        }
    }
    let mut distinct: Vec<String> = Vec::new();
    for uri in list {
        if !distinct.contains(&uri) {
            distinct.push(uri);
        }
    }
    Ok(distinct)
}

/// Validates `metadata` (see the module docs).
pub fn validate(config: &Config, metadata: Metadata) -> Result<Valid, OAuthError> {
    let redirect_uris = uris(metadata.redirect_uris, true)?;
    let post_logout_redirect_uris = uris(metadata.post_logout_redirect_uris, false)
        .map_err(|_| metadata_error("post_logout_redirect_uris: as redirect_uris, at most 10"))?;
    let name = match metadata.client_name.as_deref().map(str::trim) {
        None | Some("") => UNNAMED.to_string(),
        Some(name)
            if name.chars().count() <= MAX_NAME_CHARS && !name.chars().any(char::is_control) =>
        {
            name.to_string()
        }
        Some(_) => return Err(metadata_error("client_name: at most 100 characters")),
    };
    let auth_method = match metadata.token_endpoint_auth_method.as_deref() {
        None => AuthMethod::ClientSecretBasic,
        Some(method) => AuthMethod::parse(method).ok_or(metadata_error(
            "token_endpoint_auth_method: client_secret_basic, client_secret_post, private_key_jwt or none",
        ))?,
    };
    let grant_types = metadata
        .grant_types
        .unwrap_or_else(|| alloc::vec!["authorization_code".to_string()]);
    if !grant_types
        .iter()
        .any(|grant| grant == "authorization_code")
        || grant_types
            .iter()
            .any(|grant| grant != "authorization_code" && grant != "refresh_token")
    {
        return Err(metadata_error(
            "grant_types: authorization_code, optionally with refresh_token",
        ));
    }
    let response_types = metadata
        .response_types
        .unwrap_or_else(|| alloc::vec!["code".to_string()]);
    if response_types.iter().any(|kind| kind != "code") {
        return Err(metadata_error("response_types: code only"));
    }
    let id_token_alg = match metadata.id_token_signed_response_alg.as_deref() {
        None | Some("EdDSA") => IdTokenAlg::EdDsa,
        Some("RS256") if config.oauth_provider.rsa_signing_keys.is_some() => IdTokenAlg::Rs256,
        Some(_) => {
            return Err(metadata_error(
                "id_token_signed_response_alg: one of the provider's id_token_signing_alg_values_supported",
            ))
        }
    };
    if metadata.jwks_uri.is_some() {
        return Err(metadata_error("jwks_uri is not supported: register jwks"));
    }
    let jwks = match (auth_method, metadata.jwks) {
        (AuthMethod::PrivateKeyJwt, Some(set)) => {
            let text = serde_json::to_string(&set)
                .map_err(|_| metadata_error("jwks: a JWK Set of signature keys"))?;
            match jwk::parse_jwks(text.as_bytes()) {
                Ok(keys) if !keys.is_empty() => Some(text),
                _ => return Err(metadata_error("jwks: a JWK Set of public signature keys")),
            }
        }
        (AuthMethod::PrivateKeyJwt, None) => {
            return Err(metadata_error("private_key_jwt needs jwks"))
        }
        (_, Some(_)) => return Err(metadata_error("jwks: only with private_key_jwt")),
        (_, None) => None,
    };
    match metadata.application_type.as_deref() {
        None | Some("web") | Some("native") => {}
        Some(_) => return Err(metadata_error("application_type: web or native")),
    }
    if metadata.scope.is_some() && scope::parse(config, metadata.scope.as_deref()).is_none() {
        return Err(metadata_error("scope: supported scopes only"));
    }
    Ok(Valid {
        name,
        redirect_uris,
        post_logout_redirect_uris,
        auth_method,
        jwks,
        refresh_tokens: grant_types.iter().any(|grant| grant == "refresh_token"),
        id_token_alg,
    })
}

#[cfg(test)]
mod tests;
