//! Scheduled events: the retention sweep, run by the `api` Worker's cron trigger
//! (`[triggers] crons` in the top-level `wrangler.toml`).
//!
//! The core decides and logs ([`edgeauth_core::app::retention_sweep`]); this only
//! builds the services.

use worker::Env;

use crate::effects::WorkersOutput;

/// Runs one retention sweep.
pub async fn retention_sweep(env: &Env) {
    let config = crate::isolate_config(env);
    let services = crate::services(env);
    edgeauth_core::app::retention_sweep(config.as_ref(), &services, &WorkersOutput::with(env))
        .await;
}
