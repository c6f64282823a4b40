//! Who is calling: the [`Principal`] that authentication
//! ([`crate::flows::auth::authenticate`]) hands to the handler of a protected route.
//!
//! A protected handler receives the principal from the route table
//! ([`crate::functions`]) and asks it (`principal.require_role(ROLE_ADMIN)?`).
//!
//! Security considerations: the principal carries the user record and the live
//! session record as stored when [`Principal::checked_at_ms`] says — now, or (a
//! read-only request under `SESSION_CHECK=cached`) at most the revocation bound
//! before — never claims taken on trust from the token alone.

use crate::error::ApiError;
use crate::model::session::SessionRecord;
use crate::model::user::UserRecord;

/// How the request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `Authorization: Bearer …` — exempt from CSRF checks.
    Bearer,
    /// A session cookie (`__Host-access` or `__Secure-refresh`).
    Cookie,
}

/// Who is calling: the user, the session, and how the credential arrived.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user, as stored at [`Self::checked_at_ms`].
    pub user: UserRecord,
    /// The session the access token belongs to, as stored at [`Self::checked_at_ms`].
    pub session: SessionRecord,
    /// Bearer header or cookie.
    pub via: Via,
    /// When the records were read: the start of the request that read them (Unix
    /// ms). Earlier than this request's start only for a reused session check.
    pub checked_at_ms: u64,
}

impl Principal {
    /// The user's id.
    pub fn user_id(&self) -> &str {
        &self.user.id
    }

    /// The session's id.
    pub fn session_id(&self) -> &str {
        &self.session.id
    }

    /// Whether the user holds `role` (stored roles, not the token's).
    pub fn has_role(&self, role: &str) -> bool {
        self.user.has_role(role)
    }

    /// `403 forbidden` unless the user holds `role`.
    pub fn require_role(&self, role: &str) -> Result<(), ApiError> {
        if self.has_role(role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}
