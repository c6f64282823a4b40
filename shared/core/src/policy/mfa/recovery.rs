//! Recovery codes: ten single-use codes shown once when TOTP is confirmed
//! (docs/contract.md §6 `POST /api/me/mfa/totp/confirm`), stored only as keyed hashes.
//!
//! A code is 12 characters from a 32-symbol alphabet in three groups,
//! `xxxx-xxxx-xxxx` — 60 bits of entropy. The alphabet is Crockford's base32 in lower
//! case (`0–9 a–z` without `i l o u`), so there is no `0/o` or `1/l/i` to confuse; on
//! input, case, spaces and dashes are ignored and `o`→`0`, `i`/`l`→`1` are mapped back.
//!
//! The stored form is
//! `<key_id>.<base64url(HMAC-SHA256(subkey(key, "edgeauth recovery-code v1"), context ‖ code))>`
//! with length-prefixed parts, where `context` names the owner (e.g. `user/123`).
//!
//! ## Why a keyed fast hash, not argon2
//!
//! Password hashing is slow because passwords are guessable: the cost multiplies an
//! attacker's work over a small space. These codes are uniformly random with 60 bits,
//! so a brute force needs ~2^59 guesses per code even against a plain SHA-256 — and the
//! hash is keyed with a subkey of `DATA_ENCRYPTION_KEYS`, which is not in the store,
//! so a stolen store alone allows no offline guessing at all. Online guessing is bounded
//! by the MFA route's rate limit and lockout. A slow hash would only add latency (and
//! ten argon2 runs when checking a code against ten hashes).
//!
//! Security considerations:
//! - Binding to `context` means a hash copied from one account into another does not
//!   match there (an attacker with store write access cannot plant their own code).
//! - [`find`] checks every stored hash in constant time, without early exit, and
//!   reports which one matched; the flow then removes that hash with an atomic
//!   compare-and-swap on the user's code list, so each code is accepted once even
//!   under concurrent requests (this module has no state).
//! - Key rotation: a hash can only be recomputed from the code, which is not stored.
//!   Hashes stay verifiable while their key is in the keyring; [`hash_is_current`]
//!   finds the ones under an old key. Before that key is removed, those users must
//!   regenerate their codes (or the key must stay until they have) — see
//!   `docs/encryption.md`.
//! - Plaintext codes are returned once, for the response that shows them, and are
//!   never logged or audited.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::config::{KeyEntry, Keyring};
use crate::crypto::kdf::{self, Purpose};
use crate::crypto::CryptoError;
use crate::encoding::{b64url, b64url_decode};
use crate::env::Random;

/// Number of codes issued at once.
pub const CODE_COUNT: usize = 10;
/// Characters per code (without dashes).
pub const CODE_CHARS: usize = 12;
/// Characters per dash-separated group.
pub const GROUP_CHARS: usize = 4;
/// Entropy per code in bits (`CODE_CHARS × log2(32)`).
pub const ENTROPY_BITS: usize = CODE_CHARS * 5;
// Security floor: at least 50 bits per code, checked at compile time.
const _: () = assert!(ENTROPY_BITS >= 50);

/// Crockford's base32 alphabet, lower case: no `i`, `l`, `o`, `u`.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A set of freshly generated codes: show `codes` once, store `hashes`.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCodes {
    /// The codes to show the user, formatted `xxxx-xxxx-xxxx`.
    pub codes: Vec<String>,
    /// Their hashes, in the same order, to store.
    pub hashes: Vec<String>,
}

impl fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecoveryCodes")
            .field("codes", &"[REDACTED]")
            .field("hashes", &self.hashes)
            .finish()
    }
}

