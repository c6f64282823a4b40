//! `GET /.well-known/jwks.json`: the public halves of `JWT_SIGNING_KEYS` (RFC 7517,
//! RFC 8037 §2), and of `OIDC_RSA_SIGNING_KEYS` when set (RS256 ID tokens of the OAuth
//! provider, RFC 7518 §6.3).
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
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

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

/// One public RSA key (RFC 7518 §6.3.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RsaJwk {
    /// Always `RSA`.
    pub kty: &'static str,
    /// The modulus, base64url.
    pub n: String,
    /// The exponent, base64url.
    pub e: String,
    /// The key id.
    pub kid: String,
    /// Always `RS256`.
    pub alg: &'static str,
    /// Always `sig`.
    #[serde(rename = "use")]
    pub use_: &'static str,
}

/// The key set document: `{"keys": [...]}` with the Ed25519 keys first (active
/// first), then the RSA keys (active first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwks {
    /// Ed25519 public keys, active first.
    pub keys: Vec<Jwk>,
    /// RSA public keys, active first (none unless `OIDC_RSA_SIGNING_KEYS` is set).
    pub rsa_keys: Vec<RsaJwk>,
}

impl Serialize for Jwks {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct All<'a>(&'a Jwks);
        impl Serialize for All<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut seq =
                    serializer.serialize_seq(Some(self.0.keys.len() + self.0.rsa_keys.len()))?;
                for key in &self.0.keys {
                    seq.serialize_element(key)?;
                }
                for key in &self.0.rsa_keys {
                    seq.serialize_element(key)?;
                }
                seq.end()
            }
        }
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("keys", &All(self))?;
        map.end()
    }
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
    let rsa_keys = config
        .oauth_provider
        .rsa_signing_keys
        .iter()
        .flat_map(|ring| ring.iter())
        .map(|key| RsaJwk {
            kty: "RSA",
            n: encoding::b64url(key.modulus()),
            e: encoding::b64url(&key.exponent_bytes()),
            kid: key.id.clone(),
            alg: crate::crypto::rsa::ALG,
            use_: "sig",
        })
        .collect();
    Ok(Jwks { keys, rsa_keys })
}

/// The `200` response of `GET /.well-known/jwks.json`.
pub fn response(config: &Config) -> Result<Response, ApiError> {
    let mut response = Response::json(200, &key_set(config)?);
    response.set_header("Cache-Control", CACHE_CONTROL);
    Ok(response)
}
