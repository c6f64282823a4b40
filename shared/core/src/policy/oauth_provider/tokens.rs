//! The tokens the provider issues to clients: access tokens bound to one resource
//! (RFC 9068 profile, audience from RFC 8707) and ID tokens (OIDC Core §2).
//!
//! Access token:
//! ```text
//! header {"alg":"EdDSA","kid":<JWT_SIGNING_KEYS id>,"typ":"at+jwt"}
//! claims {"iss":PUBLIC_ORIGIN,"aud":<resource>,"sub":<user id>,"client_id":<client>,
//!         "scope":"…","sid":<grant id>,"auth_time":…,"iat":…,"exp":…,"jti":<128 bits>}
//! ```
//! ID token: `{"alg":"EdDSA"|"RS256","kid","typ":"JWT"}`, claims `iss`, `sub`, `aud`
//! (the client id), `azp`, `iat`, `exp`, `auth_time`, and `nonce` when the request had
//! one.
//!
//! Security considerations:
//! - `aud` is always one resource, never `PUBLIC_ORIGIN`: edgeauth's own session tokens
//!   carry that audience, so a client's token can never pass as a session's (their
//!   verifier also requires claims a client token lacks), and a resource refuses a
//!   token minted for another ([`verify_access`] with its own identifier).
//! - Verification accepts only EdDSA under a key of `JWT_SIGNING_KEYS`, `typ` `at+jwt`,
//!   our issuer, a `client_id`, and the time rule of session tokens
//!   ([`crate::policy::token::check_times`]); `crit` and embedded keys are refused by
//!   [`super::jws::parse`]. Whether the grant still lives is the caller's to check.
//! - `exp` never passes the grant's end, so a token never outlives its grant.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Deserialize;

use super::jws;
use crate::config::Config;
use crate::crypto::signature::{Algorithm, SignatureCheck, SignatureVerifier};
use crate::encoding;
use crate::env::Random;
use crate::error::{ApiError, Internal};
use crate::model::user;
use crate::policy::token::access::verify_signed;
use crate::policy::token::{check_times, Times, TokenError};

/// The `typ` of access tokens.
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
/// How long an ID token is valid.
pub const ID_TOKEN_TTL_SECS: u64 = 600;

/// What an access token is issued for.
#[derive(Debug, Clone, Copy)]
pub struct AccessGrant<'a> {
    /// The user (`sub`).
    pub user_id: &'a str,
    /// The grant (`sid`).
    pub grant_id: &'a str,
    /// The client (`client_id`).
    pub client_id: &'a str,
    /// Granted scopes.
    pub scopes: &'a [String],
    /// The resource (`aud`).
    pub audience: &'a str,
    /// When the user signed in (Unix seconds).
    pub auth_time_secs: u64,
    /// The grant's end (Unix seconds): `exp` never passes it.
    pub ends_at_secs: u64,
}

/// A signed access token.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedAccess {
    /// The compact JWS.
    pub token: String,
    /// Seconds until `exp`.
    pub expires_in_secs: u64,
}

impl core::fmt::Debug for IssuedAccess {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IssuedAccess")
            .field("token", &"[REDACTED]")
            .field("expires_in_secs", &self.expires_in_secs)
            .finish()
    }
}

/// Signs an access token for `grant` with the active key of `JWT_SIGNING_KEYS`.
pub fn issue_access(
    config: &Config,
    random: &impl Random,
    now_ms: u64,
    grant: AccessGrant<'_>,
) -> Result<IssuedAccess, ApiError> {
    let key = config.jwt_signing_keys.active();
    let signing_key = key
        .signing_key()
        .ok_or(ApiError::Unavailable(Internal("JWT signing key unusable")))?;
    let issued_at = now_ms / 1000;
    let expires_at = issued_at
        .saturating_add(config.sessions.access_ttl_secs)
        .min(grant.ends_at_secs);
    if expires_at <= issued_at {
        return Err(ApiError::Unauthenticated);
    }
    let jti: [u8; 16] = crate::env::random_array(random)?;
    let header = serde_json::json!({"alg": "EdDSA", "kid": key.id, "typ": ACCESS_TOKEN_TYPE});
    let claims = serde_json::json!({
        "iss": config.public_origin,
        "aud": grant.audience,
        "sub": grant.user_id,
        "client_id": grant.client_id,
        "scope": grant.scopes.join(" "),
        "sid": grant.grant_id,
        "auth_time": grant.auth_time_secs,
        "iat": issued_at,
        "exp": expires_at,
        "jti": encoding::b64url(&jti),
    });
    Ok(IssuedAccess {
        token: jws::sign_eddsa(signing_key, &header, &claims),
        expires_in_secs: expires_at - issued_at,
    })
}

/// The facts of a verified client access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAccess {
    /// `sub`.
    pub user_id: String,
    /// `sid`: the grant.
    pub grant_id: String,
    /// `client_id`.
    pub client_id: String,
    /// `scope`, split.
    pub scopes: Vec<String>,
    /// `aud`.
    pub audience: String,
    /// `iat`.
    pub issued_at_secs: u64,
    /// `exp`.
    pub expires_at_secs: u64,
    /// `jti`.
    pub token_id: String,
}

