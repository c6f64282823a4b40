//! The data-at-rest cipher: XChaCha20-Poly1305 over the `DATA_ENCRYPTION_KEYS` keyring.
//!
//! A ciphertext is self-describing text, safe to store in any string field:
//!
//! ```text
//! v1.<key_id>.<base64url(nonce, 24 bytes)>.<base64url(ciphertext ‖ tag)>
//! ```
//!
//! The active (first) key encrypts; any key of the keyring decrypts, chosen by the
//! `key_id` in the ciphertext. Key ids may contain `.`, so the parser takes the version
//! from the left and the two base64url parts (which never contain `.`) from the right.
//!
//! Associated data (authenticated, not stored) binds each ciphertext to:
//! - the format version and the key id, so relabelling a ciphertext with another
//!   key id fails even when two ids were configured with the same material;
//! - the caller's `associated` context — the record and field the value belongs to,
//!   e.g. `user/123/totp#secret` — so a ciphertext copied into another record or
//!   field (say, an attacker's TOTP secret into a victim's record) fails to decrypt.
//!
//! The parts are length-prefixed, so no two (key id, context) pairs share an encoding.
//!
//! Security considerations:
//! - XChaCha20's 192-bit nonce is drawn at random per encryption from the injected
//!   [`Random`]; at that size random nonces do not collide in practice (birthday bound
//!   2^96), so no nonce counter has to be kept across isolates.
//! - The cipher key is an HKDF subkey of the keyring entry (label `edgeauth data-at-rest …`),
//!   never the configured bytes themselves.
//! - Failures are distinct for the log ([`CryptoError`]) and all map to `503`; a
//!   tampered value is never read as empty. Parsing never panics on any input (a
//!   property test feeds arbitrary strings).
//! - Decrypted bytes are returned as [`Secret`] (zeroized on drop).
//! - Ciphertexts reveal the plaintext length (to the byte) and the key id; records
//!   whose length is itself sensitive should be padded by the caller.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

use super::kdf::Purpose;
use super::keys::{KeyEntry, Keyring};
use super::CryptoError;
use crate::encoding::{b64url, b64url_decode};
use crate::env::{random_array, Random};
use crate::secret::Secret;

/// The format version, the first part of every ciphertext.
pub const VERSION: &str = "v1";
/// Nonce length of XChaCha20-Poly1305 in bytes.
pub const NONCE_LEN: usize = 24;
/// Authentication tag length in bytes.
pub const TAG_LEN: usize = 16;

/// Domain separator at the start of the associated data.
const AAD_DOMAIN: &[u8] = b"edgeauth/aead";

/// Encrypts `plaintext` under the active key, bound to the `associated` context.
///
/// `associated` names the record and field (e.g. `user/123/totp#secret`); the same
/// string must be given to [`decrypt`].
pub fn encrypt(
    keyring: &Keyring,
    random: &impl Random,
    associated: &str,
    plaintext: &[u8],
) -> Result<String, CryptoError> {
    let nonce: [u8; NONCE_LEN] = random_array(random)?;
    seal(keyring.active(), &nonce, associated, plaintext)
}

/// Decrypts a ciphertext made by [`encrypt`] with the same `associated` context.
pub fn decrypt(
    keyring: &Keyring,
    associated: &str,
    ciphertext: &str,
) -> Result<Secret, CryptoError> {
    let parsed = parse(ciphertext)?;
    let key = keyring.get(parsed.key_id).ok_or(CryptoError::UnknownKey)?;
    let cipher = cipher_for(key);
    let aad = associated_data(parsed.key_id, associated);
    let plaintext = cipher
        .decrypt(
            &XNonce::from(parsed.nonce),
            Payload {
                msg: &parsed.sealed,
                aad: &aad,
            },
        )
        .map_err(|_| CryptoError::Tampered)?;
    Ok(Secret::new(plaintext))
}

/// [`decrypt`] for text values (emails, names). The result is an ordinary `String`,
/// not zeroized: use [`decrypt`] for secrets.
pub fn decrypt_string(
    keyring: &Keyring,
    associated: &str,
    ciphertext: &str,
) -> Result<String, CryptoError> {
    let plaintext = decrypt(keyring, associated, ciphertext)?;
    // Authentic but not UTF-8 means it was not written by `encrypt` of a string.
    core::str::from_utf8(plaintext.expose())
        .map(String::from)
        .map_err(|_| CryptoError::Malformed)
}

