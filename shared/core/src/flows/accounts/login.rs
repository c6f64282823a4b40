//! `POST /auth/login {email, password, mode?}` (docs/contract.md §4, §5, §7).
//!
//! Steps, in order:
//! 1. `Origin`, when present, must be ours or allowlisted (`403 csrf_failed`) — a
//!    cross-site page must not sign a victim into an attacker's account (login CSRF);
//! 2. strict body parsing and the field rules of [`crate::policy::fields`] (`400
//!    invalid_request`: an over-long or malformed address or password, before any
//!    store access or hash); `mode` is `cookie` (default) or `token`;
//! 3. the per-address login limit, the isolate's hashing gate and the per-email
//!    lockout ([`crate::flows::lockout::LoginGuard`], `429 rate_limited` with `Retry-After`),
//!    before any lookup or password work, so that a locked or flooded address costs
//!    no hash. Every later failure — unknown address, wrong password, an account that
//!    may not sign in — is reported to the guard as one; a correct password refunds
//!    its attempt (and still gets `429` if a lock landed meanwhile);
//! 4. find the account by email index; unknown address →
//!    [`crate::policy::password::dummy_verify`], then the same `401 invalid_credentials` as a
//!    wrong password — one body (RFC 9457, no detail) and one hash either way;
//! 5. verify the password; wrong → `401 invalid_credentials`;
//! 6. [`after_password_verified`]: a disabled account, or an unverified one while
//!    `REQUIRE_EMAIL_VERIFICATION` holds, gets the same 401 — *after* the password
//!    check, so the answer reveals the account state only to its password holder…
//!    and not even to them. This is where MFA branches: with TOTP on, the answer is
//!    `200 {"mfa_required": true, "mfa_token": "…"}` and **no session and no cookie**
//!    ([`crate::flows::mfa::challenge`]); `POST /auth/login/mfa` finishes the login
//!    with [`crate::flows::sessions::sign_in::complete_with`] once a second factor is accepted;
//! 7. replace the stored hash when it `needs_rehash` (legacy bcrypt, other argon2
//!    parameters) — only if it is still the hash just verified, so a concurrent
//!    password change wins (with MFA this happens at the password step: the plaintext
//!    is not kept for the second one);
//! 8. record `last_login_at` — only if the user's session epoch is still the one
//!    the password was checked under, so a password reset (or any other flow that
//!    ends all sessions) landing meanwhile leaves no session behind
//!    ([`crate::policy::session_epoch`], [`crate::flows::sessions::sign_in`]) — start
//!    the session and deliver its tokens ([`crate::flows::sessions::delivery`]).
//!
//! Audit: `login_succeeded` (with `mfa` = `totp` / `recovery_code` after a second
//! factor), and `login_failed` with a `reason` (never the email or the password; an
//! unknown account has no subject).
//!
//! Security considerations: timing — unknown email and wrong password each cost one
//! argon2id verification with the configured parameters; the rehash of step 7 runs
//! only on success, so it cannot act as an oracle for "right password, disabled
//! account".

use alloc::string::String;
use serde::Deserialize;
use zeroize::Zeroize;

use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::sessions;
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::email;
use crate::model::session::Mode;
use crate::model::user::{self, UserRecord};
use crate::policy::csrf;
use crate::policy::fields::{self, PasswordField};
use crate::policy::password::{self, Verification};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    email: String,
    password: String,
    #[serde(default)]
    mode: Option<Mode>,
}

impl Drop for LoginBody {
    fn drop(&mut self) {
        self.password.zeroize();
    }
}

impl core::fmt::Debug for LoginBody {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("LoginBody([REDACTED])")
    }
}

/// What follows a verified password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginStep {
    /// Start the session now.
    Complete,
    /// A second factor is required first: answer with an MFA token, no session.
    MfaRequired,
}

/// The user behind an address, if the address is valid and registered.
pub async fn find_user<S: Services>(
    ctx: &Ctx<'_, S>,
    address: &str,
) -> Result<Option<UserRecord>, ApiError> {
    let Ok(normalized) = email::normalize(address) else {
        return Ok(None);
    };
    let atomic = ctx.services.atomic();
    match user::find_by_email(atomic, ctx.config, &normalized).await? {
        Some(user_id) => user::load(atomic, &user_id).await,
        None => Ok(None),
    }
}

