//! Sessions: records, refresh-token rotation, delivery in the two modes, revocation,
//! and the routes of the `refresh` function (docs/contract.md §4, §5).
//!
//! - [`crate::model::session`]: the session record, where it lives, when it ends.
//! - [`crate::model::refresh_token`]: the refresh token's format, hash and derived
//!   successors.
//! - [`create`]: starting a session after sign-in; issuing its tokens.
//! - [`rotate`]: refresh with rotation, grace window and reuse detection.
//! - [`delivery`]: the login/refresh answer and the three cookies.
//! - [`revoke`]: logout, revoke one, revoke all, list live sessions.
//! - [`epoch`]: ending every session of a user, including logins in flight, by the
//!   per-user session epoch (its rule: [`crate::policy::session_epoch`]).
//! - [`sign_in`]: completing a sign-in whose credentials were checked, under the
//!   epoch they were checked in.
//! - [`routes`]: the HTTP handlers.
//! - [`introspect`]: the session check for resource servers outside edgeauth.
//!
//! For other flows: [`sign_in::complete`] after a successful password check (MFA
//! login uses [`sign_in::complete_with`]), [`delivery::respond`] to answer with the
//! tokens; to end all of a user's sessions,
//! [`crate::policy::session_epoch::advance`] in the flow's own compare-and-swap on the
//! user record, then [`revoke::revoke_all`] (or [`epoch::end_all`] for both when the
//! flow changes nothing else on the user).
//!
//! Security considerations: every session state change is a compare-and-swap on the
//! AtomicStore record; tokens are stored only as hashes. The design, its atomicity
//! argument and the reasons for the choices docs/contract.md states are in `docs/sessions.md`.

pub mod create;
pub mod delivery;
pub mod epoch;
pub mod introspect;
pub mod revoke;
pub mod rotate;
pub mod routes;
pub mod sign_in;

#[cfg(test)]
mod tests;

pub use create::{start, Issued};
pub use revoke::revoke_all;
