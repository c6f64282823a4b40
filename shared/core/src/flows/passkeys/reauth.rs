//! `POST /api/me/reauthenticate {password}` or `{credential}` → `200
//! {"reauthenticated_at", "recent_until"}` (docs/contract.md §6): the signed-in user
//! confirms who they are, which makes the session's authentication recent again
//! ([`crate::policy::reauth`]) for adding or removing a passkey.
//!
//! - **Password**: the same checks as erasure's — the isolate's hashing gate, the
//!   account lockout (keyed by the address; `429` while locked, before any hash), a
//!   wrong password counts as a failure, is audited `login_failed`
//!   (`flow=reauthenticate`) and answers `401 invalid_credentials`.
//! - **Passkey**: an assertion answering a challenge from
//!   `POST /api/me/reauthenticate/options`, issued to this user in this session, made
//!   with one of the user's passkeys, user verification required
//!   ([`super::assertion`]); behind the same lockout admission; a refusal counts as a
//!   failure, is audited `passkey_failed` (`stage=reauthenticate`) and answers
//!   `401 invalid_credentials`.
//!
//! Success writes `reauthenticated_at_ms` into the session record (compare-and-swap)
//! and audits `reauthenticated` with the `method`.
//!
//! The route verifies a credential, so the Workers `api` forwards it to `login`
//! (`Route::served_by("login")`).
//!
//! Security considerations: the confirmation belongs to the session that made it — a
//! stolen access token of another session gains nothing from it; passwords and
//! assertions are never logged or audited.

use alloc::string::String;
use serde::Deserialize;
use zeroize::Zeroize;

use super::assertion::{self, Stage};
use super::response::CredentialJson;
use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::flows::lockout::{self, Account};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::email;
use crate::model::principal::Principal;
use crate::model::session;
use crate::policy::reauth::WINDOW_MS;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReauthBody {
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    credential: Option<CredentialJson>,
}

impl Drop for ReauthBody {
    fn drop(&mut self) {
        if let Some(password) = &mut self.password {
            password.zeroize();
        }
    }
}

impl core::fmt::Debug for ReauthBody {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ReauthBody([REDACTED])")
    }
}

/// `POST /api/me/reauthenticate`.
pub async fn handle<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let request: ReauthBody = body::parse_json(ctx.request)?;
    let method = match (&request.password, &request.credential) {
        (Some(password), None) => {
            crate::policy::fields::password(
                password,
                crate::policy::fields::PasswordField::Password,
            )?;
            with_password(ctx, principal, password).await?;
            "password"
        }
        (None, Some(credential)) => {
            super::enabled(ctx)?;
            let assertion = credential.assertion()?;
            with_passkey(ctx, principal, &assertion).await?;
            "passkey"
        }
        _ => {
            return Err(ApiError::InvalidRequest(
                "exactly one of password and credential is required",
            ))
        }
    };
    let at = record(ctx, principal).await?;
    ctx.audit(
        AuditKind::Reauthenticated,
        Some(principal.user_id()),
        Some(principal.user_id()),
        &[("method", method), ("session_id", principal.session_id())],
    )?;
    Ok(Response::json(
        200,
        &serde_json::json!({
            "reauthenticated_at": encoding::rfc3339(at),
            "recent_until": encoding::rfc3339(at.saturating_add(WINDOW_MS)),
        }),
    ))
}

/// Writes the confirmation into the caller's session record.
async fn record<S: Services>(ctx: &Ctx<'_, S>, principal: &Principal) -> Result<u64, ApiError> {
    let atomic = ctx.services.atomic();
    for _ in 0..6 {
        let (mut stored, raw) =
            session::load_raw(atomic, principal.user_id(), principal.session_id())
                .await?
                .ok_or(ApiError::Unauthenticated)?;
        stored.reauthenticated_at_ms = Some(ctx.now_ms);
        if session::swap(atomic, ctx.config, Some(&raw), &stored).await? {
            return Ok(ctx.now_ms);
        }
    }
    Err(ApiError::Unavailable(Internal("session update contended")))
}

async fn with_passkey<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    assertion: &super::response::Assertion,
) -> Result<(), ApiError> {
    let user = &principal.user;
    let address = user.email_address(ctx.config)?;
    let attempt = lockout::admit(ctx, &email::email_index(ctx.config, &address)).await?;
    let session_id = principal.session_id();
    let verdict = assertion::for_owner(ctx, Stage::Reauthenticate, assertion, user, |ceremony| {
        ceremony.session_id.as_deref() == Some(session_id)
    })
    .await?;
    match verdict {
        Ok(_) => attempt.succeeded(ctx).await,
        Err(refusal) => {
            let account = Account {
                user_id: &user.id,
                address: &address,
            };
            attempt.failed(ctx, Some(account)).await?;
            let mut detail = alloc::vec![
                ("stage", Stage::Reauthenticate.name()),
                ("reason", refusal.reason)
            ];
            if let Some(id) = &refusal.passkey_id {
                detail.push(("passkey_id", id));
            }
            ctx.audit(
                AuditKind::PasskeyFailed,
                Some(&user.id),
                Some(&user.id),
                &detail,
            )?;
            Err(ApiError::InvalidCredentials)
        }
    }
}

#[cfg(feature = "password")]
async fn with_password<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    password: &str,
) -> Result<(), ApiError> {
    use crate::policy::password;
    let config = ctx.config;
    let user = &principal.user;
    let address = user.email_address(config)?;
    let hashing = ctx.memory.hashing.admit()?;
    let attempt = lockout::admit(ctx, &email::email_index(config, &address)).await?;
    let verification = password::verify_password(
        password,
        &user.password_hash,
        &config.password_hash,
        config.password_pepper.as_ref(),
    );
    drop(hashing);
    if verification.is_valid() {
        return attempt.succeeded(ctx).await;
    }
    let account = Account {
        user_id: &user.id,
        address: &address,
    };
    attempt.failed(ctx, Some(account)).await?;
    ctx.audit(
        AuditKind::LoginFailed,
        Some(&user.id),
        Some(&user.id),
        &[("reason", "wrong_password"), ("flow", "reauthenticate")],
    )?;
    Err(ApiError::InvalidCredentials)
}

#[cfg(not(feature = "password"))]
async fn with_password<S: Services>(
    _ctx: &Ctx<'_, S>,
    _principal: &Principal,
    _password: &str,
) -> Result<(), ApiError> {
    Err(ApiError::Unavailable(Internal(
        "password re-authentication reached a build without password verification",
    )))
}
