//! ES256 *signing* (ECDSA on P-256 with SHA-256, RFC 7518 §3.4): for the one token
//! edgeauth signs with a key an operator brings, the client secret of Sign in with
//! Apple (a JWT signed with the key Apple issues as a PKCS#8 `.p8` file).
//!
//! - [`p256_scalar_from_pkcs8`] reads the private scalar from a PKCS#8 `PrivateKeyInfo`
//!   (RFC 5208) holding a SEC1 `ECPrivateKey` (RFC 5915) on `prime256v1`, or from its
//!   PEM form; always available, so configuration can be checked in every build.
//! - [`sign`] (feature `es256-signing`, RustCrypto's `p256`): deterministic RFC 6979
//!   signatures as raw `r‖s`, the JWS form. No randomness is drawn.
//!
//! Security considerations: the parser is strict (exact DER lengths, the two OIDs,
//! version numbers, a 32-byte scalar) and bounded; the scalar is returned in a
//! [`Secret`] and the signing key is zeroized when dropped (`p256`'s `SigningKey`).

use alloc::vec::Vec;

use crate::encoding::b64_decode_lenient_whitespace;
use crate::secret::Secret;

/// `id-ecPublicKey` (1.2.840.10045.2.1), DER content bytes.
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// `prime256v1` (1.2.840.10045.3.1.7), DER content bytes.
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// A `.p8` file is a few hundred bytes; anything far larger is not one.
const MAX_KEY_BYTES: usize = 4096;

/// One DER element: `(tag, content, rest)`. Lengths in short or long form (≤ 2 bytes).
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81 => {
            let (&len, rest) = rest.split_first()?;
            (usize::from(len), rest)
        }
        0x82 => {
            let (bytes, rest) = (rest.get(..2)?, rest.get(2..)?);
            (
                usize::from(u16::from_be_bytes([*bytes.first()?, *bytes.get(1)?])),
                rest,
            )
        }
        _ => return None,
    };
    Some((tag, rest.get(..length)?, rest.get(length..)?))
}

fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (found, content, rest) = element(input)?;
    (found == tag).then_some((content, rest))
}

/// The DER of a PEM `PRIVATE KEY` block, or the input itself when it is not PEM.
fn der_of(input: &[u8]) -> Option<Vec<u8>> {
    let text = core::str::from_utf8(input).ok();
    match text.map(str::trim) {
        Some(pem) if pem.starts_with("-----BEGIN PRIVATE KEY-----") => {
            let body = pem
                .strip_prefix("-----BEGIN PRIVATE KEY-----")?
                .strip_suffix("-----END PRIVATE KEY-----")?;
            b64_decode_lenient_whitespace(body)
        }
        // Base64 of the DER without the PEM armour (one line, as in an env variable).
        Some(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_graphic()) => {
            b64_decode_lenient_whitespace(text)
        }
        _ => Some(input.to_vec()),
    }
}

/// The P-256 private scalar of a PKCS#8 key (DER, PEM, or base64 of the DER); `None`
/// for anything else: another curve or algorithm, an encrypted key, trailing bytes.
pub fn p256_scalar_from_pkcs8(input: &[u8]) -> Option<Secret> {
    if input.len() > MAX_KEY_BYTES {
        return None;
    }
    let der = der_of(input)?;
    // PrivateKeyInfo ::= SEQUENCE { version INTEGER (0), algorithm AlgorithmIdentifier,
    //                               privateKey OCTET STRING, attributes [0] OPTIONAL }
    let (info, trailing) = expect(&der, 0x30)?;
    if !trailing.is_empty() {
        return None;
    }
    let (version, rest) = expect(info, 0x02)?;
    if version != [0] {
        return None;
    }
    let (algorithm, rest) = expect(rest, 0x30)?;
    let (oid, params) = expect(algorithm, 0x06)?;
    let (curve, after) = expect(params, 0x06)?;
    if oid != OID_EC_PUBLIC_KEY || curve != OID_P256 || !after.is_empty() {
        return None;
    }
    let (private_key, rest) = expect(rest, 0x04)?;
    if !(rest.is_empty() || rest.first() == Some(&0xa0)) {
        return None;
    }
    // ECPrivateKey ::= SEQUENCE { version INTEGER (1), privateKey OCTET STRING (32),
    //                             parameters [0] OPTIONAL, publicKey [1] OPTIONAL }
    let (ec, trailing) = expect(private_key, 0x30)?;
    if !trailing.is_empty() {
        return None;
    }
    let (version, rest) = expect(ec, 0x02)?;
    if version != [1] {
        return None;
    }
    let (scalar, _optional) = expect(rest, 0x04)?;
    (scalar.len() == 32 && scalar.iter().any(|&b| b != 0)).then(|| Secret::new(scalar.to_vec()))
}

/// Signs `message` with ES256 under the P-256 private `scalar` (32 bytes, big-endian):
/// the raw `r‖s` signature, or `None` when the scalar is not a valid key (zero or not
/// below the group order).
#[cfg(feature = "es256-signing")]
pub fn sign(scalar: &[u8], message: &[u8]) -> Option<[u8; 64]> {
    use p256::ecdsa::signature::Signer as _;
    use p256::ecdsa::{Signature, SigningKey};
    let key = SigningKey::from_slice(scalar).ok()?;
    let signature: Signature = key.sign(message);
    let bytes = signature.to_bytes();
    let mut out = [0u8; 64];
    out.copy_from_slice(bytes.as_slice().get(..64)?);
    Some(out)
}

#[cfg(test)]
mod tests;