#[derive(Deserialize)]
struct ClientClaims {
    iss: String,
    aud: String,
    sub: String,
    client_id: String,
    #[serde(default)]
    scope: String,
    sid: String,
    jti: String,
    exp: Option<u64>,
    iat: Option<u64>,
    nbf: Option<u64>,
}

/// Verifies a client access token at `now_ms` (see the module docs). `audience`: the
/// identifier of the resource asking (`None`: any of ours, for introspection and
/// revocation, which report or act on the token's own audience). The header, key and
/// signature are checked by the session tokens' own parser
/// ([`crate::policy::token::access::verify_signed`]), so both kinds of token pass one
/// set of rules up to their claims.
pub async fn verify_access<V: SignatureVerifier>(
    config: &Config,
    verifier: &V,
    token: &str,
    now_ms: u64,
    audience: Option<&str>,
) -> Result<ClientAccess, TokenError> {
    let payload = verify_signed(config, verifier, token).await?;
    let claims: ClientClaims =
        serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
    let times = Times {
        expires_at_secs: claims.exp,
        issued_at_secs: claims.iat,
        not_before_secs: claims.nbf,
    };
    if claims.iss != config.public_origin {
        return Err(TokenError::WrongIssuer);
    }
    if claims.aud == config.public_origin || audience.is_some_and(|aud| aud != claims.aud) {
        return Err(TokenError::WrongAudience);
    }
    check_times(&times, now_ms)?;
    if !user::is_id(&claims.sub) || !user::is_id(&claims.sid) || !user::is_id(&claims.client_id) {
        return Err(TokenError::Malformed);
    }
    Ok(ClientAccess {
        user_id: claims.sub,
        grant_id: claims.sid,
        client_id: claims.client_id,
        scopes: claims
            .scope
            .split(' ')
            .filter(|scope| !scope.is_empty())
            .map(String::from)
            .collect(),
        audience: claims.aud,
        issued_at_secs: times.issued_at_secs.unwrap_or(0),
        expires_at_secs: times.expires_at_secs.unwrap_or(0),
        token_id: claims.jti,
    })
}

/// What an ID token says.
#[derive(Debug, Clone, Copy)]
pub struct IdTokenFacts<'a> {
    /// `sub`.
    pub user_id: &'a str,
    /// `aud` and `azp`.
    pub client_id: &'a str,
    /// `auth_time`.
    pub auth_time_secs: u64,
    /// `nonce`, when the authorization request had one.
    pub nonce: Option<&'a str>,
}

/// The header and claims of an ID token, to be signed with `alg` under key `kid`.
pub fn id_token(
    config: &Config,
    now_ms: u64,
    alg: &str,
    kid: &str,
    facts: IdTokenFacts<'_>,
) -> (serde_json::Value, serde_json::Value) {
    let issued_at = now_ms / 1000;
    let header = serde_json::json!({"alg": alg, "kid": kid, "typ": "JWT"});
    let mut claims = serde_json::json!({
        "iss": config.public_origin,
        "sub": facts.user_id,
        "aud": facts.client_id,
        "azp": facts.client_id,
        "iat": issued_at,
        "exp": issued_at.saturating_add(ID_TOKEN_TTL_SECS),
        "auth_time": facts.auth_time_secs,
    });
    if let (Some(nonce), Some(object)) = (facts.nonce, claims.as_object_mut()) {
        object.insert("nonce".into(), nonce.into());
    }
    (header, claims)
}

/// The `sub` and `aud` of an ID token this provider signed, read back as an
/// `id_token_hint` (OIDC RP-Initiated Logout §2): signature, issuer and audience are
/// checked, expiry is not (a hint may have expired).
pub async fn verify_id_token_hint<V: SignatureVerifier>(
    config: &Config,
    verifier: &V,
    token: &str,
) -> Option<(String, String)> {
    #[derive(Deserialize)]
    struct Claims {
        iss: String,
        sub: String,
        aud: String,
    }
    let jws = jws::parse(token)?;
    // An access token (same key, same signature) is not an ID token.
    if jws
        .header
        .typ
        .as_deref()
        .is_some_and(|typ| typ.to_ascii_lowercase().ends_with(ACCESS_TOKEN_TYPE))
    {
        return None;
    }
    let kid = jws.header.kid.as_deref()?;
    let (algorithm, spki): (Algorithm, &[u8]) = match jws.header.alg.as_str() {
        "EdDSA" => (
            Algorithm::EdDsa,
            config.jwt_signing_keys.get(kid)?.public_key_spki()?,
        ),
        "RS256" => (
            Algorithm::Rs256,
            config
                .oauth_provider
                .rsa_signing_keys
                .as_ref()?
                .get(kid)?
                .public_key_spki(),
        ),
        _ => return None,
    };
    let valid = verifier
        .verify(&SignatureCheck {
            algorithm,
            public_key_spki: spki,
            message: jws.signing_input,
            signature: &jws.signature,
        })
        .await;
    let claims: Claims = serde_json::from_slice(&jws.payload).ok()?;
    (valid && claims.iss == config.public_origin && user::is_id(&claims.sub))
        .then_some((claims.sub, claims.aud))
}

#[cfg(test)]
mod tests;
