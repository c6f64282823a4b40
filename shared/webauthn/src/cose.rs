//! COSE public keys (RFC 9052/9053, RFC 8230) as authenticators send them: ES256 on P-256,
//! EdDSA on Ed25519 and RS256 — parsed, checked for consistency, and re-expressed as the
//! SubjectPublicKeyInfo of a `SignatureCheck` (`edgeauth_primitives::crypto::signature`),
//! which WebCrypto's `importKey("spki", …)` and the software verifier both accept.
//!
//! Security considerations:
//! - The key's `kty`, `crv` and `alg` must agree (an EC2 key claiming EdDSA, an OKP key on
//!   X25519, a P-384 point under ES256… are refused): the algorithm a signature is checked
//!   with is the one the key was registered for, never one an attacker names later.
//! - Lengths are exact (32-byte coordinates and Ed25519 keys); a private component
//!   (`d`, label -4) is refused outright, as is any repeated label.
//! - RSA keys: the primitives' RSA policy (`spki::check_rsa`) — modulus of 2048–4096 bits
//!   (no leading zero byte), public exponent odd and between 65537 and 2³²−1 (NIST SP
//!   800-89's lower bound), so neither tiny keys nor degenerate exponents are accepted.
//! - Whether an EC point is on the curve is checked by the verifier when it imports the
//!   key (the software one through `p256`, WebCrypto in `importKey`), i.e. at first use.

use alloc::vec::Vec;
use core::fmt;

use edgeauth_primitives::crypto::signature::{spki, Algorithm};

use crate::cbor::{Key, Reader, SeenKeys};
use crate::error::{Error, Malformed, Part};

pub use edgeauth_primitives::crypto::signature::spki::{
    RSA_MAX_BITS, RSA_MIN_BITS, RSA_MIN_EXPONENT,
};

/// A credential public key, parsed from its COSE form.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    /// A P-256 point for ES256 (uncompressed coordinates).
    P256 {
        /// The x coordinate, big-endian.
        x: [u8; 32],
        /// The y coordinate, big-endian.
        y: [u8; 32],
    },
    /// An Ed25519 public key for EdDSA.
    Ed25519([u8; 32]),
    /// An RSA public key for RS256.
    Rsa {
        /// The modulus, big-endian, without leading zero bytes (256–512 bytes).
        n: Vec<u8>,
        /// The public exponent.
        e: u32,
    },
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::P256 { .. } => f.write_str("PublicKey::P256"),
            Self::Ed25519(_) => f.write_str("PublicKey::Ed25519"),
            Self::Rsa { n, e } => write!(f, "PublicKey::Rsa({} bits, e={e})", n.len() * 8),
        }
    }
}

impl PublicKey {
    /// The algorithm this key verifies (one per key type).
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::P256 { .. } => Algorithm::Es256,
            Self::Ed25519(_) => Algorithm::EdDsa,
            Self::Rsa { .. } => Algorithm::Rs256,
        }
    }

    /// Parses a complete COSE_Key (nothing may follow it), e.g. the stored bytes of
    /// [`crate::RegisteredCredential::public_key_cose`].
    pub fn from_cose(bytes: &[u8]) -> Result<Self, Error> {
        let mut reader = Reader::new(bytes);
        let key = read_cose_key(&mut reader)?;
        reader
            .finish()
            .map_err(|reason| Malformed::new(Part::CoseKey, reason))?;
        Ok(key)
    }

    /// The key as a DER SubjectPublicKeyInfo (RFC 5280), what a `SignatureCheck` carries:
    /// the format `crypto.subtle.importKey` takes as `"spki"` for ECDSA P-256, Ed25519 and
    /// RSASSA-PKCS1-v1_5, and that the software verifier reads as well (encoded by
    /// `edgeauth_primitives::crypto::signature::spki`).
    pub fn to_spki_der(&self) -> Vec<u8> {
        match self {
            Self::P256 { x, y } => spki::p256(x, y).to_vec(),
            Self::Ed25519(key) => spki::ed25519(key).to_vec(),
            // Checked by the same policy when parsed, so never refused here; an empty
            // key would fail every verification anyway.
            Self::Rsa { n, e } => spki::rsa(n, *e).unwrap_or_default(),
        }
    }
}

/// COSE key parameters (RFC 9052 §7.1, RFC 9053 §7).
const KTY: i64 = 1;
const ALG: i64 = 3;
const CRV_OR_N: i64 = -1;
const X_OR_E: i64 = -2;
const Y: i64 = -3;
const D: i64 = -4;

const KTY_OKP: i64 = 1;
const KTY_EC2: i64 = 2;
const KTY_RSA: i64 = 3;
const CRV_P256: i64 = 1;
const CRV_ED25519: i64 = 6;

