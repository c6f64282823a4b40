//! What an adapter lends the core to carry out an outcome: a log and an HTTP client,
//! and optionally a queue and an analytics store ([`Output`]).
//!
//! Security considerations: the core decides every byte written or sent; an adapter
//! only transports it (and times it: after the response on Workers, before it on
//! Spin).

use alloc::string::String;
use alloc::vec::Vec;

use crate::model::log::Notice;

/// Why an outbound request got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSent {
    /// It left, and no answer came back (DNS, connection, TLS, timeout).
    Unreachable,
    /// The platform refused to send it: the URL's origin is not an allowed outbound
    /// host (Spin's `allowed_outbound_hosts`, which `spin.toml` derives from the
    /// `mail_origin`, `webhook_origin` and `sentry_origin` variables) — the common
    /// misconfiguration, told apart.
    OutboundDenied,
    /// The URL does not make a request.
    InvalidUrl,
}

impl NotSent {
    /// The `cause` of a failure line (`mail_failed`, `webhook_failed`, …).
    pub fn cause(self) -> &'static str {
        match self {
            Self::Unreachable => "unreachable",
            Self::OutboundDenied => "outbound_denied",
            Self::InvalidUrl => "invalid_url",
        }
    }
}

/// What a platform offers to carry out an outcome.
#[allow(async_fn_in_trait)]
pub trait Output {
    /// Writes one line to the platform's log; `error` selects its error stream.
    fn line(&self, line: &str, error: bool);

    /// POSTs `body` to `url` with `headers`; the response status.
    async fn post(&self, url: &str, headers: &[(&str, &str)], body: String)
        -> Result<u16, NotSent>;

    /// POSTs `body` (`application/json`) to `url` with `Authorization:
    /// authorization`; the response status.
    async fn post_json(
        &self,
        url: &str,
        authorization: &str,
        body: String,
    ) -> Result<u16, NotSent> {
        let headers = [
            ("content-type", "application/json"),
            ("authorization", authorization),
        ];
        self.post(url, &headers, body).await
    }

    /// Whether webhook deliveries go through the platform's queue ([`Self::enqueue`]),
    /// whose consumer attempts and retries them ([`super::webhooks::consume`]).
    /// Without one (the default) the core attempts them at once and keeps retry
    /// records ([`super::webhooks::deliver_now`]). A constant, so that a build for a
    /// platform with a queue links no direct-delivery code.
    const QUEUE: bool = false;

    /// Hands webhook deliveries (JSON, [`crate::model::alert::Delivery`]) to the
    /// platform's queue; `false` when it refused them (they are then dropped with a
    /// `webhook_dropped` line; their `alert` lines remain).
    async fn enqueue(&self, messages: &[String]) -> bool {
        let _ = messages;
        false
    }

    /// Writes metrics data points to the platform's analytics store (Workers
    /// Analytics Engine); the default has none.
    fn data_points(&self, points: &[DataPoint]) {
        let _ = points;
    }
}

/// One Analytics Engine data point: labels, numbers, and the sampling index.
#[derive(Debug, Clone, PartialEq)]
pub struct DataPoint {
    /// Text dimensions (`blob1`…).
    pub blobs: Vec<String>,
    /// Numbers (`double1`…).
    pub doubles: Vec<f64>,
    /// The sampling key (`index1`).
    pub index: String,
}

/// Writes a notice line to `output`.
pub fn notice(output: &impl Output, notice: &Notice<'_>) {
    output.line(&notice.to_json(), notice.is_error());
}
