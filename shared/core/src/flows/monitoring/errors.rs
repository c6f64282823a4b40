//! The `errors.burst` alert: `5xx` answers counted across isolates in fixed windows of
//! `ALERT_ERROR_BURST` (`N/SECONDS`, default `10/60`), after the response. The answer
//! that brings a window's count to exactly `N` raises the alert, so a burst raises
//! one alert per window however long it lasts.
//!
//! The counter is an AtomicStore increment (shard [`super::SHARD`], name
//! `errors/<window start>`, expiring with its window) made only for `5xx` answers — a
//! healthy request never pays for it. When the store itself is what fails, the
//! increment fails too and only the log line of that failure remains: the request
//! lines (`status` 503, `cause`) are the signal to alert on in the log pipeline then.
//!
//! Security considerations: the alert holds the count, the window and the statuses
//! seen — no request data.

use alloc::collections::BTreeMap;
use alloc::string::String;

use crate::config::{AlertKind, Config};
use crate::ctx::Services;
use crate::env::{Clock, Random};
use crate::model::alert::{Alert, AlertData};
use crate::store::{AtomicKey, AtomicStore, StoreError};

/// Counts one `5xx` answer; the alert when it completes a burst.
pub async fn count<S: Services>(
    services: &S,
    config: &Config,
    status: u16,
) -> Result<Option<Alert>, StoreError> {
    let burst = config.monitoring.error_burst;
    let window_ms = u64::from(burst.window_secs) * 1000;
    let now = services.clock().now_ms();
    let start = now - now % window_ms.max(1);
    let name = alloc::format!("errors/{start}");
    let count = services
        .atomic()
        .increment(
            AtomicKey::new(super::SHARD, &name),
            1,
            start.saturating_add(window_ms),
        )
        .await?;
    if count != u64::from(burst.limit) {
        return Ok(None);
    }
    let mut id = [0u8; 16];
    services
        .random()
        .fill(&mut id)
        .map_err(|_| StoreError::unavailable("random source failed"))?;
    let mut detail = BTreeMap::new();
    detail.insert(String::from("count"), alloc::format!("{count}"));
    detail.insert(
        String::from("window_secs"),
        alloc::format!("{}", burst.window_secs),
    );
    detail.insert(String::from("last_status"), alloc::format!("{status}"));
    Ok(Some(Alert {
        id: Alert::fresh_id(&id),
        kind: AlertKind::ErrorBurst,
        at_ms: now,
        data: AlertData {
            detail,
            ..AlertData::default()
        },
    }))
}
