//! Delivering security alerts as signed webhooks (Standard Webhooks;
//! docs/monitoring.md, "Webhooks"), over whichever transport the platform has:
//!
//! - **a queue** (Workers: a Cloudflare Queue, [`Output::enqueue`]): each
//!   [`Delivery`] is a message; the queue's consumer calls [`consume`] per message,
//!   which attempts it and answers [`Verdict::Retry`] with the backoff delay or
//!   [`Verdict::Ack`]. The queue keeps the message between attempts.
//! - **no queue** (Spin): [`deliver_now`] attempts at
//!   once and keeps a retry record for a failure; [`retry_due`] later attempts the
//!   records that are due.
//!
//! Every attempt is signed afresh (`webhook-timestamp` is the attempt's time) over the
//! same body with the same `webhook-id`, so a receiver can deduplicate by id — the
//! delivery is at least once: a lost acknowledgement, or two sweeps racing on one
//! retry record, deliver twice. After `WEBHOOK_MAX_ATTEMPTS` the delivery is recorded
//! as failed (`GET /api/admin/webhooks/deliveries?status=failed`).
//!
//! Security considerations: the body is the alert's payload, built field by field
//! ([`crate::model::alert`]); secrets only ever reach the HMAC; an endpoint removed
//! from the configuration receives nothing more (its queued messages are dropped with
//! a log line).

use alloc::string::String;
use alloc::vec::Vec;

use super::output::{notice, Output};
use crate::config::{Config, WebhookEndpoint};
use crate::crypto::webhook;
use crate::ctx::Services;
use crate::env::Clock;
use crate::flows::monitoring::deliveries;
use crate::model::alert::{Alert, Delivery};
use crate::model::log::Notice;
use crate::store::RecordStore;

/// The `User-Agent` of deliveries.
pub const USER_AGENT: &str = "edgeauth-webhooks/1";

/// What a queue consumer does with a message after [`consume`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Done: delivered, recorded as failed, or undeliverable.
    Ack,
    /// Try again after `delay_secs`.
    Retry {
        /// The backoff delay.
        delay_secs: u32,
    },
}

/// One delivery per alert and endpoint that wants it.
pub fn fan_out(config: &Config, alerts: &[Alert]) -> Vec<Delivery> {
    let mut out = Vec::new();
    for alert in alerts {
        let payload = alert.payload();
        for endpoint in &config.monitoring.webhooks {
            if endpoint.wants(alert.kind) {
                out.push(Delivery {
                    id: alert.id.clone(),
                    endpoint: endpoint.name.clone(),
                    kind: String::from(alert.kind.as_str()),
                    payload: payload.clone(),
                    created_at_ms: alert.at_ms,
                    attempts: 0,
                    last_status: None,
                    last_error: None,
                    last_attempt_at_ms: None,
                    next_attempt_at_ms: None,
                });
            }
        }
    }
    out
}

/// Signs and POSTs one attempt; `Ok` for a `2xx`. Logs the outcome of a success
/// only (the caller logs a failure, knowing what follows it).
async fn attempt(
    output: &impl Output,
    endpoint: &WebhookEndpoint,
    delivery: &Delivery,
    attempt: u32,
    now_ms: u64,
) -> Result<u16, Failed> {
    let timestamp = now_ms / 1000;
    let timestamp_text = alloc::format!("{timestamp}");
    let signature = webhook::signature_header(
        &endpoint.secrets,
        &delivery.id,
        timestamp,
        &delivery.payload,
    );
    let headers = [
        ("content-type", "application/json"),
        ("user-agent", USER_AGENT),
        ("webhook-id", delivery.id.as_str()),
        ("webhook-timestamp", timestamp_text.as_str()),
        ("webhook-signature", signature.as_str()),
    ];
    match output
        .post(&endpoint.url, &headers, delivery.payload.clone())
        .await
    {
        Ok(status) if (200..300).contains(&status) => {
            notice(
                output,
                &Notice::Webhook {
                    endpoint: &endpoint.name,
                    alert: &delivery.kind,
                    id: &delivery.id,
                    attempt,
                    status,
                },
            );
            Ok(status)
        }
        Ok(status) => Err(Failed {
            status: Some(status),
            cause: None,
        }),
        Err(failure) => Err(Failed {
            status: None,
            cause: Some(failure.cause()),
        }),
    }
}

/// A failed attempt: the receiver's status, or why none came back.
#[derive(Debug, Clone, Copy)]
struct Failed {
    status: Option<u16>,
    cause: Option<&'static str>,
}

fn failed_line(
    delivery: &Delivery,
    attempt: u32,
    failed: Failed,
    retry_in_secs: Option<u32>,
) -> Notice<'_> {
    Notice::WebhookFailed {
        endpoint: &delivery.endpoint,
        alert: &delivery.kind,
        id: &delivery.id,
        attempt,
        status: failed.status,
        cause: failed.cause,
        retry_in_secs,
        gave_up: retry_in_secs.is_none(),
    }
}

