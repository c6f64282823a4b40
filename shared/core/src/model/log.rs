//! The log lines edgeauth writes, each one JSON object with a `kind`: the one line per
//! request ([`RequestLog`]) and the lines about carrying out its effects and about
//! scheduled work ([`Notice`]). Every line is built here; adapters only print them
//! (docs/logging.md lists them).
//!
//! Security considerations: the request line names the *route pattern*
//! (`/auth/sessions/{id}`), not the raw path, and no line carries headers, bodies,
//! tokens, passwords, a mail's content (outside the development `console` transport,
//! [`crate::model::mail::Mail::console_line`]) or a full client address — only what an
//! operator needs to trace a request by its id or a failure by its static cause.

use alloc::string::String;
use serde::Serialize;

use crate::model::metrics::Snapshot;

/// What an adapter prints (as one JSON line) after each request.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RequestLog {
    /// Always `"request"`, to tell request lines from other log lines.
    pub kind: &'static str,
    /// The function that served the request.
    pub function: &'static str,
    /// The request method.
    pub method: &'static str,
    /// The matched route pattern, or `"unmatched"`.
    pub route: &'static str,
    /// The response status.
    pub status: u16,
    /// Time spent in the core, in milliseconds (platform clock).
    pub duration_ms: u64,
    /// The request id sent in `X-Request-Id`.
    pub request_id: String,
    /// Time spent hashing passwords, when the request hashed one (platform clock:
    /// on Workers it advances only across IO, so it reads 0 there in production).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash_ms: Option<u64>,
    /// The stable error code, for 4xx/5xx.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    /// For 500/503 only: the internal cause (code-chosen text naming a component or
    /// variable, never a value or secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

impl RequestLog {
    /// The line as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A line about an effect or a scheduled job (not a request).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice<'a> {
    /// Audit events could not be written; `cause` is the store's static cause.
    AuditPersistFailed {
        /// Static text naming the failure.
        cause: &'a str,
    },
    /// A mail left through the `http` transport and the provider accepted it.
    Mail {
        /// Always `http` (the `console` transport prints the message itself).
        transport: &'static str,
        /// The provider's status.
        status: u16,
    },
    /// A mail did not leave: the provider's status, or why no status came back
    /// (`unreachable`, `outbound_denied`, `invalid_url`).
    MailFailed {
        /// The provider's status, when it answered.
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// Why no status came back.
        #[serde(skip_serializing_if = "Option::is_none")]
        cause: Option<&'a str>,
        /// What the operator can do about it, when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        hint: Option<&'a str>,
    },
    /// A security alert was raised (docs/monitoring.md): its type, its webhook id and
    /// how many endpoints it goes to (`0`: none configured for it).
    Alert {
        /// The alert's webhook `type`.
        #[serde(rename = "type")]
        alert: &'a str,
        /// The `webhook-id`.
        id: &'a str,
        /// Endpoints it is delivered to.
        endpoints: usize,
    },
    /// A webhook delivery was accepted (`2xx`).
    Webhook {
        /// The endpoint's configured name.
        endpoint: &'a str,
        /// The alert's `type`.
        #[serde(rename = "type")]
        alert: &'a str,
        /// The `webhook-id`.
        id: &'a str,
        /// Which attempt this was (1 = first).
        attempt: u32,
        /// The receiver's status.
        status: u16,
    },
    /// A webhook attempt failed: the receiver's status or `cause: "unreachable"`; the
    /// wait before the next attempt, or `gave_up` after the last.
    WebhookFailed {
        /// The endpoint's configured name.
        endpoint: &'a str,
        /// The alert's `type`.
        #[serde(rename = "type")]
        alert: &'a str,
        /// The `webhook-id`.
        id: &'a str,
        /// Which attempt this was.
        attempt: u32,
        /// The receiver's status, when it answered.
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// Why no status came back.
        #[serde(skip_serializing_if = "Option::is_none")]
        cause: Option<&'a str>,
        /// Seconds until the next attempt.
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_in_secs: Option<u32>,
        /// No further attempt: recorded under `webhooks/failed/`.
        gave_up: bool,
    },
    /// A delivery could not be carried out at all (its endpoint is no longer
    /// configured, its message is unreadable, or its record could not be written).
    WebhookDropped {
        /// The `webhook-id`, when readable.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a str>,
        /// The endpoint's configured name, when readable.
        #[serde(skip_serializing_if = "Option::is_none")]
        endpoint: Option<&'a str>,
        /// Static text naming the reason.
        cause: &'a str,
    },
    /// An unexpected error (`500 internal`) reported: to the log (`sink: "log"`, on
    /// the error stream), or to the Sentry-compatible endpoint with its status.
    ErrorReport {
        /// The function.
        function: &'a str,
        /// The method.
        method: &'a str,
        /// The route pattern.
        route: &'a str,
        /// The request id (also the Sentry `event_id`).
        request_id: &'a str,
        /// The internal cause (code-chosen text).
        cause: &'a str,
        /// `log` or `sentry`.
        sink: &'static str,
        /// The error tracker's status, when it was sent.
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
    },
    /// The error tracker refused a report or could not be reached.
    ErrorReportFailed {
        /// The request id.
        request_id: &'a str,
        /// Its status, when it answered.
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// Why no status came back.
        #[serde(skip_serializing_if = "Option::is_none")]
        cause: Option<&'a str>,
    },
    /// One isolate's metrics over one interval (Workers; docs/monitoring.md).
    Metrics {
        /// The counts.
        #[serde(flatten)]
        snapshot: &'a Snapshot,
    },
    /// Work after the response failed (the signing-key watch, the error count, a
    /// metrics flush): which, and the store's static cause.
    MonitorFailed {
        /// `signing_key_watch`, `error_count`, `metrics_flush`, `webhook_retry_sweep`.
        task: &'static str,
        /// Static text naming the failure.
        cause: &'a str,
    },
    /// The retention sweep ran: its report (counts only) as JSON, or the error.
    RetentionSweep {
        /// The sweep's report.
        #[serde(skip_serializing_if = "Option::is_none")]
        report: Option<serde_json::Value>,
        /// The static cause of a failed run.
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<&'a str>,
    },
}

impl Notice<'_> {
    /// The line as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Whether the line reports a failure (adapters print it to the error stream).
    pub fn is_error(&self) -> bool {
        match self {
            Self::AuditPersistFailed { .. }
            | Self::MailFailed { .. }
            | Self::WebhookFailed { .. }
            | Self::WebhookDropped { .. }
            | Self::ErrorReportFailed { .. }
            | Self::MonitorFailed { .. } => true,
            Self::ErrorReport { sink, .. } => *sink == "log",
            Self::Mail { .. }
            | Self::Alert { .. }
            | Self::Webhook { .. }
            | Self::Metrics { .. } => false,
            Self::RetentionSweep { error, .. } => error.is_some(),
        }
    }
}

#[cfg(test)]
mod tests;
