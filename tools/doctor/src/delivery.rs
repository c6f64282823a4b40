//! How security webhooks and error reports leave each platform (docs/monitoring.md,
//! "Delivery"), checked when they are configured:
//!
//! - **Workers**: with `WEBHOOK_ENDPOINTS` set, every function that raises alerts
//!   (all but `pages`) needs the `WEBHOOKS` Queue producer binding — without it its
//!   deliveries are dropped (`webhook_dropped`) — and `refresh` must consume that
//!   Queue, or the messages wait there and nothing is sent. Across the configurations
//!   checked together, every producer's Queue must be the one `refresh` consumes.
//! - **Spin**: every component that sends (all but `pages`) must be allowed to reach
//!   each endpoint of `WEBHOOK_ENDPOINTS` and the `SENTRY_DSN` host: Spin denies any
//!   other outbound request (`outbound_denied`), and `spin.toml` takes those hosts
//!   from `webhook_origin` and `sentry_origin`.
//!
//! Findings name endpoints, components, bindings and Queues, never a URL or a secret.

use crate::finding::{Finding, Severity};
use crate::outbound;
use crate::sources::{Platform, Resolved};

/// The function a wrangler config deploys, from its `main` (`build/workers/<fn>/…`).
fn function(resolved: &Resolved) -> Option<&str> {
    let main = resolved.main.as_deref()?;
    let (_, after) = main.split_once("build/workers/")?;
    after.split('/').next()
}

/// `(name, url)` of each entry of `WEBHOOK_ENDPOINTS`.
fn endpoints(resolved: &Resolved) -> Vec<(String, String)> {
    resolved
        .get("WEBHOOK_ENDPOINTS")
        .unwrap_or_default()
        .split(';')
        .filter_map(|entry| entry.split_once('='))
        .map(|(name, rest)| {
            let url = rest.split('|').next().unwrap_or_default();
            (name.trim().to_string(), url.trim().to_string())
        })
        .collect()
}

/// The per-target checks (called from [`crate::checks::check`]).
pub(crate) fn check(resolved: &Resolved, development: bool, push: &mut impl FnMut(Finding)) {
    match resolved.platform {
        Platform::Workers => queue_bindings(resolved, push),
        Platform::Spin => outbound_hosts(resolved, development, push),
    }
}

fn queue_bindings(resolved: &Resolved, push: &mut impl FnMut(Finding)) {
    if resolved.get("WEBHOOK_ENDPOINTS").is_none() {
        return;
    }
    let function = function(resolved);
    // `pages` raises no alert (it reads no store; docs/monitoring.md).
    if function == Some("pages") {
        return;
    }
    let Some(queue) = &resolved.webhook_queue else {
        push(
            resolved.finding(
                Severity::Error,
                "webhook-queue-missing",
                Some("WEBHOOK_ENDPOINTS"),
                "endpoints are configured but this section has no `WEBHOOKS` Queue producer \
             binding: every alert of this function would be dropped (`webhook_dropped`); add \
             `queues.producers = [{ binding = \"WEBHOOKS\", queue = \"…\" }]` (bindings are \
             not inherited by environments)"
                    .into(),
            ),
        );
        return;
    };
    if function == Some("refresh") && !resolved.queue_consumers.contains(queue) {
        push(resolved.finding(
            Severity::Error,
            "webhook-consumer-missing",
            Some("WEBHOOK_ENDPOINTS"),
            format!(
                "refresh delivers the security webhooks but does not consume its Queue \
                 `{queue}`: deliveries would wait there and never be sent; add \
                 `queues.consumers = [{{ queue = \"{queue}\" }}]`"
            ),
        ));
    }
}

fn outbound_hosts(resolved: &Resolved, development: bool, push: &mut impl FnMut(Finding)) {
    let senders: Vec<_> = resolved
        .outbound_hosts
        .iter()
        .filter(|component| {
            component.component != "pages"
                && !component
                    .source
                    .as_deref()
                    .is_some_and(|source| source.contains("edgeauth_fn_pages"))
        })
        .collect();
    let mut destinations: Vec<(String, &'static str, String)> = endpoints(resolved)
        .into_iter()
        .map(|(name, url)| {
            (
                format!("endpoint `{name}` of WEBHOOK_ENDPOINTS"),
                "webhook_origin",
                url,
            )
        })
        .collect();
    if let Some(dsn) = resolved.get("SENTRY_DSN") {
        destinations.push(("the SENTRY_DSN host".into(), "sentry_origin", dsn.into()));
    }
    for (what, variable, url) in destinations {
        let denied: Vec<&str> = senders
            .iter()
            .filter(|component| match &component.entries {
                Ok(entries) => !outbound::admits(entries, &url),
                Err(_) => true,
            })
            .map(|component| component.component.as_str())
            .collect();
        if denied.is_empty() {
            continue;
        }
        push(resolved.finding(
            if development {
                Severity::Warning
            } else {
                Severity::Error
            },
            "outbound-host-denied",
            Some(variable),
            format!(
                "{what} is not admitted by the allowed_outbound_hosts of {}: Spin would deny \
                 every request to it (`outbound_denied`); set {variable} to its origin \
                 (scheme://host[:port])",
                denied.join(", ")
            ),
        ));
    }
}

/// Checks across the Workers configurations checked together: each producer's
/// `WEBHOOKS` Queue must be one `refresh` consumes (when `refresh` is among them).
pub fn check_across(targets: &[Resolved]) -> Vec<Finding> {
    let workers: Vec<&Resolved> = targets
        .iter()
        .filter(|target| target.platform == Platform::Workers)
        .collect();
    let Some(refresh) = workers
        .iter()
        .find(|target| function(target) == Some("refresh"))
    else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for target in &workers {
        // refresh's own Queue is its per-target check (`webhook-consumer-missing`).
        if function(target) == Some("refresh") {
            continue;
        }
        let Some(queue) = &target.webhook_queue else {
            continue;
        };
        if target.get("WEBHOOK_ENDPOINTS").is_none() || refresh.queue_consumers.contains(queue) {
            continue;
        }
        findings.push(target.finding(
            Severity::Error,
            "webhook-queue-unconsumed",
            Some("WEBHOOK_ENDPOINTS"),
            format!(
                "the `WEBHOOKS` binding sends to Queue `{queue}`, which the refresh Worker \
                 ({}) does not consume: these alerts would never be delivered",
                refresh.target
            ),
        ));
    }
    findings
}
