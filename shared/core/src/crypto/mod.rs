//! Data-at-rest cryptography over `DATA_ENCRYPTION_KEYS` (docs/contract.md §8): the record
//! cipher, the email blind index and the key-rotation sweep helpers.
//!
//! - [`aead`]: XChaCha20-Poly1305 with self-describing ciphertexts
//!   (`v1.<key_id>.<nonce>.<ciphertext+tag>`), bound to the record they belong to.
//! - [`blind_index`]: a keyed, deterministic index of an email address, so accounts
//!   can be found by email without storing the address in the clear.
//! - [`rotation`]: pure helpers an adapter-driven sweep calls per record to move
//!   ciphertexts and indexes to the active key.
//!
//! The operator's view (what is encrypted, the formats, the rotation runbook) is in
//! `docs/encryption.md`.
//!
//! Security considerations:
//! - Fail closed: an unknown key id, a malformed or a tampered ciphertext is a
//!   [`CryptoError`], which becomes `503 unavailable` ([`ApiError::Unavailable`]);
//!   it is never read as an empty or missing value.
//! - Each keyring entry is expanded into one subkey per purpose (HKDF-SHA256 with
//!   distinct labels), so the cipher key, the index key and the recovery-code key
//!   differ even though they come from one configured secret.
//! - Nonces come from the injected [`crate::env::Random`]; a failing source is an
//!   error ([`CryptoError::RandomFailed`]), never a fallback to a fixed nonce.

pub mod aead;
pub mod blind_index;
pub(crate) mod kdf;
pub mod rotation;

use core::fmt;

use crate::env::RandomError;
use crate::error::{ApiError, Internal};

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

impl From<CryptoError> for ApiError {
    /// Every cause is a server-side fault the client cannot fix: `503`, with the
    /// static cause in the log only.
    fn from(error: CryptoError) -> Self {
        Self::Unavailable(Internal(error.cause()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_crypto_error_fails_closed_as_unavailable() {
        for error in [
            CryptoError::UnknownKey,
            CryptoError::Malformed,
            CryptoError::Tampered,
            CryptoError::RandomFailed,
        ] {
            let api = ApiError::from(error);
            assert_eq!(api.status(), 503);
            assert_eq!(api.internal_cause(), Some(error.cause()));
            assert_eq!(api.detail(), None);
        }
    }

    #[test]
    fn random_failure_maps_to_random_failed() {
        assert_eq!(CryptoError::from(RandomError), CryptoError::RandomFailed);
    }
}
