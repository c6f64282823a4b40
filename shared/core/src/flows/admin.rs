//! Administration (docs/contract.md §6): the access review, roles, disabling and enabling
//! users, revoking a user's sessions — and the guard that keeps at least one
//! enabled administrator.
//!
//! - [`routes`]: the handlers of `/api/admin/users…`.
//! - [`crate::model::admins`]: the strongly consistent set of enabled admins behind
//!   the last-admin guard.
//!
//! The access review pages through the user directory
//! ([`crate::model::user::DIRECTORY_PREFIX`], a RecordStore listing of ids written
//! at registration) and reads each profile from the AtomicStore, so what it shows
//! (roles, disabled, MFA, last login) is the state that authorises requests now;
//! only a just-registered account may be missing from it for up to a minute (KV
//! listing consistency).
//!
//! Security considerations: each route is gated by its own admin permission
//! ([`crate::policy::rbac`]); every change is audited with the acting admin as `actor_id`;
//! role and disable changes apply to the target's next request because every
//! request re-reads the user record ([`crate::flows::auth::authenticate`]).

pub mod data_keys;
pub mod revoke_all;
pub mod routes;

#[cfg(test)]
mod tests;
