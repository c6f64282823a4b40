//! `private_key_jwt` client authentication (RFC 7523 §3, OIDC Core §9): a JWT the
//! client signs with one of the keys it registered (`jwks`), sent as
//! `client_assertion` with `client_assertion_type` [`ASSERTION_TYPE`].
//!
//! Checked here: the algorithm is one we verify (RS256, ES256, EdDSA) and is the key's
//! own; the key is found by `kid` in the client's set (or is its only key); the
//! signature; `iss` = `sub` = the client id; `aud` names this provider (its issuer or
//! the endpoint's URL); `exp` is present, not passed, and at most
//! [`MAX_LIFETIME_SECS`] ahead; `jti` is present. That the `jti` was not used before is
//! the caller's check, against the atomic store, until `exp`.
//!
//! Security considerations: the key always comes from the registration, never from
//! the assertion (embedded `jwk`, `jku`, `x5u`, `x5c` headers are refused by
//! [`super::jws::parse`]); an assertion cannot be replayed (single-use `jti`) nor kept
//! for long (bounded `exp`); a client whose registered set does not parse is refused.

use alloc::string::String;
use serde::Deserialize;

use super::jws;
use crate::config::Config;
use crate::crypto::jwk;
use crate::crypto::signature::{Algorithm, SignatureCheck, SignatureVerifier};
use crate::policy::token::access::LEEWAY_SECS;

/// The `client_assertion_type` of a JWT assertion.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// How far ahead an assertion's `exp` may be.
pub const MAX_LIFETIME_SECS: u64 = 300;
/// Longest `jti` accepted.
pub const MAX_JTI_BYTES: usize = 256;

/// A verified assertion's replay key and its expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The assertion's `jti`.
    pub jti: String,
    /// Its `exp` (Unix seconds).
    pub expires_at_secs: u64,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(alloc::vec::Vec<String>),
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    aud: Audience,
    exp: u64,
    #[serde(default)]
    iat: Option<u64>,
    #[serde(default)]
    nbf: Option<u64>,
    jti: String,
}

/// Verifies `assertion` for `client_id` with the client's registered JWK Set
/// (`jwks`), as presented at `endpoint` (its full URL), at `now_ms`.
pub async fn verify<V: SignatureVerifier>(
    config: &Config,
    verifier: &V,
    assertion: &str,
    client_id: &str,
    jwks: &str,
    endpoint: &str,
    now_ms: u64,
) -> Option<Verified> {
    let jws = jws::parse(assertion)?;
    let algorithm = Algorithm::from_jose_name(&jws.header.alg)?;
    let keys = jwk::parse_jwks(jwks.as_bytes()).ok()?;
    let key = jwk::find(&keys, jws.header.kid.as_deref(), algorithm)?;
    let valid = verifier
        .verify(&SignatureCheck {
            algorithm,
            public_key_spki: &key.spki,
            message: jws.signing_input,
            signature: &jws.signature,
        })
        .await;
    if !valid {
        return None;
    }
    let claims: Claims = serde_json::from_slice(&jws.payload).ok()?;
    let token_endpoint = alloc::format!("{}/oauth/token", config.public_origin);
    let ours = |aud: &str| aud == config.public_origin || aud == token_endpoint || aud == endpoint;
    let audience_ok = match &claims.aud {
        Audience::One(aud) => ours(aud),
        Audience::Many(auds) => auds.iter().any(|aud| ours(aud)),
    };
    let now = now_ms / 1000;
    let fresh = now <= claims.exp.saturating_add(LEEWAY_SECS)
        && claims.exp <= now.saturating_add(MAX_LIFETIME_SECS + LEEWAY_SECS)
        && claims
            .iat
            .is_none_or(|iat| iat <= now.saturating_add(LEEWAY_SECS))
        && claims
            .nbf
            .is_none_or(|nbf| nbf <= now.saturating_add(LEEWAY_SECS));
    let ok = claims.iss == client_id
        && claims.sub == client_id
        && audience_ok
        && fresh
        && !claims.jti.is_empty()
        && claims.jti.len() <= MAX_JTI_BYTES;
    ok.then_some(Verified {
        jti: claims.jti,
        expires_at_secs: claims.exp,
    })
}

#[cfg(test)]
mod tests;
