//! `AtomicStore` on a Durable Object: strongly consistent CAS and counters.
//!
//! Workers KV is eventually consistent and has no atomic operations, so everything
//! where a race is a vulnerability (rate limits, lockout, refresh rotation,
//! single-use tokens, sessions, users) goes through [`AtomicShard`]: one Durable
//! Object instance per shard name (`idFromName(shard)`).
//!
//! Why this is atomic: a Durable Object processes one event at a time per instance,
//! and its *input gate* holds back other events while a storage operation is in
//! flight. Each operation below is storage-get → compute → storage-put with no
//! other IO in between, so no two requests interleave inside it.
//!
//! Values are stored in the core's expiry envelope; expired values read as absent
//! and are deleted lazily when touched.

use edgeauth_core::store::{envelope, AtomicKey, AtomicStore, StoreError};
use edgeauth_core::Clock;
use serde::{Deserialize, Serialize};
use worker::{
    durable_object, DurableObject, Env, ListOptions, ObjectNamespace, Request, RequestInit,
    Response, State,
};

use crate::WorkersClock;

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Op {
    Get { name: String },
    Cas { name: String, expected: Option<String>, new: Option<String>, expires_at_ms: Option<u64> },
    Incr { name: String, delta: u64, expires_at_ms: u64 },
    List { prefix: String },
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Reply {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    #[serde(default)]
    swapped: bool,
    #[serde(default)]
    count: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pairs: Vec<(String, String)>,
}

/// The client side: sends each operation to the shard's Durable Object.
#[derive(Debug)]
pub struct DoAtomic {
    namespace: Option<ObjectNamespace>,
}

impl DoAtomic {
    pub(crate) fn bind(env: &Env, binding: &str) -> Self {
        Self { namespace: env.durable_object(binding).ok() }
    }

    async fn call(&self, shard: &str, op: &Op) -> Result<Reply, StoreError> {
        let namespace =
            self.namespace.as_ref().ok_or(StoreError::unavailable("Durable Object binding missing"))?;
        let stub = namespace
            .id_from_name(shard)
            .and_then(|id| id.get_stub())
            .map_err(|_| StoreError::unavailable("Durable Object stub failed"))?;
        let body = serde_json::to_string(op).map_err(|_| StoreError::unavailable("encode failed"))?;
        let mut init = RequestInit::new();
        init.with_method(worker::Method::Post).with_body(Some(body.into()));
        let request = Request::new_with_init("https://atomic.internal/op", &init)
            .map_err(|_| StoreError::unavailable("Durable Object request failed"))?;
        let mut response = stub
            .fetch_with_request(request)
            .await
            .map_err(|_| StoreError::unavailable("Durable Object unreachable"))?;
        if response.status_code() != 200 {
            return Err(StoreError::unavailable("Durable Object refused the operation"));
        }
        // Parsed by serde_json, not through JS numbers: expiries and counters are u64.
        let text = response.text().await.map_err(|_| StoreError::unavailable("Durable Object reply unreadable"))?;
        serde_json::from_str(&text).map_err(|_| StoreError::unavailable("Durable Object reply malformed"))
    }
}

impl AtomicStore for DoAtomic {
    async fn get(&self, key: AtomicKey<'_>) -> Result<Option<String>, StoreError> {
        Ok(self.call(key.shard, &Op::Get { name: key.name.into() }).await?.value)
    }

    async fn compare_and_swap(
        &self,
        key: AtomicKey<'_>,
        expected: Option<&str>,
        new: Option<&str>,
        expires_at_ms: Option<u64>,
    ) -> Result<bool, StoreError> {
        let op = Op::Cas {
            name: key.name.into(),
            expected: expected.map(Into::into),
            new: new.map(Into::into),
            expires_at_ms,
        };
        Ok(self.call(key.shard, &op).await?.swapped)
    }

    async fn increment(&self, key: AtomicKey<'_>, delta: u64, expires_at_ms: u64) -> Result<u64, StoreError> {
        let op = Op::Incr { name: key.name.into(), delta, expires_at_ms };
        Ok(self.call(key.shard, &op).await?.count)
    }

    async fn list(&self, shard: &str, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self.call(shard, &Op::List { prefix: prefix.into() }).await?.pairs)
    }
}

/// The Durable Object class behind [`DoAtomic`]: one instance per shard.
#[durable_object]
pub struct AtomicShard {
    state: State,
}

impl core::fmt::Debug for AtomicShard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("AtomicShard")
    }
}

impl AtomicShard {
    async fn read(&self, name: &str, now: u64) -> worker::Result<Option<String>> {
        let stored: Option<String> = self.state.storage().get(name).await?;
        match stored {
            Some(stored) => match envelope::unwrap(&stored, now) {
                Some(value) => Ok(Some(value.to_string())),
                None => {
                    self.state.storage().delete(name).await?;
                    Ok(None)
                }
            },
            None => Ok(None),
        }
    }

    async fn apply(&self, op: Op) -> worker::Result<Reply> {
        let now = WorkersClock.now_ms();
        let storage = self.state.storage();
        Ok(match op {
            Op::Get { name } => Reply { value: self.read(&name, now).await?, ..Reply::default() },
            Op::Cas { name, expected, new, expires_at_ms } => {
                let current = self.read(&name, now).await?;
                let swapped = current == expected;
                if swapped {
                    match new {
                        Some(value) => storage.put(&name, envelope::wrap(&value, expires_at_ms)).await?,
                        None => {
                            storage.delete(&name).await?;
                        }
                    }
                }
                Reply { swapped, ..Reply::default() }
            }
            Op::Incr { name, delta, expires_at_ms } => {
                let stored: Option<String> = storage.get(&name).await?;
                let live = stored.as_deref().and_then(|s| {
                    let value = envelope::unwrap(s, now)?;
                    Some((value.parse::<u64>().unwrap_or(0), envelope::expiry(s).flatten()))
                });
                let (count, expiry) = match live {
                    Some((count, expiry)) => (count.saturating_add(delta), expiry),
                    None => (delta, Some(expires_at_ms)),
                };
                storage.put(&name, envelope::wrap(&count.to_string(), expiry)).await?;
                Reply { count, ..Reply::default() }
            }
            Op::List { prefix } => {
                let map = storage.list_with_options(ListOptions::new().prefix(&prefix)).await?;
                let mut pairs = Vec::new();
                map.for_each(&mut |value, key| {
                    if let (Some(name), Some(stored)) = (key.as_string(), value.as_string()) {
                        if let Some(value) = envelope::unwrap(&stored, now) {
                            pairs.push((name, value.to_string()));
                        }
                    }
                });
                Reply { pairs, ..Reply::default() }
            }
        })
    }
}

impl DurableObject for AtomicShard {
    fn new(state: State, _env: Env) -> Self {
        Self { state }
    }

    async fn fetch(&self, mut request: Request) -> worker::Result<Response> {
        let text = request.text().await?;
        let op: Op = match serde_json::from_str(&text) {
            Ok(op) => op,
            Err(_) => return Response::error("bad operation", 400),
        };
        let reply = self.apply(op).await?;
        let body = serde_json::to_string(&reply).map_err(|error| worker::Error::RustError(error.to_string()))?;
        Response::ok(body)
    }
}
