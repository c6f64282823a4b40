//! Monitoring's store work and its admin routes (docs/monitoring.md):
//!
//! - [`signing_key`]: noticing that the active signing key changed (once, by the
//!   first isolate to see it) — the `keys.signing_rotated` alert;
//! - [`errors`]: counting `5xx` answers across isolates — the `errors.burst` alert;
//! - [`deliveries`]: webhook delivery records (failed, waiting for a retry) and
//!   `GET /api/admin/webhooks/deliveries`, `POST /api/admin/webhooks/retry`;
//! - [`metrics`]: flushed metrics snapshots and `GET /api/admin/metrics`.
//!
//! None of this runs on a request's way to its answer: the pipeline hands it to the
//! adapter as background work ([`crate::app::Background`]), which Workers runs after
//! the response (`waitUntil`) and Spin before it (no `waitUntil`; the signing-key
//! watch runs there only for the functions that sign tokens).
//!
//! Security considerations: the admin routes are gated in the `api` route table
//! (`monitoring:read`, `webhooks:retry`: admins); records hold alert payloads (ids,
//! prefixes, code-chosen detail — never a secret) and counts.

pub mod deliveries;
pub mod errors;
pub mod metrics;
pub mod signing_key;

/// The AtomicStore shard of monitoring's own records (the last active signing key,
/// the `5xx` counters).
pub const SHARD: &str = "monitor";

#[cfg(test)]
mod tests;
