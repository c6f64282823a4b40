//! `POST /auth/password/reset {token, password}` → `200 {"status":"reset"}`
//! (docs/contract.md §5).
//!
//! Steps:
//! 1. strict body; the token is looked up (read only): malformed, unknown, used or
//!    expired → `400 invalid_request`;
//! 2. the user must exist, be enabled, and still have the password hash the token was
//!    issued against ([`token::still_current`]) — else the same `400`: a completed
//!    reset or change has superseded this token;
//! 3. the password policy, checked against the user's address (`400 weak_password`).
//!    The token is *not* consumed yet, so a rejected password can be retried with the
//!    same link;
//! 4. the isolate's hashing gate, then the token is consumed (compare-and-swap; of
//!    concurrent uses exactly one proceeds), then the one hash;
//! 5. the new hash is written by compare-and-swap *only if* the stored hash is still
//!    the token's (two different tokens redeemed at once: one wins, the other gets
//!    `400`). The address is marked verified — the token came through it. If that is
//!    its *first* verification and the address is a bootstrap admin's, `admin` is
//!    granted, exactly as `POST /auth/email/verify` would have (the last-admin guard's
//!    set first, [`crate::model::admins`]). An address verified before gets no
//!    role from a reset: bootstrap applies once, and an admin's later decision about
//!    the account (a demotion, say) stands;
//!    The same swap moves the user's session epoch on ([`crate::policy::session_epoch`]):
//!    a login that checked the old password, or an MFA token it obtained, cannot
//!    produce a live session afterwards;
//! 6. every session of the user is revoked ([`crate::flows::sessions::revoke_all`]), the
//!    address's lockout is lifted ([`crate::flows::lockout::clear`]: the owner proved control
//!    of the address), a notice mail is sent, `password_reset` is audited (and
//!    `email_verified` / `role_changed` when those changed).
//!
//! No session is created: the user signs in afterwards, through the second factor
//! when one is set up — a reset never bypasses MFA.
//!
//! Security considerations: the token and the password never reach a log or the
//! audit log; the plaintext is zeroized after hashing; every other outstanding
//! token of the user dies with the old hash.

use alloc::string::String;
use alloc::{format, vec::Vec};
use serde::Deserialize;
use zeroize::Zeroize;

use super::mails;
use super::token;
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::{lockout, sessions};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::email;
use crate::model::user::{self, ROLE_ADMIN};
use crate::policy::fields::{self, PasswordField};
use crate::policy::password;
use crate::policy::session_epoch;

/// The `detail` of every unusable token.
pub const INVALID_TOKEN: &str = "the token is invalid or has expired";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetBody {
    token: String,
    password: String,
}

impl Drop for ResetBody {
    fn drop(&mut self) {
        self.password.zeroize();
    }
}

impl core::fmt::Debug for ResetBody {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ResetBody([REDACTED])")
    }
}

fn invalid() -> ApiError {
    ApiError::InvalidRequest(INVALID_TOKEN)
}

/// `POST /auth/password/reset`.
pub async fn handle<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let config = ctx.config;
    let request: ResetBody = body::parse_json(ctx.request)?;
    body::check_length(&request.token, 1, 128, INVALID_TOKEN)?;
    fields::password(&request.password, PasswordField::Password)?;
    let atomic = ctx.services.atomic();
    let found = token::find(atomic, &request.token, ctx.now_ms)
        .await?
        .ok_or_else(invalid)?;
    let holder = user::load(atomic, &found.user_id)
        .await?
        .filter(|holder| !holder.disabled && token::still_current(&found, holder))
        .ok_or_else(invalid)?;
    let address = holder.email_address(config)?;
    let mut new_password =
        password::check_policy(&request.password, &address, config.password_min_length)?;

    let hashed = match ctx.memory.hashing.admit() {
        Ok(_hashing) => {
            let consumed = token::consume(atomic, &found).await;
            let hashed = match consumed {
                Ok(true) => ctx.timed_hash(|| {
                    password::hash_password(
                        &new_password,
                        &config.password_hash,
                        config.password_pepper.as_ref(),
                        ctx.services.random(),
                    )
                }),
                Ok(false) => Err(invalid()),
                Err(error) => Err(error),
            };
            new_password.zeroize();
            hashed?
        }
        Err(busy) => {
            new_password.zeroize();
            return Err(busy);
        }
    };

    // Bootstrap applies at the first verification only (see step 5).
    let bootstrap_admin = !holder.email_verified && email::is_bootstrap_admin(config, &address);
    if bootstrap_admin {
        // Into the last-admin guard's set before the profile says admin. Best effort,
        // as at verification: an admin the set misses only makes the guard stricter.
        let _ = crate::model::admins::add(atomic, ctx.services.records(), &holder.id).await;
    }
    let (mut superseded, mut verified_now, mut admin_now) = (false, false, false);
    let updated = user::update(ctx.services.atomic(), &holder.id, |stored| {
        superseded = stored.disabled || !token::still_current(&found, stored);
        if superseded {
            return false;
        }
        stored.password_hash.clone_from(&hashed);
        // Ends every session in the same swap, including one that a login with the
        // old password is about to write (session::epoch).
        session_epoch::advance(stored, None);
        verified_now = !stored.email_verified;
        stored.email_verified = true;
        admin_now = bootstrap_admin && verified_now && !stored.has_role(ROLE_ADMIN);
        if admin_now {
            stored.grant_role(ROLE_ADMIN);
        }
        true
    })
    .await?;
    if updated.is_none() || superseded {
        return Err(invalid());
    }

    let revoked = sessions::revoke_all(ctx, &holder.id, None).await?;
    lockout::clear(ctx, &email::email_index(config, &address)).await?;
    ctx.send_mail(mails::reset_notice(&config.public_origin, &address));
    let revoked = format!("{revoked}");
    let mut detail: Vec<(&str, &str)> = alloc::vec![("sessions_revoked", revoked.as_str())];
    if verified_now {
        detail.push(("email_verified", "true"));
    }
    ctx.audit(
        AuditKind::PasswordReset,
        Some(&holder.id),
        Some(&holder.id),
        &detail,
    )?;
    if verified_now {
        ctx.audit(
            AuditKind::EmailVerified,
            Some(&holder.id),
            Some(&holder.id),
            &[("via", "password_reset")],
        )?;
    }
    if admin_now {
        ctx.audit(
            AuditKind::RoleChanged,
            None,
            Some(&holder.id),
            &[("granted", ROLE_ADMIN), ("reason", "bootstrap_admin_email")],
        )?;
    }
    Ok(Response::json(200, &serde_json::json!({"status": "reset"})))
}
