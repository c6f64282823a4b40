//! Scopes: which the provider supports, what the consent page says about each, and
//! which routes of the `api` function a scope opens to a client's access token.
//!
//! | scope | grants |
//! |---|---|
//! | `openid` | an ID token; `GET /oauth/userinfo` (`sub`) |
//! | `profile` | `GET /api/me` with a token for the `api` resource; no extra userinfo claims (edgeauth stores no name) |
//! | `email` | `email`, `email_verified` at userinfo |
//! | `offline_access` | a refresh token for an OpenID request (OIDC Core §11) |
//! | `documents` | the `api`'s `/api/documents…` routes, as the user |
//! | `OAUTH_SCOPES` entries | whatever the operator's resources give them; edgeauth only carries them |
//!
//! Security considerations: a client's token opens only the `api` routes its scopes
//! list ([`allows_api`]) — never administration, export, erasure, MFA or consents,
//! whatever the user's roles; an unsupported scope is refused (`invalid_scope`), never
//! dropped silently into a narrower grant the client did not expect.

use alloc::string::String;
use alloc::vec::Vec;

use crate::config::oauth_provider::is_scope_token;
use crate::config::Config;
use crate::policy::rbac::Permission;

/// OpenID Connect.
pub const OPENID: &str = "openid";
/// The user's profile (`GET /api/me`).
pub const PROFILE: &str = "profile";
/// The user's address.
pub const EMAIL: &str = "email";
/// A refresh token for OpenID requests.
pub const OFFLINE_ACCESS: &str = "offline_access";
/// The `api`'s documents.
pub const DOCUMENTS: &str = "documents";
/// The built-in scopes, in the order discovery lists them.
pub const BUILT_IN: [&str; 5] = [OPENID, PROFILE, EMAIL, OFFLINE_ACCESS, DOCUMENTS];
/// Most scopes in one request.
pub const MAX_SCOPES: usize = 32;

/// Every supported scope: the built-in ones, then `OAUTH_SCOPES`.
pub fn supported(config: &Config) -> Vec<&str> {
    BUILT_IN
        .iter()
        .copied()
        .chain(config.oauth_provider.scopes.iter().map(String::as_str))
        .collect()
}

/// Reads a `scope` parameter (space-separated, RFC 6749 §3.3) into distinct tokens in
/// their order; `None` when malformed or when a scope is not supported.
pub fn parse(config: &Config, text: Option<&str>) -> Option<Vec<String>> {
    let mut scopes: Vec<String> = Vec::new();
    for token in text
        .unwrap_or("")
        .split(' ')
        .filter(|token| !token.is_empty())
    {
        if !is_scope_token(token) || !supported(config).contains(&token) {
            return None;
        }
        if !scopes.iter().any(|known| known == token) {
            scopes.push(token.into());
        }
    }
    (scopes.len() <= MAX_SCOPES).then_some(scopes)
}

/// The `scope` value of a list.
pub fn join(scopes: &[String]) -> String {
    scopes.join(" ")
}

/// What the consent page says the client may do with `scope`.
pub fn description(scope: &str) -> &'static str {
    match scope {
        OPENID => "Know who you are on this site (your account id)",
        PROFILE => "Read your profile",
        EMAIL => "See your email address",
        OFFLINE_ACCESS => "Stay connected while you are away",
        DOCUMENTS => "Read, create and change your documents",
        _ => "Use this permission at the resources below",
    }
}

/// The scope that opens `api` routes needing `permission` to a client's token; `None`:
/// no scope does (administration, export, erasure, MFA, consents).
fn scope_for(permission: Permission) -> Option<&'static str> {
    match permission {
        Permission::ProfileRead => Some(PROFILE),
        Permission::DocumentsUse => Some(DOCUMENTS),
        _ => None,
    }
}

/// Whether some scope opens `api` routes needing `permission` to a client's token.
pub fn opens(permission: Permission) -> bool {
    scope_for(permission).is_some()
}

/// Whether a client token with `scopes` may use an `api` route needing `permission`.
pub fn allows_api(scopes: &[String], permission: Permission) -> bool {
    scope_for(permission).is_some_and(|needed| scopes.iter().any(|scope| scope == needed))
}

#[cfg(test)]
mod tests;
