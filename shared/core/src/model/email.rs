//! Email addresses: the form accounts use, the lookup index, and the stored form.
//!
//! - **Normalised** ([`normalize`]): validated and canonical — trimmed, Unicode lower
//!   case — by [`crate::crypto::blind_index::normalize_email`], the one validator of
//!   the core. `Alice@Example.com` and `alice@example.com` are one account (what users
//!   expect, although RFC 5321 lets a server treat local parts case-sensitively).
//! - **Index** ([`email_index`], [`email_index_candidates`]): the keyed blind index
//!   of [`crate::crypto::blind_index`] — `<key_id>.<base64url(HMAC-SHA256)>` — which
//!   names the AtomicStore shard `email/{index}` that finds the account. Writes use
//!   the active `DATA_ENCRYPTION_KEYS` key; lookups compute the index under every key
//!   (active first), so an account indexed under an older key is found during a key
//!   rotation until the sweep ([`crate::flows::admin::data_keys`]) has moved it.
//! - **Stored** ([`StoredEmail`], [`store_email`], [`read_email`]): the address inside
//!   the user record, encrypted with [`crate::crypto::aead`] (XChaCha20-Poly1305, key
//!   id in the ciphertext) and bound to the record by the associated data
//!   [`context`] = `user/{id}#email`.
//!
//! Security considerations:
//! - No address is stored in the clear: the index is a keyed MAC, the record holds a
//!   ciphertext. A stolen store without `DATA_ENCRYPTION_KEYS` reveals neither, and
//!   cannot test guesses.
//! - The binding to the user id means a ciphertext copied from one record into
//!   another (to have a victim's mails go to an attacker's address, say) does not
//!   decrypt there.
//! - Fail closed: a stored address that cannot be decrypted (unknown key id,
//!   tampered, malformed) is `503 unavailable` with the cause in the log, never an
//!   empty or absent address; nothing is written back.
//! - An address reaching a storage key or a mail API is plain `local@domain` within
//!   RFC 5321's lengths; errors never echo the address.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::crypto::{aead, blind_index};
use crate::env::Random;
use crate::error::ApiError;

/// Validates an address typed by a user and returns its normalised form
/// (`400 invalid_request` otherwise).
pub fn normalize(input: &str) -> Result<String, ApiError> {
    Ok(crate::crypto::blind_index::normalize_email(input)?)
}

/// The index a new entry is written under: the blind index with the active key.
pub fn email_index(config: &Config, normalized: &str) -> String {
    blind_index::email_index(&config.data_encryption_keys, normalized)
}

/// Every index the address may be stored under, active key first. Lookups read all
/// of them (even after a hit, so the number of reads does not depend on whether or
/// under which key an account exists); registration treats the address as taken
/// when any of them exists.
pub fn email_index_candidates(config: &Config, normalized: &str) -> Vec<String> {
    blind_index::email_index_candidates(&config.data_encryption_keys, normalized)
}

/// Whether a normalised address is one of `BOOTSTRAP_ADMIN_EMAILS` (which the
/// configuration lower-cases, as [`normalize`] does).
pub fn is_bootstrap_admin(config: &Config, normalized: &str) -> bool {
    config
        .bootstrap_admin_emails
        .iter()
        .any(|admin| *admin == normalized)
}

/// The associated data that binds a user's stored address to their record.
pub fn context(user_id: &str) -> String {
    alloc::format!("user/{user_id}#email")
}

/// The address as kept in the user record: an [`aead`] ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StoredEmail(String);

impl StoredEmail {
    /// The stored ciphertext (for the rotation sweep and tests).
    pub fn ciphertext(&self) -> &str {
        &self.0
    }

    /// Wraps a ciphertext produced under [`context`] (the rotation sweep's output).
    pub fn from_ciphertext(ciphertext: String) -> Self {
        Self(ciphertext)
    }
}

/// Encrypts a normalised address for the record of `user_id` (active key, fresh
/// nonce). A failing random source is `503`.
pub fn store_email(
    config: &Config,
    random: &impl Random,
    user_id: &str,
    normalized: &str,
) -> Result<StoredEmail, ApiError> {
    let ciphertext = aead::encrypt(
        &config.data_encryption_keys,
        random,
        &context(user_id),
        normalized.as_bytes(),
    )?;
    Ok(StoredEmail(ciphertext))
}

/// Decrypts the address stored in the record of `user_id`; `503` (cause logged) when
/// it names an unknown key, is malformed or fails authentication.
pub fn read_email(
    config: &Config,
    user_id: &str,
    stored: &StoredEmail,
) -> Result<String, ApiError> {
    Ok(aead::decrypt_string(
        &config.data_encryption_keys,
        &context(user_id),
        &stored.0,
    )?)
}

#[cfg(test)]
mod tests;
