//! The session routes of the `refresh` function (docs/contract.md §5).
//!
//! | route | credential | answer |
//! |---|---|---|
//! | `POST /auth/session/refresh` | `__Secure-refresh` cookie (+ CSRF) or `{"refresh_token"}` | as login, same mode as presented |
//! | `GET /auth/session` | access token | `{"user", "session_id", "expires_at"}` |
//! | `POST /auth/session/logout` | access token, else refresh token | `204`, cookies cleared, `Clear-Site-Data` |
//! | `POST /auth/session/logout-all` | access token | `204`, every session revoked, cookies cleared |
//! | `GET /auth/sessions` | access token | `{"sessions":[…]}`, most recently used first |
//! | `DELETE /auth/sessions/{id}` | access token | `204`; `404` unless a live session of the caller (under the user's session epoch too) |
//!
//! The four routes authenticated by an access token (all but refresh and logout) are
//! signed-in routes of the `refresh` table ([`crate::functions::Refresh`]): the
//! pipeline authenticates the caller and counts the request against the caller's
//! `RATE_LIMIT_SESSIONS_PER_USER` budget (`429` with `Retry-After` when over;
//! [`crate::flows::ratelimit::PerUser::Sessions`]) before the handler runs, and hands
//! it the principal.
//!
//! Choices this module makes (stated in docs/contract.md; reasons in `docs/sessions.md`):
//! - `expires_at` of `GET /auth/session` is when the *session* ends (idle or
//!   absolute, whichever is first), not the access token (`access_expires_at` of
//!   login tells that).
//! - Logout also accepts the refresh token, so a client whose access token has just
//!   expired can still end its session without refreshing first. In cookie mode it
//!   needs the CSRF header like any unsafe cookie request. A refresh token used for
//!   logout must be the current or the immediately previous one.
//! - A body `{"refresh_token"}` wins over the refresh cookie and selects token mode.
//! - Revoking the caller's own current session through `DELETE /auth/sessions/{id}`
//!   also clears its cookies.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::delivery::{self, REFRESH_COOKIE};
use super::{revoke, rotate};
use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::ApiError;
use crate::flows::auth;
use crate::flows::kill_switch;
use crate::http::{body, cookies, Response};
use crate::model::audit::AuditKind;
use crate::model::principal::Principal;
use crate::model::refresh_token::RefreshToken;
use crate::model::session::{self, Mode, SessionRecord};
use crate::model::user::{self, UserSummary};
use crate::policy::csrf::{self, CsrfParts, Via};
use crate::policy::session_epoch;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshBody {
    #[serde(default)]
    refresh_token: Option<String>,
}

/// The refresh token a request presents, and the mode it implies. A cookie-borne
/// token is CSRF-checked here, since it authenticates an unsafe request.
fn presented_refresh_token<S: Services>(
    ctx: &Ctx<'_, S>,
) -> Result<(RefreshToken, Mode), ApiError> {
    let request = ctx.request;
    let from_body = if request.body.is_empty() {
        None
    } else {
        body::parse_json::<RefreshBody>(request)?.refresh_token
    };
    if let Some(text) = from_body {
        let token = RefreshToken::parse(&text).ok_or(ApiError::Unauthenticated)?;
        return Ok((token, Mode::Token));
    }
    let text = request
        .header("cookie")
        .and_then(|header| cookies::get(header, REFRESH_COOKIE))
        .ok_or(ApiError::Unauthenticated)?;
    let token = RefreshToken::parse(text).ok_or(ApiError::Unauthenticated)?;
    csrf::check(
        ctx.config,
        &CsrfParts::of(request, Via::Cookie, &token.session_id),
    )?;
    Ok((token, Mode::Cookie))
}

/// `POST /auth/session/refresh`.
pub async fn refresh<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let (presented, mode) = presented_refresh_token(ctx)?;
    // Per-address limit (docs/abuse.md): after parsing, before any store work.
    crate::flows::ratelimit::check_ip(ctx, crate::flows::ratelimit::Scope::Refresh).await?;
    let (user, issued) = rotate::refresh(ctx, &presented).await?;
    delivery::respond(ctx, &user, &issued, mode)
}

