//! Second-factor primitives (docs/contract.md §7 "TOTP", §6 `/api/me/mfa/…`): the TOTP
//! algorithm, the base32 encoding of its secrets, and recovery codes.
//!
//! These are pure functions; the flows that use them (setup, confirm, login with a
//! code, disable) are in [`crate::flows::mfa`] and keep the state: the encrypted secret
//! ([`crate::crypto::aead`]), the last accepted time step, the list of recovery-code
//! hashes — each changed atomically so a code counts once.
//!
//! Security considerations:
//! - [`totp::verify`] returns the matched time step instead of a boolean, so the
//!   caller can make each step count once per user (see [`totp`]).
//! - Code comparisons are constant-time; malformed input is refused before any MAC.
//! - Recovery codes are stored only as keyed hashes ([`recovery`]).

pub mod base32;
pub mod recovery;
pub mod totp;
