//! `POST /auth/password/change {current_password, new_password}` →
//! `200 {"status":"changed"}` (docs/contract.md §5).
//!
//! Steps:
//! 1. authenticate ([`crate::flows::auth::authenticate()`]: Bearer, or the access cookie with
//!    the CSRF check that every unsafe cookie request passes) → `401`/`403`;
//! 2. strict body; the new password's policy against the user's address
//!    (`400 weak_password`) — before any hash, and before the current password is
//!    tried, so a typo in the new one costs no lockout attempt;
//! 3. the isolate's hashing gate, then a lockout admission on the user's address
//!    (`429` while locked): the current password is a password guess like a login's,
//!    so a stolen session cannot be used to guess it without limit;
//! 4. wrong current password → the attempt counts as a failure (it can lock the
//!    account, with the notice mail) and `401 invalid_credentials`;
//! 5. right → hash the new one and write it only if the stored hash is still the one
//!    just verified and the caller's session still counts (a concurrent change,
//!    reset, disable or revoke-all wins; this request gets `401`). The same swap
//!    moves the session epoch on, keeping only the caller's session
//!    ([`crate::policy::session_epoch`]): a login in flight with the old password ends too;
//! 6. revoke every *other* session of the user (the caller's stays signed in), notice
//!    mail, audit `password_changed`.
//!
//! Security considerations: the caller's current session is kept, as docs/contract.md says;
//! a thief holding that very session can still change the password — which is why the
//! current password is required and the owner is mailed. Outstanding reset tokens
//! die with the old hash ([`super::token`]).

use alloc::format;
use alloc::string::String;
use serde::Deserialize;
use zeroize::Zeroize;

use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::lockout::{self, Account};
use crate::flows::notices::{self, SecurityNotice};
use crate::flows::{auth, sessions};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::email;
use crate::model::user;
use crate::policy::fields::{self, PasswordField};
use crate::policy::password;
use crate::policy::session_epoch;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeBody {
    current_password: String,
    new_password: String,
}

impl Drop for ChangeBody {
    fn drop(&mut self) {
        self.current_password.zeroize();
        self.new_password.zeroize();
    }
}

impl core::fmt::Debug for ChangeBody {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ChangeBody([REDACTED])")
    }
}

/// `POST /auth/password/change`.
pub async fn handle<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let config = ctx.config;
    let principal = auth::authenticate(ctx).await?;
    let request: ChangeBody = body::parse_json(ctx.request)?;
    fields::password(&request.current_password, PasswordField::Current)?;
    fields::password(&request.new_password, PasswordField::New)?;
    let holder = &principal.user;
    let address = holder.email_address(config)?;
    let mut new_password =
        password::check_policy(&request.new_password, &address, config.password_min_length)?;
    let hashed = hash_if_current(
        ctx,
        holder,
        &address,
        &request.current_password,
        &new_password,
    )
    .await;
    new_password.zeroize();
    let hashed = hashed?;

    let verified = holder.password_hash.clone();
    let mut changed = false;
    user::update(ctx.services.atomic(), &holder.id, |stored| {
        // The caller's session must still count (no reset, disable or revoke-all
        // since it was authenticated): the change keeps it.
        changed =
            stored.password_hash == verified && session_epoch::admits(stored, &principal.session);
        if changed {
            stored.password_hash.clone_from(&hashed);
            session_epoch::advance(stored, Some(principal.session_id()));
        }
        changed
    })
    .await?;
    if !changed {
        return Err(ApiError::InvalidCredentials);
    }

    let revoked = sessions::revoke_all(ctx, &holder.id, Some(principal.session_id())).await?;
    notices::notify(ctx, &holder.id, &address, SecurityNotice::PasswordChanged).await?;
    ctx.audit(
        AuditKind::PasswordChanged,
        Some(&holder.id),
        Some(&holder.id),
        &[
            ("session_id", principal.session_id()),
            ("sessions_revoked", &format!("{revoked}")),
        ],
    )?;
    Ok(Response::json(
        200,
        &serde_json::json!({"status": "changed"}),
    ))
}

/// Steps 3–5 up to the new hash: gate, lockout admission, verification of the
/// current password (counting a failure), and the hash of the new one.
async fn hash_if_current<S: Services>(
    ctx: &Ctx<'_, S>,
    holder: &user::UserRecord,
    address: &str,
    current: &str,
    new_password: &str,
) -> Result<String, ApiError> {
    let config = ctx.config;
    let pepper = config.password_pepper.as_ref();
    let _hashing = ctx.memory.hashing.admit()?;
    let attempt = lockout::admit(ctx, &email::email_index(config, address)).await?;
    let verification = ctx.timed_hash(|| {
        password::verify_password(
            current,
            &holder.password_hash,
            &config.password_hash,
            pepper,
        )
    });
    if !verification.is_valid() {
        attempt
            .failed(
                ctx,
                Some(Account {
                    user_id: &holder.id,
                    address,
                }),
            )
            .await?;
        ctx.audit(
            AuditKind::LoginFailed,
            Some(&holder.id),
            Some(&holder.id),
            &[
                ("reason", "wrong_current_password"),
                ("flow", "password_change"),
            ],
        )?;
        return Err(ApiError::InvalidCredentials);
    }
    attempt.succeeded(ctx).await?;
    ctx.timed_hash(|| {
        password::hash_password(
            new_password,
            &config.password_hash,
            pepper,
            ctx.services.random(),
        )
    })
}
