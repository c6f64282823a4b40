//! PKCE (RFC 7636) with `S256` only: every authorization request carries a challenge,
//! every code exchange the verifier (OAuth 2.1 §4.1.1, RFC 9700 §2.1.1).
//!
//! Security considerations: `plain` is refused (it protects nothing once the request
//! is observed); a verifier must be 43–128 unreserved characters (RFC 7636 §4.1), a
//! challenge exactly the 43 characters of a base64url SHA-256; the comparison is
//! constant-time.

use crate::crypto::kdf::sha256;
use crate::encoding;
use crate::secret::constant_time_eq;

/// The only method accepted.
pub const METHOD: &str = "S256";

/// Whether `challenge` can be an S256 challenge (43 base64url characters).
pub fn is_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `verifier` is well-formed: 43–128 characters of `[A-Za-z0-9-._~]`.
pub fn is_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Whether `verifier` is well-formed and `BASE64URL(SHA256(verifier)) == challenge`.
pub fn verifies(verifier: &str, challenge: &str) -> bool {
    is_verifier(verifier)
        && constant_time_eq(
            encoding::b64url(&sha256(verifier.as_bytes())).as_bytes(),
            challenge.as_bytes(),
        )
}

#[cfg(test)]
mod tests;
