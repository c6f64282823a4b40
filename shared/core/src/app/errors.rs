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

use super::output::{notice, Output};
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

/// `text` as a JSON string.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| String::from("\"\""))
}

/// The envelope of one report: header line, item header line, event line. Written
/// out rather than derived (the `api` bundle's size budget); every value is quoted
/// by serde_json.
pub fn envelope(config: &Config, dsn: &SentryDsn, report: &ErrorReport) -> String {
    let id = quoted(&report.request_id);
    let at = quoted(&encoding::rfc3339(report.at_ms));
    let function = quoted(report.function);
    let method = quoted(report.method);
    let route = quoted(report.route);
    let cause = quoted(&report.cause);
    let message = quoted(&alloc::format!("internal: {}", report.cause));
    let transaction = quoted(&alloc::format!("{} {}", report.method, report.route));
    let environment = quoted(config.environment.as_str());
    let version = quoted(env!("CARGO_PKG_VERSION"));
    let event = alloc::format!(
        "{{\"event_id\":{id},\"timestamp\":{at},\"platform\":\"other\",\"level\":\"error\",\
         \"logger\":\"edgeauth\",\"environment\":{environment},\"server_name\":{function},\
         \"transaction\":{transaction},\"message\":{{\"formatted\":{message}}},\
         \"exception\":{{\"values\":[{{\"type\":\"Internal\",\"value\":{cause}}}]}},\
         \"tags\":{{\"function\":{function},\"method\":{method},\"route\":{route},\
         \"request_id\":{id}}},\"sdk\":{{\"name\":\"edgeauth\",\"version\":{version}}}}}"
    );
    let dsn = quoted(&dsn.dsn);
    alloc::format!(
        "{{\"event_id\":{id},\"sent_at\":{at},\"dsn\":{dsn}}}\n\
         {{\"type\":\"event\",\"length\":{}}}\n{event}\n",
        event.len()
    )
}

/// Logs one report (the `error_report` line with `sink: "log"`).
pub fn log(output: &impl Output, report: &ErrorReport) {
    notice(
        output,
        &Notice::ErrorReport {
            function: report.function,
            method: report.method,
            route: report.route,
            request_id: &report.request_id,
            cause: &report.cause,
            sink: "log",
            status: None,
        },
    );
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
        log(output, report);
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
        Err(failure) => notice(output, &failed(None, Some(failure.cause()))),
    }
}
