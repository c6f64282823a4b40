//! Signature verification for every public-key signature edgeauth checks: its own
//! access tokens (EdDSA), OpenID Connect ID tokens (RS256, ES256, EdDSA) and WebAuthn
//! assertions (ES256, EdDSA, RS256) — one [`SignatureVerifier`] trait that each runtime
//! implements once.
//!
//! A check is a [`SignatureCheck`]: the [`Algorithm`], the public key as a DER
//! SubjectPublicKeyInfo (RFC 5280; [`spki`] encodes it from JWK or COSE members), the
//! message and the signature, in the form WebCrypto's `crypto.subtle.verify` takes:
//!
//! | [`Algorithm`] | key (SPKI) | signature | WebCrypto `importKey("spki")` / `verify` |
//! |---|---|---|---|
//! | `EdDSA` (COSE −8) | Ed25519, RFC 8410 | 64 bytes, RFC 8032 | `Ed25519` / `Ed25519` |
//! | `ES256` (COSE −7) | P-256 uncompressed point, RFC 5480 | raw `r‖s`, 64 bytes (JWS, RFC 7518 §3.4) | `ECDSA` + `P-256` / `ECDSA` + `SHA-256` |
//! | `RS256` (COSE −257) | RSA 2048–4096 bits, e odd ≥ 65537 | exactly the modulus length | `RSASSA-PKCS1-v1_5` + `SHA-256` |
//!
//! ES256 signatures are raw `r‖s`, never DER: WebAuthn authenticators send DER, and
//! the WebAuthn crate converts it strictly before asking (one accepted encoding per
//! signature).
//!
//! Where each runtime verifies: Workers with WebCrypto (`edgeauth-workers`'
//! `WebCryptoVerifier`; EdDSA falls back to [`SoftwareEd25519`] when the runtime fails,
//! ES256 and RS256 have no software path there and fail closed, so the Workers builds
//! link neither `p256` nor `rsa`); Spin, native code and tests with `SoftwareVerifier`
//! (feature `software-signatures`: `ed25519-compact`, RustCrypto's `p256` and `rsa`).
//!
//! Security considerations:
//! - `true` only for a valid signature by that key under that algorithm. A malformed
//!   key or signature, a key of another type than the algorithm's, an RSA key outside
//!   the policy above, a platform that refuses or fails — all are `false`; nothing
//!   panics. The algorithm is the caller's (the key's registered or published
//!   algorithm), never taken from the signed data.
//! - Every implementation runs [`SignatureCheck::key`] first, so malformed input gets
//!   the same `false` on every runtime before any platform code sees it.
//! - ECDSA accepts high-S signatures (WebCrypto does; authenticators do not normalise
//!   `s`); `r`, `s` of zero or ≥ n and points off the curve are refused. Ed25519 refuses
//!   non-canonical `S` and small-order keys.

pub mod software;
pub mod spki;

use core::fmt;

pub use software::SoftwareEd25519;
#[cfg(feature = "software-signatures")]
pub use software::SoftwareVerifier;
pub use spki::SpkiKey;

/// Longest signature any supported algorithm produces (RS256 under a 4096-bit key).
pub const MAX_SIGNATURE_LEN: usize = 512;

/// A signature algorithm edgeauth verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// EdDSA on Ed25519 (RFC 8032, RFC 8037).
    EdDsa,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
}

impl Algorithm {
    /// Every supported algorithm.
    pub const ALL: [Algorithm; 3] = [Self::EdDsa, Self::Es256, Self::Rs256];

    /// The JOSE `alg` name (RFC 7518, RFC 8037).
    pub const fn jose_name(self) -> &'static str {
        match self {
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
            Self::Rs256 => "RS256",
        }
    }

    /// The algorithm with JOSE `alg` name `name` (exact, case-sensitive), if supported.
    pub fn from_jose_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.jose_name() == name)
    }

    /// The COSE algorithm identifier (RFC 9053; what WebAuthn's `pubKeyCredParams`
    /// carries).
    pub const fn cose_id(self) -> i64 {
        match self {
            Self::EdDsa => -8,
            Self::Es256 => -7,
            Self::Rs256 => -257,
        }
    }

    /// The algorithm with COSE identifier `id`, if supported.
    pub const fn from_cose_id(id: i64) -> Option<Self> {
        match id {
            -8 => Some(Self::EdDsa),
            -7 => Some(Self::Es256),
            -257 => Some(Self::Rs256),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jose_name())
    }
}

/// One signature to verify (see the module table for each algorithm's formats).
#[derive(Debug, Clone, Copy)]
pub struct SignatureCheck<'a> {
    /// The algorithm the key is registered or published for.
    pub algorithm: Algorithm,
    /// The public key as a DER SubjectPublicKeyInfo.
    pub public_key_spki: &'a [u8],
    /// The signed bytes (a JWS signing input, WebAuthn's `authenticatorData ‖ hash`).
    pub message: &'a [u8],
    /// The signature; raw `r‖s` for ES256.
    pub signature: &'a [u8],
}

impl SignatureCheck<'_> {
    /// The public key, when the check is well-formed: the SPKI is a strict encoding of
    /// a key of the algorithm's type (RSA within the key policy) and the signature has
    /// the algorithm's length. `None` means the answer is `false` whatever the
    /// platform would say; every [`SignatureVerifier`] asks this first.
    pub fn key(&self) -> Option<SpkiKey<'_>> {
        let key = spki::decode(self.public_key_spki)?;
        let length = match (self.algorithm, &key) {
            (Algorithm::EdDsa, SpkiKey::Ed25519(_)) | (Algorithm::Es256, SpkiKey::P256 { .. }) => {
                64
            }
            (Algorithm::Rs256, SpkiKey::Rsa { n, .. }) => n.len(),
            _ => return None,
        };
        (self.signature.len() == length).then_some(key)
    }
}

/// Verifies signatures: the platform's native implementation or the software one.
///
/// Async because WebCrypto is promise-based; one method, because the algorithm travels
/// in the check. An implementation answers exactly as `SoftwareVerifier` does for
/// every input it supports, `false` for anything else, and never `true` because
/// something failed.
#[allow(async_fn_in_trait)]
pub trait SignatureVerifier {
    /// Whether `check.signature` is a valid signature of `check.message` under
    /// `check.public_key_spki` with `check.algorithm`.
    async fn verify(&self, check: &SignatureCheck<'_>) -> bool;
}

#[cfg(test)]
mod tests;
