//! Noticing a signing-key rotation. Rotating `JWT_SIGNING_KEYS` is a configuration
//! change, not a request, so nothing would tell anyone. Instead, the first request of
//! an isolate (Workers; on Spin every request of a function that signs tokens)
//! compares the active key id — the first of the ring — with the one stored as "last
//! active" (AtomicStore shard [`super::SHARD`], name [`NAME`]). A different id is
//! swapped in with a compare-and-swap, and only the isolate whose swap lands writes
//! the `signing_key_rotated` audit event, which raises `keys.signing_rotated` — once
//! per rotation, however many isolates start with the new key.
//!
//! The very first deployment (nothing stored) records its key without an event.
//! Rolling back to the previous key is a rotation too, and reported as one.
//!
//! Security considerations: key ids are public (the JWT `kid`, the key set); no key
//! material is read or stored.

use alloc::string::String;
use alloc::vec;

use crate::config::Config;
use crate::ctx::Services;
use crate::encoding;
use crate::env::{Clock, Random};
use crate::model::audit::{AuditEvent, AuditKind};
use crate::store::{AtomicKey, AtomicStore, StoreError};

/// The record's name in the monitoring shard.
pub const NAME: &str = "signing-kid";

/// Compares the active signing key with the stored one; returns the audit event when
/// this call recorded a rotation. `request_id` names the request that noticed it.
pub async fn watch<S: Services>(
    services: &S,
    config: &Config,
    request_id: &str,
) -> Result<Option<AuditEvent>, StoreError> {
    let kid = config.jwt_signing_keys.active().id.as_str();
    let key = AtomicKey::new(super::SHARD, NAME);
    let atomic = services.atomic();
    let stored = atomic.get(key).await?;
    if stored.as_deref() == Some(kid) {
        return Ok(None);
    }
    if !atomic
        .compare_and_swap(key, stored.as_deref(), Some(kid), None)
        .await?
    {
        // Another isolate recorded it (and reported it, if it was a rotation).
        return Ok(None);
    }
    let Some(previous) = stored else {
        return Ok(None);
    };
    let mut id = [0u8; 16];
    services
        .random()
        .fill(&mut id)
        .map_err(|_| StoreError::unavailable("random source failed"))?;
    let now = services.clock().now_ms();
    Ok(Some(AuditEvent {
        id: encoding::hex(&id),
        at: encoding::rfc3339(now),
        event: AuditKind::SigningKeyRotated,
        actor_id: None,
        subject_id: None,
        ip_prefix: None,
        user_agent: None,
        request_id: String::from(request_id),
        detail: vec![
            (String::from("previous_kid"), previous),
            (String::from("kid"), String::from(kid)),
        ]
        .into_iter()
        .collect(),
    }))
}
