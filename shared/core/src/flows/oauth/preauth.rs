//! The pre-authentication record: what a callback needs from its start, kept for
//! [`TTL_MS`] and used once.
//!
//! AtomicStore shard `oauth/{hex(SHA-256(state))}`, name `flow`, value
//! `{provider, intent, verifier, nonce, binding, return_to, expires_at_ms}`, with the store
//! expiry set to the same instant. `state` is 256 random bits (base64url) sent to the
//! provider and back; only its hash names the record. `binding` is the SHA-256 (hex) of
//! the value of the `__Host-oauth` cookie the start set in the browser (256 random bits,
//! kept across starts while it lives, so two tabs can sign in at once).
//!
//! A callback [`take`]s the record by compare-and-swap (`raw → absent`): of any number
//! of callbacks with one `state`, one gets it; then the cookie's hash must equal
//! `binding` ([`binds`]), so a callback URL used in another browser — replayed, or an
//! attacker's sent to a victim (login CSRF) — fails even with a valid `state`.
//!
//! Security considerations: the PKCE verifier and the nonce are kept here in the clear
//! for their ten minutes: each is useless without the authorization code, which only
//! the browser that went through the provider receives, and the record is deleted when
//! used. Ids are checked for shape before they touch a storage key.

use alloc::string::String;
use serde::{Deserialize, Serialize};

use crate::crypto::kdf::sha256;
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::store::{AtomicKey, AtomicStore};

/// How long a start waits for its callback (the provider's sign-in page included).
pub const TTL_MS: u64 = 10 * 60 * 1000;
/// The cookie that binds a flow to the browser that started it.
pub const BINDING_COOKIE: &str = "__Host-oauth";
/// Shard prefix of the records.
pub const SHARD_PREFIX: &str = "oauth/";
const NAME: &str = "flow";

/// What the flow is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Intent {
    /// Sign in (or create an account).
    SignIn,
    /// Link the provider account to this signed-in user, from this session.
    Link {
        /// The user who asked.
        user_id: String,
        /// The session they asked from (it must still be live at the callback).
        session_id: String,
    },
}

/// One flow in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreAuth {
    /// The provider the flow went to.
    pub provider: String,
    /// Sign in or link.
    pub intent: Intent,
    /// The PKCE verifier.
    pub verifier: String,
    /// The nonce sent with the authorization request.
    pub nonce: String,
    /// SHA-256 (hex) of the binding cookie's value.
    pub binding: String,
    /// Where the browser goes afterwards (validated at the start).
    pub return_to: Option<String>,
    /// The record is void at this instant (Unix ms).
    pub expires_at_ms: u64,
}

/// The shard of a state, or `None` when it cannot be one of ours (32 bytes, base64url).
fn shard_of(state: &str) -> Option<String> {
    let bytes = encoding::b64url_decode(state).filter(|bytes| bytes.len() == 32)?;
    Some(alloc::format!(
        "{SHARD_PREFIX}{}",
        encoding::hex(&sha256(&bytes))
    ))
}

/// The binding hash of a cookie value.
pub fn binding_of(cookie_value: &str) -> String {
    encoding::hex(&sha256(cookie_value.as_bytes()))
}

/// Whether a binding cookie value has our shape (32 random bytes, base64url).
pub fn is_binding_value(value: &str) -> bool {
    encoding::b64url_decode(value).is_some_and(|bytes| bytes.len() == 32)
}

/// Stores `record` under `state`.
pub async fn store(
    atomic: &impl AtomicStore,
    state: &str,
    record: &PreAuth,
) -> Result<(), ApiError> {
    let shard = shard_of(state).ok_or(ApiError::Internal(Internal("oauth state shape")))?;
    let value = serde_json::to_string(record)
        .map_err(|_| ApiError::Internal(Internal("oauth record encoding")))?;
    let stored = atomic
        .compare_and_swap(
            AtomicKey::new(&shard, NAME),
            None,
            Some(&value),
            Some(record.expires_at_ms),
        )
        .await?;
    if !stored {
        return Err(ApiError::Unavailable(Internal("oauth state collision")));
    }
    Ok(())
}

/// Takes the live record of `state` (deleting it); `None` for a state that is
/// malformed, unknown, expired or already taken.
pub async fn take(
    atomic: &impl AtomicStore,
    state: &str,
    now_ms: u64,
) -> Result<Option<PreAuth>, ApiError> {
    let Some(shard) = shard_of(state) else {
        return Ok(None);
    };
    let key = AtomicKey::new(&shard, NAME);
    let Some(raw) = atomic.get(key).await? else {
        return Ok(None);
    };
    if !atomic.compare_and_swap(key, Some(&raw), None, None).await? {
        return Ok(None);
    }
    match serde_json::from_str::<PreAuth>(&raw) {
        Ok(record) if record.expires_at_ms > now_ms => Ok(Some(record)),
        _ => Ok(None),
    }
}

/// Whether the browser's binding cookie (`cookie_value`) is the one the flow started with.
pub fn binds(record: &PreAuth, cookie_value: Option<&str>) -> bool {
    let Some(value) = cookie_value.filter(|value| is_binding_value(value)) else {
        return false;
    };
    let presented = binding_of(value);
    subtle::ConstantTimeEq::ct_eq(presented.as_bytes(), record.binding.as_bytes()).into()
}

#[cfg(test)]
mod tests;
