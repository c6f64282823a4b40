//! Compact JWS (RFC 7515 §7.1) as an ID token arrives: `header.payload.signature`,
//! parsed strictly before any key is looked at.
//!
//! Accepted: exactly three unpadded base64url parts; a header object whose `alg` is
//! `RS256`, `ES256` or `EdDSA` (a string) and whose `kid`, if any, is a string of at
//! most 256 bytes. The algorithm is then matched against the key's own
//! ([`crate::crypto::jwk::find`]): a token cannot choose how it is verified.
//!
//! Refused (each a [`JwsError`]): over [`MAX_JWS_BYTES`]; `alg` `none`, `HS*` or anything
//! else; a header naming where to get a key or certificate (`jku`, `x5u`, `jwk`,
//! `x5c`) — keys come only from the provider's configured key set, nothing is ever
//! fetched from a token; `crit` (no extension is understood, so `b64: false` cannot
//! change what is signed); `enc` or `zip` (a JWE, or compression); repeated header
//! members; a payload that is not a JSON object.
//!
//! Security considerations: parsing allocates at most the token's size; the signing
//! input is exactly the first two parts as received (RFC 7515 §5.2), never re-encoded.

use alloc::string::String;
use alloc::vec::Vec;
use serde::de::{Deserializer, IgnoredAny};
use serde::Deserialize;

use crate::crypto::signature::{Algorithm, MAX_SIGNATURE_LEN};
use crate::encoding::b64url_decode;

/// Longest token accepted (ID tokens are a few KiB).
pub const MAX_JWS_BYTES: usize = 16 * 1024;
/// Longest key id accepted.
pub const MAX_KID_BYTES: usize = 256;

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwsError {
    /// Over [`MAX_JWS_BYTES`], or a key id over [`MAX_KID_BYTES`].
    TooLarge,
    /// Not three base64url parts, a header or payload that is not a JSON object, a
    /// repeated or mistyped header member.
    Malformed,
    /// `alg` is not one edgeauth verifies (`none`, `HS256`, …).
    UnsupportedAlgorithm,
    /// `jku`, `x5u`, `jwk`, `x5c`, `crit`, `enc` or `zip` is present.
    ForbiddenHeader,
}

impl JwsError {
    /// The static cause, for logs.
    pub const fn cause(self) -> &'static str {
        match self {
            Self::TooLarge => "ID token: over its size limit",
            Self::Malformed => "ID token: not a compact JWS with JSON header and payload",
            Self::UnsupportedAlgorithm => "ID token: alg not RS256, ES256 or EdDSA",
            Self::ForbiddenHeader => "ID token: header names a key source, crit, enc or zip",
        }
    }
}

/// A parsed, not yet verified, compact JWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jws {
    /// The header's algorithm.
    pub algorithm: Algorithm,
    /// The header's key id.
    pub kid: Option<String>,
    /// `base64url(header) "." base64url(payload)`, as received.
    pub signing_input: Vec<u8>,
    /// The signature bytes.
    pub signature: Vec<u8>,
    /// The decoded payload (a JSON object).
    pub payload: Vec<u8>,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default, deserialize_with = "present")]
    jku: bool,
    #[serde(default, deserialize_with = "present")]
    x5u: bool,
    #[serde(default, deserialize_with = "present")]
    jwk: bool,
    #[serde(default, deserialize_with = "present")]
    x5c: bool,
    #[serde(default, deserialize_with = "present")]
    crit: bool,
    #[serde(default, deserialize_with = "present")]
    enc: bool,
    #[serde(default, deserialize_with = "present")]
    zip: bool,
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// Parses a compact JWS (see the module docs for what is refused).
pub fn parse(token: &str) -> Result<Jws, JwsError> {
    if token.len() > MAX_JWS_BYTES {
        return Err(JwsError::TooLarge);
    }
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwsError::Malformed);
    };
    let header_json = b64url_decode(header_b64).ok_or(JwsError::Malformed)?;
    let header: Header = serde_json::from_slice(&header_json).map_err(|_| JwsError::Malformed)?;
    if header.jku
        || header.x5u
        || header.jwk
        || header.x5c
        || header.crit
        || header.enc
        || header.zip
    {
        return Err(JwsError::ForbiddenHeader);
    }
    let algorithm = Algorithm::from_jose_name(&header.alg).ok_or(JwsError::UnsupportedAlgorithm)?;
    if header
        .kid
        .as_ref()
        .is_some_and(|kid| kid.len() > MAX_KID_BYTES)
    {
        return Err(JwsError::TooLarge);
    }
    let payload = b64url_decode(payload_b64).ok_or(JwsError::Malformed)?;
    if !matches!(
        serde_json::from_slice::<serde_json::Value>(&payload),
        Ok(serde_json::Value::Object(_))
    ) {
        return Err(JwsError::Malformed);
    }
    let signature = b64url_decode(signature_b64).ok_or(JwsError::Malformed)?;
    if signature.is_empty() || signature.len() > MAX_SIGNATURE_LEN {
        return Err(JwsError::Malformed);
    }
    let signing_input_len = header_b64.len() + 1 + payload_b64.len();
    let signing_input = token
        .as_bytes()
        .get(..signing_input_len)
        .ok_or(JwsError::Malformed)?
        .to_vec();
    Ok(Jws {
        algorithm,
        kid: header.kid,
        signing_input,
        signature,
        payload,
    })
}

#[cfg(test)]
mod tests;
