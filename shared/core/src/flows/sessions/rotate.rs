//! Refresh-token rotation with a grace window and reuse detection (docs/contract.md §4,
//! RFC 9700 §4.14.2).
//!
//! Given a presented token `T = user.session.secret.tag`, read the session record `R`:
//! 1. `R` missing, revoked, expired (idle or absolute) or before the kill switch →
//!    `401 unauthenticated`.
//! 2. `hash(secret) == R.current_hash` → **rotate**: derive the successor `S` from
//!    `secret` (see [`crate::model::refresh_token`]) and `compare_and_swap` `R` into
//!    `R'` = {generation + 1, current = hash(S), previous = hash(secret),
//!    rotated_at = now, last_used = now}. On success answer `S`. If the swap fails,
//!    someone changed `R` since we read it: go back to 1 with a fresh read.
//! 3. `hash(secret) == R.previous_hash` and `now - R.rotated_at <= 30 s` → **retry**:
//!    recompute `S` from `secret` exactly as the winner did and answer it (checked
//!    against `R.current_hash`). Nothing is written.
//! 4. A secret of the session's chain that is no longer usable — the previous one
//!    after the window (its hash is stored), or any older one (its tag is valid) — is
//!    **reuse**: mark `R` revoked (by swap, retried on a fresh read), audit
//!    `refresh_reuse_detected`, answer `401`.
//! 5. Anything else — a secret that matches neither hash and carries no valid tag (a
//!    forgery, a token from before tags, or one whose key has left the ring) — is a
//!    plain `401` that changes nothing: nothing proves it was ever the session's.
//!
//! Atomicity: every state change is a compare-and-swap against the exact text read,
//! on a strongly consistent store. For one record state at most one swap can succeed,
//! so of N concurrent refreshes with the same current token exactly one rotates; the
//! others' swaps fail, they re-read, find their token as `previous` within the window
//! and compute the identical successor (the derivation is a function of the presented
//! secret, the generation and a key id stored in `R'`). Two different live successors
//! would need two successful swaps from the same state, which CAS rules out. A
//! revocation racing a rotation is likewise ordered by CAS: whichever lands second
//! re-reads and sees the other's result (a rotation never un-revokes).
//!
//! Security considerations: the user and session ids are not secret (access tokens'
//! `sid`, the audit log), so a token built from them with a made-up secret must not
//! end the session — only a secret the session really issued counts as reuse, and
//! the issue tag is what proves it for secrets whose hash is no longer stored.
//! Forgeries are not audited (no event kind fits; the log line records the `401`).
//! The session's user must still be allowed to use it (enabled, and the session not
//! ended by the user's session epoch, [`crate::policy::session_epoch`]); that is checked before the
//! swap, so a refused refresh consumes nothing.

use super::create::{access_token, Issued};
use crate::ctx::{Ctx, Services};
use crate::error::{ApiError, Internal};
use crate::model::audit::AuditKind;
use crate::model::refresh_token::{Provenance, RefreshToken};
use crate::model::session::{self, Kind, SessionRecord};
use crate::model::user::{self, UserRecord};
use crate::policy::session_epoch;

/// How long the immediately previous token is still answered with its successor.
pub const GRACE_WINDOW_MS: u64 = 30_000;
/// Bound on re-reads after a lost swap; each loss means another request changed the
/// record, which can happen only a few times in a row for honest traffic.
const ATTEMPTS: usize = 6;

/// Refreshes with `presented`; on success the rotated session, the user, and the
/// tokens to deliver.
pub async fn refresh<S: Services>(
    ctx: &Ctx<'_, S>,
    presented: &RefreshToken,
) -> Result<(UserRecord, Issued), ApiError> {
    let rotated = rotate(ctx, presented, Kind::Session).await?;
    issue(ctx, rotated.user, rotated.record, rotated.refresh_token)
}

/// What a rotation hands back: the user, the record as it is stored now, and the
/// refresh token to deliver (the successor; the same one again for a retry within the
/// grace window).
#[derive(Debug, Clone)]
pub struct Rotated {
    /// The record's user, enabled and within its session epoch.
    pub user: UserRecord,
    /// The session or grant after the rotation.
    pub record: SessionRecord,
    /// The refresh token to deliver.
    pub refresh_token: RefreshToken,
}

