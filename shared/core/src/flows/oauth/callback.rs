//! `GET|POST /auth/oauth/{provider}/callback`: where the provider sends the browser back
//! (a redirect with `?code=…&state=…`, or — Apple's `form_post` — a cross-site form POST
//! with the same fields and a `user` field, which is not used).
//!
//! In order, after the per-address `oauth` limit:
//! 1. `state` names a live pre-authentication record, taken once ([`super::preauth::take`])
//!    — else `400 oauth_failed` ("unknown, expired or already used");
//! 2. the record is for this provider, and the browser's `__Host-oauth` cookie is the one
//!    the start set ([`super::preauth::binds`]) — else `400 oauth_failed` ("started in
//!    another browser"): a replayed callback, or one an attacker sends a victim to;
//! 3. an `error` from the provider (the user declined, say) is `400 oauth_failed`
//!    without its text;
//! 4. the code is redeemed with the PKCE verifier and the exact redirect URI, and the
//!    provider's assertion checked ([`super::provider::redeem`]);
//! 5. [`super::accounts`] signs in, creates the account, refuses, or links.
//!
//! A navigation is answered with a redirect, anything else with JSON ([`super::answer`]);
//! every failure after step 1's lookup is audited `oauth_failed`.

use alloc::string::String;

use super::accounts;
use super::answer;
use super::preauth::{self, Intent, PreAuth, BINDING_COOKIE};
use super::provider;
use super::start::configured;
use crate::config::Provider;
use crate::ctx::{Ctx, Services};
use crate::error::{ApiError, Internal};
use crate::flows::ratelimit::{self, Scope};
use crate::http::body::{form_field, is_form_content_type};
use crate::http::cookies;
use crate::http::{Method, Response};

/// The detail of an unknown, expired or used `state`.
pub const UNKNOWN_STATE: &str = "the sign-in request is unknown, expired or was already used";
/// The detail of a callback in another browser than the start.
pub const OTHER_BROWSER: &str = "the sign-in was started in another browser";
/// The detail of an `error` answer from the provider.
pub const PROVIDER_ERROR: &str = "the provider did not complete the sign-in";
/// Longest `state`, `code` or `error` read.
const MAX_PARAM_LEN: usize = 2048;

/// The callback's parameters, from the query (redirect) or the form body (`form_post`).
struct Params {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

impl Params {
    fn read<S: Services>(ctx: &Ctx<'_, S>) -> Self {
        let request = ctx.request;
        let from_form = request.method == Method::Post
            && request
                .header("content-type")
                .is_some_and(is_form_content_type);
        let get = |name: &str| {
            let value = if from_form {
                form_field(&request.body, name)
            } else {
                request.query_param(name)
            };
            value.filter(|value| !value.is_empty() && value.len() <= MAX_PARAM_LEN)
        };
        Self {
            state: get("state"),
            code: get("code"),
            error: get("error"),
        }
    }
}

/// `GET|POST /auth/oauth/{provider}/callback`.
pub async fn handle<S: Services>(ctx: &Ctx<'_, S>, id: &str) -> Result<Response, ApiError> {
    let provider = configured(ctx, id)?;
    if let Err(limited) = ratelimit::check_ip(ctx, Scope::OAuth).await {
        return answer::failed(ctx, &provider.id, None, limited, "/sign-in", None);
    }
    let params = Params::read(ctx);
    let record = match &params.state {
        Some(state) => preauth::take(ctx.services.atomic(), state, ctx.now_ms).await?,
        None => None,
    };
    let Some(record) = record else {
        let error = ApiError::OAuthFailed(UNKNOWN_STATE, Internal("oauth: unknown state"));
        return answer::failed(ctx, &provider.id, None, error, "/sign-in", None);
    };
    let (page, subject) = match &record.intent {
        Intent::SignIn => ("/sign-in", None),
        Intent::Link { user_id, .. } => ("/account", Some(user_id.as_str())),
    };
    match finish(ctx, provider, &record, &params).await {
        Ok(response) => Ok(response),
        Err(error) => answer::failed(
            ctx,
            &provider.id,
            subject,
            error,
            page,
            record.return_to.as_deref(),
        ),
    }
}

async fn finish<S: Services>(
    ctx: &Ctx<'_, S>,
    provider: &Provider,
    record: &PreAuth,
    params: &Params,
) -> Result<Response, ApiError> {
    if record.provider != provider.id {
        return Err(ApiError::OAuthFailed(
            UNKNOWN_STATE,
            Internal("oauth: state of another provider"),
        ));
    }
    let cookie = ctx
        .request
        .header("cookie")
        .and_then(|header| cookies::get(header, BINDING_COOKIE));
    if !preauth::binds(record, cookie) {
        return Err(ApiError::OAuthFailed(
            OTHER_BROWSER,
            Internal("oauth: binding cookie missing or different"),
        ));
    }
    if params.error.is_some() {
        return Err(ApiError::OAuthFailed(
            PROVIDER_ERROR,
            Internal("oauth: the provider answered an error"),
        ));
    }
    let Some(code) = params.code.as_deref() else {
        return Err(ApiError::OAuthFailed(
            PROVIDER_ERROR,
            Internal("oauth: callback without code"),
        ));
    };
    let assertion = provider::redeem(ctx, provider, code, &record.verifier, &record.nonce).await?;
    match &record.intent {
        Intent::SignIn => {
            accounts::sign_in(ctx, provider, &assertion, record.return_to.as_deref()).await
        }
        Intent::Link {
            user_id,
            session_id,
        } => accounts::link(ctx, provider, &assertion, user_id, session_id).await,
    }
}
