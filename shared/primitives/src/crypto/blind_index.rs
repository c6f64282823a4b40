//! The email blind index: find an account by email without storing the address in
//! the clear.
//!
//! Emails are stored encrypted ([`crate::crypto::aead`]), which makes them unsearchable.
//! The index is a keyed hash of the canonical address:
//!
//! ```text
//! <key_id>.<base64url(HMAC-SHA256(subkey(key, "edgeauth email-index v1"), canonical_email))>
//! ```
//!
//! It is deterministic (the same email always gives the same index under one key), so
//! it can be a record key, e.g. `email/<index>` → user id.
//!
//! ## Which key, and what rotation means
//!
//! An index value is tied to the key it was computed with: a new key gives every email
//! a new index, and the old index can only be recomputed from the plaintext email. We
//! make that explicit instead of hiding it:
//!
//! - The index is computed with the **active** data key and **carries that key's id**
//!   as a prefix. Writes ([`email_index`]) always use the active key.
//! - Lookups ([`email_index_candidates`]) compute the index under **every** key in the
//!   keyring, active first; a flow looks all of them up. During a rotation an account
//!   indexed under the old key is still found.
//! - The rotation sweep ([`crate::crypto::rotation::reindex_if_stale`]) moves each entry
//!   to the active key (it decrypts the account's stored email to recompute the index);
//!   because the key id is a prefix, stale entries are found by listing
//!   `email/<old_key_id>.`. The old key is removed only when none are left — the same
//!   runbook as for ciphertexts (`docs/encryption.md`).
//!
//! The alternative — pinning the index to the oldest key so that adding keys does not
//! move it — only postpones the problem to the day that key is removed, and then the
//! index key changes all at once with no way to look up both.
//!
//! Security considerations:
//! - Uniqueness: a registration must treat an email as taken when **any** candidate
//!   exists, and must create the active-key entry with an atomic create-if-absent, so
//!   that a sweep moving the same email concurrently cannot produce two accounts.
//! - Timing: flows should look up every candidate even after a hit, so the number of
//!   store reads does not depend on whether (or under which key) an account exists.
//! - What it reveals: equality only — two records with the same index have the same
//!   email. Without the key, a stolen store cannot test guesses; with the key (it is
//!   the data key), low-entropy emails can be brute-forced, as with any blind index.
//! - Canonical form: surrounding whitespace trimmed, Unicode lower case (so
//!   `Alice@Example.COM` and `alice@example.com` are one account). This spelling is
//!   part of the stored format: changing it orphans every index entry.

use alloc::string::String;
use alloc::vec::Vec;

use super::kdf::{self, Purpose};
use super::keys::{KeyEntry, Keyring};
use crate::encoding::b64url;

/// Maximum length of an email address in bytes (RFC 5321 path limit, minus `<>`).
pub const MAX_EMAIL_LEN: usize = 254;
/// Maximum length of the local part in bytes (RFC 5321 §4.5.3.1.1).
pub const MAX_LOCAL_PART_LEN: usize = 64;

/// The index of `email` under the active key (for writes).
pub fn email_index(keyring: &Keyring, email: &str) -> String {
    index_under(keyring.active(), &canonical_email(email))
}

/// The index of `email` under every key, active first (for lookups during rotation).
pub fn email_index_candidates(keyring: &Keyring, email: &str) -> Vec<String> {
    let canonical = canonical_email(email);
    keyring
        .iter()
        .map(|key| index_under(key, &canonical))
        .collect()
}

/// The key id an index was computed with, or `None` when it is not an index.
pub fn index_key_id(index: &str) -> Option<&str> {
    let (key_id, mac) = index.rsplit_once('.')?;
    (!key_id.is_empty() && mac.len() == 43).then_some(key_id)
}

/// Whether an index was computed with the active key.
pub fn index_is_current(keyring: &Keyring, index: &str) -> bool {
    index_key_id(index) == Some(keyring.active().id.as_str())
}

/// The canonical form that is indexed: trimmed, Unicode lower case.
pub fn canonical_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// An address [`normalize_email`] refused (the core answers it `400 invalid_request`
/// with the static detail [`InvalidEmail::DETAIL`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidEmail;

impl InvalidEmail {
    /// The client-facing detail.
    pub const DETAIL: &'static str = "email: not a valid address";
}

/// Validates an email address from a request and returns its canonical form.
///
/// Deliberately simple (no quoted local parts, no comments, no IP literals): one `@`,
/// a non-empty local part of at most 64 bytes, a non-empty domain without empty
/// labels, at most 254 bytes in all, and none of the characters that could break a
/// mail header or a log line (controls, whitespace, `<>()[]\,;:"`). Whether the
/// address exists is for the verification mail to find out.
pub fn normalize_email(email: &str) -> Result<String, InvalidEmail> {
    const INVALID: InvalidEmail = InvalidEmail;
    let canonical = canonical_email(email);
    if canonical.len() > MAX_EMAIL_LEN {
        return Err(INVALID);
    }
    let (local, domain) = canonical.split_once('@').ok_or(INVALID)?;
    let forbidden = |c: char| c.is_control() || c.is_whitespace() || "<>()[]\\,;:\"@".contains(c);
    if local.is_empty()
        || local.len() > MAX_LOCAL_PART_LEN
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
        || domain.is_empty()
        || domain.split('.').any(str::is_empty)
        || local.chars().any(forbidden)
        || domain.chars().any(forbidden)
    {
        return Err(INVALID);
    }
    Ok(canonical)
}

/// `<key_id>.<base64url(HMAC-SHA256(email-index subkey, canonical))>`.
/// The index of an account at a sign-in provider (`provider`'s subject `subject`) under
/// the active key: the identity index that finds the user a provider account is linked
/// to. Same key and shape as [`email_index`]; the input starts with a NUL byte, which no
/// canonical address holds, so an identity index never equals an email index.
pub fn identity_index(keyring: &Keyring, provider: &str, subject: &str) -> String {
    index_under(keyring.active(), &identity_input(provider, subject))
}

/// [`identity_index`] under every key, active first (lookups during a key rotation).
pub fn identity_index_candidates(keyring: &Keyring, provider: &str, subject: &str) -> Vec<String> {
    let input = identity_input(provider, subject);
    keyring.iter().map(|key| index_under(key, &input)).collect()
}

fn identity_input(provider: &str, subject: &str) -> String {
    let mut input = String::with_capacity(provider.len() + subject.len() + 10);
    input.push_str("\0identity\0");
    input.push_str(provider);
    input.push('\0');
    input.push_str(subject);
    input
}

fn index_under(key: &KeyEntry, canonical: &str) -> String {
    let tag = kdf::hmac_sha256(key.subkey(Purpose::EmailIndex), &[canonical.as_bytes()]);
    let mut out = String::with_capacity(key.id.len() + 44);
    out.push_str(&key.id);
    out.push('.');
    out.push_str(&b64url(&tag));
    out
}

#[cfg(test)]
mod tests;
