//! The consent page's JSON API: `GET /oauth/requests/{id}` describes a waiting
//! authorization request, `POST /oauth/requests/{id}` decides it (`{"approve": bool}`)
//! and answers `{"redirect_to": "…"}` — the client's validated redirect URI with a code
//! or with `error=access_denied` — for the page to navigate to.
//!
//! Both are signed-in routes of the `oauth` table: the user's session cookie, and for
//! the decision the CSRF header (an unsafe cookie request, docs/contract.md §4), so a
//! cross-site page cannot approve on the user's behalf; the consent page itself cannot
//! be framed (`frame-ancestors 'none'`).
//!
//! Security considerations: a request is decided once — the decision removes it by
//! compare-and-swap before anything is issued, so two clicks or two tabs yield one
//! code; the page learns only what it shows (the client's name, whether it registered
//! itself, its redirect host, the scopes and resources); the redirect URI is matched
//! against the client's registration again at decision time; approval is remembered
//! per client, scope and resource and audited, and so is a denial.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::authorize::{approve, is_fresh, sign_in_for};
use super::code;
use super::common;
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::oauth_provider::consent;
use crate::model::oauth_provider::request::{self, AuthorizationRequest};
use crate::model::principal::Principal;
use crate::policy::oauth_provider::error::OAuthError;
use crate::policy::oauth_provider::{redirect_uri, scope};

#[derive(Serialize)]
struct ClientView {
    id: String,
    name: String,
    /// Registered itself: nobody vouched for its name.
    dynamic: bool,
    /// Where the browser goes afterwards: the redirect URI's host (or app scheme).
    redirect_host: String,
}

#[derive(Serialize)]
struct ScopeView {
    scope: String,
    description: &'static str,
}

#[derive(Serialize)]
struct RequestView {
    request_id: String,
    client: ClientView,
    scopes: Vec<ScopeView>,
    resources: Vec<String>,
}

/// The host of an `http(s)` redirect URI, or the scheme of an app's.
fn redirect_host(uri: &str) -> String {
    match crate::config::oauth_provider::http_host(uri) {
        Some((_, host)) => host.into(),
        None => uri.split(':').next().unwrap_or_default().into(),
    }
}

/// The waiting request `id` with its client, when both still hold.
async fn waiting<S: Services>(
    ctx: &Ctx<'_, S>,
    id: &str,
) -> Result<
    (
        AuthorizationRequest,
        String,
        crate::model::oauth_provider::client::ClientRecord,
    ),
    ApiError,
> {
    let (request, raw) = request::load(ctx.services.atomic(), id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let client = common::live_client(ctx, &request.client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if redirect_uri::find(&client.redirect_uris, &request.redirect_uri).is_none() {
        return Err(ApiError::NotFound);
    }
    Ok((request, raw, client))
}

/// `GET /oauth/requests/{id}`.
pub async fn describe<S: Services>(
    ctx: &Ctx<'_, S>,
    _principal: &Principal,
    id: &str,
) -> Result<Response, ApiError> {
    let (request, _, client) = waiting(ctx, id).await?;
    Ok(Response::json(
        200,
        &RequestView {
            request_id: request.id.clone(),
            client: ClientView {
                redirect_host: redirect_host(&request.redirect_uri),
                id: client.id,
                name: client.name,
                dynamic: client.dynamic,
            },
            scopes: request
                .scopes
                .iter()
                .map(|name| ScopeView {
                    scope: name.clone(),
                    description: scope::description(name),
                })
                .collect(),
            resources: request.resources,
        },
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Decision {
    approve: bool,
}

#[derive(Serialize)]
struct Decided {
    redirect_to: String,
}

/// `POST /oauth/requests/{id}`.
pub async fn decide<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    id: &str,
) -> Result<Response, ApiError> {
    let decision: Decision = body::parse_json(ctx.request)?;
    let (request, raw, client) = waiting(ctx, id).await?;
    if !is_fresh(principal, &request) {
        // `prompt=login` / `max_age`: this session predates what the client asked for.
        return Ok(Response::json(
            200,
            &Decided {
                redirect_to: sign_in_for(&request),
            },
        ));
    }
    if !request::take(ctx.services.atomic(), &request.id, &raw).await? {
        return Err(ApiError::NotFound);
    }
    let scopes = scope::join(&request.scopes);
    let detail = [
        ("client_id", client.id.as_str()),
        ("scope", scopes.as_str()),
    ];
    let redirect_to = if decision.approve {
        consent::extend(
            ctx.services.atomic(),
            principal.user_id(),
            &client.id,
            &request.scopes,
            &request.resources,
            ctx.now_ms,
        )
        .await?;
        ctx.audit(
            AuditKind::OauthConsentGranted,
            Some(principal.user_id()),
            Some(principal.user_id()),
            &detail,
        )?;
        approve(ctx, &request, principal).await?
    } else {
        ctx.audit(
            AuditKind::OauthConsentDenied,
            Some(principal.user_id()),
            Some(principal.user_id()),
            &detail,
        )?;
        code::error_redirect(
            &ctx.config.public_origin,
            &request.redirect_uri,
            OAuthError::AccessDenied,
            request.state.as_deref(),
        )
    };
    Ok(Response::json(200, &Decided { redirect_to }))
}
