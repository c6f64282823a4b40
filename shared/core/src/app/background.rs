//! The work an outcome leaves for after its response ([`Background`]): mails, the
//! signing-key watch, the `5xx` count, security alerts and their webhooks, the error
//! report, and the isolate's metrics flush. Workers runs it in `waitUntil`, after
//! the response; Spin, which has no `waitUntil`, before it
//! (docs/monitoring.md, "Where the work runs").
//!
//! Nothing here decides the answer, and none of it adds a store round trip to a
//! request's way to its answer on Workers: the per-request cost on the path is
//! counting in memory ([`crate::memory::metrics`]). The store work is bounded: the
//! signing-key watch once per isolate (on Spin, per request of `login` and `refresh`
//! only), the error count per `5xx` answer, one metrics record per isolate and
//! interval, delivery records only for failures.
//!
//! Security considerations: a failure here never changes a response that was
//! already decided; it is logged with a static cause (`monitor_failed`,
//! `webhook_dropped`). Alerts are logged (`alert` line) whether or not a webhook is
//! configured, so the log alone is enough to alert on.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::future::Future;
use core::pin::Pin;

use super::errors::{self, ErrorReport};
use super::mails::Mails;
use super::output::{notice, DataPoint, Output};
use super::webhooks;
use super::Function;
use crate::config::Config;
use crate::ctx::Services;
use crate::encoding;
use crate::env::Random;
use crate::flows::audit;
use crate::flows::monitoring::{self, metrics};
use crate::memory::IsolateMemory;
use crate::model::alert::{Alert, Delivery};
use crate::model::log::{Notice, RequestLog};
use crate::model::metrics::Snapshot;
use crate::policy::alerts;

/// Retry records one sweep attempts at most (a request's background, or the admin
/// route's).
pub const RETRY_SWEEP_LIMIT: usize = 10;

/// What an outcome leaves for after its response.
#[derive(Debug, Default)]
pub struct Background {
    /// Mails to send.
    pub mails: Mails,
    alerts: Vec<Alert>,
    error: Option<ErrorReport>,
    metrics: Option<Snapshot>,
    watch_signing_key: bool,
    server_error: Option<u16>,
    retry_webhooks: bool,
    request_id: String,
}

impl Background {
    /// The background of a served request.
    pub(super) fn of(
        mails: Mails,
        alerts: Vec<Alert>,
        log: &RequestLog,
        metrics: Option<Snapshot>,
        watch_signing_key: bool,
        retry_webhooks: bool,
        now_ms: u64,
    ) -> Self {
        Self {
            mails,
            alerts,
            error: ErrorReport::of(log, now_ms),
            metrics,
            watch_signing_key,
            server_error: (log.status >= 500).then_some(log.status),
            retry_webhooks,
            request_id: log.request_id.clone(),
        }
    }

    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.mails.is_empty()
            && self.alerts.is_empty()
            && self.error.is_none()
            && self.metrics.is_none()
            && !self.watch_signing_key
            && self.server_error.is_none()
            && !self.retry_webhooks
    }

    /// Drops the metrics snapshot (a runtime whose instances serve one request each
    /// does not flush: it would be a store write per request).
    pub fn discard_metrics(&mut self) {
        self.metrics = None;
    }

    /// Also runs the due webhook retries (a runtime without a queue or a cron calls
    /// this for a sample of requests).
    pub fn retry_webhooks(&mut self) {
        self.retry_webhooks = true;
    }

    /// Runs it all, for function `F` (only functions that sign tokens watch the
    /// signing key, so the others link no code for it).
    pub async fn run<F: Function, S: Services, O: Output>(
        mut self,
        config: &Config,
        memory: &IsolateMemory,
        services: &S,
        output: &O,
    ) {
        core::mem::take(&mut self.mails).send(output).await;
        // Work a function or a platform never does is boxed behind its constant: an
        // `.await` in a branch that is never taken still links the awaited future's
        // code into this state machine, a boxed one does not.
        if F::SIGNS_TOKENS && self.watch_signing_key {
            let watch: Later<'_, Option<Alert>> = Box::pin(watch_signing_key(
                config,
                services,
                output,
                &self.request_id,
            ));
            self.alerts.extend(watch.await);
        }
        if !F::DOES_IO {
            // `pages`: to the log only.
            if let Some(report) = &self.error {
                errors::log(output, report);
            }
            if let Some(snapshot) = self.metrics.take() {
                notice(
                    output,
                    &Notice::Metrics {
                        snapshot: &snapshot,
                    },
                );
            }
            return;
        }
        if let Some(status) = self.server_error {
            let count: Later<'_, _> = Box::pin(monitoring::errors::count(services, config, status));
            match count.await {
                Ok(alert) => self.alerts.extend(alert),
                Err(error) => failed(output, "error_count", error.cause()),
            }
        }
        if !self.alerts.is_empty() {
            log_alerts(config, output, &self.alerts);
            let deliveries = webhooks::fan_out(config, &self.alerts);
            if O::QUEUE {
                let queued: Later<'_, ()> = Box::pin(enqueue(output, &deliveries));
                queued.await;
            } else if !deliveries.is_empty() {
                let direct: Later<'_, ()> =
                    Box::pin(webhooks::deliver_now(config, services, output, deliveries));
                direct.await;
            }
        }
        if let Some(report) = &self.error {
            let sent: Later<'_, ()> = Box::pin(errors::report(config, output, report));
            sent.await;
        }
        if let Some(snapshot) = self.metrics.take() {
            let flushed: Later<'_, ()> =
                Box::pin(flush_metrics(memory, services, output, snapshot));
            flushed.await;
        }
        // With a queue, the queue retries; there are no retry records.
        if !O::QUEUE && self.retry_webhooks && !config.monitoring.webhooks.is_empty() {
            let sweep: Later<'_, ()> = Box::pin(webhooks::retry_due(
                config,
                services,
                output,
                RETRY_SWEEP_LIMIT,
            ));
            sweep.await;
        }
    }
}

