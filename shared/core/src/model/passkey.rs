//! Passkey records: the credentials a user registered, and the index that finds one by
//! its credential id (docs/passkeys.md §2).
//!
//! | record | shard | name | value | expiry |
//! |---|---|---|---|---|
//! | passkey | `user/{user_id}` | `passkey/{passkey_id}` | [`PasskeyRecord`] JSON | none |
//! | credential index | `passkey-credential/{hex(SHA-256(credential id))}` | `owner` | [`IndexEntry`] JSON | none |
//!
//! A user's passkeys share the user's shard, so listing them is one shard's work and
//! erasing the account's shard erases them; the index is the one record outside it,
//! and [`erase_all`] releases it first. The credential id is hashed into the index's
//! shard name so that a 1023-byte id makes a short key.
//!
//! Writes are compare-and-swaps: a new passkey is written first and then claims the
//! index with `expected = None`, so a credential id already registered (by anyone)
//! is refused and the record just written is removed again; a removal releases the
//! index (compare-and-swap on its value) before it deletes the record, so no index
//! entry ever points at a passkey that is gone while the passkey still exists.
//!
//! Security considerations: a record holds the public key, the credential id and
//! metadata — nothing secret (the private key never leaves the authenticator) — so the
//! export may show all of it. Ids from requests are checked for shape before they
//! become part of a key.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::crypto::kdf::sha256;
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::model::user;
use crate::store::{AtomicKey, AtomicStore};

/// Prefix of passkey records in a user's shard.
pub const NAME_PREFIX: &str = "passkey/";
/// Shard prefix of the credential index.
pub const INDEX_SHARD_PREFIX: &str = "passkey-credential/";
const INDEX_NAME: &str = "owner";
/// Most passkeys one account may register (bounds every listing and the
/// `excludeCredentials`/`allowCredentials` lists).
pub const MAX_PER_USER: usize = 20;
/// Longest passkey name, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Transports a client may report (`AuthenticatorTransport`); others are dropped.
pub const KNOWN_TRANSPORTS: [&str; 6] = ["ble", "hybrid", "internal", "nfc", "smart-card", "usb"];
const ATTEMPTS: usize = 6;
/// How long a removal's mark holds (a removal that died half-way stops counting after it).
pub const REMOVAL_MARK_MS: u64 = 60 * 1000;

/// One registered passkey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyRecord {
    /// 128-bit random id, hex: the API's name for it (`/api/me/passkeys/{id}`).
    pub id: String,
    /// The owner.
    pub user_id: String,
    /// The credential id, base64url.
    pub credential_id: String,
    /// The COSE_Key exactly as the authenticator sent it, base64url.
    pub public_key: String,
    /// The COSE algorithm of the key (-7 ES256, -8 EdDSA, -257 RS256).
    pub algorithm: i64,
    /// The last signature counter seen (0: the authenticator keeps none).
    pub sign_count: u32,
    /// BE: a multi-device (syncable) passkey. Never changes.
    pub backup_eligible: bool,
    /// BS: backed up, as last seen.
    pub backup_state: bool,
    /// The authenticator model's AAGUID (hex; unverified with `none` attestation).
    pub aaguid: String,
    /// Transports the client reported at registration (hints for `allowCredentials`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transports: Vec<String>,
    /// The user's name for it.
    pub name: String,
    /// Registration time, Unix ms.
    pub created_at_ms: u64,
    /// Last successful use, Unix ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at_ms: Option<u64>,
    /// When an assertion arrived whose counter went backwards (a possible clone): shown
    /// to the user, kept until the passkey is removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter_regressed_at_ms: Option<u64>,
    /// Set while a removal decides whether this passkey may go (the last-method rule,
    /// [`crate::model::sign_in_methods`]); a passkey marked less than
    /// [`REMOVAL_MARK_MS`] ago does not count as a sign-in method for other removals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removing_since_ms: Option<u64>,
}

impl PasskeyRecord {
    /// The credential id's bytes (empty if the stored text is corrupt: never matches).
    pub fn credential_id_bytes(&self) -> Vec<u8> {
        encoding::b64url_decode(&self.credential_id).unwrap_or_default()
    }

