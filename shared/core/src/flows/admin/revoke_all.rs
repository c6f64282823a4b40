//! `POST /api/admin/sessions/revoke-all`: pulling the kill switch
//! ([`crate::flows::kill_switch`]) from the admin API.
//!
//! Security considerations: the route gate has checked `sessions:revoke-all`; the
//! stored cut-off only moves forward (compare-and-swap, bounded retries), the acting
//! admin is audited (`all_sessions_revoked`), and the caller's own session ends too.

use alloc::string::String;

use serde::{Deserialize, Serialize};

use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::flows::kill_switch::{read_stored, ATTEMPTS, KEY};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::principal::Principal;
use crate::store::AtomicStore;

/// The body of `POST /api/admin/sessions/revoke-all` (optional; no fields yet, but a
/// body, when sent, is validated like every other).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeAllBody {}

#[derive(Debug, Serialize)]
struct RevokeAllReport {
    /// Sessions created before this instant (RFC 3339, ms precision) are revoked.
    sessions_revoked_before: String,
}

/// `POST /api/admin/sessions/revoke-all` (admin; the route gate has checked the
/// permission): moves the stored cut-off to now, audits `all_sessions_revoked`.
/// The caller's own session ends too — an incident may include admin sessions.
pub async fn revoke_all_sessions<S: Services>(
    ctx: &Ctx<'_, S>,
    admin: &Principal,
) -> Result<Response, ApiError> {
    if !ctx.request.body.is_empty() {
        let _: RevokeAllBody = body::parse_json(ctx.request)?;
    }
    let cutoff = ctx.now_ms.saturating_add(1);
    let atomic = ctx.services.atomic();
    let mut effective = None;
    for _ in 0..ATTEMPTS {
        let (raw, current) = read_stored(atomic).await?;
        if current >= cutoff {
            effective = Some(current);
            break;
        }
        let next = alloc::format!("{cutoff}");
        if atomic
            .compare_and_swap(KEY, raw.as_deref(), Some(&next), None)
            .await?
        {
            effective = Some(cutoff);
            break;
        }
    }
    let effective = effective.ok_or(ApiError::Unavailable(Internal("kill switch contended")))?;
    ctx.memory.kill_switch.remember(effective, ctx.now_ms);
    let at = encoding::rfc3339(effective);
    ctx.audit(
        AuditKind::AllSessionsRevoked,
        Some(&admin.user.id),
        None,
        &[("sessions_revoked_before", &at)],
    )?;
    Ok(Response::json(
        200,
        &RevokeAllReport {
            sessions_revoked_before: at,
        },
    ))
}
