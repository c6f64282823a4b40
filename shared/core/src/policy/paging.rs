//! Cursor pagination for the `api` function's listings (audit log, activity, the
//! access review, documents).
//!
//! Two parts:
//! - **Sealed cursors** ([`seal`], [`open`]): the `cursor` a client receives is
//!   `base64url(payload) "." base64url(tag)`, where the tag is an HMAC-SHA256 over the
//!   listing's *scope* and the payload under a subkey of the active
//!   `DATA_ENCRYPTION_KEYS` entry (label `edgeauth listing-cursor v1`). The client
//!   can only hand back what we gave it, for the same listing: a cursor of one user's
//!   activity does not open another listing, and a forged store cursor never reaches
//!   the store. Every key of the ring verifies, so a rotation does not break paging
//!   in progress; a cursor under a removed key is `400` (start over).
//! - **Key walking** ([`take_keys`]): a [`Position`] in a [`RecordStore`] listing is
//!   the store's own cursor of the page to resume from plus the last key already
//!   returned (`after`). Resuming re-lists that page and skips keys `<= after`, so a
//!   page is never skipped when the client stops part-way through one, and keys
//!   inserted in front (newer audit events) are not returned twice.
//!
//! Security considerations: cursor payloads hold keys and store cursors, never data;
//! they are authenticated, not encrypted (the keys are the caller's own or the
//! caller may read them anyway). Input is length-capped before any decoding, and a
//! bad cursor is one static `400` detail.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::config::KeyEntry;
use crate::crypto::kdf::{mac, Purpose};
use crate::encoding;
use crate::error::ApiError;
use crate::secret::constant_time_eq;
use crate::store::{RecordStore, StoreError};

/// Longest cursor accepted from a client.
pub const MAX_CURSOR_CHARS: usize = 2048;
/// The `detail` of an unusable cursor.
pub const INVALID_CURSOR: &str = "cursor: invalid or expired; start again without it";
/// Keys requested from the store per list call.
const LIST_PAGE: usize = 100;
/// Store pages walked by one [`take_keys`] call at most (bounds the work per request).
const MAX_PAGES_PER_CALL: usize = 20;

fn tag(key: &KeyEntry, scope: &str, payload: &[u8]) -> [u8; 32] {
    mac(
        key.subkey(Purpose::ListingCursor),
        &[b"cursor", scope.as_bytes(), payload],
    )
}

/// Seals `payload` as a client cursor for the listing `scope`.
pub fn seal(config: &Config, scope: &str, payload: &str) -> String {
    let key = config.data_encryption_keys.active();
    let tag = tag(key, scope, payload.as_bytes());
    alloc::format!(
        "{}.{}",
        encoding::b64url(payload.as_bytes()),
        encoding::b64url(&tag)
    )
}

/// Opens a client cursor of the listing `scope` (`400 invalid_request` otherwise).
pub fn open(config: &Config, scope: &str, cursor: &str) -> Result<String, ApiError> {
    let invalid = ApiError::InvalidRequest(INVALID_CURSOR);
    if cursor.len() > MAX_CURSOR_CHARS {
        return Err(invalid);
    }
    let (payload, given) = cursor.split_once('.').ok_or(invalid)?;
    let payload = encoding::b64url_decode(payload).ok_or(invalid)?;
    let given = encoding::b64url_decode(given).ok_or(invalid)?;
    // Every key is tried with no early exit, as for CSRF tokens.
    let mut valid = false;
    for entry in config.data_encryption_keys.iter() {
        let expected = tag(entry, scope, &payload);
        valid |= constant_time_eq(&expected, &given);
    }
    if !valid {
        return Err(invalid);
    }
    String::from_utf8(payload).map_err(|_| invalid)
}

/// Where a walk over a record-store listing resumes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The store cursor of the page that holds the next key (`None`: the first page).
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub store_cursor: Option<String>,
    /// The last key already returned; keys up to and including it are skipped.
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

impl Position {
    /// Seals the position as a client cursor.
    pub fn seal(&self, config: &Config, scope: &str) -> String {
        // Serialising two optional strings cannot fail.
        let payload = serde_json::to_string(self).unwrap_or_default();
        seal(config, scope, &payload)
    }

    /// Opens a client cursor; no cursor is the start of the listing.
    pub fn open(config: &Config, scope: &str, cursor: Option<&str>) -> Result<Self, ApiError> {
        match cursor {
            None => Ok(Self::default()),
            Some(cursor) => {
                let payload = open(config, scope, cursor)?;
                serde_json::from_str(&payload).map_err(|_| ApiError::InvalidRequest(INVALID_CURSOR))
            }
        }
    }
}

/// Up to `max` keys under `prefix` from `start` on, in ascending order, and the
/// position after them (`None` when the listing is exhausted).
pub async fn take_keys(
    records: &impl RecordStore,
    prefix: &str,
    start: &Position,
    max: usize,
) -> Result<(Vec<String>, Option<Position>), StoreError> {
    let mut keys: Vec<String> = Vec::new();
    let mut cursor = start.store_cursor.clone();
    for _ in 0..MAX_PAGES_PER_CALL {
        let page = records.list(prefix, cursor.as_deref(), LIST_PAGE).await?;
        for key in page.keys {
            if !key.starts_with(prefix) || start.after.as_ref().is_some_and(|after| key <= *after) {
                continue;
            }
            if keys.len() >= max {
                let after = keys.last().cloned();
                return Ok((
                    keys,
                    Some(Position {
                        store_cursor: cursor,
                        after,
                    }),
                ));
            }
            keys.push(key);
        }
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => return Ok((keys, None)),
        }
    }
    // Work bound reached: resume at the page we stopped before.
    let after = keys.last().cloned().or_else(|| start.after.clone());
    Ok((
        keys,
        Some(Position {
            store_cursor: cursor,
            after,
        }),
    ))
}

/// Reads the `limit` query parameter: absent → `default`, else `1..=max`.
pub fn limit_param(
    value: Option<&str>,
    default: usize,
    max: usize,
    detail: &'static str,
) -> Result<usize, ApiError> {
    match value {
        None => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(limit) if (1..=max).contains(&limit) && text.len() <= 4 => Ok(limit),
            _ => Err(ApiError::InvalidRequest(detail)),
        },
    }
}

#[cfg(test)]
mod tests;
