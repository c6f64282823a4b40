//! The software [`SignatureVerifier`]s: the reference every platform verifier must
//! agree with.
//!
//! - [`SoftwareEd25519`]: EdDSA only, over `ed25519-compact` (refuses non-canonical `S`
//!   and small-order keys), always compiled — the Workers verifier's fallback when the
//!   runtime fails, and enough for tools that only check edgeauth's own tokens. Any
//!   other algorithm is `false`.
//! - `SoftwareVerifier` (feature `software-signatures`): all three algorithms, for
//!   Spin, native code and tests. ES256 with RustCrypto's `p256` (accepts high-S as
//!   WebCrypto does, refuses points off the curve and `r`, `s` outside `[1, n)`); RS256
//!   with RustCrypto's `rsa` (constant-time big integers since 0.10; PKCS#1 v1.5 with
//!   the SHA-256 DigestInfo; the key policy checked again by `rsa` itself).
//!
//! Security considerations: verification only — no signing, randomness or key
//! generation is compiled in; [`SignatureCheck::key`] runs first, and every failure is
//! `false`.

use super::{Algorithm, SignatureCheck, SignatureVerifier, SpkiKey};
use crate::crypto::eddsa::EdVerifyingKey;

/// EdDSA verification in software; `false` for every other algorithm.
#[derive(Debug, Clone, Copy, Default)]
pub struct SoftwareEd25519;

impl SignatureVerifier for SoftwareEd25519 {
    async fn verify(&self, check: &SignatureCheck<'_>) -> bool {
        match check.key() {
            Some(SpkiKey::Ed25519(key)) => eddsa(key, check),
            _ => false,
        }
    }
}

fn eddsa(key: &[u8; 32], check: &SignatureCheck<'_>) -> bool {
    check.algorithm == Algorithm::EdDsa
        && EdVerifyingKey::from_bytes(key)
            .is_some_and(|key| key.verify(check.message, check.signature))
}

/// The reference verifier for EdDSA, ES256 and RS256 (feature `software-signatures`).
#[cfg(feature = "software-signatures")]
#[derive(Debug, Clone, Copy, Default)]
pub struct SoftwareVerifier;

#[cfg(feature = "software-signatures")]
impl SoftwareVerifier {
    /// The same check, synchronously.
    pub fn verify_now(check: &SignatureCheck<'_>) -> bool {
        match check.key() {
            Some(SpkiKey::Ed25519(key)) => eddsa(key, check),
            Some(SpkiKey::P256 { x, y }) => es256(x, y, check.message, check.signature),
            Some(SpkiKey::Rsa { n, e }) => rs256(n, e, check.message, check.signature),
            None => false,
        }
    }
}

#[cfg(feature = "software-signatures")]
impl SignatureVerifier for SoftwareVerifier {
    async fn verify(&self, check: &SignatureCheck<'_>) -> bool {
        Self::verify_now(check)
    }
}

#[cfg(feature = "software-signatures")]
fn es256(x: &[u8; 32], y: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
    use p256::ecdsa::signature::Verifier as _;
    use p256::ecdsa::{Signature, VerifyingKey};
    let mut sec1 = [0u8; 65];
    let (tag, point) = sec1.split_at_mut(1);
    let (x_out, y_out) = point.split_at_mut(32);
    tag.copy_from_slice(&[0x04]); // uncompressed
    x_out.copy_from_slice(x);
    y_out.copy_from_slice(y);
    let (Ok(key), Ok(signature)) = (
        VerifyingKey::from_sec1_bytes(&sec1),
        Signature::from_slice(signature),
    ) else {
        return false;
    };
    key.verify(message, &signature).is_ok()
}

#[cfg(feature = "software-signatures")]
fn rs256(n: &[u8], e: u32, message: &[u8], signature: &[u8]) -> bool {
    use super::spki::{RSA_MAX_BITS, RSA_MIN_BITS};
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier as _;
    use rsa::{BoxedUint, PublicKey};
    let key = PublicKey::new_with_size_limits(
        BoxedUint::from_be_slice_vartime(n),
        BoxedUint::from(u64::from(e)),
        RSA_MIN_BITS..=RSA_MAX_BITS,
    );
    let (Ok(key), Ok(signature)) = (key, Signature::try_from(signature)) else {
        return false;
    };
    VerifyingKey::<rsa::sha2::Sha256>::new(key)
        .verify(message, &signature)
        .is_ok()
}

#[cfg(test)]
mod tests;
