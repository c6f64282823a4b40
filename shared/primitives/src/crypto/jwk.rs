//! JSON Web Keys (RFC 7517) and key sets, read into what a [`SignatureCheck`] needs:
//! the key id, the [`Algorithm`] and the key as a SubjectPublicKeyInfo. For the public
//! keys of OpenID providers (`jwks_uri`) and anywhere else a JWK arrives.
//!
//! Accepted: `kty` `RSA` (`n`, `e`) for RS256, `EC` with `crv` `P-256` (`x`, `y`) for
//! ES256, `OKP` with `crv` `Ed25519` (`x`) for EdDSA; `alg`, when present, must be that
//! algorithm; `use`, when present, must be `sig`; `key_ops`, when present, must include
//! `verify`. Other members (`x5c`, `x5t`, …) are ignored.
//!
//! Security considerations:
//! - Strict: a private member (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`, `priv`)
//!   refuses the key — a provider publishing private keys is broken, not to be trusted
//!   for verification. Members are unpadded base64url with canonical trailing bits,
//!   coordinates and Ed25519 keys exactly 32 bytes, RSA within the key policy of
//!   [`spki`] (2048–4096 bits, e odd ≥ 65537), no member of another key type, no
//!   repeated member.
//! - Bounded: a document of at most [`MAX_JWKS_BYTES`], at most [`MAX_KEYS`] keys,
//!   key ids of at most [`MAX_KID_BYTES`].
//! - In a key set, a well-formed key that is not for us (an encryption key, ES384, an
//!   unknown `kty`) is skipped, so a provider adding one does not break sign-in; a
//!   malformed or private key refuses the whole set, as do two usable keys with one
//!   `kid` (a key id must name one key).
//! - Whether a P-256 point is on the curve is checked when the key is first used
//!   (WebCrypto's `importKey`, RustCrypto's `p256`).
//!
//! [`SignatureCheck`]: super::signature::SignatureCheck

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::de::{Deserializer, IgnoredAny};
use serde::Deserialize;

use super::signature::spki;
use super::signature::Algorithm;
use crate::encoding::b64url_decode;

/// Largest JWK or JWK Set document accepted, in bytes.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;
/// Most keys a JWK Set may hold (usable or not).
pub const MAX_KEYS: usize = 32;
/// Longest key id accepted, in bytes.
pub const MAX_KID_BYTES: usize = 256;

/// A public key read from a JWK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwk {
    /// The key id (`kid`), if the JWK has one.
    pub kid: Option<String>,
    /// The algorithm the key verifies.
    pub algorithm: Algorithm,
    /// The key as a DER SubjectPublicKeyInfo (for [`SignatureCheck::public_key_spki`]).
    ///
    /// [`SignatureCheck::public_key_spki`]: super::signature::SignatureCheck::public_key_spki
    pub spki: Vec<u8>,
}

/// Why a JWK or a JWK Set was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwkError {
    /// The document, a key id or the number of keys is over its limit.
    TooLarge,
    /// Not JSON of the JWK shape: a member missing, of the wrong type, repeated, not
    /// base64url, of the wrong length, or belonging to another key type.
    Malformed,
    /// A private-key member is present.
    PrivateKey,
    /// Well-formed, but not a signature key we verify: another `kty`, `crv` or `alg`,
    /// `use` other than `sig`, `key_ops` without `verify`, or RSA outside the policy.
    Unsupported,
    /// Two usable keys of a set share a key id.
    DuplicateKeyId,
}

impl JwkError {
    /// The static cause, for logs.
    pub const fn cause(self) -> &'static str {
        match self {
            Self::TooLarge => "JWK: document, key id or key count over its limit",
            Self::Malformed => "JWK: malformed",
            Self::PrivateKey => "JWK: carries a private key",
            Self::Unsupported => "JWK: not a signature key of a supported type",
            Self::DuplicateKeyId => "JWK set: two keys share a key id",
        }
    }
}

impl fmt::Display for JwkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cause())
    }
}

/// Reads one JWK (a JSON object).
pub fn parse_jwk(json: &[u8]) -> Result<Jwk, JwkError> {
    if json.len() > MAX_JWKS_BYTES {
        return Err(JwkError::TooLarge);
    }
    let raw: RawJwk = serde_json::from_slice(json).map_err(|_| JwkError::Malformed)?;
    raw.into_key()
}

/// Reads a JWK Set (`{"keys": [...]}`) into its usable keys, in document order (see
/// the module docs for what is skipped and what refuses the set).
pub fn parse_jwks(json: &[u8]) -> Result<Vec<Jwk>, JwkError> {
    if json.len() > MAX_JWKS_BYTES {
        return Err(JwkError::TooLarge);
    }
    let raw: RawJwks = serde_json::from_slice(json).map_err(|_| JwkError::Malformed)?;
    if raw.keys.len() > MAX_KEYS {
        return Err(JwkError::TooLarge);
    }
    let mut keys: Vec<Jwk> = Vec::with_capacity(raw.keys.len());
    for raw in raw.keys {
        let key = match raw.into_key() {
            Ok(key) => key,
            Err(JwkError::Unsupported) => continue,
            Err(error) => return Err(error),
        };
        if key.kid.is_some() && keys.iter().any(|known| known.kid == key.kid) {
            return Err(JwkError::DuplicateKeyId);
        }
        keys.push(key);
    }
    Ok(keys)
}