    /// Whether a removal marked it within the last [`REMOVAL_MARK_MS`].
    pub fn being_removed(&self, now_ms: u64) -> bool {
        self.removing_since_ms
            .is_some_and(|since| now_ms.saturating_sub(since) < REMOVAL_MARK_MS)
    }

    /// The record's name in its user's shard.
    pub fn name(&self) -> String {
        name(&self.id)
    }
}

/// Where the credential index points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The owner.
    pub user_id: String,
    /// The passkey record's id.
    pub passkey_id: String,
}

/// The name of passkey `passkey_id` in its user's shard.
pub fn name(passkey_id: &str) -> String {
    alloc::format!("{NAME_PREFIX}{passkey_id}")
}

/// The index shard of a credential id.
pub fn index_shard(credential_id: &[u8]) -> String {
    alloc::format!(
        "{INDEX_SHARD_PREFIX}{}",
        encoding::hex(&sha256(credential_id))
    )
}

fn encode<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|_| ApiError::Internal(Internal("passkey encoding")))
}

fn decode(raw: &str) -> Option<PasskeyRecord> {
    serde_json::from_str(raw).ok()
}

/// Every passkey of a user with its raw stored text, oldest first. Records that do not
/// parse, or belong to someone else, are skipped.
pub async fn list(
    atomic: &impl AtomicStore,
    user_id: &str,
) -> Result<Vec<(PasskeyRecord, String)>, ApiError> {
    if !user::is_id(user_id) {
        return Ok(Vec::new());
    }
    let mut passkeys: Vec<(PasskeyRecord, String)> = atomic
        .list(&user::shard(user_id), NAME_PREFIX)
        .await?
        .into_iter()
        .filter_map(|(_, raw)| decode(&raw).map(|record| (record, raw)))
        .filter(|(record, _)| record.user_id == user_id)
        .collect();
    passkeys.sort_by(|(a, _), (b, _)| (a.created_at_ms, &a.id).cmp(&(b.created_at_ms, &b.id)));
    Ok(passkeys)
}

/// One passkey of a user and its raw text; `None` for an unknown or malformed id.
pub async fn load(
    atomic: &impl AtomicStore,
    user_id: &str,
    passkey_id: &str,
) -> Result<Option<(PasskeyRecord, String)>, ApiError> {
    if !user::is_id(user_id) || !user::is_id(passkey_id) {
        return Ok(None);
    }
    let raw = atomic
        .get(AtomicKey::new(&user::shard(user_id), &name(passkey_id)))
        .await?;
    Ok(raw
        .and_then(|raw| decode(&raw).map(|record| (record, raw)))
        .filter(|(record, _)| record.user_id == user_id && record.id == passkey_id))
}

/// The owner of a credential id, if it is registered.
pub async fn lookup(
    atomic: &impl AtomicStore,
    credential_id: &[u8],
) -> Result<Option<IndexEntry>, ApiError> {
    let shard = index_shard(credential_id);
    let raw = atomic.get(AtomicKey::new(&shard, INDEX_NAME)).await?;
    Ok(raw.and_then(|raw| serde_json::from_str(&raw).ok()))
}

/// Stores a new passkey and claims its credential id. `false` when the credential id
/// is registered already (to this user or another): nothing stays written then.
pub async fn insert(atomic: &impl AtomicStore, record: &PasskeyRecord) -> Result<bool, ApiError> {
    let shard = user::shard(&record.user_id);
    let name = record.name();
    let raw = encode(record)?;
    let record_key = AtomicKey::new(&shard, &name);
    if !atomic
        .compare_and_swap(record_key, None, Some(&raw), None)
        .await?
    {
        return Err(ApiError::Unavailable(Internal("passkey id collision")));
    }
    let entry = encode(&IndexEntry {
        user_id: record.user_id.clone(),
        passkey_id: record.id.clone(),
    })?;
    let index = index_shard(&record.credential_id_bytes());
    if atomic
        .compare_and_swap(AtomicKey::new(&index, INDEX_NAME), None, Some(&entry), None)
        .await?
    {
        return Ok(true);
    }
    atomic
        .compare_and_swap(record_key, Some(&raw), None, None)
        .await?;
    Ok(false)
}

