//! `POST /oauth/revoke` (RFC 7009): a client revokes a refresh token or an access
//! token of its own grants.
//!
//! Either token ends the whole grant: its refresh tokens are refused at once, and its
//! access tokens at every check of the grant (userinfo, introspection, the `api`, and
//! any resource server that introspects). A resource server that only verifies the
//! signature keeps accepting an access token until its `exp` (at most
//! `ACCESS_TOKEN_TTL_SECS`).
//!
//! Security considerations: the client authenticates as at the token endpoint; a
//! token of another client's grant, an unknown, malformed or already revoked token all
//! answer the same `200` and change nothing (RFC 7009 §2.2: the answer says nothing
//! about the token); a refresh token must be genuine (its hash stored, or its issue tag
//! valid) before it revokes anything, so ids alone cannot end someone's grant.

use super::client_auth;
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::sessions::revoke::revoke_from;
use crate::http::Response;
use crate::model::audit::AuditKind;
use crate::model::oauth_provider::client::ClientRecord;
use crate::model::refresh_token::{Provenance, RefreshToken};
use crate::model::session::{self, Kind};
use crate::policy::oauth_provider::tokens;

/// `POST /oauth/revoke`.
pub async fn revoke<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let (client, token) = match client_auth::token_request(ctx, "/oauth/revoke").await? {
        Ok(request) => request,
        Err(answer) => return Ok(answer),
    };
    revoke_token(ctx, &client, &token).await?;
    Ok(super::common::no_store(Response::empty(200)))
}

/// Revokes the grant `token` belongs to, when it is `client`'s.
async fn revoke_token<S: Services>(
    ctx: &Ctx<'_, S>,
    client: &ClientRecord,
    token: &str,
) -> Result<(), ApiError> {
    let atomic = ctx.services.atomic();
    let located = if let Some(refresh) = RefreshToken::parse(token) {
        session::load_raw_of(atomic, Kind::Grant, &refresh.user_id, &refresh.session_id)
            .await?
            .filter(|(grant, _)| {
                refresh.matches(&grant.rotation.current_hash)
                    || grant
                        .rotation
                        .previous_hash
                        .as_deref()
                        .is_some_and(|previous| refresh.matches(previous))
                    || refresh.provenance(ctx.config) == Provenance::Issued
            })
    } else {
        match tokens::verify_access(
            ctx.config,
            ctx.services.signatures(),
            token,
            ctx.now_ms,
            None,
        )
        .await
        {
            Ok(access) => {
                session::load_raw_of(atomic, Kind::Grant, &access.user_id, &access.grant_id).await?
            }
            Err(_) => None,
        }
    };
    let Some((grant, raw)) = located else {
        return Ok(());
    };
    if grant.grant().map(|g| g.client_id).as_deref() != Some(client.id.as_str()) {
        return Ok(());
    }
    let user_id = grant.user_id.clone();
    let grant_id = grant.id.clone();
    if revoke_from(ctx, grant, raw).await? {
        ctx.audit(
            AuditKind::OauthTokenRevoked,
            None,
            Some(&user_id),
            &[
                ("client_id", client.id.as_str()),
                ("grant_id", grant_id.as_str()),
            ],
        )?;
    }
    Ok(())
}