/// The key of `keys` that verifies a JWS whose header names `kid` and `algorithm`:
/// the key with that id and algorithm; without a `kid`, the set's only key, if its
/// algorithm matches (OpenID Connect Core §10.1: several keys need a `kid`).
pub fn find<'a>(keys: &'a [Jwk], kid: Option<&str>, algorithm: Algorithm) -> Option<&'a Jwk> {
    let found = match kid {
        Some(kid) => keys.iter().find(|key| key.kid.as_deref() == Some(kid))?,
        None => match keys {
            [only] => only,
            _ => return None,
        },
    };
    (found.algorithm == algorithm).then_some(found)
}

#[derive(Deserialize)]
struct RawJwks {
    keys: Vec<RawJwk>,
}

/// The members we read; the private ones only for their presence.
#[derive(Deserialize)]
struct RawJwk {
    kty: String,
    crv: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    key_use: Option<String>,
    key_ops: Option<Vec<String>>,
    kid: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
    #[serde(default, deserialize_with = "present")]
    d: bool,
    #[serde(default, deserialize_with = "present")]
    p: bool,
    #[serde(default, deserialize_with = "present")]
    q: bool,
    #[serde(default, deserialize_with = "present")]
    dp: bool,
    #[serde(default, deserialize_with = "present")]
    dq: bool,
    #[serde(default, deserialize_with = "present")]
    qi: bool,
    #[serde(default, deserialize_with = "present")]
    oth: bool,
    #[serde(default, deserialize_with = "present")]
    k: bool,
    #[serde(default, deserialize_with = "present")]
    #[serde(rename = "priv")]
    private: bool,
}

/// A member that is present, whatever its value (even `null`).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}

impl RawJwk {
    fn into_key(self) -> Result<Jwk, JwkError> {
        let private = [
            self.d,
            self.p,
            self.q,
            self.dp,
            self.dq,
            self.qi,
            self.oth,
            self.k,
            self.private,
        ];
        if private.contains(&true) {
            return Err(JwkError::PrivateKey);
        }
        if self
            .kid
            .as_ref()
            .is_some_and(|kid| kid.len() > MAX_KID_BYTES)
        {
            return Err(JwkError::TooLarge);
        }
        let absent = |members: &[&Option<String>]| members.iter().all(|member| member.is_none());
        let (algorithm, spki) = match (self.kty.as_str(), self.crv.as_deref()) {
            ("RSA", None) if absent(&[&self.x, &self.y]) => {
                let n = member(&self.n)?;
                let e = spki::rsa_exponent(&member(&self.e)?).map_err(rsa_error)?;
                (Algorithm::Rs256, spki::rsa(&n, e).map_err(rsa_error)?)
            }
            ("EC", Some("P-256")) if absent(&[&self.n, &self.e]) => {
                let (x, y) = (member_32(&self.x)?, member_32(&self.y)?);
                (Algorithm::Es256, spki::p256(&x, &y).to_vec())
            }
            ("OKP", Some("Ed25519")) if absent(&[&self.n, &self.e, &self.y]) => (
                Algorithm::EdDsa,
                spki::ed25519(&member_32(&self.x)?).to_vec(),
            ),
            // A member of another key type, or a `crv` on an RSA key.
            ("RSA", _) | ("EC", Some("P-256")) | ("OKP", Some("Ed25519")) => {
                return Err(JwkError::Malformed)
            }
            _ => return Err(JwkError::Unsupported),
        };
        let usable = self
            .alg
            .as_deref()
            .is_none_or(|alg| alg == algorithm.jose_name())
            && self
                .key_use
                .as_deref()
                .is_none_or(|key_use| key_use == "sig")
            && self
                .key_ops
                .as_ref()
                .is_none_or(|ops| ops.iter().any(|op| op == "verify"));
        if !usable {
            return Err(JwkError::Unsupported);
        }
        Ok(Jwk {
            kid: self.kid,
            algorithm,
            spki,
        })
    }
}

/// A required base64url member.
fn member(value: &Option<String>) -> Result<Vec<u8>, JwkError> {
    value
        .as_deref()
        .and_then(b64url_decode)
        .ok_or(JwkError::Malformed)
}

/// A required base64url member of exactly 32 bytes.
fn member_32(value: &Option<String>) -> Result<[u8; 32], JwkError> {
    member(value)?.try_into().map_err(|_| JwkError::Malformed)
}

/// RSA members that do not decode as a minimal encoding are malformed (RFC 7518
/// §6.3.1 forbids leading zeros); a key outside the policy is well-formed but
/// unsupported.
fn rsa_error(error: spki::RsaKeyError) -> JwkError {
    match error {
        spki::RsaKeyError::NotMinimal => JwkError::Malformed,
        _ => JwkError::Unsupported,
    }
}

#[cfg(test)]
mod tests;
