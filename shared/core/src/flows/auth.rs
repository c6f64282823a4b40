//! Authenticating a request: who is calling, through which live session.
//!
//! The credential is, in order of precedence:
//! 1. `Authorization: Bearer <access token>` (token mode). A present `Authorization`
//!    header that is not a well-formed Bearer credential is refused outright rather
//!    than ignored in favour of a cookie — an ambiguous request is not guessed at;
//! 2. the `__Host-access` cookie (cookie mode).
//!
//! Then, in this order (cheap and pure first, storage last):
//! - the access token is verified ([`crate::policy::token::verify`] with the isolate's memory:
//!   the signature of a token this isolate already verified is not checked again, its
//!   times are);
//! - for cookie credentials on unsafe methods, the CSRF policy ([`crate::policy::csrf`]);
//! - the session record is read from the AtomicStore and must be live (not revoked,
//!   not past its idle or absolute end, not before the kill switch) — so a logout, a
//!   revocation or `SESSIONS_REVOKED_BEFORE` takes effect on the very next request,
//!   whatever the token's `exp`;
//! - the user record is read and must exist, not be disabled, (when verification is
//!   required) be verified, and its session epoch must not have moved past the
//!   session's ([`crate::policy::session_epoch`]: a password reset, say, ends even a session
//!   written by a login that raced it). The principal's roles are the *stored* roles,
//!   not the token's, so a role change applies at once too.
//!
//! Every failure is `401 unauthenticated` (CSRF: `403 csrf_failed`); the reason is
//! not told.
//!
//! Security considerations: two strongly consistent reads per authenticated request
//! is the price of immediate revocation; both live in the user's shard and are read
//! together ([`AtomicStore::get_many`]), so on Workers they are one Durable Object
//! call. (The kill switch's cut-off is a third value, read at most every 5 s per
//! isolate: [`crate::flows::kill_switch`].)

use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::error::Internal;
use crate::flows::kill_switch;
use crate::http::{cookies, Request};
use crate::model::cookies::ACCESS_COOKIE;
use crate::model::principal::Principal;
use crate::model::session;
use crate::model::session::{Kind, SessionRecord};
use crate::model::user;
use crate::model::user::UserRecord;
use crate::policy::csrf::{self, CsrfParts, Via};
use crate::policy::rbac::{self, Permission};
use crate::policy::session_epoch;
use crate::policy::token;
use crate::store::AtomicStore;

/// The access token a request carries, and how.
pub fn access_credential(request: &Request) -> Result<(&str, Via), ApiError> {
    if let Some(value) = request.header("authorization") {
        return bearer_token(value)
            .map(|token| (token, Via::Bearer))
            .ok_or(ApiError::Unauthenticated);
    }
    request
        .header("cookie")
        .and_then(|header| cookies::get(header, ACCESS_COOKIE))
        .filter(|token| !token.is_empty())
        .map(|token| (token, Via::Cookie))
        .ok_or(ApiError::Unauthenticated)
}

/// The token of an `Authorization: Bearer <token>` value (scheme case-insensitive,
/// RFC 9110 §11.1; token68 characters only, RFC 6750 §2.1).
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim_start_matches(' ');
    let token68 = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b);
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.bytes().all(token68))
        .then_some(token)
}

/// Authenticates the request (see the module docs).
pub async fn authenticate<S: Services>(ctx: &Ctx<'_, S>) -> Result<Principal, ApiError> {
    let (token, via) = access_credential(ctx.request)?;
    // Cached per isolate: a repeated token skips the signature, not the time claims,
    // and never the session and user reads below.
    let verified = token::verify(
        ctx.config,
        &ctx.memory.tokens,
        ctx.services.signatures(),
        token,
        ctx.now_ms,
    )
    .await?;
    csrf::check(
        ctx.config,
        &CsrfParts::of(ctx.request, via, &verified.session_id),
    )?;

    let (session, user) = admit(ctx, Kind::Session, &verified.user_id, &verified.session_id)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    Ok(Principal { user, session, via })
}

/// The gate of a protected route: authenticates the request (`401`), then asks
/// [`rbac::authorize`] with the roles stored now (`403`). The pipeline runs it before
/// a protected handler ([`crate::app::route::Handler::Protected`]) and hands the
/// handler this principal, so a request costs one session read and one user read.
pub async fn gate<S: Services>(
    ctx: &Ctx<'_, S>,
    permission: Permission,
) -> Result<Principal, ApiError> {
    let principal = authenticate(ctx).await?;
    if !rbac::authorize(&principal.user.roles, permission) {
        return Err(ApiError::Forbidden);
    }
    Ok(principal)
}

/// The live record `id` of `kind` — a session, or an OAuth grant (which lives by
/// the same rules: idle and absolute ends, the kill switch, the user's session epoch,
/// whether the user may sign in) — and its user; `None` when either is missing or no
/// longer admitted. Both records live in the user's shard, so a store that batches
/// ([`AtomicStore::get_many`]) answers with one round trip.
pub(crate) async fn admit<S: Services>(
    ctx: &Ctx<'_, S>,
    kind: Kind,
    user_id: &str,
    id: &str,
) -> Result<Option<(SessionRecord, UserRecord)>, ApiError> {
    if !user::is_id(user_id) || !user::is_id(id) {
        return Ok(None);
    }
    let revoked_before = kill_switch::revoked_before_ms(ctx).await?;
    let record_name = session::name_of(kind, id);
    let mut values = ctx
        .services
        .atomic()
        .get_many(&user::shard(user_id), &[&record_name, user::PROFILE])
        .await?
        .into_iter();
    let (Some(record_raw), Some(user_raw)) = (values.next(), values.next()) else {
        return Err(ApiError::Unavailable(Internal(
            "store answered too few values",
        )));
    };
    let (Some(record_raw), Some(user_raw)) = (record_raw, user_raw) else {
        return Ok(None);
    };
    let (record, _) = session::from_raw(record_raw, user_id, id)?;
    // A session's name never holds an OAuth grant, nor a grant's a session.
    if record.kind() != kind || !record.is_live(ctx.config, revoked_before, ctx.now_ms) {
        return Ok(None);
    }
    let user = user::decode(&user_raw)?;
    if !user.may_sign_in(ctx.config) || !session_epoch::admits(&user, &record) {
        return Ok(None);
    }
    Ok(Some((record, user)))
}

#[cfg(test)]
mod tests;
