//! The emergency kill switch: every session created before a cut-off is dead.
//!
//! Two sources, and the later cut-off wins:
//! - configuration, `SESSIONS_REVOKED_BEFORE` (Unix seconds): pulled by a deploy or a
//!   secret, survives a storage restore, cannot be audited at the moment it is set;
//! - storage, written by `POST /api/admin/sessions/revoke-all`
//!   ([`crate::flows::admin::revoke_all`]): no deploy, audited as `all_sessions_revoked` with the
//!   acting admin. Runbook: `docs/runbooks/revoke-all-sessions.md`.
//!
//! The stored cut-off lives in the AtomicStore (strongly consistent: one Durable Object
//! on Workers, the Spin store's atomics on Spin) under one fixed key, and only ever
//! moves forward (compare-and-swap to the later value), so two admins pulling the
//! switch at once cannot move it back.
//!
//! Security considerations:
//! - **Bounded staleness, stated**: every session check needs the cut-off, and reading
//!   one global key on every request would put all traffic through one Durable Object.
//!   Each isolate therefore keeps the stored value for [`REFRESH_MS`]
//!   ([`crate::memory::kill_switch`]); the isolate that
//!   pulls the switch updates its copy at once, every other isolate within
//!   `REFRESH_MS`. On Spin an instance serves one request, so every request reads it.
//! - **Fail closed**: a store error reading the cut-off is the request's error (`503`),
//!   never "no cut-off".
//! - The cut-off is `now + 1 ms`: a session created in the same millisecond as the
//!   switch (possibly by the attacker) is dead too; users sign straight back in.

use alloc::string::String;

use crate::config::Config;
use crate::ctx::{Ctx, Services};
use crate::error::{ApiError, Internal};
use crate::store::{AtomicKey, AtomicStore};

pub use crate::memory::kill_switch::REFRESH_MS;
/// Where the stored cut-off lives.
pub(crate) const KEY: AtomicKey<'static> = AtomicKey::new("kill-switch", "sessions-revoked-before");
/// Bound on compare-and-swap retries; each loss means another admin moved it.
pub(crate) const ATTEMPTS: usize = 6;

/// The configured cut-off in Unix ms (`0`: none).
fn configured_ms(config: &Config) -> u64 {
    config.sessions_revoked_before.saturating_mul(1000)
}

/// The stored cut-off: the raw text (the `expected` of a later swap) and its value.
pub(crate) async fn read_stored(
    atomic: &impl AtomicStore,
) -> Result<(Option<String>, u64), ApiError> {
    let raw = atomic.get(KEY).await?;
    let value = match raw.as_deref() {
        None => 0,
        Some(text) => text
            .parse::<u64>()
            .map_err(|_| ApiError::Internal(Internal("kill-switch record malformed")))?,
    };
    Ok((raw, value))
}

/// The effective cut-off (Unix ms): sessions created before it are not live.
pub async fn revoked_before_ms<S: Services>(ctx: &Ctx<'_, S>) -> Result<u64, ApiError> {
    let memory = &ctx.memory.kill_switch;
    let stored = match memory.fresh(ctx.now_ms) {
        Some(value) => value,
        None => {
            let (_, value) = read_stored(ctx.services.atomic()).await?;
            memory.remember(value, ctx.now_ms);
            value
        }
    };
    Ok(stored.max(configured_ms(ctx.config)))
}

#[cfg(test)]
mod tests;
