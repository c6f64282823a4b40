//! Flushed metrics snapshots and the admin summary of the last hour.
//!
//! Each isolate flushes its counts once per `METRICS_FLUSH_SECS` after a response
//! ([`store`]: one RecordStore write, `metrics/<until>/<function>/<isolate>`, kept two
//! hours). `GET /api/admin/metrics?minutes=60` (permission `monitoring:read`) adds up
//! the snapshots of the last `minutes` (1–120): per function, method and route,
//! outcome counts, hash time, and a per-minute series. It reads at most [`MAX_SNAPSHOTS`] records and
//! says `truncated` when there were more.
//!
//! What it cannot see: counts an isolate has not flushed yet (at most one interval
//! per live isolate) and those of evicted isolates; and on Spin nothing, since an
//! instance serves one request and flushing each would be a store write per request —
//! there, metrics come from the request lines and Spin's OpenTelemetry traces
//! (docs/monitoring.md). The summary says which with `source`.
//!
//! Security considerations: counts and code-chosen labels only.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::ApiError;
use crate::http::Response;
use crate::model::metrics::{Outcomes, RouteStats, Snapshot, PREFIX, RETENTION_MS};
use crate::policy::paging::{self, Position};
use crate::store::{RecordStore, StoreError};

/// Snapshots one summary reads at most.
pub const MAX_SNAPSHOTS: usize = 500;

/// Writes one isolate's snapshot.
pub async fn store(records: &impl RecordStore, snapshot: &Snapshot) -> Result<(), StoreError> {
    let json = serde_json::to_string(snapshot)
        .map_err(|_| StoreError::unavailable("metrics snapshot encoding failed"))?;
    records
        .put(
            &snapshot.key(),
            &json,
            Some(snapshot.until_ms.saturating_add(RETENTION_MS)),
        )
        .await
}

#[derive(Debug, Default, Serialize)]
struct Minute {
    minute: String,
    requests: u64,
    status_5xx: u64,
    rate_limited: u64,
}

#[derive(Debug, Serialize)]
struct HashSummary {
    count: u64,
    avg_ms: u64,
    max_ms: u64,
}

#[derive(Debug, Serialize)]
struct Summary {
    source: &'static str,
    minutes: u64,
    since: String,
    until: String,
    snapshots: usize,
    truncated: bool,
    requests: u64,
    routes: Vec<RouteStats>,
    outcomes: Outcomes,
    hash: HashSummary,
    per_minute: Vec<Minute>,
}

/// `GET /api/admin/metrics?minutes=` → the summary of the flushed snapshots.
pub async fn summary<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let minutes = paging::limit_param(
        ctx.request.query_param("minutes").as_deref(),
        60,
        120,
        "minutes: an integer from 1 to 120",
    )? as u64;
    let since = ctx.now_ms.saturating_sub(minutes * 60_000);
    let start = Position {
        store_cursor: None,
        after: Some(alloc::format!("{PREFIX}{:020}", since.saturating_sub(1))),
    };
    let records = ctx.services.records();
    let (keys, more) = paging::take_keys(records, PREFIX, &start, MAX_SNAPSHOTS).await?;
    // A vector rather than a map: at most `minutes` slots, and no new map code in
    // the `api` bundle (size budget).
    let mut per_minute: Vec<Minute> = Vec::new();
    let mut total = Snapshot::default();
    let mut read = 0;
    for key in &keys {
        let Some(raw) = records.get(key).await? else {
            continue;
        };
        let Some(snapshot) = Snapshot::from_json(&raw) else {
            continue;
        };
        read += 1;
        total.merge(&snapshot);
        let minute = encoding::rfc3339(snapshot.until_ms - snapshot.until_ms % 60_000);
        let slot = match per_minute.iter().position(|slot| slot.minute == minute) {
            Some(index) => index,
            None => {
                per_minute.push(Minute {
                    minute,
                    ..Minute::default()
                });
                per_minute.len() - 1
            }
        };
        if let Some(slot) = per_minute.get_mut(slot) {
            slot.requests += snapshot.requests();
            slot.status_5xx += snapshot.routes.iter().map(|r| r.status_5xx).sum::<u64>();
            slot.rate_limited += snapshot.outcomes.rate_limited;
        }
    }
    let hash = HashSummary {
        count: total.hash.count,
        avg_ms: total.hash.ms_sum.checked_div(total.hash.count).unwrap_or(0),
        max_ms: total.hash.ms_max,
    };
    Ok(Response::json(
        200,
        &Summary {
            source: "isolate snapshots flushed to the store (Workers); empty on Spin",
            minutes,
            since: encoding::rfc3339(since),
            until: encoding::rfc3339(ctx.now_ms),
            snapshots: read,
            truncated: more.is_some(),
            requests: total.requests(),
            routes: total.routes,
            outcomes: total.outcomes,
            hash,
            per_minute,
        },
    ))
}
