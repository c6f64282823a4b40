//! Scheduled events: the retention sweep, run by the `api` Worker's cron trigger
//! (`[triggers] crons` in the top-level `wrangler.toml`).
//!
//! The core decides ([`edgeauth_core::flows::gdpr::retention::sweep`]); this only builds the
//! services, persists the audit events the sweep returns and prints one log line.
//!
//! Security considerations: a configuration error or a store failure only logs (the
//! next run retries); the log line carries counts, never an address or an id.

use edgeauth_core::flows::gdpr::retention;
use worker::{console_error, console_log, Env};

use crate::{atomic, records, WorkersServices, ATOMIC_BINDING, KV_BINDING};

/// Runs one retention sweep.
pub async fn retention_sweep(env: &Env) {
    let config = crate::isolate_config(env);
    let Ok(config) = config.as_ref() else {
        console_error!("{{\"kind\":\"retention_sweep\",\"error\":\"configuration invalid\"}}");
        return;
    };
    let services = WorkersServices {
        records: records::KvRecords::bind(env, KV_BINDING),
        atomic: atomic::DoAtomic::bind(env, ATOMIC_BINDING),
    };
    match retention::sweep(&services, config).await {
        Ok((report, events)) => {
            if let Err(error) =
                edgeauth_core::flows::audit::log::persist(&services, config, &events).await
            {
                console_error!(
                    "{{\"kind\":\"audit_persist_failed\",\"cause\":\"{}\"}}",
                    error.cause()
                );
            }
            let report = serde_json::to_string(&report).unwrap_or_default();
            console_log!("{{\"kind\":\"retention_sweep\",\"report\":{report}}}");
        }
        Err(error) => {
            let cause = error.internal_cause().unwrap_or(error.code());
            console_error!("{{\"kind\":\"retention_sweep\",\"error\":\"{cause}\"}}");
        }
    }
}