fn failed<S: Services>(
    ctx: &Ctx<'_, S>,
    subject: Option<&str>,
    reason: &str,
) -> Result<ApiError, ApiError> {
    ctx.audit(AuditKind::LoginFailed, None, subject, &[("reason", reason)])?;
    Ok(ApiError::InvalidCredentials)
}

/// The step after a correct password: refuse accounts that may not sign in (with
/// the same answer as a wrong password), else decide how the login continues: with
/// a second factor when the account has one ([`crate::flows::mfa::is_required`]).
pub fn after_password_verified<S: Services>(
    ctx: &Ctx<'_, S>,
    user: &UserRecord,
) -> Result<LoginStep, ApiError> {
    if user.disabled {
        return Err(failed(ctx, Some(&user.id), "disabled")?);
    }
    if !user.may_sign_in(ctx.config) {
        return Err(failed(ctx, Some(&user.id), "email_unverified")?);
    }
    if crate::model::user::mfa::is_required(user) {
        return Ok(LoginStep::MfaRequired);
    }
    Ok(LoginStep::Complete)
}

/// Replaces the stored hash by `upgraded` if it is still `verified` (a concurrent
/// password change wins). Used when the session is not started in this request.
pub async fn upgrade_hash<S: Services>(
    ctx: &Ctx<'_, S>,
    user_id: &str,
    verified: &str,
    upgraded: &str,
) -> Result<(), ApiError> {
    user::update(ctx.services.atomic(), user_id, |stored| {
        if stored.password_hash != verified {
            return false;
        }
        stored.password_hash = upgraded.into();
        true
    })
    .await?;
    Ok(())
}

/// `POST /auth/login`.
pub async fn handle<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let config = ctx.config;
    csrf::check_origin(config, ctx.request)?;
    let request: LoginBody = body::parse_json(ctx.request)?;
    // The field rules look at the input alone: a 400 here tells nothing about accounts.
    fields::email(&request.email)?;
    fields::password(&request.password, PasswordField::Password)?;
    let mode = request.mode.unwrap_or(Mode::Cookie);
    let pepper = config.password_pepper.as_ref();
    // Step 3: per-address limit, hashing gate, per-email lockout (docs/abuse.md).
    let guard = crate::flows::lockout::LoginGuard::begin(ctx, &request.email).await?;

    let Some(user) = find_user(ctx, &request.email).await? else {
        ctx.timed_hash(|| password::dummy_verify(&request.password, &config.password_hash, pepper));
        guard.failed(ctx, None).await?;
        return Err(failed(ctx, None, "unknown_account")?);
    };
    // An account made by a social sign-in has no password until its owner sets one
    // (reset flow): it costs the same hash as a wrong password, and gets its answer.
    let verification = if user.has_password() {
        ctx.timed_hash(|| {
            password::verify_password(
                &request.password,
                &user.password_hash,
                &config.password_hash,
                pepper,
            )
        })
    } else {
        ctx.timed_hash(|| {
            password::dummy_verify(&request.password, &config.password_hash, pepper);
            Verification::Invalid
        })
    };
    let Verification::Valid { needs_rehash } = verification else {
        guard.failed(ctx, Some(&user)).await?;
        return Err(failed(ctx, Some(&user.id), "wrong_password")?);
    };
    let step = match after_password_verified(ctx, &user) {
        Ok(step) => step,
        Err(refused) => {
            // Counted like a wrong password, or the lockout would tell them apart.
            guard.failed(ctx, Some(&user)).await?;
            return Err(refused);
        }
    };
    guard.succeeded(ctx).await?;
    let rehash = if needs_rehash {
        let upgraded = ctx.timed_hash(|| {
            password::hash_password(
                &request.password,
                &config.password_hash,
                pepper,
                ctx.services.random(),
            )
        })?;
        Some((user.password_hash.clone(), upgraded))
    } else {
        None
    };
    match step {
        LoginStep::Complete => sessions::sign_in::complete(ctx, &user, mode, rehash).await,
        LoginStep::MfaRequired => {
            if let Some((verified, upgraded)) = &rehash {
                upgrade_hash(ctx, &user.id, verified, upgraded).await?;
            }
            crate::flows::mfa::challenge::respond(ctx, &user, mode).await
        }
    }
}
