//! Ed25519 (`EdDSA`, RFC 8037) for `jwt-compact`, over `ed25519-compact`: signing
//! edgeauth's access tokens, and the Ed25519 arithmetic of
//! [`super::signature::SoftwareEd25519`].
//!
//! `jwt-compact` ships an Ed25519 backend of its own behind its `ed25519-compact`
//! feature. We plug in this one instead, for two reasons (a deliberate deviation from
//! "enable jwt-compact's feature"):
//! - that feature turns on `ed25519-compact/random`, which links `getrandom` into the
//!   core (and, on wasm32-unknown-unknown, `wasm-bindgen` + JS glue). The core draws
//!   no ambient randomness — randomness is the injected [`crate::env::Random`];
//! - its signer adds random noise to every signature. Plain RFC 8032 signing is
//!   deterministic, which is what the RFC 8037 known-answer vectors check and what
//!   makes token issuance reproducible under a fake clock and seeded random.
//!
//! Security considerations:
//! - The signing key is the 32-byte seed of a `JWT_SIGNING_KEYS` entry; the expanded
//!   secret key is wiped on drop by `ed25519-compact`.
//! - Verification rejects non-canonical `s` and small-order points
//!   (`ed25519-compact`), and the length is checked before any parsing.
//! - The algorithm name is fixed to `EdDSA`; `jwt-compact` refuses a token whose
//!   header names any other `alg` before looking at its signature.

use alloc::borrow::Cow;
use core::num::NonZeroUsize;
use ed25519_compact::{KeyPair, PublicKey, SecretKey, Seed, Signature};
use jwt_compact::{Algorithm, AlgorithmSignature};

use crate::secret::Secret;

/// The JOSE algorithm name (RFC 8037 §3.1).
pub const ALG: &str = "EdDSA";

/// The `EdDSA` algorithm with deterministic Ed25519 signatures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EdDsa;

/// An Ed25519 signature (64 bytes).
#[derive(Debug, Clone, Copy)]
pub struct EdSignature(Signature);

impl AlgorithmSignature for EdSignature {
    const LENGTH: Option<NonZeroUsize> = NonZeroUsize::new(Signature::BYTES);

    fn try_from_slice(slice: &[u8]) -> anyhow::Result<Self> {
        Signature::from_slice(slice)
            .map(Self)
            .map_err(|_| anyhow::Error::msg("malformed Ed25519 signature"))
    }

    fn as_bytes(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self.0.as_ref())
    }
}

/// A signing key: the expanded Ed25519 secret key of one keyring entry.
#[derive(Clone)]
pub struct EdSigningKey(SecretKey);

impl core::fmt::Debug for EdSigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("EdSigningKey([REDACTED])")
    }
}

/// A verifying (public) key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdVerifyingKey(PublicKey);

impl EdSigningKey {
    /// Expands a 32-byte seed (a keyring entry); `None` when it is not 32 bytes or is
    /// all zeros (which `KeyPair::from_seed` would answer with a panic).
    pub fn from_seed(seed: &Secret) -> Option<Self> {
        let bytes: [u8; Seed::BYTES] = seed.expose().try_into().ok()?;
        KeyPair::try_from_seed(Seed::new(bytes))
            .ok()
            .map(|pair| Self(pair.sk))
    }

    /// The matching public key.
    pub fn verifying_key(&self) -> EdVerifyingKey {
        EdVerifyingKey(self.0.public_key())
    }

    /// Signs `message` (RFC 8032, deterministic).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        *self.0.sign(message, None)
    }
}

impl EdVerifyingKey {
    /// Parses 32 public-key bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        PublicKey::from_slice(bytes).ok().map(Self)
    }

    /// The 32 public-key bytes (the JWK `x`).
    pub fn to_bytes(self) -> [u8; 32] {
        *self.0
    }

    /// Verifies a raw signature over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        Signature::from_slice(signature)
            .and_then(|signature| self.0.verify(message, &signature))
            .is_ok()
    }
}

impl Algorithm for EdDsa {
    type SigningKey = EdSigningKey;
    type VerifyingKey = EdVerifyingKey;
    type Signature = EdSignature;

    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(ALG)
    }

    fn sign(&self, signing_key: &Self::SigningKey, message: &[u8]) -> Self::Signature {
        EdSignature(signing_key.0.sign(message, None))
    }

    fn verify_signature(
        &self,
        signature: &Self::Signature,
        verifying_key: &Self::VerifyingKey,
        message: &[u8],
    ) -> bool {
        verifying_key.0.verify(message, &signature.0).is_ok()
    }
}

#[cfg(test)]
mod tests;