/// The rotation algorithm of the module docs on the record of `kind` the token names:
/// a browser session (`POST /auth/session/refresh`) or an OAuth grant (the token
/// endpoint's `refresh_token` grant) — one algorithm, with the same grace window,
/// reuse detection, kill switch and session epoch for both. The caller issues the
/// access token its kind needs.
pub async fn rotate<S: Services>(
    ctx: &Ctx<'_, S>,
    presented: &RefreshToken,
    kind: Kind,
) -> Result<Rotated, ApiError> {
    let atomic = ctx.services.atomic();
    let config = ctx.config;
    let now = ctx.now_ms;
    let revoked_before = crate::flows::kill_switch::revoked_before_ms(ctx).await?;
    for _ in 0..ATTEMPTS {
        let Some((session, raw)) =
            session::load_raw_of(atomic, kind, &presented.user_id, &presented.session_id).await?
        else {
            return Err(ApiError::Unauthenticated);
        };
        if !session.is_live(config, revoked_before, now) {
            return Err(ApiError::Unauthenticated);
        }
        let rotation = &session.rotation;
        if presented.matches(&rotation.current_hash) {
            let key_id = config.data_encryption_keys.active().id.clone();
            let generation = rotation.generation.saturating_add(1);
            let successor = presented
                .successor(config, &key_id, generation)
                .ok_or(ApiError::Internal(Internal("active data key missing")))?;
            let mut rotated = session.clone();
            rotated.last_used_at_ms = now;
            rotated.rotation.generation = generation;
            rotated.rotation.previous_hash = Some(presented.secret_hash());
            rotated.rotation.current_hash = successor.secret_hash();
            rotated.rotation.rotated_at_ms = now;
            rotated.rotation.successor_key_id = Some(key_id);
            // The user is read before the swap so a disabled account is refused
            // without consuming the token.
            let user = live_user(ctx, &session).await?;
            if session::swap(atomic, config, Some(&raw), &rotated).await? {
                return Ok(Rotated {
                    user,
                    record: rotated,
                    refresh_token: successor,
                });
            }
            continue;
        }
        let within_grace = now.saturating_sub(rotation.rotated_at_ms) <= GRACE_WINDOW_MS;
        let is_previous = rotation
            .previous_hash
            .as_deref()
            .is_some_and(|previous| presented.matches(previous));
        if within_grace && is_previous {
            let successor = rotation
                .successor_key_id
                .as_deref()
                .and_then(|key_id| presented.successor(config, key_id, rotation.generation))
                // The winner's key left the ring within the window: the successor
                // cannot be reproduced, so this client has to sign in again.
                .ok_or(ApiError::Unauthenticated)?;
            if !successor.matches(&rotation.current_hash) {
                return Err(ApiError::Internal(Internal(
                    "successor derivation mismatch",
                )));
            }
            let user = live_user(ctx, &session).await?;
            return Ok(Rotated {
                user,
                record: session,
                refresh_token: successor,
            });
        }
        if is_previous || presented.provenance(config) == Provenance::Issued {
            return Err(reuse_detected(ctx, session, raw).await);
        }
        return Err(ApiError::Unauthenticated);
    }
    Err(ApiError::Unavailable(Internal(
        "session rotation contended",
    )))
}

/// The session's user, when it may still hold this session (enabled, and the
/// session not ended by the user's session epoch).
async fn live_user<S: Services>(
    ctx: &Ctx<'_, S>,
    session: &SessionRecord,
) -> Result<UserRecord, ApiError> {
    match user::load(ctx.services.atomic(), &session.user_id).await? {
        Some(user) if user.may_sign_in(ctx.config) && session_epoch::admits(&user, session) => {
            Ok(user)
        }
        _ => Err(ApiError::Unauthenticated),
    }
}

fn issue<S: Services>(
    ctx: &Ctx<'_, S>,
    user: UserRecord,
    session: SessionRecord,
    refresh_token: RefreshToken,
) -> Result<(UserRecord, Issued), ApiError> {
    let access = access_token(ctx, &user, &session)?;
    Ok((
        user,
        Issued {
            session,
            refresh_token,
            access,
        },
    ))
}

/// Revokes the session after token reuse and returns the error to answer with.
async fn reuse_detected<S: Services>(
    ctx: &Ctx<'_, S>,
    session: SessionRecord,
    raw: alloc::string::String,
) -> ApiError {
    let revoked = super::revoke::revoke_from(ctx, session.clone(), raw).await;
    let subject = session.user_id.as_str();
    let grant = session.grant();
    let client = grant.as_ref().map(|grant| grant.client_id.as_str());
    let detail: &[(&str, &str)] = match client {
        Some(client_id) => &[
            ("session_id", session.id.as_str()),
            ("client_id", client_id),
        ],
        None => &[("session_id", session.id.as_str())],
    };
    let audited = ctx.audit(AuditKind::RefreshReuseDetected, None, Some(subject), detail);
    match (revoked, audited) {
        // A store failure while revoking must not look like a plain 401: fail closed
        // and loudly (503), the client retries and meets the same reuse again.
        (Err(error), _) | (Ok(_), Err(error)) => error,
        (Ok(_), Ok(())) => ApiError::Unauthenticated,
    }
}
