//! `GET /oauth/end-session` (OpenID Connect RP-Initiated Logout 1.0): a relying party
//! sends the user here to sign out of edgeauth.
//!
//! - With a valid `id_token_hint` (an ID token this provider signed; expiry is not
//!   checked) whose `sub` is the browser's signed-in user, that browser session is
//!   ended (the session cookies cleared, audited `logout`). The client's grants stay:
//!   logging out of the browser does not revoke what the user granted an app (the
//!   account page does).
//! - Without one, nothing is ended: a bare link must not sign people out (logout CSRF);
//!   the page points to the account page, where the user signs out with a click.
//! - `post_logout_redirect_uri` must be exactly one the client (the hint's `aud`, or
//!   `client_id`) registered, or the page is shown instead; `state` is passed back.
//!
//! Security considerations: no redirect to an unregistered URI, ever (an error page);
//! the hint must carry our signature, so a forged hint ends nothing.

use super::common::{self, see_other};
use super::page::{self, Problem};
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::auth;
use crate::flows::sessions::{delivery, revoke};
use crate::http::Response;
use crate::model::audit::AuditKind;
use crate::policy::oauth_provider::params::Params;
use crate::policy::oauth_provider::redirect_uri::with_params;
use crate::policy::oauth_provider::tokens;

/// `GET /oauth/end-session`.
pub async fn end_session<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let config = ctx.config;
    let Ok(params) = Params::parse(&ctx.request.query) else {
        return Ok(page::error(config, Problem::Malformed));
    };
    let one = |name: &'static str| params.one(name);
    let (Ok(hint), Ok(client_id), Ok(redirect), Ok(state)) = (
        one("id_token_hint"),
        one("client_id"),
        one("post_logout_redirect_uri"),
        one("state"),
    ) else {
        return Ok(page::error(config, Problem::Malformed));
    };
    let hinted = match hint {
        Some(hint) => tokens::verify_id_token_hint(config, ctx.services.signatures(), hint).await,
        None => None,
    };
    // The client: the hint's audience, which `client_id` must agree with.
    let client_id = match (&hinted, client_id) {
        (Some((_, aud)), Some(id)) if aud != id => {
            return Ok(page::error(config, Problem::BadLogoutRedirect))
        }
        (Some((_, aud)), _) => Some(aud.as_str()),
        (None, id) => id,
    };
    let client = match client_id {
        Some(id) => common::live_client(ctx, id).await?,
        None => None,
    };
    let location = match redirect {
        None => None,
        Some(uri) => match &client {
            Some(client) if client.post_logout_redirect_uris.iter().any(|r| r == uri) => {
                let mut params = alloc::vec::Vec::new();
                if let Some(state) = state {
                    params.push(("state", state));
                }
                Some(with_params(uri, &params))
            }
            _ => return Ok(page::error(config, Problem::BadLogoutRedirect)),
        },
    };
    let mut signed_out = false;
    if let Some((subject, _)) = &hinted {
        match auth::authenticate(ctx).await {
            Ok(principal) if principal.user_id() == subject => {
                revoke::revoke(ctx, principal.user_id(), principal.session_id()).await?;
                ctx.audit(
                    AuditKind::Logout,
                    Some(principal.user_id()),
                    Some(principal.user_id()),
                    &[
                        ("session_id", principal.session_id()),
                        ("scope", "oauth_end_session"),
                    ],
                )?;
                signed_out = true;
            }
            Ok(_) | Err(ApiError::Unauthenticated) => {}
            Err(error) => return Err(error),
        }
    }
    let mut response = match location {
        Some(location) => see_other(&location),
        None => page::logout(config, signed_out || hinted.is_some()),
    };
    if signed_out {
        delivery::clear_cookies(&mut response);
    }
    Ok(response)
}
