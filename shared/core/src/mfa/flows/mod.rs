//! The second-factor flows (docs/contract.md §5, §6, §7): TOTP setup and confirmation,
//! disabling, and the second step of a login — built on the pure primitives of
//! [`crate::mfa`] and the record cipher of [`crate::crypto::aead`].
//!
//! - [`enroll`]: `POST /api/me/mfa/totp/setup` and `POST /api/me/mfa/totp/confirm`.
//! - [`disable`]: `DELETE /api/me/mfa/totp` (feature `password`).
//! - [`challenge`]: the MFA token a password login answers with when TOTP is on.
//! - [`second_factor`]: accepting a TOTP or recovery code exactly once.
//! - [`login_step`]: `POST /auth/login/mfa` (feature `password`).
//! - [`notice`]: the mails telling the owner that their second factor changed.
//!
//! ## State
//!
//! Everything lives in the user record ([`crate::accounts::UserRecord::mfa`], this
//! module's [`MfaState`]), so every change is one compare-and-swap on one record:
//!
//! | field | content |
//! |---|---|
//! | `totp_secret` | the active secret, [`crate::crypto::aead`] ciphertext bound to `user/{id}#totp_secret` |
//! | `pending` | a setup awaiting its first code: ciphertext bound to `user/{id}#totp_pending`, and its expiry (15 min) |
//! | `totp_last_step` | the last accepted RFC 6238 time step; only moves forward, kept across disable |
//! | `recovery_codes` | [`crate::mfa::recovery`] hashes (owner context `user/{id}`) of the unused codes |
//! | `enabled_at_ms` | when TOTP was confirmed |
//!
//! `mfa_enabled` on the record mirrors `totp_secret.is_some()` for the profile
//! answers; a login asks for a second factor when either says so ([`is_required`]).
//!
//! ## Security considerations
//! - **Encrypted, bound secrets.** A TOTP secret is stored only as a ciphertext whose
//!   associated data names the record and the field, so a secret copied into
//!   another account (an attacker planting a secret they know) or from the pending
//!   into the active field does not decrypt. Undecryptable state fails closed
//!   (`503`, nothing written) — it never reads as "no second factor".
//! - **Each step once.** A code is accepted only by a compare-and-swap that moves
//!   `totp_last_step` forward to the code's step, recomputed on a fresh read after a
//!   lost race; of concurrent requests with one code exactly one succeeds, and a
//!   replay of an accepted code — or of a code of an earlier step — is
//!   `401 invalid_mfa`. Confirmation records its step too, so the code typed to
//!   confirm cannot be replayed at the next login.
//! - **Each recovery code once.** Its hash is removed by the same compare-and-swap
//!   that accepts it.
//! - **Changing the factor needs the password.** Setup is refused while TOTP is on;
//!   disabling takes the password. So a stolen session cannot swap in its own
//!   secret; it can enable TOTP on an account that had none, which is why enabling
//!   and disabling mail the owner ([`notice`]).
//! - **A password reset does not bypass MFA**: it changes `password_hash` only; the
//!   state above stays, and the next login still asks for the second factor.
//! - Secrets, codes and recovery codes never reach a log line or an audit event;
//!   setup returns the secret once and confirmation the recovery codes once.

pub mod challenge;
#[cfg(feature = "password")]
pub mod disable;
pub mod enroll;
#[cfg(feature = "password")]
pub mod login_step;
pub mod notice;
pub mod second_factor;

#[cfg(all(test, feature = "password-policy"))]
pub(crate) mod testflows;
#[cfg(all(test, feature = "password-policy"))]
mod tests;

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::accounts::UserRecord;
use crate::util;

/// The second-factor state kept in the user record (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaState {
    /// The active TOTP secret: a ciphertext bound to [`secret_context`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    /// The last accepted time step; codes of this or earlier steps are refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_last_step: Option<u64>,
    /// A setup awaiting confirmation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingTotp>,
    /// Hashes of the unused recovery codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery_codes: Vec<String>,
    /// When TOTP was enabled (Unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_at_ms: Option<u64>,
}

/// A TOTP setup that has not been confirmed with a code yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingTotp {
    /// The new secret: a ciphertext bound to [`pending_context`].
    pub secret: String,
    /// The setup is void after this instant (Unix ms).
    pub expires_at_ms: u64,
}

impl MfaState {
    /// Whether nothing is stored (the field is then left out of the record).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The associated data of a user's active TOTP secret.
pub fn secret_context(user_id: &str) -> String {
    alloc::format!("user/{user_id}#totp_secret")
}

/// The associated data of a user's pending (unconfirmed) TOTP secret.
pub fn pending_context(user_id: &str) -> String {
    alloc::format!("user/{user_id}#totp_pending")
}

/// The owner context of a user's recovery-code hashes.
pub fn recovery_context(user_id: &str) -> String {
    alloc::format!("user/{user_id}")
}

/// Whether a login of `user` needs a second factor. Either mark suffices, so a
/// record whose flag and secret disagree (a partial write, or tampering) asks for
/// one rather than letting the password alone in.
pub fn is_required(user: &UserRecord) -> bool {
    user.mfa_enabled || user.mfa.totp_secret.is_some()
}

/// What may be shown about a user's second factor (profile, export, access review):
/// status only — never a secret, a ciphertext or a hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MfaStatus {
    /// Whether TOTP is on.
    pub totp_enabled: bool,
    /// When it was enabled (RFC 3339), if it is.
    pub enabled_at: Option<String>,
    /// How many recovery codes are left unused.
    pub recovery_codes_remaining: usize,
}

/// The [`MfaStatus`] of `user`.
pub fn status(user: &UserRecord) -> MfaStatus {
    let totp_enabled = is_required(user);
    MfaStatus {
        totp_enabled,
        enabled_at: user
            .mfa
            .enabled_at_ms
            .filter(|_| totp_enabled)
            .map(util::rfc3339),
        recovery_codes_remaining: user.mfa.recovery_codes.len(),
    }
}

/// The issuer shown by authenticator apps: the host of `PUBLIC_ORIGIN`.
pub(crate) fn issuer(public_origin: &str) -> &str {
    public_origin
        .split_once("://")
        .map_or(public_origin, |(_, host)| host)
}
