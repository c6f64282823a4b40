//! Sessions: records, refresh-token rotation, delivery in the two modes, revocation,
//! and the routes of the `refresh` function (docs/contract.md §4, §5).
//!
//! - [`record`]: the session record, where it lives, when it ends.
//! - [`refresh_token`]: the refresh token's format, hash and derived successors.
//! - [`create`]: starting a session after sign-in; issuing its tokens.
//! - [`rotate`]: refresh with rotation, grace window and reuse detection.
//! - [`delivery`]: the login/refresh answer and the three cookies.
//! - [`revoke`]: logout, revoke one, revoke all, list live sessions.
//! - [`epoch`]: the per-user session epoch that ends every session of a user,
//!   including logins in flight.
//! - [`routes`]: the HTTP handlers.
//!
//! For other flows: [`create::start`] after a successful sign-in (MFA login uses it
//! too), [`delivery::respond`] to answer with the tokens; to end all of a user's
//! sessions, [`epoch::advance`] in the flow's own compare-and-swap on the user record,
//! then [`revoke::revoke_all`] (or [`epoch::end_all`] for both when the flow changes
//! nothing else on the user).
//!
//! Security considerations: every session state change is a compare-and-swap on the
//! AtomicStore record; tokens are stored only as hashes. The design, its atomicity
//! argument and the reasons for the choices docs/contract.md states are in `docs/sessions.md`.

pub mod create;
pub mod delivery;
pub mod epoch;
#[cfg(all(test, feature = "password-policy"))]
mod epoch_tests;
pub mod kill_switch;
#[cfg(test)]
mod kill_switch_tests;
pub mod record;
pub mod refresh_token;
pub mod revoke;
pub mod rotate;
pub mod routes;

#[cfg(test)]
mod tests;

pub use create::{start, Issued};
pub use record::{Mode, SessionRecord};
pub use refresh_token::RefreshToken;
pub use revoke::revoke_all;
