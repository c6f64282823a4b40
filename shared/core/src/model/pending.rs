//! Pointers from a user to their pending single-use tokens, so that erasing the
//! account can erase the tokens too.
//!
//! Single-use tokens live in shards named after their hash (`verify/{sha256}`,
//! `reset/{sha256}`, `mfa-login/{sha256}`): the account cannot find them by itself. A
//! flow that issues one calls [`track`], which writes a pointer into the user's
//! shard — name `pending/{shard}/{name}`, value `{"shard", "name"}`, expiring with the
//! token — and [`erase_all`] follows every pointer and deletes the token. Tracked:
//! email-verification tokens ([`crate::flows::accounts::verify_email::issue_token`]),
//! password-reset tokens ([`crate::flows::accounts::recovery::token::store`]) and MFA
//! login challenges ([`crate::flows::mfa::challenge::issue`]).
//!
//! A flow whose other paths must not be told apart by their store work (forgot
//! password: known and unknown addresses) makes [`track_nothing`] there: the same read
//! and a compare-and-swap on the same kind of key that cannot match.
//!
//! Security considerations: a pointer holds the token's shard name — the hash the
//! token record is already stored under, never the token.

use alloc::string::String;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Internal};
use crate::model::user;
use crate::store::{AtomicKey, AtomicStore};

/// Prefix of pointers in a user's shard.
pub const PREFIX: &str = "pending/";

#[derive(Debug, Serialize, Deserialize)]
struct Pointer {
    shard: String,
    name: String,
}

/// Records that `user_id` has a pending token at `(shard, name)` until `expires_at_ms`.
pub async fn track(
    atomic: &impl AtomicStore,
    user_id: &str,
    shard: &str,
    name: &str,
    expires_at_ms: u64,
) -> Result<(), ApiError> {
    let user_shard = user::shard(user_id);
    let pointer_name = alloc::format!("{PREFIX}{shard}/{name}");
    let value = serde_json::to_string(&Pointer {
        shard: shard.into(),
        name: name.into(),
    })
    .map_err(|_| ApiError::Internal(Internal("pending pointer encoding")))?;
    let key = AtomicKey::new(&user_shard, &pointer_name);
    let current = atomic.get(key).await?;
    atomic
        .compare_and_swap(key, current.as_deref(), Some(&value), Some(expires_at_ms))
        .await?;
    Ok(())
}

/// A value no pointer ever holds: the expected value of [`track_nothing`]'s swap.
const NEVER: &str = "\u{0}";

/// The store work of [`track`] without its effect: the same read of the pointer's key
/// in `user_id`'s shard, then a compare-and-swap there that cannot match (nothing is
/// written). For a flow's paths that issue no token but must cost the same.
pub async fn track_nothing(
    atomic: &impl AtomicStore,
    user_id: &str,
    shard: &str,
    name: &str,
) -> Result<(), ApiError> {
    let user_shard = user::shard(user_id);
    let pointer_name = alloc::format!("{PREFIX}{shard}/{name}");
    let key = AtomicKey::new(&user_shard, &pointer_name);
    atomic.get(key).await?;
    atomic
        .compare_and_swap(key, Some(NEVER), None, None)
        .await?;
    Ok(())
}

async fn delete(atomic: &impl AtomicStore, key: AtomicKey<'_>) -> Result<(), ApiError> {
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
    Err(ApiError::Unavailable(Internal(
        "pending token delete contended",
    )))
}

/// Deletes every tracked pending token of `user_id` and its pointer. Returns how
/// many tokens were followed.
pub async fn erase_all(atomic: &impl AtomicStore, user_id: &str) -> Result<usize, ApiError> {
    let user_shard = user::shard(user_id);
    let mut count = 0;
    for (name, raw) in atomic.list(&user_shard, PREFIX).await? {
        if let Ok(pointer) = serde_json::from_str::<Pointer>(&raw) {
            delete(atomic, AtomicKey::new(&pointer.shard, &pointer.name)).await?;
            count += 1;
        }
        delete(atomic, AtomicKey::new(&user_shard, &name)).await?;
    }
    Ok(count)
}
