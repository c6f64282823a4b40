//! Where audit events are kept: append-only records with a retention expiry.
//!
//! Each event is written under two keys of the [`RecordStore`]:
//! `audit/all/<rev_ts>/<id>` (the whole log, for admins and auditors) and
//! `audit/user/<user_id>/<rev_ts>/<id>` for the subject and, when different, the
//! actor (a user's own activity). `<rev_ts>` is `u64::MAX - at_ms`, zero-padded, so
//! an ascending key listing returns the newest events first. Every record expires
//! `AUDIT_RETENTION_DAYS` after the event: retention is enforced by the store.
//!
//! Security considerations: events are only ever added, never updated; their
//! content is chosen by code (see [`crate::model::audit`]) and holds no secrets.

use alloc::format;
use alloc::string::String;

use crate::config::Config;
use crate::ctx::Services;
use crate::env::Clock;
use crate::model::audit::AuditEvent;
use crate::store::{RecordStore, StoreError};

/// Prefix of the whole log.
pub const ALL_PREFIX: &str = "audit/all/";

/// Prefix of one user's events.
pub fn user_prefix(user_id: &str) -> String {
    format!("audit/user/{user_id}/")
}

/// The newest-first sort component of an event time.
pub fn reverse_timestamp(at_ms: u64) -> String {
    format!("{:020}", u64::MAX - at_ms)
}

/// Persists events (after the response is decided).
pub async fn persist<S: Services>(
    services: &S,
    config: &Config,
    events: &[AuditEvent],
) -> Result<(), StoreError> {
    let now = services.clock().now_ms();
    let retention_ms = u64::from(config.audit_retention_days) * 86_400_000;
    let expires = Some(now.saturating_add(retention_ms));
    let records = services.records();
    for event in events {
        let json = serde_json::to_string(event)
            .map_err(|_| StoreError::unavailable("audit event encoding failed"))?;
        let sort = format!("{}/{}", reverse_timestamp(now), event.id);
        records
            .put(&format!("{ALL_PREFIX}{sort}"), &json, expires)
            .await?;
        let subject = event.subject_id.as_deref();
        let actor = event
            .actor_id
            .as_deref()
            .filter(|actor| Some(*actor) != subject);
        for owner in [subject, actor].into_iter().flatten() {
            records
                .put(&format!("{}{sort}", user_prefix(owner)), &json, expires)
                .await?;
        }
    }
    Ok(())
}
