//! Flushed metrics snapshots and the admin summary of the last hour.
//!
//! Each isolate flushes its counts once per `METRICS_FLUSH_SECS` after a response
//! ([`store`]: one RecordStore write, `metrics/<until>/<function>/<isolate>`, kept two
//! hours). `GET /api/admin/metrics?minutes=60` (permission `monitoring:read`) adds up
//! the snapshots of the last `minutes` (1–120): per function and route, outcome counts,
//! hash time, and a per-minute series. It reads at most [`MAX_SNAPSHOTS`] records and
//! says `truncated` when there were more.
//!
//! What it cannot see: counts an isolate has not flushed yet (at most one interval
//! per live isolate) and those of evicted isolates; and on Spin nothing, since an
//! instance serves one request and flushing each would be a store write per request —
//! there, metrics come from the request lines and Spin's OpenTelemetry traces
//! (docs/monitoring.md). The summary says which with `source`.
//!
//! Security considerations: counts and code-chosen labels only.

use alloc::collections::BTreeMap;
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

#[derive(Debug, Serialize)]
struct FunctionSummary {
    function: String,
    requests: u64,
    routes: Vec<RouteStats>,
}

#[derive(Debug, Default, Serialize)]
struct Minute {
    minute: String,
    requests: u64,
    status_5xx: u64,
    status_429: u64,
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
    functions: Vec<FunctionSummary>,
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
    let mut per_function: BTreeMap<String, Snapshot> = BTreeMap::new();
    let mut per_minute: BTreeMap<u64, Minute> = BTreeMap::new();
    let mut total = Snapshot::default();
    let mut read = 0;
    for key in &keys {
        let Some(raw) = records.get(key).await? else {
            continue;
        };
        let Ok(snapshot) = serde_json::from_str::<Snapshot>(&raw) else {
            continue;
        };
        read += 1;
        total.merge(&snapshot);
        let minute = snapshot.until_ms - snapshot.until_ms % 60_000;
        let slot = per_minute.entry(minute).or_default();
        slot.requests += snapshot.requests();
        slot.status_5xx += snapshot.routes.iter().map(|r| r.status_5xx).sum::<u64>();
        slot.status_429 += snapshot.routes.iter().map(|r| r.status_429).sum::<u64>();
        for route in &snapshot.routes {
            let function = if route.function.is_empty() {
                &snapshot.function
            } else {
                &route.function
            };
            let single = Snapshot {
                routes: alloc::vec![route.clone()],
                ..Snapshot::default()
            };
            per_function
                .entry(function.clone())
                .or_default()
                .merge(&single);
        }
    }
    let functions = per_function
        .into_iter()
        .map(|(function, snapshot)| FunctionSummary {
            requests: snapshot.requests(),
            routes: snapshot.routes,
            function,
        })
        .collect();
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
            functions,
            outcomes: total.outcomes,
            hash,
            per_minute: per_minute
                .into_iter()
                .map(|(minute, mut slot)| {
                    slot.minute = encoding::rfc3339(minute);
                    slot
                })
                .collect(),
        },
    ))
}
