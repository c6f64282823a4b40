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
mod tests {
    use super::*;
    use crate::env::fake::SeededRandom;
    use alloc::format;
    use alloc::vec::Vec;

    const KEY_A: &str = "OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c";
    const KEY_B: &str = "ZVVV4f0TrU4rsRpAWk4cLk3RkBOso06T_LSpHOxSIUU";

    fn ring(spec: &str) -> Keyring {
        Keyring::parse(spec, false).unwrap()
    }

    #[test]
    fn sweep_moves_old_values_and_leaves_current_ones() {
        let random = SeededRandom::new(11);
        let old_ring = ring(&format!("test-a:{KEY_A}"));
        let new_ring = ring(&format!("test-b:{KEY_B},test-a:{KEY_A}"));
        let old = aead::encrypt(&old_ring, &random, "user/1/totp#secret", b"s1").unwrap();
        let current = aead::encrypt(&new_ring, &random, "user/2/totp#secret", b"s2").unwrap();

        assert_eq!(
            reencrypt_if_stale(&new_ring, &random, "user/2/totp#secret", &current),
            Ok(None)
        );
        let moved = reencrypt_if_stale(&new_ring, &random, "user/1/totp#secret", &old)
            .unwrap()
            .unwrap();
        assert_eq!(aead::key_id(&moved), Some("test-b"));
        let only_b = ring(&format!("test-b:{KEY_B}"));
        assert_eq!(
            aead::decrypt(&only_b, "user/1/totp#secret", &moved)
                .unwrap()
                .expose(),
            b"s1"
        );
    }

    #[test]
    fn sweep_reports_unreadable_values_instead_of_replacing_them() {
        let random = SeededRandom::new(12);
        let keyring = ring(&format!("test-b:{KEY_B},test-a:{KEY_A}"));
        let old = aead::encrypt(&ring(&format!("test-a:{KEY_A}")), &random, "ctx", b"x").unwrap();
        let values = [
            old.replacen("test-a", "gone", 1),
            String::from("not a ciphertext"),
            old.clone(),
        ];
        let mut tally = SweepTally::default();
        let outcomes: Vec<_> = values
            .iter()
            .map(|value| reencrypt_if_stale(&keyring, &random, "ctx", value))
            .collect();
        for outcome in &outcomes {
            tally.record(outcome);
        }
        assert_eq!(outcomes[0], Err(CryptoError::UnknownKey));
        assert_eq!(outcomes[1], Err(CryptoError::Malformed));
        assert_eq!(
            tally,
            SweepTally {
                current: 0,
                moved: 1,
                failed: 2
            }
        );
        assert!(!tally.complete());
    }

    #[test]
    fn verification_pass_after_a_sweep_is_complete() {
        let random = SeededRandom::new(13);
        let keyring = ring(&format!("test-b:{KEY_B},test-a:{KEY_A}"));
        let old_ring = ring(&format!("test-a:{KEY_A}"));
        let mut stored: Vec<String> = (0..5)
            .map(|i| aead::encrypt(&old_ring, &random, "ctx", &[i]).unwrap())
            .collect();
        for value in stored.iter_mut() {
            if let Some(new) = reencrypt_if_stale(&keyring, &random, "ctx", value).unwrap() {
                *value = new;
            }
        }
        let mut tally = SweepTally::default();
        for value in &stored {
            tally.record(&reencrypt_if_stale(&keyring, &random, "ctx", value));
        }
        assert!(tally.complete());
        assert_eq!(tally.current, 5);
    }

    #[test]
    fn reindex_moves_only_stale_entries() {
        let old_ring = ring(&format!("test-a:{KEY_A}"));
        let new_ring = ring(&format!("test-b:{KEY_B},test-a:{KEY_A}"));
        let stale = blind_index::email_index(&old_ring, "alice@example.com");
        let fresh = reindex_if_stale(&new_ring, "alice@example.com", &stale).unwrap();
        assert_eq!(
            fresh,
            blind_index::email_index(&new_ring, "alice@example.com")
        );
        assert_eq!(
            reindex_if_stale(&new_ring, "alice@example.com", &fresh),
            None
        );
    }
}
