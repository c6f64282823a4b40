//! DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) for the three key types: the one key format
//! that WebCrypto's `importKey("spki", …)` takes for ECDSA P-256 (RFC 5480), Ed25519
//! (RFC 8410) and RSASSA-PKCS1-v1_5 (RFC 8017 `RSAPublicKey`), and that RustCrypto's
//! decoders read too — so a platform verifier and the software one import the same bytes.
//!
//! Security considerations: only encodes keys that [`crate::cose`] already validated;
//! lengths are computed, never trusted from input, and a modulus is at most 512 bytes, so
//! every length fits the two-byte DER form.

use alloc::vec::Vec;

use crate::PublicKey;

/// `SEQUENCE { OID id-ecPublicKey, OID prime256v1 }` then `BIT STRING` header (66 bytes).
const P256_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// `SEQUENCE { OID id-Ed25519 }` then `BIT STRING` header (33 bytes).
const ED25519_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
/// `SEQUENCE { OID rsaEncryption, NULL }`.
const RSA_ALGORITHM: [u8; 15] = [
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

pub(crate) fn encode(key: &PublicKey) -> Vec<u8> {
    match key {
        PublicKey::P256 { x, y } => {
            let mut out = Vec::with_capacity(91);
            out.extend_from_slice(&P256_PREFIX);
            out.push(0x04);
            out.extend_from_slice(x);
            out.extend_from_slice(y);
            out
        }
        PublicKey::Ed25519(key) => {
            let mut out = Vec::with_capacity(44);
            out.extend_from_slice(&ED25519_PREFIX);
            out.extend_from_slice(key);
            out
        }
        PublicKey::Rsa { n, e } => {
            let mut rsa_public_key = Vec::with_capacity(n.len() + 16);
            integer(&mut rsa_public_key, n);
            integer(&mut rsa_public_key, &e.to_be_bytes());
            let rsa_public_key = tlv(0x30, &rsa_public_key);
            let mut bits = Vec::with_capacity(rsa_public_key.len() + 1);
            bits.push(0x00); // no unused bits
            bits.extend_from_slice(&rsa_public_key);
            let mut body = Vec::with_capacity(RSA_ALGORITHM.len() + bits.len() + 4);
            body.extend_from_slice(&RSA_ALGORITHM);
            body.extend_from_slice(&tlv(0x03, &bits));
            tlv(0x30, &body)
        }
    }
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
    out.extend_from_slice(&tlv(0x02, &content));
}

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
