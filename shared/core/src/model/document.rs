//! The document record, its shares, and where both live.
//!
//! A document and its access list are **one record in the AtomicStore**: shard
//! `doc/{document_id}`, name `document`. Why not the eventually consistent
//! RecordStore (Workers KV), where a stale read of content would be acceptable?
//! Because the access decision and the content must come from the same read: with KV,
//! a share revoked or a document deleted a moment ago could still be served from a
//! cache for up to a minute, and two concurrent `PUT`s would silently lose one
//! update. Here every change is a compare-and-swap on the record read, so
//! revocation and deletion apply to the very next request and no write is lost.
//!
//! Each user's shard (`user/{user_id}`) holds one index entry per document they own
//! or that is shared with them: name `docs/{document_id}`, value [`IndexEntry`]. The
//! index only *finds* documents for `GET /api/documents`; access is always decided
//! on the document record itself, so an entry left behind (a crash between two
//! writes) grants nothing and is pruned when the listing meets it. Writes are ordered
//! so that a failure part-way leaves at most such a stale entry:
//! - create / share: index entry first, then the document;
//! - delete / unshare: the document first, then the index entries.
//!
//! Security considerations: ids are 128 random bits (hex) and are shape-checked
//! before they become part of a key; the stored record carries its owner, which no
//! request body can set (request types deny unknown fields).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::model::user;
use crate::store::{AtomicKey, AtomicStore};

/// Name of the document record in its shard.
pub const NAME: &str = "document";
/// Prefix of index entries in a user's shard.
pub const INDEX_PREFIX: &str = "docs/";

/// What a share allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ShareLevel {
    /// `GET`.
    Read,
    /// `GET` and `PUT`.
    Write,
}

impl ShareLevel {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

/// One stored document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRecord {
    /// 128-bit random id, hex.
    pub id: String,
    /// The owner's user id.
    pub owner_id: String,
    /// Plain text, at most [`crate::flows::documents::MAX_TITLE_CHARS`].
    pub title: String,
    /// Plain text, at most [`crate::flows::documents::MAX_BODY_CHARS`].
    pub body: String,
    /// Unix ms.
    pub created_at_ms: u64,
    /// Unix ms.
    pub updated_at_ms: u64,
    /// Shares: user id → level.
    #[serde(default)]
    pub shares: BTreeMap<String, ShareLevel>,
}

/// How a user is related to a document, as recorded in their index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// They own it.
    Owner,
    /// It is shared with them.
    Shared,
}

/// An index entry in a user's shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// Owner or sharee.
    pub rel: Relation,
    /// When the relation began (Unix ms): listings are newest first.
    pub since_ms: u64,
}

/// The shard of a document.
pub fn shard(document_id: &str) -> String {
    alloc::format!("doc/{document_id}")
}

/// The index entry name of a document in a user's shard.
pub fn index_name(document_id: &str) -> String {
    alloc::format!("{INDEX_PREFIX}{document_id}")
}

/// A new random document id (128 bits, hex).
pub fn new_id(random: &impl crate::Random) -> Result<String, ApiError> {
    let bytes: [u8; 16] = crate::env::random_array(random)?;
    Ok(encoding::hex(&bytes))
}

fn encode<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|_| ApiError::Internal(Internal("document encoding")))
}

/// Reads a document and its raw text (the `expected` of a later swap). Ids that
/// are not of our shape read as absent without touching the store.
pub async fn load_raw(
    atomic: &impl AtomicStore,
    document_id: &str,
) -> Result<Option<(DocumentRecord, String)>, ApiError> {
    if !user::is_id(document_id) {
        return Ok(None);
    }
    let shard = shard(document_id);
    let Some(raw) = atomic.get(AtomicKey::new(&shard, NAME)).await? else {
        return Ok(None);
    };
    let record: DocumentRecord = serde_json::from_str(&raw)
        .map_err(|_| ApiError::Internal(Internal("document record corrupt")))?;
    if record.id != document_id {
        return Err(ApiError::Internal(Internal("document record mismatch")));
    }
    Ok(Some((record, raw)))
}

/// Replaces the document read as `expected` (`None`: create; `new = None`: delete).
/// Returns whether the swap happened.
pub async fn swap(
    atomic: &impl AtomicStore,
    document_id: &str,
    expected: Option<&str>,
    new: Option<&DocumentRecord>,
) -> Result<bool, ApiError> {
    let shard = shard(document_id);
    let new = new.map(encode).transpose()?;
    Ok(atomic
        .compare_and_swap(AtomicKey::new(&shard, NAME), expected, new.as_deref(), None)
        .await?)
}

/// Writes (or overwrites) `user_id`'s index entry for a document.
pub async fn put_index(
    atomic: &impl AtomicStore,
    user_id: &str,
    document_id: &str,
    entry: IndexEntry,
) -> Result<(), ApiError> {
    let shard = user::shard(user_id);
    let name = index_name(document_id);
    let key = AtomicKey::new(&shard, &name);
    let new = encode(&entry)?;
    for _ in 0..4 {
        let current = atomic.get(key).await?;
        if atomic
            .compare_and_swap(key, current.as_deref(), Some(&new), None)
            .await?
        {
            return Ok(());
        }
    }
    Err(ApiError::Unavailable(Internal("document index contended")))
}

/// Removes `user_id`'s index entry for a document (absent is fine).
pub async fn remove_index(
    atomic: &impl AtomicStore,
    user_id: &str,
    document_id: &str,
) -> Result<(), ApiError> {
    let shard = user::shard(user_id);
    let name = index_name(document_id);
    let key = AtomicKey::new(&shard, &name);
    for _ in 0..4 {
        let Some(current) = atomic.get(key).await? else {
            return Ok(());
        };
        if atomic
            .compare_and_swap(key, Some(&current), None, None)
            .await?
        {
            return Ok(());
        }
    }
    Err(ApiError::Unavailable(Internal("document index contended")))
}

/// Every index entry of `user_id`: `(document_id, entry)`. Malformed entries are
/// skipped (they would only ever find nothing).
pub async fn index_of(
    atomic: &impl AtomicStore,
    user_id: &str,
) -> Result<Vec<(String, IndexEntry)>, ApiError> {
    let shard = user::shard(user_id);
    Ok(atomic
        .list(&shard, INDEX_PREFIX)
        .await?
        .into_iter()
        .filter_map(|(name, raw)| {
            let id = name.strip_prefix(INDEX_PREFIX)?;
            let entry = serde_json::from_str::<IndexEntry>(&raw).ok()?;
            user::is_id(id).then(|| (String::from(id), entry))
        })
        .collect())
}

/// Removes the index entries of a deleted document (owner and sharees).
pub async fn remove_all_index_entries(
    atomic: &impl AtomicStore,
    document: &DocumentRecord,
) -> Result<(), ApiError> {
    remove_index(atomic, &document.owner_id, &document.id).await?;
    for user_id in document.shares.keys() {
        remove_index(atomic, user_id, &document.id).await?;
    }
    Ok(())
}
