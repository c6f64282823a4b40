//! An OAuth grant: what a user's consent and a redeemed authorization code give a
//! client — stored as a [`crate::model::session::SessionRecord`] named `grant/{id}` in
//! the user's shard, whose [`Grant`] says which client holds it and for what.
//!
//! Being a session record, a grant rotates its refresh tokens with the sessions'
//! algorithm (grace window, reuse detection, `flows::sessions::rotate`), ends at the
//! same idle and absolute timeouts, and ends with the user's session epoch and the
//! kill switch (docs/oauth-provider.md §6).
//!
//! Security considerations: the grant's id is the `sid` of the client's access tokens
//! and part of its refresh tokens (not secret, as a session id); the client binding is
//! checked before a refresh token rotates, and a token presented by another client
//! revokes the grant when it proves to be genuine.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Internal};

/// Prefix of grant record names within a user's shard.
pub const NAME_PREFIX: &str = "grant/";

/// The name of grant `grant_id` within its user's shard.
pub fn name(grant_id: &str) -> String {
    alloc::format!("{NAME_PREFIX}{grant_id}")
}

/// Who holds a grant and what it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The client it was issued to.
    pub client_id: String,
    /// The scopes the user granted.
    pub scopes: Vec<String>,
    /// The resources (RFC 8707) the client may get access tokens for.
    pub resources: Vec<String>,
    /// When the user signed in for it (Unix seconds): the ID token's `auth_time`.
    pub auth_time_secs: u64,
}

/// A [`Grant`] as its record keeps it: its JSON text, read with [`GrantText::read`].
/// Kept as text so that the functions that load session records but never read a
/// grant (the `api`) link no parser for one; `SessionRecord::oauth` being present is
/// all they look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GrantText(String);

impl GrantText {
    /// The text of `grant`.
    pub fn of(grant: &Grant) -> Result<Self, ApiError> {
        serde_json::to_string(grant)
            .map(Self)
            .map_err(|_| ApiError::Internal(Internal("grant encoding")))
    }

    /// The grant; `None` when the text is not one (a damaged record, which then holds
    /// no client's grant).
    pub fn read(&self) -> Option<Grant> {
        serde_json::from_str(&self.0).ok()
    }
}
