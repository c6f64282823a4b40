//! `GET /.well-known/jwks.json`: the public halves of `JWT_SIGNING_KEYS` (RFC 7517,
//! RFC 8037 §2).
//!
//! Every key of the ring is published, active first, so a verifier that caches the
//! set keeps accepting tokens of keys being rotated out until they are removed.
//!
//! Security considerations: only `x` (the public key) is derived and published — the
//! seed never leaves [`crate::Secret`]; key ids are public by definition (they are the
//! `kid` of every token). The document is public and identical for everyone, so it
//! may be cached briefly (`Cache-Control: public, max-age=300`); the layer forces
//! `no-store` only on `/auth/` and `/api/`.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

use crate::config::Config;
use crate::crypto::eddsa::ALG;
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::http::Response;

/// How long verifiers may cache the key set. Short, so that a removed key stops
/// verifying elsewhere soon after it stops verifying here.
pub const CACHE_CONTROL: &str = "public, max-age=300";

/// One public key (RFC 8037 §2: `kty` `OKP`, `crv` `Ed25519`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jwk {
    /// Always `OKP`.
    pub kty: &'static str,
    /// Always `Ed25519`.
    pub crv: &'static str,
    /// The public key, base64url.
    pub x: String,
    /// The key id (the JWT `kid`).
    pub kid: String,
    /// Always `EdDSA`.
    pub alg: &'static str,
    /// Always `sig`.
    #[serde(rename = "use")]
    pub use_: &'static str,
}

/// The key set document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jwks {
    /// Public keys, active first.
    pub keys: Vec<Jwk>,
}

/// The public key set of `JWT_SIGNING_KEYS`.
pub fn key_set(config: &Config) -> Result<Jwks, ApiError> {
    let keys = config
        .jwt_signing_keys
        .iter()
        .map(|entry| {
            let public = entry
                .public_key()
                .ok_or(ApiError::Unavailable(Internal("JWT signing key unusable")))?;
            Ok(Jwk {
                kty: "OKP",
                crv: "Ed25519",
                x: encoding::b64url(public),
                kid: entry.id.clone(),
                alg: ALG,
                use_: "sig",
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Jwks { keys })
}

/// The `200` response of `GET /.well-known/jwks.json`.
pub fn response(config: &Config) -> Result<Response, ApiError> {
    let mut response = Response::json(200, &key_set(config)?);
    response.set_header("Cache-Control", CACHE_CONTROL);
    Ok(response)
}
