//! Accepting a second factor exactly once: the check behind
//! `POST /auth/login/mfa` ([`super::login_step`]).
//!
//! [`accept`] is the one place a code is accepted. It is a compare-and-swap on the
//! user record ([`crate::model::user::update`]) whose change is recomputed on
//! every fresh read:
//! - **TOTP**: decrypt the secret, [`totp::verify_after`] with the stored
//!   `totp_last_step` (a code of that step or an earlier one is not even a match),
//!   and move `totp_last_step` to the matched step. Two requests with one code: the
//!   second's swap fails, it re-reads, the step is now used, no match.
//! - **Recovery code**: [`recovery::find`] over every stored hash and remove the one
//!   that matched. Two requests with one code: the loser re-reads a list without it.
//!
//! Security considerations: a wrong TOTP code, a replayed one, a used recovery code
//! and a wrong one are all "no match" — callers give them one answer; an
//! undecryptable secret is never "no match" but an error.

use super::{is_required, recovery_context, secret_context};
use crate::config::Keyring;
use crate::crypto::aead;
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::model::user::{self, UserRecord};
use crate::policy::mfa::{recovery, totp};

/// A second factor as presented.
#[derive(Clone, Copy)]
pub enum Factor<'a> {
    /// A six-digit TOTP code.
    Totp(&'a str),
    /// A recovery code (`xxxx-xxxx-xxxx`, case, dashes and spaces ignored).
    RecoveryCode(&'a str),
}

impl core::fmt::Debug for Factor<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Factor::{}([REDACTED])", self.name())
    }
}

impl Factor<'_> {
    /// The method's name in audit events (`totp`, `recovery_code`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Totp(_) => "totp",
            Self::RecoveryCode(_) => "recovery_code",
        }
    }
}

/// Checks `factor` against the stored state of `user` and, when it matches, applies
/// the change that makes it single-use. `Ok(false)`: no match (nothing to change).
fn apply(
    keyring: &Keyring,
    user: &mut UserRecord,
    factor: Factor<'_>,
    now_secs: u64,
) -> Result<bool, ApiError> {
    if !is_required(user) {
        return Ok(false);
    }
    match factor {
        Factor::Totp(code) => {
            let Some(ciphertext) = &user.mfa.totp_secret else {
                return Ok(false);
            };
            let secret = aead::decrypt(keyring, &secret_context(&user.id), ciphertext)?;
            match totp::verify_after(secret.expose(), code, now_secs, user.mfa.totp_last_step) {
                Some(step) => {
                    user.mfa.totp_last_step = Some(step);
                    Ok(true)
                }
                None => Ok(false),
            }
        }
        Factor::RecoveryCode(code) => {
            let context = recovery_context(&user.id);
            match recovery::find(keyring, &context, code, &user.mfa.recovery_codes) {
                Some(position) if position < user.mfa.recovery_codes.len() => {
                    user.mfa.recovery_codes.remove(position);
                    Ok(true)
                }
                _ => Ok(false),
            }
        }
    }
}

/// Accepts `factor` for `user_id` at most once (see the module docs). Returns the
/// user record as stored after the acceptance, or `None` when the factor does not
/// match (wrong, replayed, already used) or the user is gone. An undecryptable
/// secret is an error (`503`); nothing is written then.
pub async fn accept<S: Services>(
    ctx: &Ctx<'_, S>,
    user_id: &str,
    factor: Factor<'_>,
) -> Result<Option<UserRecord>, ApiError> {
    let keyring = &ctx.config.data_encryption_keys;
    let now_secs = ctx.now_ms / 1000;
    let mut verdict: Result<bool, ApiError> = Ok(false);
    let stored = user::update(ctx.services.atomic(), user_id, |user| {
        verdict = apply(keyring, user, factor, now_secs);
        matches!(verdict, Ok(true))
    })
    .await?;
    Ok(if verdict? { stored } else { None })
}