/// Replaces a stored passkey if it is still `expected` (its raw text).
pub async fn swap(
    atomic: &impl AtomicStore,
    expected: &str,
    record: &PasskeyRecord,
) -> Result<bool, ApiError> {
    let shard = user::shard(&record.user_id);
    Ok(atomic
        .compare_and_swap(
            AtomicKey::new(&shard, &record.name()),
            Some(expected),
            Some(&encode(record)?),
            None,
        )
        .await?)
}

/// Removes a passkey: its index entry first (if it still points here), then the
/// record if it is still `expected`. Returns whether the record was removed.
pub async fn remove(
    atomic: &impl AtomicStore,
    record: &PasskeyRecord,
    expected: &str,
) -> Result<bool, ApiError> {
    release_index(
        atomic,
        &record.user_id,
        &record.id,
        &record.credential_id_bytes(),
    )
    .await?;
    let shard = user::shard(&record.user_id);
    Ok(atomic
        .compare_and_swap(
            AtomicKey::new(&shard, &record.name()),
            Some(expected),
            None,
            None,
        )
        .await?)
}

/// Deletes the index entry of `credential_id` if it names passkey `passkey_id` of
/// `user_id`.
async fn release_index(
    atomic: &impl AtomicStore,
    user_id: &str,
    passkey_id: &str,
    credential_id: &[u8],
) -> Result<(), ApiError> {
    let index = index_shard(credential_id);
    let key = AtomicKey::new(&index, INDEX_NAME);
    for _ in 0..ATTEMPTS {
        let Some(raw) = atomic.get(key).await? else {
            return Ok(());
        };
        // Read as a JSON value (already in every build) rather than through a derived
        // decoder: the Workers `api` links this for erasure only, and is size-bound.
        let entry = serde_json::from_str::<serde_json::Value>(&raw).unwrap_or_default();
        let field = |name: &str| entry.get(name).and_then(serde_json::Value::as_str);
        let ours = field("user_id") == Some(user_id) && field("passkey_id") == Some(passkey_id);
        if !ours || atomic.compare_and_swap(key, Some(&raw), None, None).await? {
            return Ok(());
        }
    }
    Err(ApiError::Unavailable(Internal("passkey index contended")))
}

/// Every passkey record of a user as a JSON value, with its name and raw text (the
/// export and erasure, which must not depend on this build's decoder). Records of
/// another user are skipped.
pub async fn list_values(
    atomic: &impl AtomicStore,
    user_id: &str,
) -> Result<Vec<(String, String, serde_json::Value)>, ApiError> {
    if !user::is_id(user_id) {
        return Ok(Vec::new());
    }
    Ok(atomic
        .list(&user::shard(user_id), NAME_PREFIX)
        .await?
        .into_iter()
        .filter_map(|(name, raw)| {
            let value: serde_json::Value = serde_json::from_str(&raw).ok()?;
            let owner = value.get("user_id").and_then(serde_json::Value::as_str);
            (owner == Some(user_id)).then_some((name, raw, value))
        })
        .collect())
}

/// Erasure: releases the index entry of every passkey of `user_id` and deletes the
/// records. Returns how many passkeys there were. Works on the records as JSON values,
/// so a record this build cannot decode is erased all the same.
pub async fn erase_all(atomic: &impl AtomicStore, user_id: &str) -> Result<usize, ApiError> {
    let passkeys = list_values(atomic, user_id).await?;
    let shard = user::shard(user_id);
    for (name, raw, value) in &passkeys {
        let text = |name: &str| value.get(name).and_then(serde_json::Value::as_str);
        let credential = text("credential_id")
            .and_then(encoding::b64url_decode)
            .unwrap_or_default();
        let id = text("id").unwrap_or_default();
        release_index(atomic, user_id, id, &credential).await?;
        atomic
            .compare_and_swap(AtomicKey::new(&shard, name), Some(raw), None, None)
            .await?;
    }
    Ok(passkeys.len())
}

#[cfg(test)]
mod tests;
