//! The session record: one login's state, and when it ends.
//!
//! Stored in the [`AtomicStore`], shard `user/{user_id}`, name `session/{session_id}`,
//! beside the user's profile — so every session of a user can be listed and revoked
//! within one shard, and an access token's session is one strongly consistent read
//! away on every request.
//!
//! A session ends at the earliest of:
//! - `last_used_at + SESSION_IDLE_TIMEOUT_SECS` (only a refresh counts as use: access
//!   tokens live minutes, so an active client refreshes well within the idle window
//!   and API requests cost no write);
//! - `created_at + SESSION_ABSOLUTE_LIFETIME_SECS`;
//! - revocation (logout, reuse detection, admin action, password reset);
//! - the user's session epoch moving past the one it was created under (every flow
//!   that ends all of a user's sessions, [`crate::policy::session_epoch`]; checked against the user
//!   record, which is read with the session);
//! - `SESSIONS_REVOKED_BEFORE` later than its creation (the emergency kill switch).
//!
//! The store expiry of the record is its end ([`SessionRecord::ends_at_ms`]), so
//! expired sessions disappear by themselves. A revoked record is kept (as a
//! tombstone, until that same end) rather than deleted, so a late request with one of
//! its tokens is recognised as belonging to a revoked session.
//!
//! The same record, under the name `grant/{grant_id}` and with [`SessionRecord::oauth`]
//! set, is an OAuth grant: what a client's refresh tokens rotate on
//! ([`crate::model::oauth_provider::grant`]). Its own name keeps it out of every listing and
//! lookup of browser sessions, so a client's refresh token can never be presented as a
//! session's (and an older build, which knows only `session/`, never reads one).
//!
//! Security considerations: the record holds no token — only SHA-256 hashes of the
//! current and the immediately previous refresh secret ([`Rotation`]); the user agent
//! is truncated and the address kept as a /24 or /48 prefix (data minimisation).

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::{ApiError, Internal};
use crate::model::oauth_provider::grant::{self, Grant, GrantText};
use crate::model::user;
use crate::store::{AtomicKey, AtomicStore};

/// Prefix of session record names within a user's shard.
pub const NAME_PREFIX: &str = "session/";
/// Longest user agent kept.
pub const MAX_USER_AGENT_CHARS: usize = 256;

/// How the session's tokens are delivered (docs/contract.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// `__Host-access`, `__Secure-refresh` and `__Host-csrf` cookies.
    Cookie,
    /// Tokens in the JSON body; `Authorization: Bearer`.
    Token,
}

impl Mode {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cookie => "cookie",
            Self::Token => "token",
        }
    }
}

/// Refresh-token rotation state (see [`crate::flows::sessions::rotate`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    /// Rotations so far; the current secret is of this generation.
    pub generation: u64,
    /// SHA-256 (hex) of the current refresh secret.
    pub current_hash: String,
    /// SHA-256 (hex) of the immediately previous secret, after the first rotation.
    pub previous_hash: Option<String>,
    /// When the current secret replaced the previous one (Unix ms).
    pub rotated_at_ms: u64,
    /// The `DATA_ENCRYPTION_KEYS` id whose subkey derived the current secret from the
    /// previous one (needed to answer a retry with the same successor).
    pub successor_key_id: Option<String>,
}

/// One session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// 128-bit random id, hex.
    pub id: String,
    /// The owner.
    pub user_id: String,
    /// Creation (login) time, Unix ms.
    pub created_at_ms: u64,
    /// Last refresh (or creation), Unix ms.
    pub last_used_at_ms: u64,
    /// The client's `User-Agent` at login, truncated.
    pub user_agent: Option<String>,
    /// IPv4 /24 or IPv6 /48 of the client at login.
    pub ip_prefix: Option<String>,
    /// Delivery mode chosen at login.
    pub mode: Mode,
    /// Set by logout and every other revocation.
    #[serde(default)]
    pub revoked: bool,
    /// Refresh-token rotation state.
    pub rotation: Rotation,
    /// The user's session epoch when the session was created: the session ends when
    /// the user's epoch moves past it ([`crate::policy::session_epoch`]).
    #[serde(default)]
    pub epoch: u64,
    /// The last time the user confirmed who they are inside this session (a password
    /// or a passkey at `POST /api/me/reauthenticate`), Unix ms; the session's creation
    /// counts as one too ([`crate::policy::reauth`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reauthenticated_at_ms: Option<u64>,
    /// Set only on an OAuth grant (stored as `grant/{id}`): the client and what the
    /// user granted it ([`SessionRecord::grant`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<GrantText>,
}

/// Which kind of record a session record is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A browser or API session (`session/{id}`).
    Session,
    /// An OAuth grant (`grant/{id}`).
    Grant,
}

impl SessionRecord {
    /// When the session ends if nothing revokes it first (Unix ms).
    pub fn ends_at_ms(&self, config: &Config) -> u64 {
        let times = &config.sessions;
        let idle_end = self
            .last_used_at_ms
            .saturating_add(times.idle_timeout_secs.saturating_mul(1000));
        let absolute_end = self
            .created_at_ms
            .saturating_add(times.absolute_lifetime_secs.saturating_mul(1000));
        idle_end.min(absolute_end)
    }

    /// Whether the session may still be used at `now_ms`, given the kill switch's
    /// effective cut-off ([`crate::flows::kill_switch::revoked_before_ms`]).
    pub fn is_live(&self, config: &Config, revoked_before_ms: u64, now_ms: u64) -> bool {
        !self.revoked && now_ms < self.ends_at_ms(config) && self.created_at_ms >= revoked_before_ms
    }

