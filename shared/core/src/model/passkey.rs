//! Passkey records: the credentials a user registered, and the index that finds one by
//! its credential id (docs/passkeys.md §2).
//!
//! | record | shard | name | value | expiry |
//! |---|---|---|---|---|
//! | passkey | `user/{user_id}` | `passkey/{passkey_id}` | [`PasskeyRecord`] JSON | none |
//! | credential index | `passkey-credential/{passkey_id}` | `owner` | the owner's user id | none |
//!
//! The passkey id is derived from the credential id ([`id_of`]: the first 128 bits of
//! its SHA-256, in hex): a credential has one id wherever it is looked up, a 1023-byte
//! credential id makes a short key, and the index entry and the record name each other
//! without being read — a removal, and an erasure, release the index from the record's
//! name alone. A user's passkeys share the user's shard, so listing them is one shard's
//! work and erasing the account's shard erases them; the index is the one record
//! outside it, and [`erase_all`] releases it first.
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

/// The field of the user record holding the user's WebAuthn user handle (`user.id` in
/// passkey registrations): 32 random bytes, base64url, made at the first registration.
/// Random rather than the user id, so that what an authenticator stores links to
/// nothing else (docs/passkeys.md §2). Kept in the record's open fields
/// ([`user::UserRecord::other`]) rather than a typed one: only the passkey flows read
/// it, and the functions that do not (the Workers `api` decodes the user record on
/// every request) carry no code for it.
pub const USER_HANDLE_FIELD: &str = "webauthn_user_handle";

/// The user's WebAuthn user handle (base64url), if one was made.
pub fn user_handle(user: &user::UserRecord) -> Option<&str> {
    user.other
        .get(USER_HANDLE_FIELD)
        .and_then(serde_json::Value::as_str)
}

/// Where the credential index points.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// The passkey id of a credential id: the first 128 bits of its SHA-256, hex (an id
/// of the shape [`user::is_id`] accepts). Two credential ids sharing it would need a
/// 128-bit collision; the index refuses the second one anyway.
pub fn id_of(credential_id: &[u8]) -> String {
    let hash = sha256(credential_id);
    encoding::hex(hash.get(..16).unwrap_or_default())
}

/// The index shard of passkey `passkey_id`.
pub fn index_shard(passkey_id: &str) -> String {
    alloc::format!("{INDEX_SHARD_PREFIX}{passkey_id}")
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
    let passkey_id = id_of(credential_id);
    let shard = index_shard(&passkey_id);
    let owner = atomic.get(AtomicKey::new(&shard, INDEX_NAME)).await?;
    Ok(owner
        .filter(|user_id| user::is_id(user_id))
        .map(|user_id| IndexEntry {
            user_id,
            passkey_id,
        }))
}

/// Stores a new passkey and claims its credential id. `false` when the credential id
/// is registered already (to this user or another): nothing stays written then.
pub async fn insert(atomic: &impl AtomicStore, record: &PasskeyRecord) -> Result<bool, ApiError> {
    let shard = user::shard(&record.user_id);
    let name = record.name();
    let raw = encode(record)?;
    let record_key = AtomicKey::new(&shard, &name);
    if record.id != id_of(&record.credential_id_bytes()) {
        return Err(ApiError::Internal(Internal(
            "passkey id not of its credential",
        )));
    }
    if !atomic
        .compare_and_swap(record_key, None, Some(&raw), None)
        .await?
    {
        // This user registered this credential already.
        return Ok(false);
    }
    let index = index_shard(&record.id);
    if atomic
        .compare_and_swap(
            AtomicKey::new(&index, INDEX_NAME),
            None,
            Some(&record.user_id),
            None,
        )
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

/// Removes a passkey: its index entry first (if it still names the owner), then the
/// record if it is still `expected`. Returns whether the record was removed.
pub async fn remove(
    atomic: &impl AtomicStore,
    record: &PasskeyRecord,
    expected: &str,
) -> Result<bool, ApiError> {
    release_index(atomic, &record.user_id, &record.id).await?;
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

/// Deletes the index entry of passkey `passkey_id` if it names `user_id`: one
/// compare-and-swap, so an entry of another owner (the credential registered again by
/// someone else after a removal) is left alone.
async fn release_index(
    atomic: &impl AtomicStore,
    user_id: &str,
    passkey_id: &str,
) -> Result<(), ApiError> {
    let index = index_shard(passkey_id);
    atomic
        .compare_and_swap(
            AtomicKey::new(&index, INDEX_NAME),
            Some(user_id),
            None,
            None,
        )
        .await?;
    Ok(())
}

/// Every passkey record in a user's shard as a JSON value (the export, which must not
/// depend on this build's decoder); records that do not parse are skipped.
pub async fn list_values(
    atomic: &impl AtomicStore,
    user_id: &str,
) -> Result<Vec<serde_json::Value>, ApiError> {
    if !user::is_id(user_id) {
        return Ok(Vec::new());
    }
    let records = atomic.list(&user::shard(user_id), NAME_PREFIX).await?;
    Ok(records
        .iter()
        .filter_map(|(_, raw)| serde_json::from_str(raw).ok())
        .collect())
}

/// Erasure: releases the index entry of every passkey of `user_id` and deletes the
/// records. Returns how many passkeys there were. Works from the records' names (the
/// passkey ids), so a record this build cannot decode is erased all the same, and
/// nothing is parsed.
pub async fn erase_all(atomic: &impl AtomicStore, user_id: &str) -> Result<usize, ApiError> {
    if !user::is_id(user_id) {
        return Ok(0);
    }
    let shard = user::shard(user_id);
    let records = atomic.list(&shard, NAME_PREFIX).await?;
    for (name, raw) in &records {
        if let Some(passkey_id) = name.strip_prefix(NAME_PREFIX) {
            release_index(atomic, user_id, passkey_id).await?;
        }
        atomic
            .compare_and_swap(AtomicKey::new(&shard, name), Some(raw), None, None)
            .await?;
    }
    Ok(records.len())
}

#[cfg(test)]
mod tests;