/// Generates [`CODE_COUNT`] distinct codes and their hashes under the active key,
/// bound to `context` (the owner, e.g. `user/123`).
pub fn generate(
    keyring: &Keyring,
    random: &impl Random,
    context: &str,
) -> Result<RecoveryCodes, CryptoError> {
    let key = keyring.active();
    let mut codes: Vec<String> = Vec::with_capacity(CODE_COUNT);
    // A duplicate has probability ~2^-54 per set; the bound only stops a broken
    // random source (say, one returning zeros) from looping forever.
    let mut attempts = 0;
    while codes.len() < CODE_COUNT {
        attempts += 1;
        if attempts > CODE_COUNT * 4 {
            return Err(CryptoError::RandomFailed);
        }
        let mut raw = [0u8; CODE_CHARS];
        random.fill(&mut raw)?;
        let code = format_code(&raw);
        zeroize::Zeroize::zeroize(&mut raw);
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    let hashes = codes
        .iter()
        // Generated codes are canonical once the dashes are gone.
        .map(|code| hash_under(key, context, &code.replace('-', "")))
        .collect();
    Ok(RecoveryCodes { codes, hashes })
}

/// The canonical form of a typed code — 12 alphabet characters — or `None` when it
/// cannot be one. Ignores case, ASCII whitespace and dashes; maps `o`→`0`, `i`/`l`→`1`.
pub fn canonical(code: &str) -> Option<String> {
    // Bound the work on hostile input before allocating.
    if code.len() > 64 {
        return None;
    }
    let mut out = String::with_capacity(CODE_CHARS);
    for c in code.chars() {
        let c = match c.to_ascii_lowercase() {
            '-' => continue,
            c if c.is_ascii_whitespace() => continue,
            'o' => '0',
            'i' | 'l' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
    }
    (out.len() == CODE_CHARS).then_some(out)
}

/// Whether `code` (as typed) is the code behind `hash` for `context`. Constant-time in
/// the comparison; `false` for malformed codes, malformed hashes and unknown key ids.
pub fn matches(keyring: &Keyring, context: &str, code: &str, hash: &str) -> bool {
    match canonical(code) {
        Some(code) => matches_canonical(keyring, context, &code, hash).into(),
        None => false,
    }
}

/// The position in `hashes` of the one `code` matches, checking every hash (no early
/// exit). The caller removes that hash atomically to make the code single-use.
pub fn find<S: AsRef<str>>(
    keyring: &Keyring,
    context: &str,
    code: &str,
    hashes: &[S],
) -> Option<usize> {
    let code = canonical(code)?;
    let mut matched = Choice::from(0);
    let mut position: u64 = 0;
    for (index, hash) in hashes.iter().enumerate() {
        let hit = matches_canonical(keyring, context, &code, hash.as_ref()) & !matched;
        position.conditional_assign(&(index as u64), hit);
        matched |= hit;
    }
    bool::from(matched).then_some(position as usize)
}

/// Whether a stored hash was made with the active key (for rotation reports).
pub fn hash_is_current(keyring: &Keyring, hash: &str) -> bool {
    hash.rsplit_once('.')
        .is_some_and(|(key_id, _)| key_id == keyring.active().id)
}

fn matches_canonical(keyring: &Keyring, context: &str, code: &str, hash: &str) -> Choice {
    let Some((key_id, tag)) = hash.rsplit_once('.') else {
        return Choice::from(0);
    };
    let (Some(key), Some(stored)) = (keyring.get(key_id), b64url_decode(tag)) else {
        return Choice::from(0);
    };
    mac(key, context, code).as_slice().ct_eq(stored.as_slice())
}

/// `<key_id>.<base64url(mac)>`.
fn hash_under(key: &KeyEntry, context: &str, code: &str) -> String {
    let mut out = String::with_capacity(key.id.len() + 44);
    out.push_str(&key.id);
    out.push('.');
    out.push_str(&b64url(&mac(key, context, code)));
    out
}

/// HMAC-SHA256 under the recovery-code subkey of `len ‖ context ‖ len ‖ code`.
fn mac(key: &KeyEntry, context: &str, code: &str) -> [u8; 32] {
    kdf::hmac_sha256(
        key.subkey(Purpose::RecoveryCode),
        &[
            &(context.len() as u64).to_be_bytes(),
            context.as_bytes(),
            &(code.len() as u64).to_be_bytes(),
            code.as_bytes(),
        ],
    )
}

/// Twelve random bytes → `xxxx-xxxx-xxxx`; each byte's low 5 bits pick a symbol,
/// which is uniform because 256 is a multiple of 32.
fn format_code(raw: &[u8; CODE_CHARS]) -> String {
    let mut out = String::with_capacity(CODE_CHARS + CODE_CHARS / GROUP_CHARS);
    for (i, byte) in raw.iter().enumerate() {
        if i > 0 && i % GROUP_CHARS == 0 {
            out.push('-');
        }
        let symbol = ALPHABET
            .get(usize::from(byte & 0x1f))
            .copied()
            .unwrap_or(b'0');
        out.push(char::from(symbol));
    }
    out
}

#[cfg(test)]
mod tests;
