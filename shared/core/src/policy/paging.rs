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
mod tests {
    use super::*;
    use crate::env::fake::FakeClock;
    use crate::store::memory::MemoryStore;
    use crate::testkit;
    use alloc::format;
    use alloc::rc::Rc;

    #[test]
    fn sealed_cursors_open_only_for_their_scope() {
        let config = testkit::config(&[]);
        let cursor = seal(&config, "audit/all", "payload");
        assert_eq!(open(&config, "audit/all", &cursor).unwrap(), "payload");
        assert_eq!(
            open(&config, "audit/user/x", &cursor),
            Err(ApiError::InvalidRequest(INVALID_CURSOR))
        );
    }

    #[test]
    fn tampered_or_garbage_cursors_are_a_400() {
        let config = testkit::config(&[]);
        let cursor = seal(&config, "s", "{\"a\":\"audit/all/1\"}");
        let (payload, tag) = cursor.split_once('.').unwrap();
        let forged = format!("{}.{tag}", encoding::b64url(b"{\"a\":\"audit/all/0\"}"));
        for bad in [
            forged.as_str(),
            payload,
            "",
            ".",
            "a.b",
            &"x".repeat(MAX_CURSOR_CHARS + 1),
        ] {
            assert_eq!(
                open(&config, "s", bad),
                Err(ApiError::InvalidRequest(INVALID_CURSOR)),
                "{bad}"
            );
        }
    }

    #[test]
    fn cursors_survive_a_data_key_rotation_until_the_key_is_removed() {
        let old = testkit::config(&[("DATA_ENCRYPTION_KEYS", testkit::DATA_KEYS)]);
        let cursor = seal(&old, "s", "p");
        let (_, second) = testkit::DATA_KEYS.split_once(',').unwrap();
        let rotated = testkit::config(&[(
            "DATA_ENCRYPTION_KEYS",
            &format!(
                "data-3:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,{}",
                testkit::DATA_KEYS
            ),
        )]);
        assert_eq!(open(&rotated, "s", &cursor).unwrap(), "p");
        let removed = testkit::config(&[("DATA_ENCRYPTION_KEYS", second)]);
        assert!(open(&removed, "s", &cursor).is_err());
    }

    #[test]
    fn cursors_are_keyed_with_the_listing_cursor_label() {
        // Part of the cursor format (crypto::kdf::Purpose checks it differs from
        // every other label).
        assert_eq!(
            Purpose::ListingCursor.label(),
            b"edgeauth listing-cursor v1"
        );
    }

    fn store_with(keys: usize) -> MemoryStore<FakeClock> {
        let store = MemoryStore::new(Rc::new(FakeClock::at(1_000)));
        pollster::block_on(async {
            for i in 0..keys {
                store.put(&format!("p/{i:04}"), "v", None).await.unwrap();
            }
            store.put("q/0000", "other prefix", None).await.unwrap();
        });
        store
    }

    #[test]
    fn walking_in_steps_returns_every_key_once_in_order() {
        let store = store_with(257);
        for step in [1, 7, 100, 101, 300] {
            let mut seen = Vec::new();
            let mut position = Position::default();
            loop {
                let (keys, next) =
                    pollster::block_on(take_keys(&store, "p/", &position, step)).unwrap();
                assert!(keys.len() <= step);
                seen.extend(keys);
                match next {
                    Some(next) => position = next,
                    None => break,
                }
            }
            let expected: Vec<String> = (0..257).map(|i| format!("p/{i:04}")).collect();
            assert_eq!(seen, expected, "step {step}");
        }
    }

    #[test]
    fn keys_inserted_before_the_position_are_not_returned_again() {
        let store = store_with(10);
        let (first, next) =
            pollster::block_on(take_keys(&store, "p/", &Position::default(), 4)).unwrap();
        assert_eq!(first.last().unwrap(), "p/0003");
        pollster::block_on(store.put("p/0000a", "newer", None)).unwrap();
        let (rest, done) =
            pollster::block_on(take_keys(&store, "p/", &next.unwrap(), 100)).unwrap();
        assert_eq!(rest.first().unwrap(), "p/0004");
        assert_eq!(rest.len(), 6);
        assert!(done.is_none());
    }

    #[test]
    fn limits_are_checked() {
        assert_eq!(limit_param(None, 50, 200, "x"), Ok(50));
        assert_eq!(limit_param(Some("200"), 50, 200, "x"), Ok(200));
        for bad in ["0", "201", "-1", "abc", "", "00000001"] {
            assert!(limit_param(Some(bad), 50, 200, "x").is_err(), "{bad}");
        }
    }
}
