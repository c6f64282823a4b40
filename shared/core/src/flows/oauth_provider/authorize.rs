//! `GET /oauth/authorize` (RFC 6749 §4.1.1 with OAuth 2.1's rules, OIDC Core §3.1.2)
//! and `GET /oauth/continue?request=<id>`, where the hosted sign-in page returns.
//!
//! Order, and why:
//! 1. the per-address limit (each request may write a pending record);
//! 2. the client (`client_id`: known, enabled) and the redirect URI (exactly one it
//!    registered, loopback ports aside). Until both hold, every refusal is the error
//!    page — never a redirect (RFC 6749 §4.1.2.1, RFC 9700 §4.11);
//! 3. everything else; a refusal now is a redirect to that URI with `error`, `state`
//!    and `iss`: `response_type=code` only, PKCE `S256` required, known scopes
//!    (`invalid_scope`) and resources (`invalid_target`), no request objects, no
//!    repeated parameter;
//! 4. the user: signed in (the session cookie; `prompt=login` and `max_age` ask for a
//!    sign-in after a given time) — else the request waits under a random id while the
//!    browser signs in (`/sign-in?return_to=/oauth/continue?request=<id>`, a path the
//!    sign-in page's `return_to` rules accept), or `login_required` for `prompt=none`;
//! 5. consent: remembered consent covering the scopes and resources (and no
//!    `prompt=consent`) gives a code at once; else the consent page
//!    (`/consent?request=<id>`), or `consent_required` for `prompt=none`.
//!
//! Security considerations: the request id in the sign-in and consent URLs carries no
//! authority (the pending record holds only what the client sent, and deciding it needs
//! the user's session and the CSRF header); a decided or expired request shows the
//! error page; the redirect URI is matched again when the request is decided, in case
//! the client's registration changed meanwhile.

use alloc::string::String;
use alloc::vec::Vec;

use super::code::{self, Approved};
use super::common::{self, see_other};
use super::page::{self, Problem};
use crate::config::Config;
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::auth;
use crate::flows::ratelimit::{self, Scope};
use crate::http::Response;
use crate::model::oauth_provider::client::ClientRecord;
use crate::model::oauth_provider::consent;
use crate::model::oauth_provider::request::{self, AuthorizationRequest};
use crate::model::principal::Principal;
use crate::model::user;
use crate::policy::oauth_provider::error::OAuthError;
use crate::policy::oauth_provider::params::{encode_component, ParamError, Params};
use crate::policy::oauth_provider::{pkce, redirect_uri, scope};

/// Most resources one request may name.
pub const MAX_RESOURCES: usize = 4;
/// Longest `state` passed through.
pub const MAX_STATE_BYTES: usize = 1024;
/// Longest `nonce` accepted.
pub const MAX_NONCE_BYTES: usize = 512;
/// The path the sign-in page returns to.
pub const CONTINUE_PATH: &str = "/oauth/continue";

/// Parameters that may appear at most once (RFC 6749 §3.1, OIDC Core §3.1.2.1).
const SINGLE: [&str; 18] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "max_age",
    "response_mode",
    "request",
    "request_uri",
    "login_hint",
    "id_token_hint",
    "display",
    "ui_locales",
    "claims",
];

/// `GET /oauth/authorize`.
pub async fn authorize<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    ratelimit::check_ip(ctx, Scope::OAuthProvider).await?;
    let config = ctx.config;
    let Ok(params) = Params::parse(&ctx.request.query) else {
        return Ok(page::error(config, Problem::Malformed));
    };
    let client = match params.one("client_id") {
        Ok(Some(client_id)) => common::live_client(ctx, client_id).await?,
        _ => None,
    };
    let Some(client) = client else {
        return Ok(page::error(config, Problem::UnknownClient));
    };
    let presented = match params.one("redirect_uri") {
        Ok(Some(uri)) if redirect_uri::find(&client.redirect_uris, uri).is_some() => uri,
        _ => return Ok(page::error(config, Problem::BadRedirectUri)),
    };
    let state = params.one("state").ok().flatten();
    let id = user::new_id(ctx.services.random())?;
    match read_request(ctx, &params, &client, presented, id) {
        Ok((request, prompt_none)) => proceed(ctx, &client, request, prompt_none).await,
        Err(error) => Ok(see_other(&code::error_redirect(
            &config.public_origin,
            presented,
            error,
            state.filter(|state| state.len() <= MAX_STATE_BYTES),
        ))),
    }
}