fn dropped(output: &impl Output, delivery: Option<&Delivery>, cause: &'static str) {
    notice(
        output,
        &Notice::WebhookDropped {
            id: delivery.map(|d| d.id.as_str()),
            endpoint: delivery.map(|d| d.endpoint.as_str()),
            cause,
        },
    );
}

/// Attempts a delivery (its `attempts` so far recorded in it) and, if it fails,
/// keeps it for a retry or records it as failed. The no-queue path.
async fn attempt_and_keep<S: Services>(
    config: &Config,
    services: &S,
    output: &impl Output,
    mut delivery: Delivery,
) {
    let Some(endpoint) = config.monitoring.endpoint(&delivery.endpoint) else {
        dropped(output, Some(&delivery), "endpoint no longer configured");
        return;
    };
    let now = services.clock().now_ms();
    let number = delivery.attempts.saturating_add(1);
    let Err(failed) = attempt(output, endpoint, &delivery, number, now).await else {
        return;
    };
    delivery.attempts = number;
    delivery.last_status = failed.status;
    delivery.last_error = failed.cause.map(String::from);
    delivery.last_attempt_at_ms = Some(now);
    let retry = config.monitoring.retry;
    let records = services.records();
    let kept = if number >= retry.max_attempts {
        delivery.next_attempt_at_ms = None;
        notice(output, &failed_line(&delivery, number, failed, None));
        deliveries::record_failed(records, &delivery, now).await
    } else {
        let delay = retry.delay_secs(number);
        delivery.next_attempt_at_ms = Some(now.saturating_add(u64::from(delay) * 1000));
        notice(output, &failed_line(&delivery, number, failed, Some(delay)));
        deliveries::schedule_retry(records, services.atomic(), &delivery, now).await
    };
    if kept.is_err() {
        dropped(
            output,
            Some(&delivery),
            "delivery record could not be written",
        );
    }
}

/// Attempts `deliveries` now, keeping failures for [`retry_due`] (no queue).
pub async fn deliver_now<S: Services>(
    config: &Config,
    services: &S,
    output: &impl Output,
    deliveries: Vec<Delivery>,
) {
    for delivery in deliveries {
        attempt_and_keep(config, services, output, delivery).await;
    }
}

/// Attempts up to `limit` retry records that are due (no queue).
pub async fn retry_due<S: Services>(
    config: &Config,
    services: &S,
    output: &impl Output,
    limit: usize,
) {
    let records = services.records();
    let now = services.clock().now_ms();
    let swept = async {
        // One key read decides whether there is anything to list at all.
        let Some(seen) = deliveries::pending(services.atomic()).await? else {
            return Ok(Vec::new());
        };
        let (due, any) = deliveries::due(records, now, limit).await?;
        if !any {
            deliveries::clear_pending(services.atomic(), &seen).await?;
        }
        Ok::<_, crate::store::StoreError>(due)
    };
    let due = match swept.await {
        Ok(due) => due,
        Err(error) => {
            notice(
                output,
                &Notice::MonitorFailed {
                    task: "webhook_retry_sweep",
                    cause: error.cause(),
                },
            );
            return;
        }
    };
    for (key, delivery) in due {
        // Claim the record before the attempt; a new one is written if it fails again.
        if records.delete(&key).await.is_err() {
            dropped(output, Some(&delivery), "retry record could not be claimed");
            continue;
        }
        attempt_and_keep(config, services, output, delivery).await;
    }
}

/// One queued message's attempt (`attempts`: the queue's count, 1 for the first):
/// the verdict for the queue. A message that cannot be read, or whose endpoint is no
/// longer configured, is acknowledged with a log line (retrying cannot help).
pub async fn consume<S: Services>(
    config: &Config,
    services: &S,
    output: &impl Output,
    message: &str,
    attempts: u32,
) -> Verdict {
    let Some(mut delivery) = Delivery::from_json(message) else {
        dropped(output, None, "queue message unreadable");
        return Verdict::Ack;
    };
    let Some(endpoint) = config.monitoring.endpoint(&delivery.endpoint) else {
        dropped(output, Some(&delivery), "endpoint no longer configured");
        return Verdict::Ack;
    };
    let number = attempts.max(1);
    let now = services.clock().now_ms();
    let Err(failed) = attempt(output, endpoint, &delivery, number, now).await else {
        return Verdict::Ack;
    };
    let retry = config.monitoring.retry;
    if number < retry.max_attempts {
        let delay_secs = retry.delay_secs(number);
        notice(
            output,
            &failed_line(&delivery, number, failed, Some(delay_secs)),
        );
        return Verdict::Retry { delay_secs };
    }
    delivery.attempts = number;
    delivery.last_status = failed.status;
    delivery.last_error = failed.cause.map(String::from);
    delivery.last_attempt_at_ms = Some(now);
    notice(output, &failed_line(&delivery, number, failed, None));
    if deliveries::record_failed(services.records(), &delivery, now)
        .await
        .is_err()
    {
        dropped(
            output,
            Some(&delivery),
            "delivery record could not be written",
        );
    }
    Verdict::Ack
}

#[cfg(test)]
mod tests;
