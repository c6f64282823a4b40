//! Password-reset tokens: drawn, stored as a hash, found, consumed once.
//!
//! A token is 256 random bits, base64url (43 characters), mailed in the link
//! `PUBLIC_ORIGIN/reset-password#token=…` (a fragment: never sent to a server, never
//! in `Referer` or access logs). Only its SHA-256 is kept: AtomicStore shard
//! `reset/{sha256 hex}`, name `token`, value
//! `{"user_id", "password", "expires_at_ms"}`, with the store expiry set to the same
//! instant (30 minutes). `password` is the **fingerprint** of the user's password
//! hash at issue time ([`fingerprint`]).
//!
//! Why a fingerprint rather than a counter: a token is valid only while the user's
//! stored password hash is still the one it was issued against. Any completed reset
//! or password change replaces the hash, so every other outstanding token of that user
//! dies at once — no list of tokens to find and delete, no per-user generation record
//! to keep in step. (Django's reset tokens bind to the password hash the same way.)
//! The hash is re-checked inside the compare-and-swap that writes the new password,
//! so of two different tokens redeemed concurrently exactly one succeeds.
//!
//! Single use: redeeming swaps the record from the exact text read to nothing; only
//! the request whose swap lands may proceed.
//!
//! A pointer in the user's shard ([`crate::model::pending`]) lets erasing the account
//! delete the token at once, rather than leave it (a user id and a password-hash
//! fingerprint) to its 30-minute expiry.
//!
//! Security considerations: a stolen store yields hashes of 256-bit random values
//! (useless) and a SHA-256 of a salted argon2 string (which the store holds anyway);
//! tokens never reach a log line or the audit log; bad, expired, used and superseded
//! tokens are one answer (`400 invalid_request`).

use alloc::string::String;
use serde::{Deserialize, Serialize};

use crate::crypto::kdf::sha256;
use crate::encoding;
use crate::env::Random;
use crate::error::{ApiError, Internal};
use crate::model::user::UserRecord;
use crate::store::{AtomicKey, AtomicStore};

/// How long a reset token lives (docs/contract.md §5: 30 minutes).
pub const TOKEN_TTL_MS: u64 = 30 * 60 * 1000;
/// The front-end page that reads the token from the fragment.
pub const RESET_PATH: &str = "/reset-password";
/// The record's name in its shard.
const NAME: &str = "token";
/// A value no record ever holds: the expected value of the stand-in swap.
const NEVER: &str = "\u{0}";

#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    user_id: String,
    password: String,
    expires_at_ms: u64,
}

/// The fingerprint of a stored password hash that binds a token to it.
pub fn fingerprint(password_hash: &str) -> String {
    encoding::hex(&sha256(password_hash.as_bytes()))
}

fn shard_of(token: &str) -> Option<String> {
    // Our tokens are exactly 32 bytes of base64url; anything else is refused before
    // it touches the store.
    let bytes = encoding::b64url_decode(token).filter(|bytes| bytes.len() == 32)?;
    Some(alloc::format!("reset/{}", encoding::hex(&sha256(&bytes))))
}

/// A freshly drawn token, not yet stored.
#[derive(Debug)]
pub struct Drawn {
    token: String,
    shard: String,
}

impl Drawn {
    /// The token, for the mail.
    pub fn token(&self) -> &str {
        &self.token
    }
}

/// Draws a token (256 bits from the injected random source).
pub fn draw(random: &impl Random) -> Result<Drawn, ApiError> {
    let bytes: [u8; 32] = crate::env::random_array(random)?;
    let token = encoding::b64url(&bytes);
    let shard = shard_of(&token).ok_or(ApiError::Internal(Internal("reset token shape")))?;
    Ok(Drawn { token, shard })
}

/// Stores a drawn token for `user`, valid for [`TOKEN_TTL_MS`] from `now_ms`.
pub async fn store(
    atomic: &impl AtomicStore,
    drawn: &Drawn,
    user: &UserRecord,
    now_ms: u64,
) -> Result<(), ApiError> {
    let expires_at_ms = now_ms.saturating_add(TOKEN_TTL_MS);
    let value = serde_json::to_string(&Pending {
        user_id: user.id.clone(),
        password: fingerprint(&user.password_hash),
        expires_at_ms,
    })
    .map_err(|_| ApiError::Internal(Internal("reset record encoding")))?;
    let stored = atomic
        .compare_and_swap(
            AtomicKey::new(&drawn.shard, NAME),
            None,
            Some(&value),
            Some(expires_at_ms),
        )
        .await?;
    if !stored {
        // A collision of 256 random bits means the random source is broken.
        return Err(ApiError::Unavailable(Internal("reset token collision")));
    }
    // Erasing the account erases the pending token too (gdpr::pending).
    crate::model::pending::track(atomic, &user.id, &drawn.shard, NAME, expires_at_ms).await
}

/// The store work of [`store`] without its effect, for addresses that get no mail: a
/// compare-and-swap on the drawn token's key that can never match, and the pointer's
/// read and swap in `user_id`'s shard ([`crate::model::pending::track_nothing`]; the
/// owner's, or the random stand-in id's the request already read), so the request
/// touches the same kinds of record in the same order and writes nothing.
pub async fn store_nothing(
    atomic: &impl AtomicStore,
    drawn: &Drawn,
    user_id: &str,
) -> Result<(), ApiError> {
    atomic
        .compare_and_swap(AtomicKey::new(&drawn.shard, NAME), Some(NEVER), None, None)
        .await?;
    crate::model::pending::track_nothing(atomic, user_id, &drawn.shard, NAME).await
}

/// A live token's record, as read.
#[derive(Debug)]
pub struct Found {
    /// Whose token it is.
    pub user_id: String,
    /// The fingerprint of the password hash it was issued against.
    pub fingerprint: String,
    shard: String,
    raw: String,
}

/// Looks a token up: `None` when malformed, unknown, used or expired.
pub async fn find(
    atomic: &impl AtomicStore,
    token: &str,
    now_ms: u64,
) -> Result<Option<Found>, ApiError> {
    let Some(shard) = shard_of(token) else {
        return Ok(None);
    };
    let Some(raw) = atomic.get(AtomicKey::new(&shard, NAME)).await? else {
        return Ok(None);
    };
    let Ok(pending) = serde_json::from_str::<Pending>(&raw) else {
        return Ok(None);
    };
    if pending.expires_at_ms <= now_ms {
        return Ok(None);
    }
    Ok(Some(Found {
        user_id: pending.user_id,
        fingerprint: pending.password,
        shard,
        raw,
    }))
}

/// Consumes a found token: `true` for exactly one caller.
pub async fn consume(atomic: &impl AtomicStore, found: &Found) -> Result<bool, ApiError> {
    Ok(atomic
        .compare_and_swap(
            AtomicKey::new(&found.shard, NAME),
            Some(&found.raw),
            None,
            None,
        )
        .await?)
}

/// Whether `user`'s password hash is still the one `found` was issued against (both
/// sides come from the store, neither from the client: a plain comparison).
pub fn still_current(found: &Found, user: &UserRecord) -> bool {
    fingerprint(&user.password_hash) == found.fingerprint
}