/// Step 3 of the module docs: the request, or the error to redirect with. The
/// boolean is `prompt=none`.
fn read_request<S: Services>(
    ctx: &Ctx<'_, S>,
    params: &Params,
    client: &ClientRecord,
    redirect: &str,
    id: String,
) -> Result<(AuthorizationRequest, bool), OAuthError> {
    let config = ctx.config;
    for name in SINGLE {
        if let Err(ParamError::Repeated(_)) = params.one(name) {
            return Err(OAuthError::InvalidRequest("a parameter is repeated"));
        }
    }
    let one = |name: &'static str| params.one(name).ok().flatten();
    if one("request").is_some() {
        return Err(OAuthError::RequestNotSupported);
    }
    if one("request_uri").is_some() {
        return Err(OAuthError::RequestUriNotSupported);
    }
    match one("response_type") {
        Some("code") => {}
        Some(_) => return Err(OAuthError::UnsupportedResponseType),
        None => return Err(OAuthError::InvalidRequest("response_type is required")),
    }
    if !matches!(one("response_mode"), None | Some("query")) {
        return Err(OAuthError::InvalidRequest("response_mode must be query"));
    }
    let challenge = match (one("code_challenge"), one("code_challenge_method")) {
        (Some(challenge), Some(pkce::METHOD)) if pkce::is_challenge(challenge) => challenge,
        _ => {
            return Err(OAuthError::InvalidRequest(
                "PKCE is required: code_challenge with code_challenge_method=S256",
            ))
        }
    };
    let scopes = scope::parse(config, one("scope")).ok_or(OAuthError::InvalidScope)?;
    let mut resources: Vec<String> = Vec::new();
    for resource in params.all("resource") {
        if !common::is_known_resource(config, resource) {
            return Err(OAuthError::InvalidTarget);
        }
        if !resources.iter().any(|known| known == resource) {
            resources.push(resource.into());
        }
    }
    if resources.len() > MAX_RESOURCES {
        return Err(OAuthError::InvalidTarget);
    }
    let state = one("state");
    if state.is_some_and(|state| state.len() > MAX_STATE_BYTES) {
        return Err(OAuthError::InvalidRequest("state is too long"));
    }
    let nonce = one("nonce");
    if nonce.is_some_and(|nonce| nonce.len() > MAX_NONCE_BYTES) {
        return Err(OAuthError::InvalidRequest("nonce is too long"));
    }
    let now_secs = ctx.now_ms / 1000;
    let mut prompt_none = false;
    let mut prompt_consent = false;
    let mut signed_in_after_secs = None;
    let prompts: Vec<&str> = one("prompt")
        .unwrap_or("")
        .split(' ')
        .filter(|value| !value.is_empty())
        .collect();
    for value in &prompts {
        match *value {
            "none" => prompt_none = true,
            "consent" => prompt_consent = true,
            "login" => signed_in_after_secs = Some(now_secs),
            "select_account" => {}
            _ => return Err(OAuthError::InvalidRequest("prompt: none, login or consent")),
        }
    }
    if prompt_none && prompts.len() > 1 {
        return Err(OAuthError::InvalidRequest("prompt=none must be alone"));
    }
    if let Some(max_age) = one("max_age") {
        let max_age: u64 = max_age
            .parse()
            .map_err(|_| OAuthError::InvalidRequest("max_age must be a number of seconds"))?;
        let after = now_secs.saturating_sub(max_age);
        signed_in_after_secs = Some(signed_in_after_secs.map_or(after, |at: u64| at.max(after)));
    }
    let request = AuthorizationRequest {
        id,
        client_id: client.id.clone(),
        redirect_uri: redirect.into(),
        scopes,
        resources,
        state: state.map(String::from),
        nonce: nonce.map(String::from),
        code_challenge: challenge.into(),
        prompt_consent,
        signed_in_after_secs,
        created_at_ms: ctx.now_ms,
    };
    Ok((request, prompt_none))
}

/// Whether the principal's sign-in is recent enough for `request`.
fn fresh(principal: &Principal, request: &AuthorizationRequest) -> bool {
    request
        .signed_in_after_secs
        .is_none_or(|after| principal.session.created_at_ms / 1000 >= after)
}

