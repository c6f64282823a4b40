//! `POST /oauth/introspect` (RFC 7662): whether a token of the calling client's grants
//! is active, and what it says.
//!
//! Active means: the token itself is valid (an access token's signature, issuer, type
//! and times; a refresh token's hash is the grant's current one, or the previous one
//! within the 30 s grace window), and its grant is live ([`super::common::live_grant`]:
//! not revoked, not past its end, not before the kill switch, its user enabled and
//! within the session epoch) and still the client's.
//!
//! Security considerations: a client may introspect only tokens of its own grants;
//! anything else — another client's, unknown, expired, revoked — is `{"active":false}`
//! and nothing more (RFC 7662 §2.2); the answer is `no-store`.

use serde::Serialize;

use super::client_auth;
use super::common::{self, no_store};
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::sessions::rotate::GRACE_WINDOW_MS;
use crate::http::Response;
use crate::model::oauth_provider::client::ClientRecord;
use crate::model::refresh_token::RefreshToken;
use crate::policy::oauth_provider::{scope, tokens};

#[derive(Serialize, Default)]
struct Introspection {
    active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<alloc::string::String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<alloc::string::String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<alloc::string::String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<alloc::string::String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<alloc::string::String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exp: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iat: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jti: Option<alloc::string::String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_type: Option<&'static str>,
}

/// `POST /oauth/introspect`.
pub async fn introspect<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let (client, token) = match client_auth::token_request(ctx, "/oauth/introspect").await? {
        Ok(request) => request,
        Err(answer) => return Ok(answer),
    };
    let answer = inspect(ctx, &client, &token).await?;
    Ok(no_store(Response::json(200, &answer)))
}

async fn inspect<S: Services>(
    ctx: &Ctx<'_, S>,
    client: &ClientRecord,
    token: &str,
) -> Result<Introspection, ApiError> {
    let config = ctx.config;
    if let Some(refresh) = RefreshToken::parse(token) {
        let Some(live) = common::live_grant(ctx, &refresh.user_id, &refresh.session_id).await?
        else {
            return Ok(Introspection::default());
        };
        let rotation = &live.record.rotation;
        let current = refresh.matches(&rotation.current_hash)
            || (ctx.now_ms.saturating_sub(rotation.rotated_at_ms) <= GRACE_WINDOW_MS
                && rotation
                    .previous_hash
                    .as_deref()
                    .is_some_and(|previous| refresh.matches(previous)));
        if !current || live.grant.client_id != client.id {
            return Ok(Introspection::default());
        }
        return Ok(Introspection {
            active: true,
            scope: Some(scope::join(&live.grant.scopes)),
            client_id: Some(client.id.clone()),
            sub: Some(live.user.id.clone()),
            iss: Some(config.public_origin.clone()),
            exp: Some(live.record.ends_at_ms(config) / 1000),
            iat: Some(live.record.created_at_ms / 1000),
            token_type: Some("refresh_token"),
            ..Introspection::default()
        });
    }
    let Ok(access) =
        tokens::verify_access(config, ctx.services.signatures(), token, ctx.now_ms, None).await
    else {
        return Ok(Introspection::default());
    };
    if access.client_id != client.id {
        return Ok(Introspection::default());
    }
    let live = common::live_grant(ctx, &access.user_id, &access.grant_id).await?;
    if live.is_none_or(|live| live.grant.client_id != client.id) {
        return Ok(Introspection::default());
    }
    Ok(Introspection {
        active: true,
        scope: Some(scope::join(&access.scopes)),
        client_id: Some(access.client_id),
        sub: Some(access.user_id),
        aud: Some(access.audience),
        iss: Some(config.public_origin.clone()),
        exp: Some(access.expires_at_secs),
        iat: Some(access.issued_at_secs),
        jti: Some(access.token_id),
        token_type: Some("Bearer"),
    })
}
