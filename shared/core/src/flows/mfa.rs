//! The second-factor flows (docs/contract.md §5, §6, §7): TOTP setup and confirmation,
//! disabling, and the second step of a login — built on the pure primitives of
//! [`crate::policy::mfa`] and the record cipher of [`crate::crypto::aead`].
//!
//! - [`enroll`]: `POST /api/me/mfa/totp/setup` and `POST /api/me/mfa/totp/confirm`.
//! - [`disable`]: `DELETE /api/me/mfa/totp` (feature `password`).
//! - [`challenge`]: the MFA token a password login answers with when TOTP is on.
//! - [`second_factor`]: accepting a TOTP or recovery code exactly once.
//! - [`login_step`]: `POST /auth/login/mfa` (feature `password`), which also accepts a
//!   passkey assertion instead of a code (feature `passkeys`), answering the challenge
//!   of [`passkey_options`] (`POST /auth/login/mfa/passkey/options`).
//! - [`notice`]: the mails telling the owner that their second factor changed.
//!
//! ## State
//!
//! Everything lives in the user record ([`crate::model::user::UserRecord::mfa`],
//! [`crate::model::user::mfa::MfaState`]), so every change is one compare-and-swap on one record:
//!
//! | field | content |
//! |---|---|
//! | `totp_secret` | the active secret, [`crate::crypto::aead`] ciphertext bound to `user/{id}#totp_secret` |
//! | `pending` | a setup awaiting its first code: ciphertext bound to `user/{id}#totp_pending`, and its expiry (15 min) |
//! | `totp_last_step` | the last accepted RFC 6238 time step; only moves forward, kept across disable |
//! | `recovery_codes` | [`crate::policy::mfa::recovery`] hashes (owner context `user/{id}`) of the unused codes |
//! | `enabled_at_ms` | when TOTP was confirmed |
//!
//! `mfa_enabled` on the record mirrors `totp_secret.is_some()` for the profile
//! answers; a login asks for a second factor when either says so
//! ([`crate::model::user::mfa::is_required`]).
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
pub mod passkey_options;
pub mod second_factor;

#[cfg(all(test, feature = "password-policy"))]
mod tests;

// The state these flows change is a model record; its helpers, under their old names.
pub use crate::model::user::mfa::{
    is_required, pending_context, recovery_context, secret_context, status, MfaState, MfaStatus,
    PendingTotp,
};

/// The issuer shown by authenticator apps: the host of `PUBLIC_ORIGIN`.
pub(crate) fn issuer(public_origin: &str) -> &str {
    public_origin
        .split_once("://")
        .map_or(public_origin, |(_, host)| host)
}