fn failed(output: &impl Output, task: &'static str, cause: &str) {
    notice(output, &Notice::MonitorFailed { task, cause });
}

/// A future of boxed background work.
type Later<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Compares the active signing key with the stored one; the alert of a rotation.
async fn watch_signing_key<S: Services>(
    config: &Config,
    services: &S,
    output: &impl Output,
    request_id: &str,
) -> Option<Alert> {
    match monitoring::signing_key::watch(services, config, request_id).await {
        Ok(Some(event)) => {
            if let Err(error) =
                audit::log::persist(services, config, core::slice::from_ref(&event)).await
            {
                notice(
                    output,
                    &Notice::AuditPersistFailed {
                        cause: error.cause(),
                    },
                );
            }
            let now = crate::env::Clock::now_ms(services.clock());
            alerts::from_audit(config, &event, now)
        }
        Ok(None) => None,
        Err(error) => {
            failed(output, "signing_key_watch", error.cause());
            None
        }
    }
}

/// One `alert` line per alert, whether or not an endpoint receives it.
fn log_alerts(config: &Config, output: &impl Output, alerts: &[Alert]) {
    for alert in alerts {
        let endpoints = config
            .monitoring
            .webhooks
            .iter()
            .filter(|endpoint| endpoint.wants(alert.kind))
            .count();
        notice(
            output,
            &Notice::Alert {
                alert: alert.kind.as_str(),
                id: &alert.id,
                endpoints,
            },
        );
    }
}

/// Hands deliveries to the platform's queue; a refusal drops them with a line each.
async fn enqueue(output: &impl Output, deliveries: &[Delivery]) {
    let messages: Vec<String> = deliveries.iter().map(Delivery::to_json).collect();
    if output.enqueue(&messages).await {
        return;
    }
    for delivery in deliveries {
        notice(
            output,
            &Notice::WebhookDropped {
                id: Some(&delivery.id),
                endpoint: Some(&delivery.endpoint),
                cause: "the queue refused the delivery",
            },
        );
    }
}

/// The Analytics Engine points of a snapshot: one per route, one for the outcomes.
pub fn data_points(snapshot: &Snapshot) -> Vec<DataPoint> {
    let mut points: Vec<DataPoint> = snapshot
        .routes
        .iter()
        .map(|route| DataPoint {
            blobs: alloc::vec![
                route.function.clone(),
                route.method.clone(),
                route.route.clone(),
            ],
            doubles: [
                route.count,
                route.status_2xx,
                route.status_3xx,
                route.status_4xx,
                route.status_5xx,
                route.ms_sum,
                route.ms_max,
            ]
            .iter()
            .map(|n| *n as f64)
            .collect(),
            index: route.function.clone(),
        })
        .collect();
    let (outcomes, hash) = (&snapshot.outcomes, &snapshot.hash);
    points.push(DataPoint {
        blobs: alloc::vec![
            snapshot.function.clone(),
            String::from("*"),
            String::from("outcomes")
        ],
        doubles: [
            outcomes.logins_succeeded,
            outcomes.logins_failed,
            outcomes.rate_limited,
            outcomes.refresh_reuse_detected,
            outcomes.lockouts,
            hash.count,
            hash.ms_sum,
            hash.ms_max,
        ]
        .iter()
        .map(|n| *n as f64)
        .collect(),
        index: snapshot.function.clone(),
    });
    points
}

/// Prints the `metrics` line, writes the Analytics Engine points and the store
/// record of one snapshot.
async fn flush_metrics<S: Services>(
    memory: &IsolateMemory,
    services: &S,
    output: &impl Output,
    mut snapshot: Snapshot,
) {
    snapshot.isolate = memory.metrics.isolate_id(|| {
        let mut bytes = [0u8; 8];
        services.random().fill(&mut bytes).ok()?;
        Some(encoding::hex(&bytes))
    });
    notice(
        output,
        &Notice::Metrics {
            snapshot: &snapshot,
        },
    );
    output.data_points(&data_points(&snapshot));
    if let Err(error) = metrics::store(services.records(), &snapshot).await {
        failed(output, "metrics_flush", error.cause());
    }
}
