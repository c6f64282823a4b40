//! An authorization request waiting for the user: validated at `GET /oauth/authorize`
//! and kept while the browser signs in (`/sign-in`) or the user decides (`/consent`),
//! under a random id the pages carry (`?request=<id>`).
//!
//! Stored in shard `oauth/request/{id}`, name `request`, for [`LIFETIME_MS`].
//!
//! Security considerations: the record holds only what the client sent, after
//! validation (the redirect URI matched the client's registration), and the id is 128
//! random bits; deciding it removes it by compare-and-swap ([`take`]), so one request
//! yields at most one code or one denial, whatever the number of clicks or tabs.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Internal};
use crate::model::user;
use crate::store::{AtomicKey, AtomicStore};

/// How long a request waits for sign-in and consent.
pub const LIFETIME_MS: u64 = 10 * 60 * 1000;
const NAME: &str = "request";

/// A validated authorization request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    /// 128 random bits, hex.
    pub id: String,
    /// The client.
    pub client_id: String,
    /// The redirect URI as presented (it matched a registered one).
    pub redirect_uri: String,
    /// The requested scopes (supported ones only).
    pub scopes: Vec<String>,
    /// The requested resources (configured ones only).
    pub resources: Vec<String>,
    /// `state`, passed back as given.
    pub state: Option<String>,
    /// `nonce`, copied into the ID token.
    pub nonce: Option<String>,
    /// The PKCE S256 challenge.
    pub code_challenge: String,
    /// `prompt=consent`: ask even when consent is remembered.
    pub prompt_consent: bool,
    /// `prompt=login` or `max_age`: the latest time (Unix seconds) a sign-in may have
    /// happened before it must be repeated; `None`: any sign-in will do.
    pub signed_in_after_secs: Option<u64>,
    /// When the request arrived (Unix ms).
    pub created_at_ms: u64,
}

/// The shard of request `id`.
pub fn shard(id: &str) -> String {
    alloc::format!("oauth/request/{id}")
}

/// Stores a new request until it expires.
pub async fn put(
    atomic: &impl AtomicStore,
    request: &AuthorizationRequest,
) -> Result<(), ApiError> {
    let text = serde_json::to_string(request)
        .map_err(|_| ApiError::Internal(Internal("authorization request encoding")))?;
    let shard = shard(&request.id);
    let expires = request.created_at_ms.saturating_add(LIFETIME_MS);
    if !atomic
        .compare_and_swap(
            AtomicKey::new(&shard, NAME),
            None,
            Some(&text),
            Some(expires),
        )
        .await?
    {
        return Err(ApiError::Unavailable(Internal("request id collision")));
    }
    Ok(())
}

/// Reads request `id` and its raw text (absent when unknown, expired or decided).
pub async fn load(
    atomic: &impl AtomicStore,
    id: &str,
) -> Result<Option<(AuthorizationRequest, String)>, ApiError> {
    if !user::is_id(id) {
        return Ok(None);
    }
    let shard = shard(id);
    let Some(raw) = atomic.get(AtomicKey::new(&shard, NAME)).await? else {
        return Ok(None);
    };
    let request: AuthorizationRequest = serde_json::from_str(&raw)
        .map_err(|_| ApiError::Internal(Internal("authorization request corrupt")))?;
    if request.id != id {
        return Err(ApiError::Internal(Internal(
            "authorization request mismatch",
        )));
    }
    Ok(Some((request, raw)))
}

/// Removes the request read as `raw`; `false` when someone else decided it first.
pub async fn take(atomic: &impl AtomicStore, id: &str, raw: &str) -> Result<bool, ApiError> {
    let shard = shard(id);
    Ok(atomic
        .compare_and_swap(AtomicKey::new(&shard, NAME), Some(raw), None, None)
        .await?)
}
