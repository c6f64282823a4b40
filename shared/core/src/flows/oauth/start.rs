//! Starting a social sign-in: `GET /auth/oauth/{provider}/start?return_to=` (anyone) and
//! `POST /auth/oauth/{provider}/link` (signed in, CSRF-checked: link another provider
//! account to the caller).
//!
//! Both: the per-address `oauth` limit; the provider's authorization endpoint (from its
//! metadata); a fresh `state`, PKCE verifier and `nonce` (256 random bits each); the
//! pre-authentication record ([`super::preauth`]); and the binding cookie
//!
//! ```text
//! Set-Cookie: __Host-oauth=<256 random bits>; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600
//! ```
//!
//! (`SameSite=None` for a provider that answers with a cross-site form POST — Apple —
//! since a `Lax` cookie is not sent on one). A value the browser already holds is kept,
//! so flows in two tabs do not undo each other. Then the browser is sent to
//!
//! ```text
//! {authorization_endpoint}?response_type=code&client_id=…&redirect_uri={PUBLIC_ORIGIN}/auth/oauth/{provider}/callback
//!   &scope=…&state=…&code_challenge=…&code_challenge_method=S256[&nonce=…][&response_mode=form_post]
//! ```
//!
//! — by `303` from the start route, or as `{"authorization_url": …}` from the link route
//! (a script's `fetch`, which then navigates).
//!
//! Security considerations: the link start is an authenticated unsafe request, so a
//! cross-site page cannot start a link in a victim's session; an unknown provider is
//! `404`; `return_to` is validated now and kept in the record, never read back from the
//! provider's redirect.

use alloc::string::String;
use serde::Serialize;

use super::answer;
use super::preauth::{self, Intent, PreAuth, BINDING_COOKIE};
use super::provider;
use crate::config::{Provider, ProviderKind};
use crate::ctx::{Ctx, Services};
use crate::encoding::b64url;
use crate::error::ApiError;
use crate::flows::ratelimit::{self, Scope};
use crate::http::cookies::{self, SameSite, SetCookie};
use crate::http::Response;
use crate::model::principal::Principal;
use crate::policy::oauth::pkce;
use crate::policy::return_to;

/// The configured provider `id`, or `404`.
pub fn configured<'a, S: Services>(ctx: &Ctx<'a, S>, id: &str) -> Result<&'a Provider, ApiError> {
    ctx.config.oauth.provider(id).ok_or(ApiError::NotFound)
}

/// The binding cookie's `Set-Cookie` for `provider`.
pub fn binding_cookie(provider: &Provider, value: &str) -> String {
    SetCookie {
        name: BINDING_COOKIE,
        value,
        path: "/",
        http_only: true,
        same_site: if provider.form_post() {
            SameSite::None
        } else {
            SameSite::Lax
        },
        max_age_secs: Some(preauth::TTL_MS / 1000),
    }
    .render()
}

/// A started flow: where to send the browser, and the cookie to set.
struct Begun {
    url: String,
    cookie: String,
}

async fn begin<S: Services>(
    ctx: &Ctx<'_, S>,
    provider: &Provider,
    intent: Intent,
    return_to: Option<String>,
) -> Result<Begun, ApiError> {
    ratelimit::check_ip(ctx, Scope::OAuth).await?;
    let endpoint = provider::authorization_endpoint(ctx, provider).await?;
    let random = ctx.services.random();
    let state = b64url(&crate::env::random_array::<32>(random)?);
    let verifier = pkce::verifier(&crate::env::random_array::<32>(random)?);
    let nonce = b64url(&crate::env::random_array::<32>(random)?);
    let held = ctx
        .request
        .header("cookie")
        .and_then(|header| cookies::get(header, BINDING_COOKIE))
        .filter(|value| preauth::is_binding_value(value))
        .map(String::from);
    let binding = match held {
        Some(value) => value,
        None => b64url(&crate::env::random_array::<32>(random)?),
    };
    let record = PreAuth {
        provider: provider.id.clone(),
        intent,
        verifier,
        nonce,
        binding: preauth::binding_of(&binding),
        return_to,
        expires_at_ms: ctx.now_ms.saturating_add(preauth::TTL_MS),
    };
    preauth::store(ctx.services.atomic(), &state, &record).await?;
    let mut url = endpoint;
    url.push(if url.contains('?') { '&' } else { '?' });
    let redirect_uri = provider.redirect_uri(&ctx.config.public_origin);
    let challenge = pkce::challenge(&record.verifier);
    let mut params: alloc::vec::Vec<(&str, &str)> = alloc::vec![
        ("response_type", "code"),
        ("client_id", &provider.client_id),
        ("redirect_uri", &redirect_uri),
        ("scope", provider.scopes()),
        ("state", &state),
        ("code_challenge", &challenge),
        ("code_challenge_method", pkce::METHOD),
    ];
    if !matches!(provider.kind, ProviderKind::GitHub { .. }) {
        params.push(("nonce", &record.nonce));
    }
    if provider.form_post() {
        params.push(("response_mode", "form_post"));
    }
    url.push_str(&super::fetch::form(&params));
    Ok(Begun {
        url,
        cookie: binding_cookie(provider, &binding),
    })
}

/// `GET /auth/oauth/{provider}/start`.
pub async fn sign_in<S: Services>(ctx: &Ctx<'_, S>, id: &str) -> Result<Response, ApiError> {
    let provider = configured(ctx, id)?;
    let return_to = ctx
        .request
        .query_param("return_to")
        .and_then(|candidate| return_to::validate(&candidate, &ctx.config.pages.return_to_paths));
    match begin(ctx, provider, Intent::SignIn, return_to.clone()).await {
        Ok(begun) => {
            let mut response = answer::see_other(&begun.url);
            response.append_header("Set-Cookie", &begun.cookie);
            Ok(response)
        }
        Err(error) => answer::failed(
            ctx,
            &provider.id,
            None,
            error,
            "/sign-in",
            return_to.as_deref(),
        ),
    }
}

#[derive(Serialize)]
struct LinkAnswer<'a> {
    authorization_url: &'a str,
}

/// `POST /auth/oauth/{provider}/link`.
pub async fn link<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    id: &str,
) -> Result<Response, ApiError> {
    let provider = configured(ctx, id)?;
    let intent = Intent::Link {
        user_id: principal.user_id().into(),
        session_id: principal.session_id().into(),
    };
    let begun = begin(ctx, provider, intent, None).await?;
    let mut response = Response::json(
        200,
        &LinkAnswer {
            authorization_url: &begun.url,
        },
    );
    response.append_header("Set-Cookie", &begun.cookie);
    Ok(response)
}
