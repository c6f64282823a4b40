//! Retention: the scheduled sweep for what store expiries cannot express.
//!
//! Most records carry a store expiry and need nothing else (sessions, tokens,
//! counters, audit events; the full table is in `docs/api.md`). Three rules depend on
//! a record's *content*, so an expiry set at write time cannot express them:
//!
//! 1. **Unverified accounts** are erased [`UNVERIFIED_TTL_MS`] (7 days) after
//!    registration while `REQUIRE_EMAIL_VERIFICATION` holds: such an account can
//!    never sign in once its 24-hour verification link expired, yet it holds an
//!    address and blocks that address from registering. (Without required
//!    verification an unverified account is a working account and is kept.)
//! 2. **Interrupted erasures** — accounts marked by `DELETE /api/me` whose erasure
//!    did not finish (a store outage) — are completed.
//! 3. **Directory entries** whose profile is gone are removed.
//!
//! [`sweep`] walks the user directory [`BATCH`] entries per run, remembering where it
//! stopped (RecordStore key [`CURSOR_KEY`]) and starting over after the last entry,
//! so each run's work is bounded whatever the number of accounts. On Workers a cron
//! trigger runs it (`[triggers] crons` in `wrangler.toml`, every 15 minutes: 96
//! batches a day). Spin's HTTP runtime has no cron: there a sampled fraction of
//! requests runs it after their response, and `POST /api/admin/retention/sweep`
//! ([`run_by_admin`]) runs it — with a step of the store's reclamation
//! ([`crate::store::AtomicStore::reclaim`]) — for any scheduler an operator points at
//! it. Every erasure is audited as `account_deleted` with a `reason`; the events are
//! returned for the adapter to persist.
//!
//! Security considerations: the sweep only erases accounts that cannot be used
//! (unverified past the link's life) or that their owner asked to erase; each
//! decision is re-checked on the record read, and marking is a compare-and-swap, so
//! a verification racing the sweep either wins (the account is kept) or finds the
//! account already locked.

use alloc::string::String;
use alloc::vec::Vec;

use super::erase;
use crate::config::Config;
use crate::ctx::Services;
use crate::encoding;
use crate::env::Clock;
use crate::error::ApiError;
use crate::model::audit::{AuditEvent, AuditKind};
use crate::model::user;
use crate::policy::paging::{self, Position};
use crate::store::{AtomicStore, Reclaimed, RecordStore};

/// Unverified accounts older than this are erased (when verification is required).
pub const UNVERIFIED_TTL_MS: u64 = 7 * 24 * 3_600 * 1_000;
/// Directory entries visited per run.
pub const BATCH: usize = 200;
/// Where the sweep remembers its position.
pub const CURSOR_KEY: &str = "retention/directory-position";

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SweepReport {
    /// Directory entries visited.
    pub visited: usize,
    /// Unverified accounts erased.
    pub unverified_erased: usize,
    /// Interrupted erasures completed.
    pub erasures_completed: usize,
    /// Directory entries without a profile removed.
    pub directory_pruned: usize,
    /// Whether the run reached the end of the directory (the next starts over).
    pub wrapped: bool,
}

fn event<S: Services>(
    services: &S,
    now_ms: u64,
    run_id: &str,
    user_id: &str,
    reason: &str,
) -> Result<AuditEvent, ApiError> {
    let id: [u8; 16] = crate::env::random_array(services.random())?;
    let mut detail = alloc::collections::BTreeMap::new();
    detail.insert(String::from("reason"), String::from(reason));
    detail.insert(String::from("by"), String::from("retention_sweep"));
    Ok(AuditEvent {
        id: encoding::hex(&id),
        at: encoding::rfc3339(now_ms),
        event: AuditKind::AccountDeleted,
        actor_id: None,
        subject_id: Some(user_id.into()),
        ip_prefix: None,
        user_agent: None,
        request_id: run_id.into(),
        detail,
    })
}

