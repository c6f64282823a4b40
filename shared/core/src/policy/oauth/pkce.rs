//! PKCE (RFC 7636) with `S256`, the only method edgeauth sends: a 256-bit random
//! `code_verifier` (43 base64url characters) and `code_challenge =
//! BASE64URL(SHA-256(code_verifier))`.
//!
//! Security considerations: `plain` is never offered, so a code intercepted on its way
//! back cannot be redeemed without the verifier, which never leaves the server (it is
//! kept in the pre-authentication record until the callback).

use alloc::string::String;

use crate::crypto::kdf::sha256;
use crate::encoding::b64url;

/// The only challenge method sent.
pub const METHOD: &str = "S256";

/// A verifier from 32 random bytes.
pub fn verifier(random_bytes: &[u8; 32]) -> String {
    b64url(random_bytes)
}

/// The `S256` challenge of a verifier.
pub fn challenge(verifier: &str) -> String {
    b64url(&sha256(verifier.as_bytes()))
}

#[cfg(test)]
mod tests;
