//! A user's connected applications: the consents the user gave clients, and taking
//! one back (the account page's "Connected apps", docs/contract.md §11.6).
//!
//! | route | success | audited |
//! |---|---|---|
//! | `GET /oauth/consents` | `200 {"consents":[{client_id, client_name, scopes, resources, granted_at, updated_at, active_grants}]}` | — |
//! | `DELETE /oauth/consents/{client_id}` | `204` | `oauth_consent_revoked` |
//!
//! Revoking forgets the consent (the next authorization asks again) and revokes every
//! grant the user gave that client: its refresh tokens at once, its access tokens at
//! every check of the grant.
//!
//! Security considerations: signed-in routes on the user's own records only (the
//! user's shard); an unknown or foreign client id is `404`; the deletion needs the
//! CSRF header like every unsafe cookie request.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::ApiError;
use crate::flows::kill_switch;
use crate::flows::sessions::revoke::revoke_from;
use crate::http::Response;
use crate::model::audit::AuditKind;
use crate::model::oauth_provider::{client, consent};
use crate::model::principal::Principal;
use crate::model::session;
use crate::model::user;
use crate::policy::session_epoch;

#[derive(Serialize)]
struct ConsentView {
    client_id: String,
    client_name: String,
    scopes: Vec<String>,
    resources: Vec<String>,
    granted_at: String,
    updated_at: String,
    active_grants: usize,
}

#[derive(Serialize)]
struct ConsentList {
    consents: Vec<ConsentView>,
}

/// `GET /oauth/consents`.
pub async fn list<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let atomic = ctx.services.atomic();
    let revoked_before = kill_switch::revoked_before_ms(ctx).await?;
    let grants = session::list_grants_raw(atomic, principal.user_id()).await?;
    let mut consents = Vec::new();
    for consent in consent::list(atomic, principal.user_id()).await? {
        let name = client::load(atomic, &consent.client_id).await?.map_or_else(
            || String::from("(deleted application)"),
            |client| client.name,
        );
        let active_grants = grants
            .iter()
            .filter(|(grant, _)| {
                grant
                    .grant()
                    .is_some_and(|g| g.client_id == consent.client_id)
                    && grant.is_live(ctx.config, revoked_before, ctx.now_ms)
                    && session_epoch::admits(&principal.user, grant)
            })
            .count();
        consents.push(ConsentView {
            client_name: name,
            granted_at: encoding::rfc3339(consent.granted_at_ms),
            updated_at: encoding::rfc3339(consent.updated_at_ms),
            client_id: consent.client_id,
            scopes: consent.scopes,
            resources: consent.resources,
            active_grants,
        });
    }
    consents.sort_by(|a, b| b.updated_at.cmp(&a.updated_at));
    Ok(Response::json(200, &ConsentList { consents }))
}

/// `DELETE /oauth/consents/{client_id}`.
pub async fn revoke<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    client_id: &str,
) -> Result<Response, ApiError> {
    if !user::is_id(client_id) {
        return Err(ApiError::NotFound);
    }
    let atomic = ctx.services.atomic();
    let forgotten = consent::remove(atomic, principal.user_id(), client_id).await?;
    let mut revoked = 0usize;
    for (grant, raw) in session::list_grants_raw(atomic, principal.user_id()).await? {
        if grant.grant().is_some_and(|g| g.client_id == client_id)
            && revoke_from(ctx, grant, raw).await?
        {
            revoked += 1;
        }
    }
    if !forgotten && revoked == 0 {
        return Err(ApiError::NotFound);
    }
    ctx.audit(
        AuditKind::OauthConsentRevoked,
        Some(principal.user_id()),
        Some(principal.user_id()),
        &[
            ("client_id", client_id),
            ("grants", &alloc::format!("{revoked}")),
        ],
    )?;
    Ok(Response::empty(204))
}
