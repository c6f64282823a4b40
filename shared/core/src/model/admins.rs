//! The last-admin guard: a strongly consistent set of the enabled administrators.
//!
//! "An admin cannot remove the last admin" (docs/contract.md §6) must hold under concurrency:
//! two admins demoting each other at the same moment must not both succeed. Counting
//! admins by reading every profile cannot give that (the reads and the writes of two
//! requests interleave), so the guard keeps one record — AtomicStore shard `admins`,
//! name `enabled`, a sorted JSON array of user ids — and every change that takes an
//! enabled admin away (demotion, disabling, erasure) first removes the id from it by
//! compare-and-swap, **refusing when no other admin would remain**. Of two concurrent
//! mutual demotions, one swap wins and the other re-reads a set in which it would
//! remove the last member, and is refused.
//!
//! The set is authoritative for *refusing*, and only trusted with care for
//! *allowing*: a remaining member counts as a witness only if their profile still
//! says admin and enabled. Removals write the set before the profile, grants write
//! it before the profile too, so a member whose profile disagrees is a change in
//! flight or a leftover of a failed write; not counting such a member can only make
//! the guard stricter, never let the last admin go (and the member stays in the set,
//! so a grant in flight is not lost).
//!
//! The set is built from the user directory the first time it is needed (an
//! existing deployment), and kept up to date by every admin change here, by
//! account erasure, and by the bootstrap-admin grant at the address's first
//! verification — by its link or by the password reset that verifies it ([`add`]). An admin the set misses (granted by some other path) only makes the
//! guard refuse where it could have allowed: re-granting `admin` to that user through
//! `PUT /api/admin/users/{id}/roles` adds them.
//!
//! Security considerations: the set holds ids only; a refusal is
//! `400 invalid_request` (docs/contract.md §3 has no 409) with a static detail.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{ApiError, Internal};
use crate::model::user::{self, ROLE_ADMIN};
use crate::store::{AtomicKey, AtomicStore, RecordStore};

/// The shard of the set.
pub const SHARD: &str = "admins";
/// The record's name.
pub const NAME: &str = "enabled";
const ATTEMPTS: usize = 8;
/// The detail of a refusal.
pub const LAST_ADMIN: &str = "roles: the last administrator cannot be removed";

fn key() -> AtomicKey<'static> {
    AtomicKey::new(SHARD, NAME)
}

fn encode(ids: &[String]) -> Result<String, ApiError> {
    serde_json::to_string(ids).map_err(|_| ApiError::Internal(Internal("admin set encoding")))
}

fn decode(raw: &str) -> Result<Vec<String>, ApiError> {
    serde_json::from_str(raw).map_err(|_| ApiError::Internal(Internal("admin set corrupt")))
}

/// Whether `user_id` is an enabled admin according to their profile now.
async fn is_enabled_admin(atomic: &impl AtomicStore, user_id: &str) -> Result<bool, ApiError> {
    Ok(user::load(atomic, user_id)
        .await?
        .is_some_and(|user| user.has_role(ROLE_ADMIN) && !user.disabled))
}

/// Reads the set, building it from the directory if it was never written.
async fn read(
    atomic: &impl AtomicStore,
    records: &impl RecordStore,
) -> Result<(Vec<String>, Option<String>), ApiError> {
    if let Some(raw) = atomic.get(key()).await? {
        return Ok((decode(&raw)?, Some(raw)));
    }
    let mut admins = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let (ids, next) = user::directory_page(records, cursor.as_deref(), 100).await?;
        for id in ids {
            if is_enabled_admin(atomic, &id).await? {
                admins.push(id);
            }
        }
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    admins.sort();
    admins.dedup();
    Ok((admins, None))
}

/// Records `user_id` as an enabled admin (before their profile says so).
pub async fn add(
    atomic: &impl AtomicStore,
    records: &impl RecordStore,
    user_id: &str,
) -> Result<(), ApiError> {
    for _ in 0..ATTEMPTS {
        let (mut admins, raw) = read(atomic, records).await?;
        if admins.iter().any(|id| id == user_id) && raw.is_some() {
            return Ok(());
        }
        admins.push(user_id.into());
        admins.sort();
        admins.dedup();
        let new = encode(&admins)?;
        if atomic
            .compare_and_swap(key(), raw.as_deref(), Some(&new), None)
            .await?
        {
            return Ok(());
        }
    }
    Err(ApiError::Unavailable(Internal("admin set contended")))
}

/// Takes `user_id` out of the set before they stop being an enabled admin, refusing
/// (`400`, [`LAST_ADMIN`]) when no other enabled admin would remain.
pub async fn remove_guarded(
    atomic: &impl AtomicStore,
    records: &impl RecordStore,
    user_id: &str,
) -> Result<(), ApiError> {
    for _ in 0..ATTEMPTS {
        let (admins, raw) = read(atomic, records).await?;
        let mut witnesses = 0usize;
        for id in admins.iter().filter(|id| *id != user_id) {
            if is_enabled_admin(atomic, id).await? {
                witnesses += 1;
            }
        }
        if witnesses == 0 {
            return Err(ApiError::InvalidRequest(LAST_ADMIN));
        }
        // Members that failed the check stay: they may be grants in flight, and they
        // never count as witnesses unless their profile agrees.
        let remaining: Vec<String> = admins.iter().filter(|id| *id != user_id).cloned().collect();
        if raw.is_some() && remaining.len() == admins.len() {
            return Ok(());
        }
        let new = encode(&remaining)?;
        if atomic
            .compare_and_swap(key(), raw.as_deref(), Some(&new), None)
            .await?
        {
            return Ok(());
        }
    }
    Err(ApiError::Unavailable(Internal("admin set contended")))
}

/// The ids in the set (tests and the access review).
pub async fn members(
    atomic: &impl AtomicStore,
    records: &impl RecordStore,
) -> Result<Vec<String>, ApiError> {
    Ok(read(atomic, records).await?.0)
}
