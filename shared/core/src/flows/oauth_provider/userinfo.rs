//! `GET`/`POST /oauth/userinfo` (OIDC Core §5.3): the signed-in user's claims, for a
//! client's access token whose audience is the userinfo endpoint and whose scopes
//! include `openid`.
//!
//! | scope | claims |
//! |---|---|
//! | `openid` | `sub` |
//! | `email` | `email`, `email_verified` |
//!
//! Security considerations: the token's grant must be live (revocation, the session
//! epoch and the kill switch apply at once), its audience this endpoint (a token for
//! another resource is refused: RFC 8707), and the address is decrypted only for a
//! token that carries `email`; refusals are `401` with `WWW-Authenticate: Bearer`
//! (RFC 6750 §3), `403 insufficient_scope` without `openid`.

use serde::Serialize;

use super::common::{self, no_store};
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::auth::bearer_token;
use crate::http::Response;
use crate::model::email;
use crate::policy::oauth_provider::error::{self, OAuthError};
use crate::policy::oauth_provider::scope::{EMAIL, OPENID};
use crate::policy::oauth_provider::tokens;

#[derive(Serialize)]
struct Claims {
    sub: alloc::string::String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<alloc::string::String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_verified: Option<bool>,
}

/// `GET` and `POST /oauth/userinfo`.
pub async fn userinfo<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let config = ctx.config;
    let Some(token) = ctx.request.header("authorization").and_then(bearer_token) else {
        return Ok(error::bearer(OAuthError::InvalidToken));
    };
    let audience = common::userinfo_resource(config);
    let Ok(access) = tokens::verify_access(
        config,
        ctx.services.signatures(),
        token,
        ctx.now_ms,
        Some(&audience),
    )
    .await
    else {
        return Ok(error::bearer(OAuthError::InvalidToken));
    };
    let live = common::live_grant(ctx, &access.user_id, &access.grant_id).await?;
    let Some(live) = live.filter(|live| live.grant.client_id == access.client_id) else {
        return Ok(error::bearer(OAuthError::InvalidToken));
    };
    if !crate::model::oauth_provider::client::is_enabled(ctx.services.atomic(), &access.client_id)
        .await?
    {
        return Ok(error::bearer(OAuthError::InvalidToken));
    }
    let has = |name: &str| access.scopes.iter().any(|scope| scope == name);
    if !has(OPENID) {
        return Ok(error::bearer(OAuthError::InsufficientScope));
    }
    let (email, email_verified) = if has(EMAIL) {
        (
            Some(email::read_email(config, &live.user.id, &live.user.email)?),
            Some(live.user.email_verified),
        )
    } else {
        (None, None)
    };
    Ok(no_store(Response::json(
        200,
        &Claims {
            sub: live.user.id,
            email,
            email_verified,
        },
    )))
}
