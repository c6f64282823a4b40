//! Software signature verifiers (feature `software`): the reference [`SignatureVerifier`],
//! used on Spin, natively and in tests. On Workers the core may use WebCrypto instead,
//! through the same trait, and must answer exactly as this does.
//!
//! - ES256: `p256` (RustCrypto), which accepts high-S signatures as WebCrypto does
//!   (authenticators do not normalise S) and refuses points off the curve.
//! - EdDSA: `ed25519-compact`, the core's Ed25519 implementation (refuses S ≥ L).
//! - RS256: `rsa` (RustCrypto, constant-time big integers since 0.10), PKCS#1 v1.5 with the
//!   SHA-256 DigestInfo prefix, keys of 2048–4096 bits only (checked again here, on top of
//!   [`crate::cose`]'s checks).
//!
//! Security considerations: verification only — no signing, no randomness, no key
//! generation is compiled in; every failure (bad key, bad signature) is `false`.

use crate::cose::{RSA_MAX_BITS, RSA_MIN_BITS};
use crate::signature::{SignatureCheck, SignatureVerifier};
use crate::PublicKey;

/// The reference verifier for ES256, EdDSA and RS256.
#[derive(Debug, Clone, Copy, Default)]
pub struct SoftwareVerifier;

impl SignatureVerifier for SoftwareVerifier {
    async fn verify(&self, check: &SignatureCheck<'_>) -> bool {
        verify(check)
    }
}

/// The same check, synchronously.
pub fn verify(check: &SignatureCheck<'_>) -> bool {
    if check.algorithm != check.public_key.algorithm() {
        return false;
    }
    match check.public_key {
        PublicKey::P256 { x, y } => es256(x, y, check.message, check.signature),
        PublicKey::Ed25519(key) => eddsa(key, check.message, check.signature),
        PublicKey::Rsa { n, e } => rs256(n, *e, check.message, check.signature),
    }
}

fn es256(x: &[u8; 32], y: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
    use p256::ecdsa::signature::Verifier as _;
    use p256::ecdsa::{Signature, VerifyingKey};
    let mut sec1 = alloc::vec::Vec::with_capacity(65);
    sec1.push(0x04); // uncompressed point
    sec1.extend_from_slice(x);
    sec1.extend_from_slice(y);
    let (Ok(key), Ok(signature)) = (
        VerifyingKey::from_sec1_bytes(&sec1),
        Signature::from_slice(signature),
    ) else {
        return false;
    };
    key.verify(message, &signature).is_ok()
}

fn eddsa(key: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
    use ed25519_compact::{PublicKey, Signature};
    let (Ok(key), Ok(signature)) = (PublicKey::from_slice(key), Signature::from_slice(signature))
    else {
        return false;
    };
    key.verify(message, &signature).is_ok()
}

fn rs256(n: &[u8], e: u32, message: &[u8], signature: &[u8]) -> bool {
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier as _;
    use rsa::{BoxedUint, PublicKey as RsaPublicKey};
    let key = RsaPublicKey::new_with_size_limits(
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
