//! Who is calling a guarded route: ids from the verified token, roles as edgeauth has
//! them stored.
//!
//! Security considerations: the roles are those of edgeauth's session check (stored
//! roles, at most the revocation bound old, never the token's informational `roles`
//! claim), so a demotion applies here as in edgeauth's own `api`. Permissions come
//! from edgeauth's one RBAC table ([`edgeauth_core::policy::rbac`]); a role this table
//! does not know grants none of its permissions but can still be required by name.

use edgeauth_core::policy::rbac::{self, Permission};
use edgeauth_core::ApiError;

pub use edgeauth_core::model::principal::Via;

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user id (`sub`).
    pub user_id: String,
    /// The session id (`sid`).
    pub session_id: String,
    /// The user's stored roles (`user` first).
    pub roles: Vec<String>,
    /// Whether the user's address is verified.
    pub email_verified: bool,
    /// Bearer header or cookie.
    pub via: Via,
    /// The access token's `exp` (Unix seconds).
    pub token_expires_at_secs: u64,
    /// When edgeauth read the session and user records (Unix ms, this runtime's
    /// clock; at most the revocation bound before the request under `cached`).
    pub checked_at_ms: u64,
}

impl Principal {
    /// Whether the user holds `role` (exact spelling).
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|held| held == role)
    }

    /// `403 forbidden` unless the user holds `role`.
    pub fn require_role(&self, role: &str) -> Result<(), ApiError> {
        if self.has_role(role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// `403 forbidden` unless one of the user's roles grants `permission` in
    /// edgeauth's table.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if rbac::authorize(&self.roles, permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}
