//! Cryptography over the configured keyrings: key derivation, the keyrings
//! themselves, Ed25519, and data at rest under `DATA_ENCRYPTION_KEYS` (docs/contract.md
//! §8): the record cipher, the email blind index and the key-rotation helpers.
//!
//! - [`kdf`]: HMAC, HKDF and the one list of derivation purposes and labels.
//! - [`keys`]: `JWT_SIGNING_KEYS` and `DATA_ENCRYPTION_KEYS` entries, with every key
//!   derived from them computed once at parse.
//! - [`eddsa`]: Ed25519 (`EdDSA`, RFC 8037) for `jwt-compact`: signing access tokens.
//! - [`es256`]: reading a P-256 PKCS#8 key and ES256 signing (the Sign in with Apple
//!   client secret; feature `es256-signing`).
//! - [`signature`]: the one [`signature::SignatureVerifier`] trait for EdDSA, ES256 and
//!   RS256 (access tokens, ID tokens, passkeys), the SubjectPublicKeyInfo encoders and
//!   the software verifiers.
//! - [`jwk`]: JSON Web Keys and key sets read into key id, algorithm and SPKI.
//! - [`rsa`]: RSA signing keys (`OIDC_RSA_SIGNING_KEYS`) and the one RS256 signer
//!   trait, for the ID tokens of relying parties that need RS256.
//! - [`aead`]: XChaCha20-Poly1305 with self-describing ciphertexts
//!   (`v1.<key_id>.<nonce>.<ciphertext+tag>`), bound to the record they belong to.
//! - [`blind_index`]: a keyed, deterministic index of an email address, so accounts
//!   can be found by email without storing the address in the clear.
//! - [`rotation`]: pure helpers an adapter-driven sweep calls per record to move
//!   ciphertexts and indexes to the active key.
//! - [`webhook`]: Standard Webhooks signatures (`whsec_` secrets, `v1,` HMAC-SHA256),
//!   for the security webhooks the core sends.
//!
//! The operator's view (what is encrypted, the formats, the rotation runbook) is in
//! `docs/encryption.md`.
//!
//! Security considerations:
//! - Fail closed: an unknown key id, a malformed or a tampered ciphertext is a
//!   [`CryptoError`], which becomes `503 unavailable` (the core's `ApiError::Unavailable`);
//!   it is never read as an empty or missing value.
//! - Each keyring entry is expanded into one subkey per purpose (HKDF-SHA256 with
//!   distinct labels), so the cipher key, the index key and the recovery-code key
//!   differ even though they come from one configured secret.
//! - Nonces come from the injected [`crate::env::Random`]; a failing source is an
//!   error ([`CryptoError::RandomFailed`]), never a fallback to a fixed nonce.

pub mod aead;
pub mod blind_index;
pub mod eddsa;
pub mod es256;
pub mod jwk;
pub mod kdf;
pub mod keys;
pub mod rotation;
pub mod rsa;
pub mod signature;
pub mod webhook;

use core::fmt;

use crate::env::RandomError;

/// Why a data-at-rest operation failed. Every variant fails closed (`503`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CryptoError {
    /// The ciphertext names a key id that is not in `DATA_ENCRYPTION_KEYS` (a key was
    /// removed before its data was re-encrypted, or the value was forged).
    UnknownKey,
    /// The value is not a ciphertext of a known format (wrong version, bad encoding,
    /// wrong nonce length, shorter than a tag).
    Malformed,
    /// Authentication failed: the ciphertext, nonce, key id or record binding was
    /// changed, or the value belongs to another record.
    Tampered,
    /// The platform random source failed while drawing a nonce or a code.
    RandomFailed,
}

impl CryptoError {
    /// The static cause for the server log.
    pub fn cause(self) -> &'static str {
        match self {
            Self::UnknownKey => "data at rest: ciphertext names an unknown key id",
            Self::Malformed => "data at rest: malformed ciphertext",
            Self::Tampered => "data at rest: ciphertext failed authentication",
            Self::RandomFailed => "random source failed",
        }
    }
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cause())
    }
}

impl From<RandomError> for CryptoError {
    fn from(_: RandomError) -> Self {
        Self::RandomFailed
    }
}

#[cfg(test)]
mod tests;
