//! DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) for the three key types: the one key
//! format of a [`super::SignatureCheck`]. It is what WebCrypto's `importKey("spki", …)`
//! takes for Ed25519 (RFC 8410), ECDSA P-256 (RFC 5480) and RSASSA-PKCS1-v1_5 (RFC 8017
//! `RSAPublicKey` under `rsaEncryption` with NULL parameters), so a platform verifier
//! and the software one read the same bytes.
//!
//! Security considerations:
//! - The encoders take key members (JWK, COSE) and compute every length; [`rsa()`]
//!   refuses a key outside the RSA policy instead of encoding it.
//! - [`decode`] accepts exactly the DER these encoders produce: the fixed prefixes for
//!   Ed25519 and P-256 (uncompressed points only), and for RSA minimal lengths, the
//!   `rsaEncryption` identifier with NULL, no unused bits, minimal positive INTEGERs
//!   and nothing trailing — then the same RSA policy. One key, one accepted encoding.
//! - Whether a P-256 point is on the curve is checked by the verifier that imports it.

use alloc::vec::Vec;
use core::fmt;

use super::Algorithm;

/// Smallest RSA modulus accepted, in bits.
pub const RSA_MIN_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits.
pub const RSA_MAX_BITS: usize = 4096;
/// Smallest RSA public exponent accepted (NIST SP 800-89's lower bound).
pub const RSA_MIN_EXPONENT: u32 = 65_537;

/// `SEQUENCE { SEQUENCE { OID id-Ed25519 } BIT STRING (33 bytes) }` up to the key.
const ED25519_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
/// `SEQUENCE { SEQUENCE { OID id-ecPublicKey, OID prime256v1 } BIT STRING (66 bytes) }`
/// up to the uncompressed point's `04`.
const P256_PREFIX: [u8; 27] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
];
/// `SEQUENCE { OID rsaEncryption, NULL }`.
const RSA_ALGORITHM: [u8; 15] = [
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;

/// A public key read from a SubjectPublicKeyInfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpkiKey<'a> {
    /// An Ed25519 public key (RFC 8032 encoding).
    Ed25519(&'a [u8; 32]),
    /// A P-256 point.
    P256 {
        /// The x coordinate, big-endian.
        x: &'a [u8; 32],
        /// The y coordinate, big-endian.
        y: &'a [u8; 32],
    },
    /// An RSA public key within the policy.
    Rsa {
        /// The modulus, big-endian, without leading zero bytes.
        n: &'a [u8],
        /// The public exponent.
        e: u32,
    },
}

impl SpkiKey<'_> {
    /// The one algorithm this key verifies.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::Ed25519(_) => Algorithm::EdDsa,
            Self::P256 { .. } => Algorithm::Es256,
            Self::Rsa { .. } => Algorithm::Rs256,
        }
    }
}

/// Why RSA key members were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RsaKeyError {
    /// The modulus or the exponent is empty or starts with a zero byte (not minimal).
    NotMinimal,
    /// The modulus is not 2048–4096 bits long, or it is even.
    Modulus,
    /// The exponent is longer than 4 bytes, even, or below 65537.
    Exponent,
}

impl RsaKeyError {
    /// The static reason, for logs and error messages.
    pub const fn reason(self) -> &'static str {
        match self {
            Self::NotMinimal => "RSA modulus or exponent with a leading zero byte",
            Self::Modulus => "RSA modulus must be odd and 2048 to 4096 bits",
            Self::Exponent => "RSA exponent must be odd, at least 65537 and at most 2^32-1",
        }
    }
}

impl fmt::Display for RsaKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

/// The SPKI of an Ed25519 public key.
pub fn ed25519(key: &[u8; 32]) -> [u8; 44] {
    let mut out = [0u8; 44];
    let (prefix, rest) = out.split_at_mut(ED25519_PREFIX.len());
    prefix.copy_from_slice(&ED25519_PREFIX);
    rest.copy_from_slice(key);
    out
}

/// The SPKI of a P-256 point (uncompressed).
pub fn p256(x: &[u8; 32], y: &[u8; 32]) -> [u8; 91] {
    let mut out = [0u8; 91];
    let (prefix, point) = out.split_at_mut(P256_PREFIX.len());
    prefix.copy_from_slice(&P256_PREFIX);
    let (x_out, y_out) = point.split_at_mut(32);
    x_out.copy_from_slice(x);
    y_out.copy_from_slice(y);
    out
}

/// The SPKI of an RSA public key: `n` big-endian without leading zeros, `e` the
/// exponent; refused outside the policy ([`check_rsa`]).
pub fn rsa(n: &[u8], e: u32) -> Result<Vec<u8>, RsaKeyError> {
    check_rsa(n, e)?;
    let mut key = Vec::with_capacity(n.len() + 16);
    integer(&mut key, n);
    integer(&mut key, &e.to_be_bytes());
    let key = tlv(SEQUENCE, &key);
    let mut bits = Vec::with_capacity(key.len() + 1);
    bits.push(0x00); // no unused bits
    bits.extend_from_slice(&key);
    let mut body = Vec::with_capacity(RSA_ALGORITHM.len() + bits.len() + 4);
    body.extend_from_slice(&RSA_ALGORITHM);
    body.extend_from_slice(&tlv(BIT_STRING, &bits));
    Ok(tlv(SEQUENCE, &body))
}

