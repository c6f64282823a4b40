//! Account recovery and password change (docs/contract.md §5, §7), the password routes of the
//! `reset` function:
//!
//! - [`forgot`]: `POST /auth/password/forgot` — always `202`; a reset mail for a real
//!   account.
//! - [`reset`]: `POST /auth/password/reset` — a mailed token and a new password; ends
//!   every session and every other outstanding token.
//! - [`change`]: `POST /auth/password/change` — signed in, with the current password;
//!   ends the other sessions.
//! - [`token`]: the reset token (256 bits, stored as SHA-256, 30 minutes, single use,
//!   bound to the password hash it was issued against).
//! - [`mails`]: the reset link and the reset notice.
//! - [`not_me`]: `POST /auth/security/not-me` — a security notice's "this wasn't me"
//!   link: locks the password, ends every session, mails a reset link.
//!
//! The whole module needs the `password-policy` feature (new passwords are checked
//! against the policy), which the `reset` function enables.
//!
//! Security considerations: no enumeration — forgot answers the same bytes for every
//! address and does the same store work (see [`forgot`]); reset tokens never reach a
//! log, the audit log or a query string; every password check goes through the
//! isolate's hashing gate ([`crate::memory::hashing`]) and the change route's
//! current-password check through the per-email lockout ([`crate::flows::lockout`]). The
//! design and its residual risks are in `docs/abuse.md`.

pub mod change;
pub mod forgot;
pub mod mails;
pub mod not_me;
pub mod reset;
pub mod token;

#[cfg(test)]
mod tests;
