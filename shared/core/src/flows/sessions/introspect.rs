//! `GET` and `POST /auth/introspect` (docs/contract.md §5): the session check of an
//! access token, for resource servers outside edgeauth (the `edgeauth-guard` crate and
//! `@edgeauth/guard`), so that they apply the same revocation policy without holding
//! a key or binding the store.
//!
//! The route is a signed-in entry of the `refresh` function: the pipeline's gate
//! authenticates the token (signature, claims, session, user, epoch, kill switch)
//! exactly as for the API, and the caller's API budget is spent — a resource server
//! asks when its own snapshot is older than the bound, or for a write. `GET` may be
//! answered from this isolate's snapshot (`SESSION_CHECK=cached`, a safe method);
//! `POST` always reads the records now, and is what a resource server sends for a
//! request that changes something, with the request's CSRF token when it came by
//! cookie. The answer says how old the check is (`age_ms`), so that the caller keeps it
//! only for the rest of the bound: a revocation reaches the caller's reads within 5 s
//! of being written, not 5 s after edgeauth's snapshot expired.
//!
//! Answers: `200 {active: true, sub, sid, roles, email_verified, age_ms,
//! session_check}`; `401 unauthenticated` for any credential the API would refuse;
//! `403 csrf_failed` when a `csrf_token` is given and is not the session's;
//! `429` over the API budget.
//!
//! Security considerations: the caller must already hold the token, and learns only
//! what `GET /api/me` would tell its holder (ids and stored roles; no address). The
//! CSRF binding is checked here because only edgeauth holds the data keys; the
//! resource server checks the `Origin` and the double submit itself
//! ([`crate::policy::csrf::check_request`]).

use alloc::string::String;
use serde::{Deserialize, Serialize};

use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::http::{body, Response};
use crate::model::principal::Principal;
use crate::policy::csrf;

/// The answer for a live session.
#[derive(Debug, Serialize)]
struct Introspection<'a> {
    active: bool,
    sub: &'a str,
    sid: &'a str,
    roles: &'a [String],
    email_verified: bool,
    /// How long before this request the records were read (ms).
    age_ms: u64,
    /// `cached` or `strict`: this deployment's `SESSION_CHECK`.
    session_check: &'static str,
}

/// The optional body of `POST /auth/introspect`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WriteCheck {
    /// The `X-CSRF-Token` of a cookie-authenticated request the resource server is
    /// about to serve; checked against the session.
    #[serde(default)]
    csrf_token: Option<String>,
}

/// `GET /auth/introspect`.
pub async fn read<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    Ok(answer(ctx, principal))
}

/// `POST /auth/introspect` (the gate read the records now: an unsafe method).
pub async fn write<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let check: WriteCheck = if ctx.request.body.is_empty() {
        WriteCheck::default()
    } else {
        body::parse_json(ctx.request)?
    };
    if let Some(token) = check.csrf_token.as_deref() {
        if !csrf::is_bound(
            &ctx.config.data_encryption_keys,
            principal.session_id(),
            token,
        ) {
            return Err(ApiError::CsrfFailed);
        }
    }
    Ok(answer(ctx, principal))
}

fn answer<S: Services>(ctx: &Ctx<'_, S>, principal: &Principal) -> Response {
    Response::json(
        200,
        &Introspection {
            active: true,
            sub: principal.user_id(),
            sid: principal.session_id(),
            roles: &principal.user.roles,
            email_verified: principal.user.email_verified,
            age_ms: ctx.now_ms.saturating_sub(principal.checked_at_ms),
            session_check: ctx.config.session_check.as_str(),
        },
    )
}
