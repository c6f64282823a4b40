//! Assertion signatures, checked by an injected [`SignatureVerifier`] (sans-IO, like the
//! core's `Clock` and `Random`): this crate decides *what* must verify and hands the
//! platform a [`SignatureCheck`]; the platform (WebCrypto on Workers, the software verifier
//! on Spin, natively and in tests) says whether it does. The trait, the check and the
//! [`Algorithm`]s are edgeauth's one signature primitive
//! (`edgeauth_primitives::crypto::signature`), shared with ID tokens and access tokens;
//! its module docs have the WebCrypto table.
//!
//! Security considerations:
//! - Authenticators send ES256 signatures DER-encoded; the check carries IEEE P1363 `r‖s`.
//!   [`ecdsa_der_to_raw`] converts strictly (one SEQUENCE of two minimal positive INTEGERs
//!   of at most 32 significant bytes, nothing after) so that a signature has one accepted
//!   encoding. Zero `r`/`s` and values ≥ n are left to the verifier, which refuses them.
//! - An RS256 signature must be exactly as long as the modulus (RFC 8017 §8.2.2).
//! - The algorithm checked is always the stored key's, never one the client names.

use alloc::vec::Vec;

pub use edgeauth_primitives::crypto::signature::{
    Algorithm, SignatureCheck, SignatureVerifier, MAX_SIGNATURE_LEN,
};

use crate::cose::PublicKey;
use crate::error::{Malformed, Part};

/// The client's signature in the form [`SignatureCheck`] carries, or why it cannot be.
pub(crate) fn normalize(key: &PublicKey, signature: &[u8]) -> Result<Vec<u8>, Malformed> {
    let bad = |reason| Malformed::new(Part::Signature, reason);
    if signature.len() > MAX_SIGNATURE_LEN {
        return Err(bad("signature too long"));
    }
    match key {
        PublicKey::P256 { .. } => ecdsa_der_to_raw(signature)
            .map(|raw| raw.to_vec())
            .ok_or(bad("ES256 signature is not strict DER")),
        PublicKey::Ed25519(_) if signature.len() == 64 => Ok(signature.to_vec()),
        PublicKey::Ed25519(_) => Err(bad("Ed25519 signatures are 64 bytes")),
        PublicKey::Rsa { n, .. } if signature.len() == n.len() => Ok(signature.to_vec()),
        PublicKey::Rsa { .. } => Err(bad("RS256 signature length is not the modulus length")),
    }
}

/// Converts an ECDSA P-256 signature from DER (`SEQUENCE { INTEGER r, INTEGER s }`, what
/// authenticators send) to the 64-byte `r‖s` form (what WebCrypto verifies). `None` for
/// anything but strict DER with both integers positive and at most 32 bytes long.
pub fn ecdsa_der_to_raw(der: &[u8]) -> Option<[u8; 64]> {
    // The longest valid encoding: 2 + 2 × (2 + 33) = 72 bytes, so one length byte.
    let (&tag, rest) = der.split_first()?;
    let (&len, body) = rest.split_first()?;
    if tag != 0x30 || usize::from(len) != body.len() || len > 0x7f {
        return None;
    }
    let (r, rest) = der_integer(body)?;
    let (s, rest) = der_integer(rest)?;
    if !rest.is_empty() {
        return None;
    }
    let mut raw = [0u8; 64];
    raw.get_mut(32 - r.len()..32)?.copy_from_slice(r);
    raw.get_mut(64 - s.len()..)?.copy_from_slice(s);
    Some(raw)
}

/// One minimal, positive DER INTEGER of at most 32 significant bytes: its value without
/// the sign byte, and what follows it.
fn der_integer(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&len, rest) = rest.split_first()?;
    let len = usize::from(len);
    if tag != 0x02 || len == 0 || len > 33 || rest.len() < len {
        return None;
    }
    let (value, rest) = rest.split_at_checked(len)?;
    let value = match value {
        // A leading zero only where the next byte has its high bit set (else not minimal).
        [0x00, next, ..] if next & 0x80 != 0 => value.get(1..)?,
        [0x00, _, ..] => return None,
        // Negative.
        [first, ..] if first & 0x80 != 0 => return None,
        _ => value,
    };
    (value.len() <= 32).then_some((value, rest))
}

#[cfg(test)]
mod tests;
