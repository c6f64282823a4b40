//! `POST /auth/login {email, password, mode?}` (API.md §4, §5, §7).
//!
//! Steps, in order:
//! 1. `Origin`, when present, must be ours or allowlisted (`403 csrf_failed`) — a
//!    cross-site page must not sign a victim into an attacker's account (login CSRF);
//! 2. strict body parsing (`400`); `mode` is `cookie` (default) or `token`;
//! 3. *(seam: lockout and per-IP / per-email rate limits go here, before any
//!    password work, so that a locked account costs no hash)*;
//! 4. find the account by email index; unknown (or malformed) address →
//!    [`crate::password::dummy_verify`], then the same `401 invalid_credentials` as a
//!    wrong password — one body (RFC 9457, no detail) and one hash either way;
//! 5. verify the password; wrong → `401 invalid_credentials`;
//! 6. [`after_password_verified`]: a disabled account, or an unverified one while
//!    `REQUIRE_EMAIL_VERIFICATION` holds, gets the same 401 — *after* the password
//!    check, so the answer reveals the account state only to its password holder…
//!    and not even to them. This is where MFA branches (`mfa_required`);
//! 7. record `last_login_at`, and replace the stored hash when it `needs_rehash`
//!    (legacy bcrypt, other argon2 parameters) — only if it is still the hash just
//!    verified, so a concurrent password change wins;
//! 8. start the session and deliver its tokens ([`crate::session::delivery`]).
//!
//! Audit: `login_succeeded`, and `login_failed` with a `reason` (never the email or
//! the password; an unknown account has no subject).
//!
//! Security considerations: timing — unknown email and wrong password each cost one
//! argon2id verification with the configured parameters; the rehash of step 7 runs
//! only on success, so it cannot act as an oracle for "right password, disabled
//! account".

use alloc::string::String;
use serde::Deserialize;
use zeroize::Zeroize;

use super::email;
use super::user::{self, UserRecord};
use crate::app::{Ctx, Services};
use crate::audit::AuditKind;
use crate::auth::csrf;
use crate::error::ApiError;
use crate::http::{body, Response};
use crate::password::{self, Verification};
use crate::session::{self, delivery, Mode};

/// Longest password field accepted for verification (the policy caps new passwords
/// at 256 characters; imported legacy hashes may predate it).
pub const MAX_PASSWORD_FIELD_CHARS: usize = 1024;

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
    let index = email::email_index(ctx.config, &normalized);
    match user::find_by_index(atomic, &index).await? {
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
/// the same answer as a wrong password), else decide how the login continues.
/// MFA adds its branch here.
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
    Ok(LoginStep::Complete)
}

/// Records the login on the user (and the upgraded hash, if any), starts the session
/// and answers with its tokens. Shared with the MFA step.
pub async fn complete<S: Services>(
    ctx: &Ctx<'_, S>,
    user: &UserRecord,
    mode: Mode,
    rehash: Option<(String, String)>,
) -> Result<Response, ApiError> {
    let now = ctx.now_ms;
    let user = user::update(ctx, &user.id, |stored| {
        stored.last_login_at_ms = Some(now);
        if let Some((verified, upgraded)) = &rehash {
            if stored.password_hash == *verified {
                stored.password_hash.clone_from(upgraded);
            }
        }
        true
    })
    .await?
    .ok_or(ApiError::InvalidCredentials)?;
    let issued = session::start(ctx, &user, mode).await?;
    ctx.audit(
        AuditKind::LoginSucceeded,
        Some(&user.id),
        Some(&user.id),
        &[("mode", mode.as_str()), ("session_id", &issued.session.id)],
    )?;
    delivery::respond(ctx, &user, &issued, mode)
}

/// `POST /auth/login`.
pub async fn handle<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let config = ctx.config;
    csrf::check_origin(config, ctx.request)?;
    let request: LoginBody = body::parse_json(ctx.request)?;
    body::check_length(
        &request.email,
        1,
        email::MAX_FIELD_CHARS,
        email::FIELD_LENGTH,
    )?;
    body::check_length(
        &request.password,
        1,
        MAX_PASSWORD_FIELD_CHARS,
        "password: 1 to 1024 characters",
    )?;
    let mode = request.mode.unwrap_or(Mode::Cookie);
    let pepper = config.password_pepper.as_ref();

    let Some(user) = find_user(ctx, &request.email).await? else {
        password::dummy_verify(&request.password, &config.password_hash, pepper);
        return Err(failed(ctx, None, "unknown_account")?);
    };
    let verification = password::verify_password(
        &request.password,
        &user.password_hash,
        &config.password_hash,
        pepper,
    );
    let Verification::Valid { needs_rehash } = verification else {
        return Err(failed(ctx, Some(&user.id), "wrong_password")?);
    };
    match after_password_verified(ctx, &user)? {
        LoginStep::Complete => {
            let rehash = if needs_rehash {
                let upgraded = password::hash_password(
                    &request.password,
                    &config.password_hash,
                    pepper,
                    ctx.services.random(),
                )?;
                Some((user.password_hash.clone(), upgraded))
            } else {
                None
            };
            complete(ctx, &user, mode, rehash).await
        }
    }
}
