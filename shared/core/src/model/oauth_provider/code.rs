//! Authorization codes (RFC 6749 §4.1): 256 random bits handed to the client through
//! the browser, stored as their SHA-256 in shard `oauth/code/{hash}`, name `code`.
//!
//! A code lives [`LIFETIME_MS`] (60 s) and is redeemed once. Redeeming writes the grant
//! first and then marks the code redeemed by compare-and-swap, so a redeemed code
//! always names a grant that exists; the redeemed record is kept [`REDEEMED_MEMORY_MS`]
//! so that a second use is recognised and revokes that grant (RFC 6749 §4.1.2).
//!
//! Security considerations: the code's hash is the key, so a code is looked up without
//! being stored; everything the token request must match (client, redirect URI, PKCE
//! challenge) is in the record; the grant id is fixed when the code is issued, so two
//! concurrent redemptions race on one grant record and the loser sees the winner's.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::crypto::kdf::sha256;
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::store::{AtomicKey, AtomicStore};

/// How long a code may be redeemed (RFC 6749 §4.1.2 recommends at most 10 minutes;
/// edgeauth's contract bounds it at 60 s).
pub const LIFETIME_MS: u64 = 60_000;
/// How long a redeemed code is remembered, to recognise a second use.
pub const REDEEMED_MEMORY_MS: u64 = 60 * 60 * 1000;
/// Bytes of a code.
pub const CODE_BYTES: usize = 32;
const NAME: &str = "code";

/// Where a code stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeState {
    /// Issued, not used yet.
    Issued,
    /// Exchanged once for tokens.
    Redeemed,
    /// Presented again after its redemption: its grant was revoked.
    Reused,
}

/// One authorization code's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRecord {
    /// The client it was issued to.
    pub client_id: String,
    /// The redirect URI of the authorization request.
    pub redirect_uri: String,
    /// The user who authorized it.
    pub user_id: String,
    /// The grant the redemption creates (fixed at issuance).
    pub grant_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Granted resources.
    pub resources: Vec<String>,
    /// The request's `nonce`.
    pub nonce: Option<String>,
    /// The PKCE S256 challenge.
    pub code_challenge: String,
    /// The user's sign-in time (Unix seconds).
    pub auth_time_secs: u64,
    /// The user's session epoch when the code was issued (the grant's epoch).
    pub epoch: u64,
    /// Issue time, Unix ms.
    pub issued_at_ms: u64,
    /// Where it stands.
    pub state: CodeState,
}

/// The key of a code: hex SHA-256 of its text.
pub fn key_of(code: &str) -> String {
    encoding::hex(&sha256(code.as_bytes()))
}

fn shard(key: &str) -> String {
    alloc::format!("oauth/code/{key}")
}

fn encode(record: &CodeRecord) -> Result<String, ApiError> {
    serde_json::to_string(record).map_err(|_| ApiError::Internal(Internal("code encoding")))
}

/// Stores a freshly issued code.
pub async fn put(
    atomic: &impl AtomicStore,
    key: &str,
    record: &CodeRecord,
) -> Result<(), ApiError> {
    let shard = shard(key);
    let expires = record.issued_at_ms.saturating_add(LIFETIME_MS);
    if !atomic
        .compare_and_swap(
            AtomicKey::new(&shard, NAME),
            None,
            Some(&encode(record)?),
            Some(expires),
        )
        .await?
    {
        return Err(ApiError::Unavailable(Internal("code collision")));
    }
    Ok(())
}

/// Reads the code with key `key` and its raw text.
pub async fn load(
    atomic: &impl AtomicStore,
    key: &str,
) -> Result<Option<(CodeRecord, String)>, ApiError> {
    let shard = shard(key);
    let Some(raw) = atomic.get(AtomicKey::new(&shard, NAME)).await? else {
        return Ok(None);
    };
    let record = serde_json::from_str(&raw)
        .map_err(|_| ApiError::Internal(Internal("code record corrupt")))?;
    Ok(Some((record, raw)))
}

/// Moves the code read as `raw` to `state`, remembered until `now_ms` +
/// [`REDEEMED_MEMORY_MS`]; `false` when it changed meanwhile.
pub async fn mark(
    atomic: &impl AtomicStore,
    key: &str,
    raw: &str,
    record: &CodeRecord,
    state: CodeState,
    now_ms: u64,
) -> Result<bool, ApiError> {
    let shard = shard(key);
    let mut marked = record.clone();
    marked.state = state;
    Ok(atomic
        .compare_and_swap(
            AtomicKey::new(&shard, NAME),
            Some(raw),
            Some(&encode(&marked)?),
            Some(now_ms.saturating_add(REDEEMED_MEMORY_MS)),
        )
        .await?)
}
