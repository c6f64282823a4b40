//! The second factor's state inside the user record ([`MfaState`]), the associated
//! data its ciphertexts are bound to, and what may be shown about it ([`MfaStatus`]).
//! The flows that change it are [`crate::flows::mfa`] (whose docs describe the state
//! and its security considerations).

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::UserRecord;
use crate::encoding;

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
            .map(encoding::rfc3339),
        recovery_codes_remaining: user.mfa.recovery_codes.len(),
    }
}
