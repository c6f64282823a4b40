//! Carrying out an [`Outcome`]: the request's log line and its audit events, here;
//! what may wait until after the response (mails, alerts and their webhooks, the
//! error report, metrics) is handed to the adapter as a [`Background`], to run when
//! its platform allows (Workers after the response through `waitUntil`; Spin, which
//! has none, from a task its handler spawns before returning: WASIp3 runs it on after
//! the response). An adapter only supplies its transport ([`Output`]) and that timing.
//!
//! Security considerations: audit events are persisted before the response leaves (a
//! failure is logged with its static cause, never retried with the request's data);
//! mail is rendered and logged by [`super::mails`] (with `MAIL_TRANSPORT=console` the
//! whole message; with `http` only the provider's status, or the cause
//! ([`super::output::NotSent`]) of a mail that did not leave — never its content). On
//! both runtimes mail leaves after the response, so the provider's latency never
//! shows in it (a mail only a real account gets would otherwise tell accounts apart).

use super::background::Background;
use super::mails::Mails;
use super::output::{notice, Output};
use super::Outcome;
use crate::config::{Config, ConfigError};
use crate::ctx::Services;
use crate::env::Clock;
use crate::flows::audit;
use crate::flows::gdpr::retention;
use crate::http::Response;
use crate::model::log::Notice;

/// Carries out `outcome` up to the response: prints the request's log line (as
/// `REQUEST_LOG` selects) and
/// persists its audit events (with a valid configuration); returns the response to
/// send and the work that may wait until after it ([`Background`]: mails, alerts and
/// their webhooks, the error report, metrics), for the adapter to run when its
/// platform allows.
pub async fn carry_out<S: Services>(
    outcome: Outcome,
    config: Option<&Config>,
    services: &S,
    output: &impl Output,
) -> (Response, Background) {
    // Without a valid configuration the answer is a 503: always logged.
    if config.is_none_or(|config| config.request_log.logs(outcome.log.status)) {
        output.line(&outcome.log.to_json(), false);
    }
    let Some(config) = config else {
        return (outcome.response, Background::default());
    };
    if !outcome.audit.is_empty() {
        if let Err(error) = audit::log::persist(services, config, &outcome.audit).await {
            notice(
                output,
                &Notice::AuditPersistFailed {
                    cause: error.cause(),
                },
            );
        }
    }
    let mails = Mails {
        transport: Some(config.mail_transport.clone()),
        from: config.mail_from.clone(),
        mails: outcome.mails,
    };
    let background = Background::of(
        mails,
        outcome.alerts,
        &outcome.log,
        outcome.metrics,
        outcome.watch_signing_key,
        outcome.retry_webhooks,
        services.clock().now_ms(),
    );
    (outcome.response, background)
}

/// One scheduled retention sweep ([`retention::sweep`]): persists the events it returns
/// and prints one line with its report (counts only) or its error. A configuration
/// error or a store failure only logs; the next run retries.
pub async fn retention_sweep<S: Services>(
    config: Result<&Config, &ConfigError>,
    services: &S,
    output: &impl Output,
) {
    let Ok(config) = config else {
        notice(
            output,
            &Notice::RetentionSweep {
                report: None,
                error: Some("configuration invalid"),
            },
        );
        return;
    };
    match retention::sweep(services, config).await {
        Ok((report, events)) => {
            if let Err(error) = audit::log::persist(services, config, &events).await {
                notice(
                    output,
                    &Notice::AuditPersistFailed {
                        cause: error.cause(),
                    },
                );
            }
            let report = serde_json::to_value(&report).ok();
            notice(
                output,
                &Notice::RetentionSweep {
                    report,
                    error: None,
                },
            );
        }
        Err(error) => {
            let cause = error.internal_cause().unwrap_or(error.code());
            notice(
                output,
                &Notice::RetentionSweep {
                    report: None,
                    error: Some(cause),
                },
            );
        }
    }
}

/// One step of the store's physical reclamation ([`crate::store::AtomicStore::reclaim`],
/// `budget` units of work): one line with its counts when it deleted something, or its
/// error; nothing when there was nothing to do.
pub async fn reclaim<S: Services>(services: &S, output: &impl Output, budget: u32) {
    use crate::store::AtomicStore;
    match services.atomic().reclaim(budget).await {
        Ok(report) if report.deleted == 0 && report.examined == 0 => {}
        Ok(report) => notice(
            output,
            &Notice::Reclaim {
                report: serde_json::to_value(report).ok(),
                error: None,
            },
        ),
        Err(error) => notice(
            output,
            &Notice::Reclaim {
                report: None,
                error: Some(error.cause()),
            },
        ),
    }
}

#[cfg(test)]
mod tests;