    /// The record's name within the user's shard.
    pub fn name(&self) -> String {
        name_of(self.kind(), &self.id)
    }

    /// What an OAuth grant's record grants; `None` for a session (or a damaged grant).
    pub fn grant(&self) -> Option<Grant> {
        self.oauth.as_ref().and_then(GrantText::read)
    }

    /// A session or an OAuth grant.
    pub fn kind(&self) -> Kind {
        if self.oauth.is_some() {
            Kind::Grant
        } else {
            Kind::Session
        }
    }
}

/// The name of record `id` of `kind` within its user's shard.
pub fn name_of(kind: Kind, id: &str) -> String {
    match kind {
        Kind::Session => name(id),
        Kind::Grant => grant::name(id),
    }
}

/// The name of session `session_id` within its user's shard.
pub fn name(session_id: &str) -> String {
    alloc::format!("{NAME_PREFIX}{session_id}")
}

/// Serialises a record for the store.
pub fn encode(record: &SessionRecord) -> Result<String, ApiError> {
    serde_json::to_string(record).map_err(|_| ApiError::Internal(Internal("session encoding")))
}

fn decode(raw: &str) -> Result<SessionRecord, ApiError> {
    serde_json::from_str(raw).map_err(|_| ApiError::Internal(Internal("session record corrupt")))
}

/// Reads a session and its raw stored text (the `expected` of a later swap). Ids
/// that are not of our shape read as absent without touching the store.
pub async fn load_raw(
    atomic: &impl AtomicStore,
    user_id: &str,
    session_id: &str,
) -> Result<Option<(SessionRecord, String)>, ApiError> {
    load_raw_of(atomic, Kind::Session, user_id, session_id).await
}

/// As [`load_raw`], for a record of `kind` (a session or an OAuth grant).
pub async fn load_raw_of(
    atomic: &impl AtomicStore,
    kind: Kind,
    user_id: &str,
    id: &str,
) -> Result<Option<(SessionRecord, String)>, ApiError> {
    if !user::is_id(user_id) || !user::is_id(id) {
        return Ok(None);
    }
    let shard = user::shard(user_id);
    let name = name_of(kind, id);
    match atomic.get(AtomicKey::new(&shard, &name)).await? {
        Some(raw) => {
            let (record, raw) = from_raw(raw, user_id, id)?;
            if record.kind() != kind {
                return Err(ApiError::Internal(Internal("session record kind mismatch")));
            }
            Ok(Some((record, raw)))
        }
        None => Ok(None),
    }
}

/// Decodes the stored text of session `session_id` of `user_id` (read by the caller
/// under [`name`] in the user's shard), checking that it is that session.
pub(crate) fn from_raw(
    raw: String,
    user_id: &str,
    session_id: &str,
) -> Result<(SessionRecord, String), ApiError> {
    let record = decode(&raw)?;
    // The key already binds the owner; a mismatch means a corrupt record. (A grant is
    // never read under a session's name: `load_raw_of` checks the kind, `list_raw`
    // lists `session/` only, and `flows::auth` refuses a grant.)
    if record.user_id != user_id || record.id != session_id {
        return Err(ApiError::Internal(Internal("session record mismatch")));
    }
    Ok((record, raw))
}

/// Replaces a stored record (`expected` is the raw text read before) and sets its
/// store expiry to the session's end. Returns whether the swap happened.
pub async fn swap(
    atomic: &impl AtomicStore,
    config: &Config,
    expected: Option<&str>,
    record: &SessionRecord,
) -> Result<bool, ApiError> {
    let shard = user::shard(&record.user_id);
    let name = record.name();
    Ok(atomic
        .compare_and_swap(
            AtomicKey::new(&shard, &name),
            expected,
            Some(&encode(record)?),
            Some(record.ends_at_ms(config)),
        )
        .await?)
}

/// Every stored session of a user (live, revoked or past the kill switch), with the
/// raw text of each. Records that fail to parse are skipped, not fatal: one corrupt
/// record must not lock a user out of listing and revoking the others.
pub async fn list_raw(
    atomic: &impl AtomicStore,
    user_id: &str,
) -> Result<Vec<(SessionRecord, String)>, ApiError> {
    if !user::is_id(user_id) {
        return Ok(Vec::new());
    }
    let shard = user::shard(user_id);
    Ok(atomic
        .list(&shard, NAME_PREFIX)
        .await?
        .into_iter()
        .filter_map(|(_, raw)| decode(&raw).ok().map(|record| (record, raw)))
        .filter(|(record, _)| record.user_id == user_id && record.kind() == Kind::Session)
        .collect())
}

/// Every stored OAuth grant of a user, with the raw text of each (as [`list_raw`]).
pub async fn list_grants_raw(
    atomic: &impl AtomicStore,
    user_id: &str,
) -> Result<Vec<(SessionRecord, String)>, ApiError> {
    if !user::is_id(user_id) {
        return Ok(Vec::new());
    }
    let shard = user::shard(user_id);
    Ok(atomic
        .list(&shard, grant::NAME_PREFIX)
        .await?
        .into_iter()
        .filter_map(|(_, raw)| decode(&raw).ok().map(|record| (record, raw)))
        .filter(|(record, _)| record.user_id == user_id && record.kind() == Kind::Grant)
        .collect())
}
