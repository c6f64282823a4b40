//! Per-record steps of a data-key rotation sweep.
//!
//! When a new key is put in front of `DATA_ENCRYPTION_KEYS`, new writes use it at
//! once, but values written earlier stay under the old key until something rewrites
//! them. A sweep — driven by an adapter or an admin task, since the core does no IO —
//! lists the records, calls these pure helpers on each stored value and writes back
//! what they return. The operator's runbook is in `docs/encryption.md`:
//! add the new key first → deploy → sweep → verify none left → remove the old key.
//!
//! The driver over the user records, and its admin route, is the core's
//! `admin::data_keys`.
//!
//! Security considerations:
//! - The helpers never return a value that was not produced by [`aead::encrypt`] or
//!   [`blind_index::email_index`] under the active key; a value that cannot be read
//!   (unknown key, tampered, malformed) is an error to report, never silently
//!   replaced or dropped — removing the old key before such values are dealt with
//!   would make them permanently unreadable.
//! - A sweep must write back with compare-and-swap (or an equivalent "only if still
//!   equal to what I read"), so a concurrent user write is not overwritten by the
//!   sweep's older plaintext.

use alloc::string::String;

use super::keys::Keyring;
use super::{aead, blind_index, CryptoError};
use crate::env::Random;

/// What a sweep does with one stored ciphertext: `Ok(None)` when it is already under
/// the active key (left as is, not decrypted), `Ok(Some(new))` to store instead, or the
/// reason it cannot be moved (it stays counted as not done).
pub fn reencrypt_if_stale(
    keyring: &Keyring,
    random: &impl Random,
    associated: &str,
    ciphertext: &str,
) -> Result<Option<String>, CryptoError> {
    if !aead::needs_reencryption(keyring, ciphertext) {
        return Ok(None);
    }
    aead::reencrypt(keyring, random, associated, ciphertext).map(Some)
}

/// What a sweep does with one email index entry: `None` when it is under the active
/// key, else the active-key index of `email` (the plaintext, decrypted from the
/// account record the entry points to). The sweep creates the new entry (create-if-
/// absent) and then deletes the old one.
pub fn reindex_if_stale(keyring: &Keyring, email: &str, index: &str) -> Option<String> {
    if blind_index::index_is_current(keyring, index) {
        return None;
    }
    Some(blind_index::email_index(keyring, email))
}

/// Counts of a sweep (or of a verification pass over the records).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepTally {
    /// Values already under the active key.
    pub current: u64,
    /// Values moved to the active key by this pass.
    pub moved: u64,
    /// Values that could not be read; they block the removal of any key.
    pub failed: u64,
}

impl SweepTally {
    /// Records the outcome of [`reencrypt_if_stale`] for one value.
    pub fn record<T>(&mut self, outcome: &Result<Option<T>, CryptoError>) {
        let counter = match outcome {
            Ok(None) => &mut self.current,
            Ok(Some(_)) => &mut self.moved,
            Err(_) => &mut self.failed,
        };
        *counter = counter.saturating_add(1);
    }

    /// Whether the old key may be removed: a verification pass found every value
    /// current (nothing moved, nothing failed).
    pub fn complete(&self) -> bool {
        self.moved == 0 && self.failed == 0
    }
}

#[cfg(test)]
mod tests;
