//! Accounts at sign-in providers linked to a user (docs/social-login.md).
//!
//! Two records, kept together the way the email index and the user record are:
//! - in the user record, [`crate::model::user::UserRecord::identities`]: one
//!   [`LinkedIdentity`] per linked provider account — the provider, the subject and the
//!   provider's address as ciphertexts bound to the record, and the index entry it
//!   owns. Linking and unlinking are compare-and-swaps on the user record; unlinking
//!   marks the link first (`removing_since_ms`), so the rule that the last sign-in
//!   method stays ([`crate::model::sign_in_methods`]) holds under concurrency, with
//!   passkey removals too;
//! - the **identity index**, AtomicStore shard `identity/{index}`, name `owner`, value
//!   the user id, where `index` is the keyed blind index of provider and subject
//!   ([`crate::crypto::blind_index::identity_index`]). It finds the user at sign-in and
//!   is claimed with `compare_and_swap(expected = None)`, so one provider account links
//!   to at most one user.
//!
//! Order of writes: linking writes the record first and claims the index second (a
//! failure in between leaves an entry no sign-in reaches); unlinking and erasure remove
//! the entry first and release the index second. A sign-in that finds an index whose
//! owner does not list the identity treats it as unlinked and releases it.
//!
//! Security considerations: neither the subject nor the provider's address is stored in
//! the clear; the index is a keyed MAC, looked up under every data key during a rotation.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::crypto::{aead, blind_index};
use crate::env::Random;
use crate::error::ApiError;
use crate::store::{AtomicKey, AtomicStore};

/// Name of the index record inside an identity shard.
pub const OWNER: &str = "owner";

/// One provider account linked to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedIdentity {
    /// The provider's name (`OAUTH_PROVIDERS`).
    pub provider: String,
    /// The subject at the provider: ciphertext bound to [`context`].
    pub subject: String,
    /// The address the provider asserted when linked: ciphertext bound to [`context`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The identity index entry this link owns (as written, key id included).
    pub index: String,
    /// When it was linked (Unix ms).
    pub linked_at_ms: u64,
    /// Set while an unlink decides whether this link may go (the last-method rule,
    /// [`crate::model::sign_in_methods`]); a link marked less than
    /// [`crate::model::passkey::REMOVAL_MARK_MS`] ago does not count as a sign-in
    /// method for other removals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removing_since_ms: Option<u64>,
}

/// The associated data binding an identity's ciphertexts to the user and the provider.
pub fn context(user_id: &str, provider: &str) -> String {
    alloc::format!("user/{user_id}#identity/{provider}")
}

/// The shard of an identity index entry.
pub fn shard(index: &str) -> String {
    alloc::format!("identity/{index}")
}

/// A new link of `provider`'s `subject` (and `email`) for `user_id`, under the active
/// data key.
pub fn new(
    config: &Config,
    random: &impl Random,
    user_id: &str,
    provider: &str,
    subject: &str,
    email: Option<&str>,
    now_ms: u64,
) -> Result<LinkedIdentity, ApiError> {
    let keys = &config.data_encryption_keys;
    let context = context(user_id, provider);
    let email = match email {
        Some(email) => Some(aead::encrypt(keys, random, &context, email.as_bytes())?),
        None => None,
    };
    Ok(LinkedIdentity {
        provider: provider.into(),
        subject: aead::encrypt(keys, random, &context, subject.as_bytes())?,
        email,
        index: blind_index::identity_index(keys, provider, subject),
        linked_at_ms: now_ms,
        removing_since_ms: None,
    })
}

impl LinkedIdentity {
    /// Whether an unlink marked it within the last
    /// [`crate::model::passkey::REMOVAL_MARK_MS`].
    pub fn being_removed(&self, now_ms: u64) -> bool {
        self.removing_since_ms.is_some_and(|since| {
            now_ms.saturating_sub(since) < crate::model::passkey::REMOVAL_MARK_MS
        })
    }

    /// The subject, decrypted (`503` when unreadable).
    pub fn subject(&self, config: &Config, user_id: &str) -> Result<String, ApiError> {
        Ok(aead::decrypt_string(
            &config.data_encryption_keys,
            &context(user_id, &self.provider),
            &self.subject,
        )?)
    }

    /// The provider's address, decrypted (`503` when unreadable).
    pub fn email(&self, config: &Config, user_id: &str) -> Result<Option<String>, ApiError> {
        match &self.email {
            Some(email) => Ok(Some(aead::decrypt_string(
                &config.data_encryption_keys,
                &context(user_id, &self.provider),
                email,
            )?)),
            None => Ok(None),
        }
    }
}

/// The user a provider account is linked to, looked up under every data key; with the
/// index it was found under.
pub async fn find(
    atomic: &impl AtomicStore,
    config: &Config,
    provider: &str,
    subject: &str,
) -> Result<Option<(String, String)>, ApiError> {
    let mut found = None;
    for index in
        blind_index::identity_index_candidates(&config.data_encryption_keys, provider, subject)
    {
        let owner = atomic.get(AtomicKey::new(&shard(&index), OWNER)).await?;
        if found.is_none() {
            found = owner.map(|owner| (owner, index));
        }
    }
    Ok(found)
}

/// Claims `index` for `user_id`; `false` when another user holds it.
pub async fn claim(
    atomic: &impl AtomicStore,
    index: &str,
    user_id: &str,
) -> Result<bool, ApiError> {
    Ok(atomic
        .compare_and_swap(
            AtomicKey::new(&shard(index), OWNER),
            None,
            Some(user_id),
            None,
        )
        .await?)
}

/// Releases `index` if `user_id` still holds it.
pub async fn release(
    atomic: &impl AtomicStore,
    index: &str,
    user_id: &str,
) -> Result<bool, ApiError> {
    Ok(atomic
        .compare_and_swap(
            AtomicKey::new(&shard(index), OWNER),
            Some(user_id),
            None,
            None,
        )
        .await?)
}

/// The index entries of `identities` (for erasure).
pub fn indexes(identities: &[LinkedIdentity]) -> Vec<String> {
    identities
        .iter()
        .map(|identity| identity.index.clone())
        .collect()
}

#[cfg(test)]
mod tests;
