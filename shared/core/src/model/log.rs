//! The one structured log line per request.
//!
//! Security considerations: the line names the *route pattern* (`/auth/sessions/{id}`),
//! not the raw path, and never carries headers, bodies, tokens, passwords or a full
//! client address — only what an operator needs to trace a request by its id.

use alloc::string::String;
use serde::Serialize;

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
