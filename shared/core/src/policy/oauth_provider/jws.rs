//! Compact JWS (RFC 7515 §7.1), read and written by hand for the provider's tokens:
//! access tokens and ID tokens it signs, ID token hints it reads back, and client
//! assertions it verifies with a client's keys.
//!
//! `jwt-compact`, which edgeauth's session tokens use, signs through a synchronous
//! algorithm trait; RS256 here is signed by the platform (WebCrypto on Workers), which
//! is asynchronous. Building the signing input by hand keeps one path for both
//! algorithms: serialise, sign the bytes, append the signature.
//!
//! Security considerations: [`parse`] refuses anything but three base64url parts with
//! a JSON object header naming `alg` (no `none`: the caller names the algorithms it
//! accepts and looks up the key itself, never from the header's own key material —
//! `jwk`, `jku`, `x5u` and `crit` headers are refused outright); sizes are bounded.

use alloc::string::String;
use alloc::vec::Vec;
use serde::de::{Deserializer, IgnoredAny};
use serde::Deserialize;

use crate::crypto::eddsa::EdSigningKey;
use crate::encoding::{b64url, b64url_decode};

/// Longest compact JWS read.
pub const MAX_JWS_BYTES: usize = 8 * 1024;

/// The header members read.
#[derive(Debug, Clone, Deserialize)]
pub struct Header {
    /// The algorithm.
    pub alg: String,
    /// The key id.
    #[serde(default)]
    pub kid: Option<String>,
    /// The type.
    #[serde(default)]
    pub typ: Option<String>,
    // Refused when present, whatever their value (read for their presence only).
    #[serde(default, deserialize_with = "present")]
    crit: bool,
    #[serde(default, deserialize_with = "present")]
    jwk: bool,
    #[serde(default, deserialize_with = "present")]
    jku: bool,
    #[serde(default, deserialize_with = "present")]
    x5u: bool,
    #[serde(default, deserialize_with = "present")]
    x5c: bool,
}

/// A member that is present, whatever its value (even `null`).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// A parsed, not yet verified, compact JWS.
#[derive(Debug, Clone)]
pub struct Unverified<'a> {
    /// The header.
    pub header: Header,
    /// `header.payload` as sent: the signed bytes.
    pub signing_input: &'a [u8],
    /// The decoded signature.
    pub signature: Vec<u8>,
    /// The decoded payload.
    pub payload: Vec<u8>,
}

/// Reads a compact JWS (see the module docs); `None` when it is not one we read.
pub fn parse(token: &str) -> Option<Unverified<'_>> {
    if token.len() > MAX_JWS_BYTES {
        return None;
    }
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Header = serde_json::from_slice(&b64url_decode(header)?).ok()?;
    if header.crit || header.jwk || header.jku || header.x5u || header.x5c {
        return None;
    }
    let signing_input = token.rsplit_once('.')?.0.as_bytes();
    Some(Unverified {
        header,
        signing_input,
        signature: b64url_decode(signature)?,
        payload: b64url_decode(payload)?,
    })
}

/// `base64url(header).base64url(claims)`: the bytes to sign.
pub fn signing_input(header: &serde_json::Value, claims: &serde_json::Value) -> String {
    let encode = |value: &serde_json::Value| {
        b64url(&serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec()))
    };
    alloc::format!("{}.{}", encode(header), encode(claims))
}

/// The compact JWS of a signing input and its signature.
pub fn assemble(signing_input: &str, signature: &[u8]) -> String {
    alloc::format!("{signing_input}.{}", b64url(signature))
}

/// Signs `header` and `claims` with Ed25519 (the header must say `EdDSA`).
pub fn sign_eddsa(
    key: &EdSigningKey,
    header: &serde_json::Value,
    claims: &serde_json::Value,
) -> String {
    let input = signing_input(header, claims);
    let signature = key.sign(input.as_bytes());
    assemble(&input, &signature)
}

#[cfg(test)]
mod tests;