/// The RSA key policy: `n` minimal (no leading zero byte), odd, 2048–4096 bits; `e`
/// odd and at least 65537.
pub fn check_rsa(n: &[u8], e: u32) -> Result<(), RsaKeyError> {
    let first = match n.first() {
        Some(0) | None => return Err(RsaKeyError::NotMinimal),
        Some(first) => *first,
    };
    let bits = n.len() * 8 - first.leading_zeros() as usize;
    if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) || n.last().is_some_and(|b| b & 1 == 0) {
        return Err(RsaKeyError::Modulus);
    }
    if e < RSA_MIN_EXPONENT || e & 1 == 0 {
        return Err(RsaKeyError::Exponent);
    }
    Ok(())
}

/// An RSA exponent from its big-endian bytes as JWK and COSE carry them (1–4 bytes,
/// no leading zero), checked against the policy.
pub fn rsa_exponent(bytes: &[u8]) -> Result<u32, RsaKeyError> {
    match bytes.first() {
        Some(0) | None => return Err(RsaKeyError::NotMinimal),
        Some(_) if bytes.len() > 4 => return Err(RsaKeyError::Exponent),
        Some(_) => {}
    }
    let e = bytes.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
    if e < RSA_MIN_EXPONENT || e & 1 == 0 {
        return Err(RsaKeyError::Exponent);
    }
    Ok(e)
}

/// Reads a SubjectPublicKeyInfo of one of the three key types (strictly; see the
/// module docs). `None` for anything else.
pub fn decode(der: &[u8]) -> Option<SpkiKey<'_>> {
    if let Some(key) = der.strip_prefix(&ED25519_PREFIX) {
        return key.try_into().ok().map(SpkiKey::Ed25519);
    }
    if let Some(point) = der.strip_prefix(&P256_PREFIX) {
        let (x, y) = point.split_at_checked(32)?;
        return Some(SpkiKey::P256 {
            x: x.try_into().ok()?,
            y: y.try_into().ok()?,
        });
    }
    let (body, rest) = read_tlv(der, SEQUENCE)?;
    let bits = body.strip_prefix(&RSA_ALGORITHM)?;
    let (bits, after) = read_tlv(bits, BIT_STRING)?;
    let key = bits.strip_prefix(&[0x00])?;
    let (key, trailing) = read_tlv(key, SEQUENCE)?;
    let (n, key) = read_integer(key)?;
    let (e, key) = read_integer(key)?;
    if !rest.is_empty() || !after.is_empty() || !trailing.is_empty() || !key.is_empty() {
        return None;
    }
    let e = rsa_exponent(e).ok()?;
    check_rsa(n, e).ok()?;
    Some(SpkiKey::Rsa { n, e })
}

/// One DER element with tag `tag` and a minimal definite length of at most two bytes:
/// its content and what follows it.
pub(crate) fn read_tlv(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&found, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    if found != tag {
        return None;
    }
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81 => {
            let (&len, rest) = rest.split_first()?;
            (len >= 0x80).then_some((usize::from(len), rest))?
        }
        0x82 => {
            let (len, rest) = rest.split_at_checked(2)?;
            let len = len
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (len >= 0x100).then_some((len, rest))?
        }
        _ => return None,
    };
    rest.split_at_checked(len)
}

/// A minimal, positive DER INTEGER: its magnitude (without the sign byte) and what
/// follows it.
pub(crate) fn read_integer(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let (value, rest) = read_tlv(input, INTEGER)?;
    let magnitude = match value {
        [0x00, next, ..] if next & 0x80 != 0 => value.get(1..)?,
        [0x00, ..] | [] => return None,
        [first, ..] if first & 0x80 != 0 => return None,
        _ => value,
    };
    Some((magnitude, rest))
}

/// A DER INTEGER for a non-negative big-endian value (leading zeros dropped, one added
/// back when the high bit is set).
fn integer(out: &mut Vec<u8>, value: &[u8]) {
    let start = value.iter().position(|b| *b != 0).unwrap_or(value.len());
    let digits = value.get(start..).unwrap_or_default();
    let mut content = Vec::with_capacity(digits.len() + 1);
    if digits.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0x00);
    }
    content.extend_from_slice(digits);
    out.extend_from_slice(&tlv(INTEGER, &content));
}

/// A DER element; contents here are at most a few hundred bytes (a 4096-bit modulus),
/// so two length bytes always suffice.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 4);
    out.push(tag);
    match content.len() {
        len @ 0..=0x7f => out.push(len as u8),
        len @ 0x80..=0xff => out.extend_from_slice(&[0x81, len as u8]),
        len => {
            let [_, _, high, low] = (len as u32).to_be_bytes();
            out.extend_from_slice(&[0x82, high, low]);
        }
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests;
