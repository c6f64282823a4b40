//! Request authentication and the CSRF policy.
//!
//! - [`authenticate()`]: Bearer header or `__Host-access` cookie → verified access token
//!   → CSRF (cookie + unsafe method) → live session → enabled user → [`Principal`].
//! - [`csrf`]: the CSRF and `Origin` policy as pure functions.
//!
//! A handler of a protected route starts with
//! `let principal = auth::authenticate(ctx).await?;` and then asks the principal
//! (`principal.require_role(ROLE_ADMIN)?`).
//!
//! Security considerations: the principal carries the user record as stored *now*
//! (roles, disabled flag) and the live session record, never claims taken on trust
//! from the token alone.

pub mod authenticate;
pub mod csrf;

#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

pub use authenticate::authenticate;
pub use csrf::Via;

use crate::accounts::user::UserRecord;
use crate::error::ApiError;
use crate::session::record::SessionRecord;

/// Who is calling: the user, the session, and how the credential arrived.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user, as stored now.
    pub user: UserRecord,
    /// The session the access token belongs to, as stored now.
    pub session: SessionRecord,
    /// Bearer header or cookie.
    pub via: Via,
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