#[derive(Serialize)]
struct CurrentSession {
    user: UserSummary,
    session_id: String,
    expires_at: String,
}

/// `GET /auth/session`.
pub async fn current<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    Ok(Response::json(
        200,
        &CurrentSession {
            user: UserSummary::of(ctx.config, &principal.user)?,
            session_id: principal.session.id.clone(),
            expires_at: encoding::rfc3339(principal.session.ends_at_ms(ctx.config)),
        },
    ))
}

/// The live session a refresh token (current or immediately previous) belongs to.
async fn session_of_refresh_token<S: Services>(
    ctx: &Ctx<'_, S>,
) -> Result<SessionRecord, ApiError> {
    let (presented, _) = presented_refresh_token(ctx)?;
    let (session, _) = session::load_raw(
        ctx.services.atomic(),
        &presented.user_id,
        &presented.session_id,
    )
    .await?
    .ok_or(ApiError::Unauthenticated)?;
    let rotation = &session.rotation;
    let known = presented.matches(&rotation.current_hash)
        || rotation
            .previous_hash
            .as_deref()
            .is_some_and(|previous| presented.matches(previous));
    if !known
        || !session.is_live(
            ctx.config,
            kill_switch::revoked_before_ms(ctx).await?,
            ctx.now_ms,
        )
    {
        return Err(ApiError::Unauthenticated);
    }
    // A session ended with all of the user's (a new epoch) is no credential either,
    // as refresh would say; a user that is gone leaves nothing to log out.
    let user = user::load(ctx.services.atomic(), &session.user_id)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    if !session_epoch::admits(&user, &session) {
        return Err(ApiError::Unauthenticated);
    }
    Ok(session)
}

/// `POST /auth/session/logout`.
pub async fn logout<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let session = match auth::authenticate(ctx).await {
        Ok(principal) => principal.session,
        Err(ApiError::Unauthenticated) => session_of_refresh_token(ctx).await?,
        Err(error) => return Err(error),
    };
    revoke::revoke(ctx, &session.user_id, &session.id).await?;
    ctx.audit(
        AuditKind::Logout,
        Some(&session.user_id),
        Some(&session.user_id),
        &[("session_id", &session.id)],
    )?;
    Ok(delivery::logged_out())
}

/// `POST /auth/session/logout-all`.
pub async fn logout_all<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    // A new session epoch, so a login in flight ends with the rest.
    let count = super::epoch::end_all(ctx, principal.user_id()).await?;
    ctx.audit(
        AuditKind::Logout,
        Some(principal.user_id()),
        Some(principal.user_id()),
        &[("scope", "all"), ("sessions", &alloc::format!("{count}"))],
    )?;
    Ok(delivery::logged_out())
}

#[derive(Serialize)]
struct SessionItem {
    id: String,
    created_at: String,
    last_used_at: String,
    user_agent: Option<String>,
    ip_prefix: Option<String>,
    current: bool,
}

#[derive(Serialize)]
struct SessionList {
    sessions: Vec<SessionItem>,
}

/// `GET /auth/sessions`.
pub async fn list<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let sessions = revoke::live_sessions(ctx, &principal.user)
        .await?
        .into_iter()
        .map(|session| SessionItem {
            current: session.id == principal.session_id(),
            created_at: encoding::rfc3339(session.created_at_ms),
            last_used_at: encoding::rfc3339(session.last_used_at_ms),
            id: session.id,
            user_agent: session.user_agent,
            ip_prefix: session.ip_prefix,
        })
        .collect();
    Ok(Response::json(200, &SessionList { sessions }))
}

/// `DELETE /auth/sessions/{id}`.
pub async fn delete<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    session_id: &str,
) -> Result<Response, ApiError> {
    if !user::is_id(session_id) || !revoke::revoke_own(ctx, &principal.user, session_id).await? {
        return Err(ApiError::NotFound);
    }
    ctx.audit(
        AuditKind::SessionRevoked,
        Some(principal.user_id()),
        Some(principal.user_id()),
        &[("session_id", session_id)],
    )?;
    let mut response = Response::empty(204);
    if session_id == principal.session_id() {
        delivery::clear_cookies(&mut response);
    }
    Ok(response)
}

#[cfg(test)]
mod tests;