/// One run of the sweep; returns its report and the audit events to persist.
pub async fn sweep<S: Services>(
    services: &S,
    config: &Config,
) -> Result<(SweepReport, Vec<AuditEvent>), ApiError> {
    let now_ms = services.clock().now_ms();
    let run: [u8; 16] = crate::env::random_array(services.random())?;
    let run_id = encoding::hex(&run);
    let records = services.records();
    let atomic = services.atomic();
    let start: Position = records
        .get(CURSOR_KEY)
        .await?
        .and_then(|raw| serde_json::from_str(&raw).ok())
        .unwrap_or_default();
    let (keys, next) = paging::take_keys(records, user::DIRECTORY_PREFIX, &start, BATCH).await?;

    let mut report = SweepReport::default();
    let mut events = Vec::new();
    for key in &keys {
        report.visited += 1;
        let Some(user_id) = key.strip_prefix(user::DIRECTORY_PREFIX) else {
            continue;
        };
        let Some(user) = user::load(atomic, user_id).await? else {
            user::directory_remove(records, user_id).await?;
            report.directory_pruned += 1;
            continue;
        };
        let reason = if erase::is_marked(&user) {
            "erasure_completed"
        } else if config.require_email_verification
            && !user.email_verified
            && user.created_at_ms.saturating_add(UNVERIFIED_TTL_MS) <= now_ms
        {
            // Lock it first, if it is still unverified as stored: a verification
            // that won the race keeps the account.
            let still_unverified = |fresh: &user::UserRecord| !fresh.email_verified;
            if !erase::mark_if(services, user_id, now_ms, still_unverified).await? {
                continue;
            }
            "unverified_expired"
        } else {
            continue;
        };
        erase::erase_account(services, config, user_id).await?;
        if reason == "erasure_completed" {
            report.erasures_completed += 1;
        } else {
            report.unverified_erased += 1;
        }
        events.push(event(services, now_ms, &run_id, user_id, reason)?);
    }

    match next {
        Some(position) => {
            let raw = serde_json::to_string(&position).unwrap_or_default();
            records.put(CURSOR_KEY, &raw, None).await?;
        }
        None => {
            report.wrapped = true;
            records.delete(CURSOR_KEY).await?;
        }
    }
    Ok((report, events))
}

/// Units of reclamation work one `POST /api/admin/retention/sweep` does.
pub const RECLAIM_BUDGET: u32 = 256;

/// The body of `POST /api/admin/retention/sweep`: optional, no fields (a body, when
/// sent, is validated like every other).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepBody {}

#[derive(Debug, serde::Serialize)]
struct SweepAnswer {
    retention: SweepReport,
    reclaimed: Reclaimed,
}

/// `POST /api/admin/retention/sweep` (admin; the route gate has checked
/// `retention:sweep`): one run of [`sweep`] and one step of the store's reclamation,
/// what the Workers cron trigger does every 15 minutes, for platforms without one.
/// Answers both reports (counts only) and audits `retention_swept`.
pub async fn run_by_admin<S: Services>(
    ctx: &crate::ctx::Ctx<'_, S>,
    admin: &crate::model::principal::Principal,
) -> Result<crate::http::Response, ApiError> {
    if !ctx.request.body.is_empty() {
        let _: SweepBody = crate::http::body::parse_json(ctx.request)?;
    }
    let (retention, events) = sweep(ctx.services, ctx.config).await?;
    for event in events {
        ctx.audit_event(event);
    }
    let reclaimed = ctx.services.atomic().reclaim(RECLAIM_BUDGET).await?;
    let count = |n: usize| alloc::format!("{n}");
    ctx.audit(
        AuditKind::RetentionSwept,
        Some(admin.user_id()),
        None,
        &[
            ("visited", &count(retention.visited)),
            ("unverified_erased", &count(retention.unverified_erased)),
            ("erasures_completed", &count(retention.erasures_completed)),
            ("reclaimed", &count(reclaimed.deleted as usize)),
            (
                "complete",
                if reclaimed.complete { "true" } else { "false" },
            ),
        ],
    )?;
    Ok(crate::http::Response::json(
        200,
        &SweepAnswer {
            retention,
            reclaimed,
        },
    ))
}
