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
//!   not past its idle or absolute end, not before the kill switch);
//! - the user record is read and must exist, not be disabled, (when verification is
//!   required) be verified, and its session epoch must not have moved past the
//!   session's ([`crate::policy::session_epoch`]: a password reset, say, ends even a session
//!   written by a login that raced it). The principal's roles are the *stored* roles,
//!   not the token's, so a role change applies too.
//!
//! **When the records are read** (`SESSION_CHECK`, docs/sessions.md §5): in `strict`
//! mode on every request, so a logout, a revocation, a disable, a role change or
//! `SESSIONS_REVOKED_BEFORE` applies to the very next request. In `cached` mode (the
//! default) a request with a safe method (`GET`, `HEAD`) may use the records this
//! isolate read for the same session less than 5 s before ([`crate::memory::sessions`]),
//! and a request with any other method reads them now: a revocation reaches every
//! read within 5 s and every write at once. Either way every rule above is applied
//! again to the records at this request's time; what a snapshot saves is the store
//! round trip, never a check.
//!
//! Every failure is `401 unauthenticated` (CSRF: `403 csrf_failed`); the reason is
//! not told.
//!
//! Security considerations: the two records live in the user's shard and are read
//! together ([`AtomicStore::get_many`]), so on Workers they are one Durable Object
//! call when they are read. The kill switch's cut-off is a third value, read at most
//! every 5 s per isolate ([`crate::flows::kill_switch`]) — the same bound as a reused
//! check, so `cached` mode states one bound for every kind of revocation.

use crate::config::SessionCheck;
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::error::Internal;
use crate::flows::kill_switch;
use crate::http::{cookies, Request};
use crate::memory::sessions::Snapshot;
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
    // and never the session check below.
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

    let revoked_before = kill_switch::revoked_before_ms(ctx).await?;
    let reuse = may_reuse_check(ctx);
    let recalled = reuse
        .then(|| {
            ctx.memory
                .sessions
                .recall(&verified.user_id, &verified.session_id, ctx.now_ms)
        })
        .flatten();
    let read_now = recalled.is_none();
    let snapshot = match recalled {
        Some(snapshot) => snapshot,
        None => {
            let Some((session, user)) =
                load(ctx, Kind::Session, &verified.user_id, &verified.session_id).await?
            else {
                return Err(ApiError::Unauthenticated);
            };
            Snapshot {
                session,
                user,
                read_at_ms: ctx.now_ms,
            }
        }
    };
    let Snapshot {
        session,
        user,
        read_at_ms,
    } = snapshot;
    // The same rules on a fresh read and on a reused one, at this request's time.
    if !admits(ctx, Kind::Session, revoked_before, &session, &user) {
        ctx.memory
            .sessions
            .forget_session(&verified.user_id, &verified.session_id);
        return Err(ApiError::Unauthenticated);
    }
    if ctx.config.session_check == SessionCheck::Cached {
        if !ctx.request.method.is_safe() {
            // This request may change the user or the session (a role, TOTP, a
            // password): this isolate's later reads must not see the state before it.
            ctx.memory.sessions.forget_user(&verified.user_id);
        } else if read_now {
            ctx.memory.sessions.remember(Snapshot {
                session: session.clone(),
                user: user.clone(),
                read_at_ms,
            });
        }
    }
    Ok(Principal {
        user,
        session,
        via,
        checked_at_ms: read_at_ms,
    })
}

/// Whether this request may use a session check this isolate made earlier: only in
/// `cached` mode, and only for a method that changes nothing.
fn may_reuse_check<S: Services>(ctx: &Ctx<'_, S>) -> bool {
    ctx.config.session_check == SessionCheck::Cached && ctx.request.method.is_safe()
}

/// The gate of a protected route: authenticates the request (`401`), then asks
/// [`rbac::authorize`] with the principal's stored roles (`403`). The pipeline runs it
/// before a protected handler ([`crate::app::route::Handler::Protected`]) and hands the
/// handler this principal, so a request costs at most one read of the session and the
/// user.
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
/// whether the user may sign in) — and its user, read now (never a snapshot: OAuth
/// grants are checked on every request in both `SESSION_CHECK` modes); `None` when
/// either is missing or no longer admitted.
pub(crate) async fn admit<S: Services>(
    ctx: &Ctx<'_, S>,
    kind: Kind,
    user_id: &str,
    id: &str,
) -> Result<Option<(SessionRecord, UserRecord)>, ApiError> {
    let revoked_before = kill_switch::revoked_before_ms(ctx).await?;
    Ok(load(ctx, kind, user_id, id)
        .await?
        .filter(|(record, user)| admits(ctx, kind, revoked_before, record, user)))
}

/// Whether `record` (of `kind`) and its user admit a request at this request's time:
/// the kind matches (a session's name never holds an OAuth grant, nor a grant's a
/// session), the record is live, the user may sign in and the session epoch admits it.
fn admits<S: Services>(
    ctx: &Ctx<'_, S>,
    kind: Kind,
    revoked_before: u64,
    record: &SessionRecord,
    user: &UserRecord,
) -> bool {
    record.kind() == kind
        && record.is_live(ctx.config, revoked_before, ctx.now_ms)
        && user.may_sign_in(ctx.config)
        && session_epoch::admits(user, record)
}

/// The record `id` of `kind` and its user as stored, without the rules of [`admits`];
/// `None` when either is missing. Both records live in the user's shard, so a store
/// that batches ([`AtomicStore::get_many`]) answers with one round trip.
async fn load<S: Services>(
    ctx: &Ctx<'_, S>,
    kind: Kind,
    user_id: &str,
    id: &str,
) -> Result<Option<(SessionRecord, UserRecord)>, ApiError> {
    if !user::is_id(user_id) || !user::is_id(id) {
        return Ok(None);
    }
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
    let user = user::decode(&user_raw)?;
    Ok(Some((record, user)))
}

#[cfg(test)]
mod tests;
