//! Turning TOTP off: `DELETE /api/me/mfa/totp {password}` → `204` (docs/contract.md §6).
//!
//! Steps: authenticate (CSRF for cookie credentials — `DELETE` is unsafe), strict
//! body, verify the password against the stored hash; then one compare-and-swap
//! clears the active secret, a pending setup, the recovery codes and `mfa_enabled`.
//! `totp_last_step` stays: steps only move forward per user, whatever the secret.
//! Audit `mfa_disabled` and a notice mail when a factor was on. Disabling when
//! nothing is on answers `204` too (DELETE is idempotent; a retried request after a
//! lost response must not look like a failure) and audits nothing.
//!
//! A wrong password is `401 invalid_credentials`: this route is a password oracle
//! for whoever holds a session, so it is guarded like a login's password check —
//! the isolate's hashing gate, then a lockout admission on the account's address
//! ([`crate::flows::lockout::admit`]: `429` while locked, before any hash), the failure
//! counted towards the lock — and audited as `login_failed`
//! (`reason=wrong_current_password`, `flow=mfa_disable`, as the password change
//! does).
//!
//! Security considerations: the password is the proof that a stolen session alone
//! cannot remove (or, with setup's refusal while TOTP is on, replace) the second
//! factor; the password field is zeroized on drop and never logged.

use alloc::string::String;
use serde::Deserialize;
use zeroize::Zeroize;

use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::lockout;
use crate::flows::notices::{self, SecurityNotice};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::principal::Principal;
use crate::model::{email, user};
use crate::policy::fields::{self, PasswordField};
use crate::policy::password::{self, Verification};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DisableBody {
    password: String,
}

impl Drop for DisableBody {
    fn drop(&mut self) {
        self.password.zeroize();
    }
}

/// `DELETE /api/me/mfa/totp {password}`.
pub async fn handle<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let request: DisableBody = body::parse_json(ctx.request)?;
    fields::password(&request.password, PasswordField::Password)?;
    let config = ctx.config;
    let caller = &principal.user;
    let address = caller.email_address(config)?;
    let hashing = ctx.memory.hashing.admit()?;
    let attempt = lockout::admit(ctx, &email::email_index(config, &address)).await?;
    let verification = ctx.timed_hash(|| {
        password::verify_password(
            &request.password,
            &caller.password_hash,
            &config.password_hash,
            config.password_pepper.as_ref(),
        )
    });
    drop(hashing);
    if !matches!(verification, Verification::Valid { .. }) {
        let account = lockout::Account {
            user_id: &caller.id,
            address: &address,
        };
        attempt.failed(ctx, Some(account)).await?;
        ctx.audit(
            AuditKind::LoginFailed,
            Some(&caller.id),
            Some(&caller.id),
            &[
                ("reason", "wrong_current_password"),
                ("flow", "mfa_disable"),
            ],
        )?;
        return Err(ApiError::InvalidCredentials);
    }
    attempt.succeeded(ctx).await?;

    let verified_hash = caller.password_hash.clone();
    let mut was_on = false;
    let mut password_changed = false;
    let stored = user::update(ctx.services.atomic(), &caller.id, |stored| {
        // A password change since this request read the record: the password just
        // verified is no longer the account's.
        password_changed = stored.password_hash != verified_hash;
        if password_changed {
            return false;
        }
        was_on = super::is_required(stored);
        let cleared = super::MfaState {
            totp_last_step: stored.mfa.totp_last_step,
            ..Default::default()
        };
        let changed = stored.mfa != cleared || stored.mfa_enabled;
        stored.mfa = cleared;
        stored.mfa_enabled = false;
        changed
    })
    .await?
    .ok_or(ApiError::Unauthenticated)?;
    if password_changed {
        return Err(ApiError::InvalidCredentials);
    }
    if was_on {
        ctx.audit(
            AuditKind::MfaDisabled,
            Some(&stored.id),
            Some(&stored.id),
            &[("method", "totp")],
        )?;
        notices::notify(ctx, &stored.id, &address, SecurityNotice::MfaDisabled).await?;
    }
    Ok(Response::empty(204))
}
