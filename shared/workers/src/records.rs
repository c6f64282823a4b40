//! `RecordStore` on Workers KV.
//!
//! KV is eventually consistent (a write may take ~60 s to be seen elsewhere) and
//! its TTL cannot be shorter than 60 s, so values are stored in the core's expiry
//! envelope and expiry is checked on read; KV's own TTL (rounded up to ≥ 60 s) only
//! reclaims space. Only data where a stale read is harmless lives here.

use core::cell::OnceCell;
use edgeauth_core::store::{envelope, KeyPage, RecordStore, StoreError};
use edgeauth_core::Clock;
use worker::kv::KvStore;
use worker::Env;

use crate::WorkersClock;

/// KV's minimum `expirationTtl`.
const KV_MIN_TTL_SECS: u64 = 60;

/// Records in the `EDGEAUTH_KV` namespace (absent binding → every call fails closed).
/// The binding is looked up on first use: a request that reads no record (most reads,
/// under `SESSION_CHECK=cached`) makes no crossing for it.
#[derive(Debug)]
pub struct KvRecords {
    env: Env,
    binding: &'static str,
    kv: OnceCell<Option<KvStore>>,
}

impl KvRecords {
    pub(crate) fn bind(env: &Env, binding: &'static str) -> Self {
        Self {
            env: env.clone(),
            binding,
            kv: OnceCell::new(),
        }
    }

    fn kv(&self) -> Result<&KvStore, StoreError> {
        self.kv
            .get_or_init(|| self.env.kv(self.binding).ok())
            .as_ref()
            .ok_or(StoreError::unavailable("KV binding missing"))
    }
}

impl RecordStore for KvRecords {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let stored = self
            .kv()?
            .get(key)
            .text()
            .await
            .map_err(|_| StoreError::unavailable("KV get failed"))?;
        let now = WorkersClock.now_ms();
        Ok(stored.and_then(|stored| envelope::unwrap(&stored, now).map(str::to_string)))
    }

    async fn put(
        &self,
        key: &str,
        value: &str,
        expires_at_ms: Option<u64>,
    ) -> Result<(), StoreError> {
        // The UTF-8 bytes, not `put(key, String)`: that goes through workers-rs's
        // generic `Serialize` path (serde-wasm-bindgen plus float formatting, ~3 KiB
        // gzip in every Worker); KV stores the same bytes and `text()` reads them back.
        let mut put = self
            .kv()?
            .put_bytes(key, envelope::wrap(value, expires_at_ms).as_bytes())
            .map_err(|_| StoreError::unavailable("KV put rejected"))?;
        if let Some(expires_at_ms) = expires_at_ms {
            let remaining = expires_at_ms
                .saturating_sub(WorkersClock.now_ms())
                .div_ceil(1000);
            put = put.expiration_ttl(remaining.max(KV_MIN_TTL_SECS));
        }
        put.execute()
            .await
            .map_err(|_| StoreError::unavailable("KV put failed"))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.kv()?
            .delete(key)
            .await
            .map_err(|_| StoreError::unavailable("KV delete failed"))
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<KeyPage, StoreError> {
        let mut list = self
            .kv()?
            .list()
            .prefix(prefix.to_string())
            .limit(limit.clamp(1, 1000) as u64);
        if let Some(cursor) = cursor {
            list = list.cursor(cursor.to_string());
        }
        let response = list
            .execute()
            .await
            .map_err(|_| StoreError::unavailable("KV list failed"))?;
        let keys = response.keys.into_iter().map(|key| key.name).collect();
        let cursor = (!response.list_complete)
            .then_some(response.cursor)
            .flatten();
        Ok(KeyPage { keys, cursor })
    }
}