/// The signed-in principal, or `None` when the request carries no live session.
async fn signed_in<S: Services>(ctx: &Ctx<'_, S>) -> Result<Option<Principal>, ApiError> {
    match auth::authenticate(ctx).await {
        Ok(principal) => Ok(Some(principal)),
        Err(ApiError::Unauthenticated) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The sign-in page, coming back to [`CONTINUE_PATH`] for this request.
fn sign_in_url(request: &AuthorizationRequest) -> String {
    let back = alloc::format!("{CONTINUE_PATH}?request={}", request.id);
    let prompt = if request.signed_in_after_secs.is_some() {
        "&prompt=login"
    } else {
        ""
    };
    alloc::format!("/sign-in?return_to={}{prompt}", encode_component(&back))
}

/// The consent page for request `id`.
fn consent_url(id: &str) -> String {
    alloc::format!("/consent?request={id}")
}

/// Whether the user's remembered consent covers `request`.
async fn consent_covers<S: Services>(
    ctx: &Ctx<'_, S>,
    user_id: &str,
    request: &AuthorizationRequest,
) -> Result<bool, ApiError> {
    if request.prompt_consent {
        return Ok(false);
    }
    Ok(
        consent::load(ctx.services.atomic(), user_id, &request.client_id)
            .await?
            .is_some_and(|(consent, _)| consent.covers(&request.scopes, &request.resources)),
    )
}

/// A code for `request`, delivered by redirect.
pub async fn approve<S: Services>(
    ctx: &Ctx<'_, S>,
    request: &AuthorizationRequest,
    principal: &Principal,
) -> Result<String, ApiError> {
    code::issue(
        ctx,
        Approved {
            client_id: &request.client_id,
            redirect_uri: &request.redirect_uri,
            scopes: &request.scopes,
            resources: &request.resources,
            state: request.state.as_deref(),
            nonce: request.nonce.as_deref(),
            code_challenge: &request.code_challenge,
            user: &principal.user,
            auth_time_secs: principal.session.created_at_ms / 1000,
        },
    )
    .await
}

/// Steps 4 and 5 of the module docs.
async fn proceed<S: Services>(
    ctx: &Ctx<'_, S>,
    client: &ClientRecord,
    request: AuthorizationRequest,
    prompt_none: bool,
) -> Result<Response, ApiError> {
    let config = ctx.config;
    let refuse = |error: OAuthError| {
        Ok(see_other(&code::error_redirect(
            &config.public_origin,
            &request.redirect_uri,
            error,
            request.state.as_deref(),
        )))
    };
    let principal = signed_in(ctx)
        .await?
        .filter(|principal| fresh(principal, &request));
    let Some(principal) = principal else {
        if prompt_none {
            return refuse(OAuthError::LoginRequired);
        }
        request::put(ctx.services.atomic(), &request).await?;
        return Ok(see_other(&sign_in_url(&request)));
    };
    if consent_covers(ctx, principal.user_id(), &request).await? {
        let location = approve(ctx, &request, &principal).await?;
        return Ok(see_other(&location));
    }
    if prompt_none {
        return refuse(OAuthError::ConsentRequired);
    }
    debug_assert_eq!(client.id, request.client_id);
    request::put(ctx.services.atomic(), &request).await?;
    Ok(see_other(&consent_url(&request.id)))
}

/// `GET /oauth/continue?request=<id>`: back from the sign-in page.
pub async fn resume<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let config: &Config = ctx.config;
    let id = Params::parse(&ctx.request.query)
        .ok()
        .and_then(|params| params.one("request").ok().flatten().map(String::from));
    let stored = match id {
        Some(id) => request::load(ctx.services.atomic(), &id).await?,
        None => None,
    };
    let Some((request, raw)) = stored else {
        return Ok(page::error(config, Problem::Expired));
    };
    let client = common::live_client(ctx, &request.client_id).await?;
    let Some(client) = client else {
        return Ok(page::error(config, Problem::UnknownClient));
    };
    if redirect_uri::find(&client.redirect_uris, &request.redirect_uri).is_none() {
        return Ok(page::error(config, Problem::BadRedirectUri));
    }
    let principal = signed_in(ctx)
        .await?
        .filter(|principal| fresh(principal, &request));
    let Some(principal) = principal else {
        return Ok(see_other(&sign_in_url(&request)));
    };
    if !consent_covers(ctx, principal.user_id(), &request).await? {
        return Ok(see_other(&consent_url(&request.id)));
    }
    if !request::take(ctx.services.atomic(), &request.id, &raw).await? {
        return Ok(page::error(config, Problem::Expired));
    }
    let location = approve(ctx, &request, &principal).await?;
    Ok(see_other(&location))
}

/// Whether `principal` signed in recently enough for `request` (the consent step
/// checks it again before deciding).
pub fn is_fresh(principal: &Principal, request: &AuthorizationRequest) -> bool {
    fresh(principal, request)
}

/// The sign-in page for `request` (the consent step sends a stale sign-in there).
pub fn sign_in_for(request: &AuthorizationRequest) -> String {
    sign_in_url(request)
}
