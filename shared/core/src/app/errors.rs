//! Error tracking: every unexpected error (`500 internal`) is reported with its
//! request id, function, method, route and code-chosen cause — to a Sentry-compatible
//! endpoint when `SENTRY_DSN` is set (the envelope API: one `event` item, POSTed to
//! `/api/<project>/envelope/` with `X-Sentry-Auth`), else as an `error_report` line on
//! the log's error stream (docs/monitoring.md, "Error tracking").
//!
//! The Sentry `event_id` is the request id, so the tracker, the request line and the
//! client's problem body (`request_id`) name one failure alike.
//!
//! Security considerations: a report holds only the request line's fields — never a
//! body, a header, a query string, a user or a secret; the cause is code-chosen text
//! (`ApiError::Internal`). `503` answers (a store or a secret missing) are expected
//! failure modes, watched through the request lines and `errors.burst`, not reported.

use alloc::string::String;
use serde::Serialize;

use super::output::{notice, Output, Unreachable};
use crate::config::{Config, SentryDsn};
use crate::encoding;
use crate::model::log::{Notice, RequestLog};

/// The `sentry_client` of the auth header and the SDK name of events.
const CLIENT: &str = concat!("edgeauth/", env!("CARGO_PKG_VERSION"));

/// One unexpected error, as reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReport {
    /// The function.
    pub function: &'static str,
    /// The method.
    pub method: &'static str,
    /// The route pattern.
    pub route: &'static str,
    /// The request id.
    pub request_id: String,
    /// The internal cause.
    pub cause: String,
    /// When (Unix ms).
    pub at_ms: u64,
}

impl ErrorReport {
    /// The report of a request line, when it is a `500 internal`.
    pub fn of(log: &RequestLog, at_ms: u64) -> Option<Self> {
        (log.status == 500).then(|| Self {
            function: log.function,
            method: log.method,
            route: log.route,
            request_id: log.request_id.clone(),
            cause: log.cause.clone().unwrap_or_else(|| String::from("unknown")),
            at_ms,
        })
    }
}

#[derive(Serialize)]
struct Tags<'a> {
    function: &'a str,
    method: &'a str,
    route: &'a str,
    request_id: &'a str,
}

#[derive(Serialize)]
struct ExceptionValue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    value: &'a str,
}

#[derive(Serialize)]
struct Exception<'a> {
    values: [ExceptionValue<'a>; 1],
}

#[derive(Serialize)]
struct Message<'a> {
    formatted: &'a str,
}

#[derive(Serialize)]
struct Sdk {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Event<'a> {
    event_id: &'a str,
    timestamp: String,
    platform: &'static str,
    level: &'static str,
    logger: &'static str,
    environment: &'static str,
    server_name: &'a str,
    transaction: String,
    message: Message<'a>,
    exception: Exception<'a>,
    tags: Tags<'a>,
    sdk: Sdk,
}

/// The envelope of one report: header line, item header line, event line.
pub fn envelope(config: &Config, dsn: &SentryDsn, report: &ErrorReport) -> String {
    let sent_at = encoding::rfc3339(report.at_ms);
    let message = alloc::format!("internal: {}", report.cause);
    let event = Event {
        event_id: &report.request_id,
        timestamp: sent_at.clone(),
        platform: "other",
        level: "error",
        logger: "edgeauth",
        environment: config.environment.as_str(),
        server_name: report.function,
        transaction: alloc::format!("{} {}", report.method, report.route),
        message: Message {
            formatted: &message,
        },
        exception: Exception {
            values: [ExceptionValue {
                kind: "Internal",
                value: &report.cause,
            }],
        },
        tags: Tags {
            function: report.function,
            method: report.method,
            route: report.route,
            request_id: &report.request_id,
        },
        sdk: Sdk {
            name: "edgeauth",
            version: env!("CARGO_PKG_VERSION"),
        },
    };
    let event = serde_json::to_string(&event).unwrap_or_default();
    let header = serde_json::json!({
        "event_id": report.request_id,
        "sent_at": sent_at,
        "dsn": dsn.dsn,
    });
    let item = serde_json::json!({"type": "event", "length": event.len()});
    alloc::format!("{header}\n{item}\n{event}\n")
}

/// Sends (or logs) one report.
pub async fn report(config: &Config, output: &impl Output, report: &ErrorReport) {
    let line = |sink, status| Notice::ErrorReport {
        function: report.function,
        method: report.method,
        route: report.route,
        request_id: &report.request_id,
        cause: &report.cause,
        sink,
        status,
    };
    let Some(dsn) = &config.monitoring.sentry else {
        notice(output, &line("log", None));
        return;
    };
    let auth = alloc::format!(
        "Sentry sentry_version=7, sentry_key={}, sentry_client={CLIENT}",
        dsn.public_key
    );
    let headers = [
        ("content-type", "application/x-sentry-envelope"),
        ("x-sentry-auth", auth.as_str()),
    ];
    let failed = |status, cause| Notice::ErrorReportFailed {
        request_id: &report.request_id,
        status,
        cause,
    };
    match output
        .post(&dsn.envelope_url, &headers, envelope(config, dsn, report))
        .await
    {
        Ok(status) if (200..300).contains(&status) => {
            notice(output, &line("sentry", Some(status)));
        }
        Ok(status) => notice(output, &failed(Some(status), None)),
        Err(Unreachable) => notice(output, &failed(None, Some("unreachable"))),
    }
}
