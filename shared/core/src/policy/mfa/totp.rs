//! TOTP (RFC 6238) as docs/contract.md §7 fixes it: HMAC-SHA-1, 6 digits, 30-second steps from
//! the Unix epoch, one step of tolerance either side, 160-bit secrets.
//!
//! The public interface is that one profile; SHA-256/SHA-512 and 8 digits exist only
//! inside this module, so the RFC 6238 Appendix B vectors can be checked in full.
//!
//! ## Replay: each step once per user
//!
//! [`verify`] is pure: it says *which* time step a code matched, and nothing stops the
//! same code from matching again within its ±30 s window. The login and confirm flows
//! must therefore keep, per user in the atomic store, the last accepted step, and
//! accept a code only when an atomic compare-and-swap moves that value from
//! `last` to the returned step with `step > last`. [`verify_after`] does the `step >
//! last` half so that a code of an already-used step is not even reported as a
//! match; the CAS makes two concurrent requests with one code accept it once.
//! Because steps only move forward, a code for step *t* is also refused after a code
//! for *t+1* was accepted — the price of keeping one number per user.
//!
//! Security considerations:
//! - A code must be exactly six ASCII digits; anything else (spaces, signs, Unicode
//!   digits, other lengths) is refused before any MAC is computed. Flows that want to
//!   tolerate `123 456` must strip the space themselves, deliberately.
//! - All candidate steps are computed and compared in constant time, without early
//!   exit, so timing does not reveal whether or which step matched.
//! - Time comes from the caller (`now_secs`, from the injected clock). At step 0 there
//!   is no previous step; at `u64::MAX` no next one; neither wraps.
//! - Secrets are 160 random bits from the injected [`Random`] (RFC 4226 §4 R6
//!   recommends 160), returned as a [`Secret`]; they are stored encrypted
//!   ([`crate::crypto::aead`]), never hashed (the server needs them to verify).
//! - Guessing: with ±1 step a random code matches with probability 3·10⁻⁶; the
//!   per-user rate limit and lockout of the MFA route are what make that negligible.

use alloc::format;
use alloc::string::String;
use hmac::EagerHash;
use sha1::Sha1;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::crypto::kdf;
use crate::env::{random_array, Random, RandomError};
use crate::secret::Secret;

/// Number of digits of a code.
pub const DIGITS: u32 = 6;
/// Length of a time step in seconds.
pub const STEP_SECS: u64 = 30;
/// Steps of tolerance on either side of the current one.
pub const WINDOW: u64 = 1;
/// Secret length in bytes (160 bits).
pub const SECRET_LEN: usize = 20;

/// A fresh 160-bit TOTP secret.
pub fn new_secret(random: &impl Random) -> Result<Secret, RandomError> {
    let mut bytes: [u8; SECRET_LEN] = random_array(random)?;
    let secret = Secret::new(bytes.to_vec());
    zeroize::Zeroize::zeroize(&mut bytes);
    Ok(secret)
}

/// The time step (counter) of a Unix time: `floor(unix_secs / 30)`.
pub fn time_step(unix_secs: u64) -> u64 {
    unix_secs / STEP_SECS
}

/// The code at `unix_secs`, as a number (`0..=999_999`).
pub fn generate(secret: &[u8], unix_secs: u64) -> u32 {
    hotp::<Sha1>(secret, time_step(unix_secs), DIGITS)
}

/// The code at `unix_secs` as it is shown: six digits, with leading zeros.
pub fn generate_code(secret: &[u8], unix_secs: u64) -> String {
    format!("{:06}", generate(secret, unix_secs))
}

/// The time step `code` matches within ±1 step of `now_secs`, or `None`.
///
/// The caller must still make each step count once per user (see the module docs).
pub fn verify(secret: &[u8], code: &str, now_secs: u64) -> Option<u64> {
    verify_after(secret, code, now_secs, None)
}

/// [`verify`], considering only steps after `last_used_step` (the step of the user's
/// last accepted code). When a code matches more than one step, the earliest is
/// returned.
pub fn verify_after(
    secret: &[u8],
    code: &str,
    now_secs: u64,
    last_used_step: Option<u64>,
) -> Option<u64> {
    let code = parse_code(code)?;
    let current = time_step(now_secs);
    let earliest = current.saturating_sub(WINDOW);
    let latest = current.saturating_add(WINDOW);
    let mut matched = Choice::from(0);
    let mut found: u64 = 0;
    for step in earliest..=latest {
        let candidate = digits(hotp::<Sha1>(secret, step, DIGITS));
        // `last_used_step` and the window are not secret; only the comparison is.
        let fresh = Choice::from(u8::from(last_used_step.is_none_or(|last| step > last)));
        let hit = candidate.ct_eq(&code) & fresh & !matched;
        found.conditional_assign(&step, hit);
        matched |= hit;
    }
    bool::from(matched).then_some(found)
}

/// `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`
/// (the Key URI format authenticator apps scan), every value percent-encoded.
///
/// `issuer` is the service name (e.g. the host of `PUBLIC_ORIGIN`), `account_label`
/// what the user recognises (their email), `secret_b32` the [`super::base32::encode`]d
/// secret.
pub fn otpauth_uri(issuer: &str, account_label: &str, secret_b32: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        percent_encode(account_label),
        percent_encode(secret_b32),
    )
}

/// RFC 3986 percent-encoding of everything but the unreserved characters
/// (`A–Z a–z 0–9 - . _ ~`), so `:`, `/`, `?`, `&`, `#`, `=`, `@`, `+` and spaces in an
/// issuer or label cannot change the URI's structure.
fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            for nibble in [byte >> 4, byte & 0x0f] {
                out.push(HEX.get(usize::from(nibble)).map_or('0', |&h| char::from(h)));
            }
        }
    }
    out
}

/// The six ASCII digits of a code, or `None` for anything else.
fn parse_code(code: &str) -> Option<[u8; 6]> {
    let bytes: [u8; 6] = code.as_bytes().try_into().ok()?;
    bytes.iter().all(u8::is_ascii_digit).then_some(bytes)
}

/// A six-digit value as ASCII digits, with leading zeros.
fn digits(mut value: u32) -> [u8; 6] {
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        // `value % 10` is below 10, so the cast cannot truncate.
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out
}

/// HOTP (RFC 4226 §5.3) with any SHA-family hash: HMAC of the big-endian counter,
/// dynamic truncation to 31 bits, reduced to `digits` decimal digits.
fn hotp<D: EagerHash>(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let mac = kdf::hmac::<D>(secret, &[&counter.to_be_bytes()]);
    let offset = usize::from(mac.last().copied().unwrap_or(0) & 0x0f);
    // offset + 4 ≤ 19 < every SHA output length; `cycle` keeps this total anyway.
    let word = mac
        .iter()
        .cycle()
        .skip(offset)
        .take(4)
        .fold(0u32, |word, &byte| (word << 8) | u32::from(byte));
    (word & 0x7fff_ffff) % 10u32.pow(digits)
}

#[cfg(test)]
mod tests;
