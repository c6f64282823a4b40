//! Ending sessions: one, all of a user's, and listing what is live.
//!
//! Revocation sets `revoked` on the record by compare-and-swap (re-reading after a
//! lost race), keeping the record until its natural end as a tombstone. Authenticated
//! requests check the record ([`crate::flows::auth`]), so a revoked session's access
//! tokens stop working on every function — at once under `SESSION_CHECK=strict`,
//! within the 5 s bound for read-only requests under `cached` (this isolate forgets
//! its own snapshot at once) — and its refresh tokens are refused at once
//! ([`super::rotate`]).
//!
//! [`revoke_all`] marks the sessions that exist now: password reset and change,
//! admin disable and "revoke sessions", `logout-all`. Those flows also move the
//! user's session epoch on ([`crate::policy::session_epoch`]), which is what ends a session that a
//! login in flight writes after the listing.
//!
//! Security considerations: a revocation never un-revokes and never extends a
//! session; a record that vanished meanwhile (expired) counts as ended.

use alloc::string::String;
use alloc::vec::Vec;

use crate::ctx::{Ctx, Services};
use crate::error::{ApiError, Internal};
use crate::flows::kill_switch;
use crate::model::session::{self, SessionRecord};
use crate::model::user::UserRecord;
use crate::policy::session_epoch;

const ATTEMPTS: usize = 6;

/// Marks `session` (read as `raw`) revoked, re-reading after lost races. Returns
/// whether this call revoked it (false: it was already revoked or gone).
pub async fn revoke_from<S: Services>(
    ctx: &Ctx<'_, S>,
    mut session: SessionRecord,
    mut raw: String,
) -> Result<bool, ApiError> {
    let atomic = ctx.services.atomic();
    for _ in 0..ATTEMPTS {
        if session.revoked {
            return Ok(false);
        }
        let mut revoked = session.clone();
        revoked.revoked = true;
        if session::swap(atomic, ctx.config, Some(&raw), &revoked).await? {
            ctx.memory
                .sessions
                .forget_session(&session.user_id, &session.id);
            return Ok(true);
        }
        match session::load_raw_of(atomic, session.kind(), &session.user_id, &session.id).await? {
            Some((fresh, fresh_raw)) => {
                session = fresh;
                raw = fresh_raw;
            }
            None => return Ok(false),
        }
    }
    Err(ApiError::Unavailable(Internal(
        "session revocation contended",
    )))
}

/// Revokes one session of `user_id`. Returns `false` when there is no live session
/// with that id (unknown, someone else's, expired or already revoked).
pub async fn revoke<S: Services>(
    ctx: &Ctx<'_, S>,
    user_id: &str,
    session_id: &str,
) -> Result<bool, ApiError> {
    revoke_if(ctx, user_id, session_id, |_| true).await
}

/// Revokes one session of `user` (as read by the caller's authentication) when it is
/// live under the user's session epoch too ([`session_epoch::admits`]): a session
/// ended with all of the user's (logout-all, a password change) is as gone as a
/// revoked one, and answers the same.
pub async fn revoke_own<S: Services>(
    ctx: &Ctx<'_, S>,
    user: &UserRecord,
    session_id: &str,
) -> Result<bool, ApiError> {
    revoke_if(ctx, &user.id, session_id, |session| {
        session_epoch::admits(user, session)
    })
    .await
}

async fn revoke_if<S: Services>(
    ctx: &Ctx<'_, S>,
    user_id: &str,
    session_id: &str,
    counts: impl Fn(&SessionRecord) -> bool,
) -> Result<bool, ApiError> {
    let revoked_before = kill_switch::revoked_before_ms(ctx).await?;
    match session::load_raw(ctx.services.atomic(), user_id, session_id).await? {
        Some((session, raw))
            if session.is_live(ctx.config, revoked_before, ctx.now_ms) && counts(&session) =>
        {
            revoke_from(ctx, session, raw).await
        }
        _ => Ok(false),
    }
}

/// Revokes every live session of `user_id` except `keep` (the caller's own, for a
/// password change). Returns how many were revoked.
pub async fn revoke_all<S: Services>(
    ctx: &Ctx<'_, S>,
    user_id: &str,
    keep: Option<&str>,
) -> Result<usize, ApiError> {
    // Callers moved the user's epoch (or changed the user) first: this isolate's
    // snapshots of the user are out of date whatever is listed below.
    ctx.memory.sessions.forget_user(user_id);
    let revoked_before = kill_switch::revoked_before_ms(ctx).await?;
    let mut count = 0;
    for (session, raw) in session::list_raw(ctx.services.atomic(), user_id).await? {
        if keep == Some(session.id.as_str())
            || !session.is_live(ctx.config, revoked_before, ctx.now_ms)
        {
            continue;
        }
        if revoke_from(ctx, session, raw).await? {
            count += 1;
        }
    }
    Ok(count)
}

/// The live sessions of `user` (as read now), most recently used first.
pub async fn live_sessions<S: Services>(
    ctx: &Ctx<'_, S>,
    user: &UserRecord,
) -> Result<Vec<SessionRecord>, ApiError> {
    let revoked_before = kill_switch::revoked_before_ms(ctx).await?;
    let mut sessions: Vec<SessionRecord> = session::list_raw(ctx.services.atomic(), &user.id)
        .await?
        .into_iter()
        .map(|(session, _)| session)
        .filter(|session| session.is_live(ctx.config, revoked_before, ctx.now_ms))
        .filter(|session| session_epoch::admits(user, session))
        .collect();
    sessions.sort_by(|a, b| {
        b.last_used_at_ms
            .cmp(&a.last_used_at_ms)
            .then_with(|| b.created_at_ms.cmp(&a.created_at_ms))
    });
    Ok(sessions)
}