/// The key id a ciphertext names, or `None` when it is not a `v1` ciphertext.
/// Cheap (no decoding, no decryption): for sweeps and metrics.
pub fn key_id(ciphertext: &str) -> Option<&str> {
    split(ciphertext).ok().map(|(key_id, _, _)| key_id)
}

/// Whether a stored value is *not* a ciphertext under the active key: it names an
/// older key, an unknown key, or does not parse. A sweep re-encrypts the first kind
/// and reports the others (re-encryption fails for them with the reason).
pub fn needs_reencryption(keyring: &Keyring, ciphertext: &str) -> bool {
    key_id(ciphertext) != Some(keyring.active().id.as_str())
}

/// Decrypts with whichever key the ciphertext names and encrypts again under the
/// active key with a fresh nonce.
pub fn reencrypt(
    keyring: &Keyring,
    random: &impl Random,
    associated: &str,
    ciphertext: &str,
) -> Result<String, CryptoError> {
    let plaintext = decrypt(keyring, associated, ciphertext)?;
    encrypt(keyring, random, associated, plaintext.expose())
}

/// Encrypts with an explicit key and nonce (tests and known-answer vectors only).
fn seal(
    key: &KeyEntry,
    nonce: &[u8; NONCE_LEN],
    associated: &str,
    plaintext: &[u8],
) -> Result<String, CryptoError> {
    let cipher = cipher_for(key);
    let aad = associated_data(&key.id, associated);
    let sealed = cipher
        .encrypt(
            &XNonce::from(*nonce),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        // Only possible beyond ChaCha20's 256 GiB message limit.
        .map_err(|_| CryptoError::Malformed)?;
    Ok(format!(
        "{VERSION}.{}.{}.{}",
        key.id,
        b64url(nonce),
        b64url(&sealed)
    ))
}

/// The cipher for a keyring entry, keyed with its data-at-rest subkey. The cipher
/// zeroizes its key schedule on drop (`chacha20poly1305`'s `zeroize` feature).
fn cipher_for(key: &KeyEntry) -> XChaCha20Poly1305 {
    let key: &Key = key.subkey(Purpose::DataAtRest).into();
    XChaCha20Poly1305::new(key)
}

/// `domain ‖ len(version) version ‖ len(key_id) key_id ‖ len(context) context`, each
/// length a big-endian `u64`, so part boundaries cannot shift.
fn associated_data(key_id: &str, associated: &str) -> Vec<u8> {
    let parts: [&[u8]; 3] = [VERSION.as_bytes(), key_id.as_bytes(), associated.as_bytes()];
    let mut out = Vec::with_capacity(
        AAD_DOMAIN.len() + parts.iter().map(|part| part.len() + 8).sum::<usize>(),
    );
    out.extend_from_slice(AAD_DOMAIN);
    for part in parts {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

/// A decoded `v1` ciphertext.
struct Parsed<'a> {
    key_id: &'a str,
    nonce: [u8; NONCE_LEN],
    sealed: Vec<u8>,
}

/// Splits `v1.<key_id>.<nonce>.<sealed>` into its text parts, checking the version
/// and the key id's characters (the ones `Keyring::parse` accepts).
fn split(ciphertext: &str) -> Result<(&str, &str, &str), CryptoError> {
    let rest = ciphertext
        .strip_prefix(VERSION)
        .and_then(|rest| rest.strip_prefix('.'))
        .ok_or(CryptoError::Malformed)?;
    let (rest, sealed) = rest.rsplit_once('.').ok_or(CryptoError::Malformed)?;
    let (key_id, nonce) = rest.rsplit_once('.').ok_or(CryptoError::Malformed)?;
    let key_id_ok = !key_id.is_empty()
        && key_id.len() <= 64
        && key_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if !key_id_ok {
        return Err(CryptoError::Malformed);
    }
    Ok((key_id, nonce, sealed))
}

fn parse(ciphertext: &str) -> Result<Parsed<'_>, CryptoError> {
    let (key_id, nonce, sealed) = split(ciphertext)?;
    // Strict base64url: no padding, no `+`/`/`, no whitespace, canonical trailing bits.
    let nonce: [u8; NONCE_LEN] = b64url_decode(nonce)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(CryptoError::Malformed)?;
    let sealed = b64url_decode(sealed).ok_or(CryptoError::Malformed)?;
    if sealed.len() < TAG_LEN {
        return Err(CryptoError::Malformed);
    }
    Ok(Parsed {
        key_id,
        nonce,
        sealed,
    })
}

#[cfg(test)]
mod tests;
