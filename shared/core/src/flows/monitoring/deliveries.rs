//! Webhook delivery records and their admin routes.
//!
//! - A delivery that exhausted `WEBHOOK_MAX_ATTEMPTS` is recorded under
//!   `webhooks/failed/` ([`record_failed`], kept 30 days), on every runtime.
//! - Where there is no queue (Spin; Workers without the `WEBHOOKS` binding) a failed
//!   attempt is kept under `webhooks/retrying/<due>/…` ([`schedule_retry`]); a sweep
//!   ([`due`]) picks up what is due — on Spin, opportunistically after a sample of
//!   requests and on `POST /api/admin/webhooks/retry`; on Workers, from the cron
//!   trigger too.
//!
//! | route | permission | answer |
//! |---|---|---|
//! | `GET /api/admin/webhooks/deliveries?status=failed\|retrying&limit=&cursor=` | `monitoring:read` | `200 {"deliveries", "next_cursor"}` |
//! | `POST /api/admin/webhooks/retry` | `webhooks:retry` | `202 {"status":"scheduled"}`: the due retries run after the response |
//!
//! Security considerations: records hold the alert payload (no secret by
//! construction, [`crate::model::alert`]), never a signature or an endpoint secret;
//! `status` is matched against two fixed names before it becomes a key prefix; the
//! cursor is sealed to the listing and its status.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::ApiError;
use crate::http::{body, Response};
use crate::model::alert::{due_at_of_key, Delivery, DeliveryStatus, FAILED_RETENTION_MS};
use crate::policy::paging::{self, Position};
use crate::store::{RecordStore, StoreError};

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

/// Keeps `delivery` (with its `next_attempt_at_ms` set) for a later attempt.
pub async fn schedule_retry(
    records: &impl RecordStore,
    delivery: &Delivery,
) -> Result<(), StoreError> {
    let due = delivery.next_attempt_at_ms.unwrap_or(0);
    records
        .put(
            &delivery.key(DeliveryStatus::Retrying),
            &delivery.to_json(),
            Some(due.saturating_add(RETRY_RECORD_GRACE_MS)),
        )
        .await
}

/// Up to `limit` retry records due at `now_ms`, oldest due first, with their keys.
/// Records that cannot be read are skipped (and deleted: nothing could send them).
pub async fn due(
    records: &impl RecordStore,
    now_ms: u64,
    limit: usize,
) -> Result<Vec<(String, Delivery)>, StoreError> {
    let prefix = DeliveryStatus::Retrying.prefix();
    let page = records.list(&prefix, None, limit).await?;
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
    Ok(out)
}

#[derive(Debug, Serialize)]
struct DeliveryView {
    id: String,
    endpoint: String,
    #[serde(rename = "type")]
    kind: String,
    status: &'static str,
    attempts: u32,
    created_at: String,
    last_attempt_at: Option<String>,
    next_attempt_at: Option<String>,
    last_status: Option<u16>,
    last_error: Option<String>,
    payload: serde_json::Value,
}

impl DeliveryView {
    fn of(delivery: Delivery, status: DeliveryStatus) -> Self {
        Self {
            payload: serde_json::from_str(&delivery.payload).unwrap_or(serde_json::Value::Null),
            created_at: encoding::rfc3339(delivery.created_at_ms),
            last_attempt_at: delivery.last_attempt_at_ms.map(encoding::rfc3339),
            next_attempt_at: match status {
                DeliveryStatus::Retrying => delivery.next_attempt_at_ms.map(encoding::rfc3339),
                DeliveryStatus::Failed => None,
            },
            id: delivery.id,
            endpoint: delivery.endpoint,
            kind: delivery.kind,
            status: status.as_str(),
            attempts: delivery.attempts,
            last_status: delivery.last_status,
            last_error: delivery.last_error,
        }
    }
}

#[derive(Debug, Serialize)]
struct DeliveryPage {
    deliveries: Vec<DeliveryView>,
    next_cursor: Option<String>,
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
    let mut deliveries = Vec::with_capacity(keys.len());
    for key in &keys {
        if let Some(delivery) = records
            .get(key)
            .await?
            .as_deref()
            .and_then(Delivery::from_json)
        {
            deliveries.push(DeliveryView::of(delivery, status));
        }
    }
    Ok(Response::json(
        200,
        &DeliveryPage {
            deliveries,
            next_cursor: next.map(|next| next.seal(ctx.config, &scope)),
        },
    ))
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
