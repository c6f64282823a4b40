//! WebAuthn challenges: one record per ceremony, single use (docs/passkeys.md §3).
//!
//! A challenge is 32 random bytes, sent to the browser base64url-encoded and signed
//! by the authenticator inside `clientDataJSON`. The server keeps, per challenge, what
//! the ceremony is for ([`Ceremony`]): AtomicStore shard
//! `passkey-challenge/{hex(SHA-256(challenge))}`, name `ceremony`, expiring with it
//! ([`TTL_MS`], 5 minutes). The verifying request finds it from the challenge in
//! `clientDataJSON` and [`consume`]s it — a compare-and-swap from the text read to
//! nothing — *before* any other check, so of any number of requests carrying one
//! challenge at most one proceeds, whether it then verifies or not.
//!
//! Ceremonies bound to a user (second factor, registration, re-authentication) are
//! tracked in the user's shard ([`crate::model::pending`]), so erasing the account
//! deletes them at once; a sign-in challenge belongs to nobody until it is used.
//!
//! Security considerations: the store holds the challenge's hash only, and a challenge
//! of any other shape is refused before it becomes part of a key. What a challenge may
//! be used for is checked by the consuming flow against [`Ceremony`] (purpose, user,
//! session, MFA token), never taken from the client.

use alloc::string::String;
use serde::{Deserialize, Serialize};

use crate::crypto::kdf::sha256;
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::store::{AtomicKey, AtomicStore};

/// How long a challenge lives (docs/passkeys.md: 5 minutes, also the `timeout` the
/// options give the browser).
pub const TTL_MS: u64 = 5 * 60 * 1000;
/// Challenge length in bytes (WebAuthn asks for at least 16).
pub const CHALLENGE_BYTES: usize = 32;
/// Shard prefix of challenge records.
pub const SHARD_PREFIX: &str = "passkey-challenge/";
const NAME: &str = "ceremony";

/// What a challenge was issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Passwordless sign-in with a discoverable credential (`POST /auth/passkey/verify`).
    SignIn,
    /// The second step of a password login (`POST /auth/login/mfa`).
    SecondFactor,
    /// Registering a passkey (`POST /api/me/passkeys`).
    Register,
    /// Confirming the signed-in user (`POST /api/me/reauthenticate`).
    Reauthenticate,
}

/// The stored state of one ceremony.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ceremony {
    /// What the challenge may be used for.
    pub purpose: Purpose,
    /// The user it was issued to (every purpose but sign-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The session it was issued in (registration, re-authentication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The MFA challenge's shard it belongs to (second factor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_shard: Option<String>,
    /// The challenge is void at this instant (Unix ms).
    pub expires_at_ms: u64,
}

fn shard_of(challenge: &[u8]) -> Option<String> {
    (challenge.len() == CHALLENGE_BYTES)
        .then(|| alloc::format!("{SHARD_PREFIX}{}", encoding::hex(&sha256(challenge))))
}

/// Stores `ceremony` under a fresh challenge and returns the challenge's bytes. The
/// record expires at `ceremony.expires_at_ms`.
pub async fn issue(
    atomic: &impl AtomicStore,
    random: &impl crate::Random,
    ceremony: &Ceremony,
) -> Result<[u8; CHALLENGE_BYTES], ApiError> {
    let challenge: [u8; CHALLENGE_BYTES] = crate::env::random_array(random)?;
    let shard = shard_of(&challenge).ok_or(ApiError::Internal(Internal("challenge shape")))?;
    let value = serde_json::to_string(ceremony)
        .map_err(|_| ApiError::Internal(Internal("ceremony encoding")))?;
    let stored = atomic
        .compare_and_swap(
            AtomicKey::new(&shard, NAME),
            None,
            Some(&value),
            Some(ceremony.expires_at_ms),
        )
        .await?;
    if !stored {
        // 256 random bits collided: the random source is broken.
        return Err(ApiError::Unavailable(Internal("challenge collision")));
    }
    if let Some(user_id) = &ceremony.user_id {
        crate::model::pending::track(atomic, user_id, &shard, NAME, ceremony.expires_at_ms).await?;
    }
    Ok(challenge)
}

/// Consumes the ceremony of `challenge` (raw bytes): `Some` for exactly one caller while
/// it is live; `None` when it is unknown, expired, used, or not of our shape.
pub async fn consume(
    atomic: &impl AtomicStore,
    challenge: &[u8],
    now_ms: u64,
) -> Result<Option<Ceremony>, ApiError> {
    let Some(shard) = shard_of(challenge) else {
        return Ok(None);
    };
    let key = AtomicKey::new(&shard, NAME);
    let Some(raw) = atomic.get(key).await? else {
        return Ok(None);
    };
    // Taken out before it is judged: a second request with this challenge finds nothing.
    if !atomic.compare_and_swap(key, Some(&raw), None, None).await? {
        return Ok(None);
    }
    Ok(serde_json::from_str::<Ceremony>(&raw)
        .ok()
        .filter(|ceremony| ceremony.expires_at_ms > now_ms))
}

#[cfg(test)]
mod tests;
