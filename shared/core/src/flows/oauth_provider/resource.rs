//! The `api` function as an OAuth protected resource (resource identifier
//! `PUBLIC_ORIGIN/api`, metadata in [`super::discovery`]): a client's access token for
//! that audience opens the `api` routes its scopes allow, as the user who granted it.
//!
//! The pipeline's gate ([`crate::app`]) asks here only after edgeauth's own session
//! token was refused, and only for a `Bearer` credential: a client's token can never
//! pass as a session's, nor a session's as a client's.
//!
//! Security considerations: the token must be for this audience (a token for another
//! resource is refused, RFC 8707), its grant live (revocation, the session epoch and
//! the kill switch apply at once), its client enabled; then both the scope
//! ([`crate::policy::oauth_provider::scope::allows_api`]: `profile` → `GET /api/me`,
//! `documents` → the documents) and the user's stored roles must allow the route — no
//! client reaches administration, export, erasure, MFA or consents, whatever the
//! user's roles. A valid token without the scope is `403 forbidden`.

use super::common;
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::auth::bearer_token;
use crate::model::principal::{Principal, Via};
use crate::policy::oauth_provider::{scope, tokens};
use crate::policy::rbac::{self, Permission};

/// The principal of a client's access token for the `api`, when the request carries
/// a valid one; `Ok(None)` when it carries none (the caller answers `401`).
pub async fn principal<S: Services>(
    ctx: &Ctx<'_, S>,
    permission: Permission,
) -> Result<Option<Principal>, ApiError> {
    let Some(token) = ctx.request.header("authorization").and_then(bearer_token) else {
        return Ok(None);
    };
    let audience = common::api_resource(ctx.config);
    let Ok(access) = tokens::verify_access(
        ctx.config,
        ctx.services.signatures(),
        token,
        ctx.now_ms,
        Some(&audience),
    )
    .await
    else {
        return Ok(None);
    };
    let live = common::live_grant(ctx, &access.user_id, &access.grant_id).await?;
    let Some(live) = live.filter(|live| live.grant.client_id == access.client_id) else {
        return Ok(None);
    };
    if !crate::model::oauth_provider::client::is_enabled(ctx.services.atomic(), &access.client_id)
        .await?
    {
        return Ok(None);
    }
    if !scope::allows_api(&access.scopes, permission)
        || !rbac::authorize(&live.user.roles, permission)
    {
        return Err(ApiError::Forbidden);
    }
    Ok(Some(Principal {
        user: live.user,
        session: live.record,
        via: Via::Bearer,
        // A client's grant is read now, on every request (never a snapshot).
        checked_at_ms: ctx.now_ms,
    }))
}