/// Reads one COSE_Key from `reader` (used inside authenticator data, where extensions may
/// follow the key).
pub(crate) fn read_cose_key(reader: &mut Reader<'_>) -> Result<PublicKey, Error> {
    let bad = |reason| Error::from(Malformed::new(Part::CoseKey, reason));
    let entries = reader.map().map_err(bad)?;
    let mut seen = SeenKeys::default();
    let (mut kty, mut alg) = (None, None);
    let (mut minus1, mut minus2, mut minus3) = (None, None, None);
    for _ in 0..entries {
        let label = match reader.key().map_err(bad)? {
            Key::Int(label) => label,
            Key::Text(_) => return Err(bad("COSE key labels must be integers")),
        };
        seen.insert(Key::Int(label)).map_err(bad)?;
        match label {
            KTY => kty = Some(reader.int().map_err(bad)?),
            ALG => alg = Some(reader.int().map_err(bad)?),
            // -1 is `crv` (an integer) for EC2/OKP and `n` (bytes) for RSA, and -2 is `x`
            // or `e`: read the raw item and decide once `kty` is known.
            CRV_OR_N => minus1 = Some(Param::read(reader)?),
            X_OR_E => minus2 = Some(Param::read(reader)?),
            Y => minus3 = Some(Param::read(reader)?),
            D => return Err(bad("a COSE public key must not carry a private key")),
            // Other parameters (kid, key_ops, base IV…) carry nothing we rely on.
            _ => {
                reader.skip().map_err(bad)?;
            }
        }
    }
    let alg = alg.ok_or_else(|| bad("COSE key without an alg"))?;
    // A well-formed key for an algorithm we do not implement (ES384, PS256, ML-DSA…).
    let alg = Algorithm::from_cose_id(alg).ok_or(Error::UnsupportedAlgorithm)?;
    match (kty.ok_or_else(|| bad("COSE key without a kty"))?, alg) {
        (KTY_EC2, Algorithm::Es256) => {
            if minus1.and_then(Param::int) != Some(CRV_P256) {
                return Err(bad("ES256 needs an EC2 key on P-256"));
            }
            let x = minus2
                .and_then(Param::bytes)
                .ok_or_else(|| bad("EC2 key without x"))?;
            let y = minus3
                .and_then(Param::bytes)
                .ok_or_else(|| bad("EC2 key without y"))?;
            Ok(PublicKey::P256 {
                x: x.try_into().map_err(|_| bad("P-256 x must be 32 bytes"))?,
                y: y.try_into().map_err(|_| bad("P-256 y must be 32 bytes"))?,
            })
        }
        (KTY_OKP, Algorithm::EdDsa) => {
            if minus1.and_then(Param::int) != Some(CRV_ED25519) {
                return Err(bad("EdDSA needs an OKP key on Ed25519"));
            }
            if minus3.is_some() {
                return Err(bad("an OKP key has no y"));
            }
            let x = minus2
                .and_then(Param::bytes)
                .ok_or_else(|| bad("OKP key without x"))?;
            Ok(PublicKey::Ed25519(
                x.try_into().map_err(|_| bad("Ed25519 keys are 32 bytes"))?,
            ))
        }
        (KTY_RSA, Algorithm::Rs256) => {
            if minus3.is_some() {
                return Err(bad("an RSA public key has no parameter -3"));
            }
            let n = minus1
                .and_then(Param::bytes)
                .ok_or_else(|| bad("RSA key without n"))?;
            let e = minus2
                .and_then(Param::bytes)
                .ok_or_else(|| bad("RSA key without e"))?;
            Ok(rsa_key(n, e)?)
        }
        _ => Err(bad("COSE kty, crv and alg do not agree")),
    }
}

fn rsa_key(n: &[u8], e: &[u8]) -> Result<PublicKey, Malformed> {
    let bad = |error: spki::RsaKeyError| Malformed::new(Part::CoseKey, error.reason());
    let e = spki::rsa_exponent(e).map_err(bad)?;
    spki::check_rsa(n, e).map_err(bad)?;
    Ok(PublicKey::Rsa { n: n.to_vec(), e })
}

/// A parameter whose meaning depends on `kty`.
#[derive(Clone, Copy)]
enum Param<'a> {
    Int(i64),
    Bytes(&'a [u8]),
}

impl<'a> Param<'a> {
    fn read(reader: &mut Reader<'a>) -> Result<Self, Malformed> {
        let bad = |reason| Malformed::new(Part::CoseKey, reason);
        let raw = reader.skip().map_err(bad)?;
        let mut inner = Reader::new(raw);
        match raw.first().map(|b| b >> 5) {
            Some(0 | 1) => inner.int().map(Param::Int).map_err(bad),
            Some(2) => inner.bytes().map(Param::Bytes).map_err(bad),
            _ => Err(bad("COSE key parameter of an unexpected type")),
        }
    }

    fn int(self) -> Option<i64> {
        match self {
            Self::Int(value) => Some(value),
            Self::Bytes(_) => None,
        }
    }

    fn bytes(self) -> Option<&'a [u8]> {
        match self {
            Self::Bytes(value) => Some(value),
            Self::Int(_) => None,
        }
    }
}

#[cfg(test)]
mod tests;
