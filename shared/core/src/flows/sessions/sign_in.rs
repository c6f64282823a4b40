//! The end of every sign-in (a password login, or its second step): the login is
//! recorded on the user (with an upgraded password hash, if any), the session starts,
//! `login_succeeded` is audited, and the answer carries the tokens.
//!
//! Shared by [`crate::flows::accounts::login`] and [`crate::flows::mfa::login_step`],
//! so both finish identically.
//!
//! Security considerations: the stored address is decrypted before anything is
//! written, so an unreadable record fails (`503`) before a session exists; the hash
//! upgrade only replaces the hash that was verified (a concurrent change wins).

use alloc::string::String;

use super::{delivery, start};
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::http::Response;
use crate::model::audit::AuditKind;
use crate::model::session::Mode;
use crate::model::user::{self, UserRecord};

/// Records the login on the user (and the upgraded hash, if any), starts the session
/// and answers with its tokens.
pub async fn complete<S: Services>(
    ctx: &Ctx<'_, S>,
    user: &UserRecord,
    mode: Mode,
    rehash: Option<(String, String)>,
) -> Result<Response, ApiError> {
    complete_with(ctx, user, mode, rehash, None).await
}

/// [`complete`], naming the second factor that was accepted (`totp`,
/// `recovery_code`) in the `login_succeeded` audit event. The MFA step's finish.
pub async fn complete_with<S: Services>(
    ctx: &Ctx<'_, S>,
    user: &UserRecord,
    mode: Mode,
    rehash: Option<(String, String)>,
    second_factor: Option<&str>,
) -> Result<Response, ApiError> {
    // The answer shows the address: an unreadable one (unknown key, tampered) fails
    // here, `503`, before anything is written or a session exists.
    user.email_address(ctx.config)?;
    let now = ctx.now_ms;
    let user = user::update(ctx.services.atomic(), &user.id, |stored| {
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
    let issued = start(ctx, &user, mode).await?;
    let mut detail = alloc::vec![
        ("mode", mode.as_str()),
        ("session_id", issued.session.id.as_str())
    ];
    if let Some(factor) = second_factor {
        detail.push(("mfa", factor));
    }
    ctx.audit(
        AuditKind::LoginSucceeded,
        Some(&user.id),
        Some(&user.id),
        &detail,
    )?;
    delivery::respond(ctx, &user, &issued, mode)
}
