//! Webhook delivery records and their admin routes.
//!
//! - A delivery that exhausted `WEBHOOK_MAX_ATTEMPTS` is recorded under
//!   `webhooks/failed/` ([`record_failed`], kept 30 days), on every runtime.
//! - Where there is no queue (Spin) a failed attempt is kept under
//!   `webhooks/retrying/<due>/…` ([`schedule_retry`]); a sweep ([`due`]) picks up what
//!   is due — opportunistically after a sample of requests, and on
//!   `POST /api/admin/webhooks/retry`.
//!
//! | route | permission | answer |
//! |---|---|---|
//! | `GET /api/admin/webhooks/deliveries?status=failed\|retrying&limit=&cursor=` | `monitoring:read` | `200 {"status", "deliveries", "next_cursor"}`: the records as stored ([`Delivery`]: times in Unix ms, `payload` the exact body sent) |
//! | `POST /api/admin/webhooks/retry` | `webhooks:retry` | `202 {"status":"scheduled"}`: the due retries run after the response |
//!
//! Security considerations: records hold the alert payload (no secret by
//! construction, [`crate::model::alert`]), never a signature or an endpoint secret;
//! `status` is matched against two fixed names before it becomes a key prefix; the
//! cursor is sealed to the listing and its status.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Deserialize;

use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::http::{body, Response};
use crate::model::alert::{due_at_of_key, Delivery, DeliveryStatus, FAILED_RETENTION_MS};
use crate::policy::paging::{self, Position};
use crate::store::{AtomicKey, AtomicStore, RecordStore, StoreError};

/// Deliveries per page when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest `limit`.
pub const MAX_LIMIT: usize = 200;
/// A retry record outlives its due time by this much at most (a week), so a record
/// nobody sweeps does not stay forever.
const RETRY_RECORD_GRACE_MS: u64 = 7 * 86_400_000;

/// Records `delivery` as failed for good.
pub async fn record_failed(
    records: &impl RecordStore,
    delivery: &Delivery,
    now_ms: u64,
) -> Result<(), StoreError> {
    records
        .put(
            &delivery.key(DeliveryStatus::Failed),
            &delivery.to_json(),
            Some(now_ms.saturating_add(FAILED_RETENTION_MS)),
        )
        .await
}

/// The AtomicStore record (shard [`super::SHARD`]) that says retry records may exist:
/// a sweep reads this one key and lists the records only when it is set, because a
/// prefix listing can cost a walk over every key (Spin's key-value store).
pub const PENDING: &str = "webhooks-pending";

/// Keeps `delivery` (with its `next_attempt_at_ms` set) for a later attempt, and
/// marks retries as pending.
pub async fn schedule_retry(
    records: &impl RecordStore,
    atomic: &impl AtomicStore,
    delivery: &Delivery,
    now_ms: u64,
) -> Result<(), StoreError> {
    let due = delivery.next_attempt_at_ms.unwrap_or(0);
    records
        .put(
            &delivery.key(DeliveryStatus::Retrying),
            &delivery.to_json(),
            Some(due.saturating_add(RETRY_RECORD_GRACE_MS)),
        )
        .await?;
    let key = AtomicKey::new(super::SHARD, PENDING);
    let current = atomic.get(key).await?;
    let stamp = alloc::format!("{now_ms}");
    atomic
        .compare_and_swap(key, current.as_deref(), Some(&stamp), None)
        .await?;
    Ok(())
}

/// Whether retries may be pending: the marker's value, to clear it with
/// [`clear_pending`] once a sweep found no record at all.
pub async fn pending(atomic: &impl AtomicStore) -> Result<Option<String>, StoreError> {
    atomic.get(AtomicKey::new(super::SHARD, PENDING)).await
}

/// Clears the marker, unless a retry was scheduled since it was read as `seen`.
pub async fn clear_pending(atomic: &impl AtomicStore, seen: &str) -> Result<(), StoreError> {
    atomic
        .compare_and_swap(
            AtomicKey::new(super::SHARD, PENDING),
            Some(seen),
            None,
            None,
        )
        .await?;
    Ok(())
}

/// Up to `limit` retry records due at `now_ms`, oldest due first, with their keys,
/// and whether any retry record exists at all. Records that cannot be read are
/// skipped (and deleted: nothing could send them).
pub async fn due(
    records: &impl RecordStore,
    now_ms: u64,
    limit: usize,
) -> Result<(Vec<(String, Delivery)>, bool), StoreError> {
    let prefix = DeliveryStatus::Retrying.prefix();
    let page = records.list(&prefix, None, limit).await?;
    let any = !page.keys.is_empty();
    let mut out = Vec::new();
    for key in page.keys {
        match due_at_of_key(&key) {
            Some(due) if due <= now_ms => {}
            // Keys sort by due time: everything after is later.
            _ => break,
        }
        match records
            .get(&key)
            .await?
            .as_deref()
            .and_then(Delivery::from_json)
        {
            Some(delivery) => out.push((key, delivery)),
            None => records.delete(&key).await?,
        }
    }
    Ok((out, any))
}

/// `GET /api/admin/webhooks/deliveries?status=failed|retrying&limit=&cursor=`.
pub async fn list<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let status = match ctx.request.query_param("status").as_deref() {
        None => DeliveryStatus::Failed,
        Some(name) => DeliveryStatus::parse(name)
            .ok_or(ApiError::InvalidRequest("status: failed or retrying"))?,
    };
    let limit = paging::limit_param(
        ctx.request.query_param("limit").as_deref(),
        DEFAULT_LIMIT,
        MAX_LIMIT,
        "limit: an integer from 1 to 200",
    )?;
    let scope = alloc::format!("webhook-deliveries:{}", status.as_str());
    let cursor = ctx.request.query_param("cursor");
    let start = Position::open(ctx.config, &scope, cursor.as_deref())?;
    let records = ctx.services.records();
    let (keys, next) = paging::take_keys(records, &status.prefix(), &start, limit).await?;
    // The records are our own JSON (`Delivery`): listed as stored, without parsing
    // them again (the `api` bundle's size budget).
    let mut body = alloc::format!("{{\"status\":\"{}\",\"deliveries\":[", status.as_str());
    let mut first = true;
    for key in &keys {
        let Some(raw) = records.get(key).await? else {
            continue;
        };
        if !raw.starts_with('{') {
            continue;
        }
        if !first {
            body.push(',');
        }
        first = false;
        body.push_str(&raw);
    }
    let next = match next {
        Some(next) => serde_json::to_string(&next.seal(ctx.config, &scope)).unwrap_or_default(),
        None => String::from("null"),
    };
    body.push_str("],\"next_cursor\":");
    body.push_str(&next);
    body.push('}');
    let mut response = Response::empty(200);
    response.set_header("Content-Type", "application/json");
    response.body = body.into_bytes();
    Ok(response)
}

/// The body of `POST /api/admin/webhooks/retry` (optional, no fields).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetryBody {}

/// `POST /api/admin/webhooks/retry` → `202`: the due retries run after the response
/// (they need the platform's HTTP client, which handlers do not hold).
pub async fn retry<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    if !ctx.request.body.is_empty() {
        let _: RetryBody = body::parse_json(ctx.request)?;
    }
    ctx.retry_webhooks();
    Ok(Response::json(
        202,
        &serde_json::json!({"status": "scheduled"}),
    ))
}
