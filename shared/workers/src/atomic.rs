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
//!
//! Transport: each operation is one JSON message through the object's RPC method
//! `op` (the shim's `AtomicShard extends DurableObject` forwards it to
//! [`AtomicShard::rpc_op`]), which costs about a third of a `fetch` round trip with its
//! `Request`/`Response` objects (docs/benchmarks.md; an authenticated API request
//! makes four to six of these calls). `fetch` with the same JSON stays: the client
//! falls back to it when the RPC call fails, so a function deployed before the object's
//! host script still reaches an object that predates `op`. RPC calls are events like
//! `fetch`: the input gate argument above holds for both.

use edgeauth_core::store::{envelope, AtomicKey, AtomicStore, StoreError};
use edgeauth_core::Clock;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use worker::{
    durable_object, DurableObject, Env, ListOptions, ObjectNamespace, Request, RequestInit,
    Response, State, Storage, Stub,
};

use crate::WorkersClock;

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Op {
    Get {
        name: String,
    },
    GetMany {
        names: Vec<String>,
    },
    Cas {
        name: String,
        expected: Option<String>,
        new: Option<String>,
        expires_at_ms: Option<u64>,
    },
    Incr {
        name: String,
        delta: u64,
        expires_at_ms: u64,
    },
    List {
        prefix: String,
    },
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    values: Vec<Option<String>>,
}

/// The client side: sends each operation to the shard's Durable Object.
#[derive(Debug)]
pub struct DoAtomic {
    namespace: Option<ObjectNamespace>,
}

impl DoAtomic {
    pub(crate) fn bind(env: &Env, binding: &str) -> Self {
        Self {
            namespace: env.durable_object(binding).ok(),
        }
    }

    async fn call(&self, shard: &str, op: &Op) -> Result<Reply, StoreError> {
        let body =
            serde_json::to_string(op).map_err(|_| StoreError::unavailable("encode failed"))?;
        let text = match call_rpc(self.stub(shard)?, &body).await {
            Some(text) => text,
            None => call_fetch(self.stub(shard)?, body).await?,
        };
        // Parsed by serde_json, not through JS numbers: expiries and counters are u64.
        serde_json::from_str(&text)
            .map_err(|_| StoreError::unavailable("Durable Object reply malformed"))
    }

    fn stub(&self, shard: &str) -> Result<Stub, StoreError> {
        let namespace = self
            .namespace
            .as_ref()
            .ok_or(StoreError::unavailable("Durable Object binding missing"))?;
        namespace
            .id_from_name(shard)
            .and_then(|id| id.get_stub())
            .map_err(|_| StoreError::unavailable("Durable Object stub failed"))
    }
}

#[wasm_bindgen]
extern "C" {
    /// A stub of [`AtomicShard`], seen through its RPC method.
    type AtomicShardRpc;

    #[wasm_bindgen(method, js_name = op)]
    fn op(this: &AtomicShardRpc, body: &str) -> js_sys::Promise;
}

/// One operation through the object's `op` RPC method; `None` when the call fails
/// (then [`call_fetch`] decides: an object without `op` still answers `fetch`).
async fn call_rpc(stub: Stub, body: &str) -> Option<String> {
    let rpc: AtomicShardRpc = stub.into_rpc();
    JsFuture::from(rpc.op(body)).await.ok()?.as_string()
}

/// One operation through `fetch` (the fallback transport).
async fn call_fetch(stub: Stub, body: String) -> Result<String, StoreError> {
    let mut init = RequestInit::new();
    init.with_method(worker::Method::Post)
        .with_body(Some(body.into()));
    let request = Request::new_with_init("https://atomic.internal/op", &init)
        .map_err(|_| StoreError::unavailable("Durable Object request failed"))?;
    let mut response = stub
        .fetch_with_request(request)
        .await
        .map_err(|_| StoreError::unavailable("Durable Object unreachable"))?;
    if response.status_code() != 200 {
        return Err(StoreError::unavailable(
            "Durable Object refused the operation",
        ));
    }
    response
        .text()
        .await
        .map_err(|_| StoreError::unavailable("Durable Object reply unreadable"))
}

impl AtomicStore for DoAtomic {
    async fn get(&self, key: AtomicKey<'_>) -> Result<Option<String>, StoreError> {
        Ok(self
            .call(
                key.shard,
                &Op::Get {
                    name: key.name.into(),
                },
            )
            .await?
            .value)
    }

    /// One Durable Object call for all the names (the default is one call per name).
    async fn get_many(
        &self,
        shard: &str,
        names: &[&str],
    ) -> Result<Vec<Option<String>>, StoreError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let reply = self
            .call(
                shard,
                &Op::GetMany {
                    names: names.iter().map(|name| String::from(*name)).collect(),
                },
            )
            .await?;
        if reply.values.len() != names.len() {
            return Err(StoreError::unavailable("Durable Object reply malformed"));
        }
        Ok(reply.values)
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

    async fn increment(
        &self,
        key: AtomicKey<'_>,
        delta: u64,
        expires_at_ms: u64,
    ) -> Result<u64, StoreError> {
        let op = Op::Incr {
            name: key.name.into(),
            delta,
            expires_at_ms,
        };
        Ok(self.call(key.shard, &op).await?.count)
    }

    async fn list(&self, shard: &str, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self
            .call(
                shard,
                &Op::List {
                    prefix: prefix.into(),
                },
            )
            .await?
            .pairs)
    }
}

/// The Durable Object class behind [`DoAtomic`]: one instance per shard. Only the
/// `fetch` glue is generated (no alarms, WebSockets or sockets are used).
#[durable_object(fetch)]
pub struct AtomicShard {
    state: State,
}

impl core::fmt::Debug for AtomicShard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("AtomicShard")
    }
}

async fn read(storage: &Storage, name: &str, now: u64) -> worker::Result<Option<String>> {
    let stored: Option<String> = storage.get(name).await?;
    match stored {
        Some(stored) => match envelope::unwrap(&stored, now) {
            Some(value) => Ok(Some(value.to_string())),
            None => {
                storage.delete(name).await?;
                Ok(None)
            }
        },
        None => Ok(None),
    }
}

/// Carries out one operation (JSON in, JSON out) on the object's storage.
async fn handle(storage: Storage, body: &str) -> worker::Result<Option<String>> {
    let Ok(op) = serde_json::from_str::<Op>(body) else {
        return Ok(None);
    };
    let reply = apply(&storage, op).await?;
    serde_json::to_string(&reply)
        .map(Some)
        .map_err(|error| worker::Error::RustError(error.to_string()))
}

async fn apply(storage: &Storage, op: Op) -> worker::Result<Reply> {
    let now = WorkersClock.now_ms();
    Ok(match op {
        Op::Get { name } => Reply {
            value: read(storage, &name, now).await?,
            ..Reply::default()
        },
        Op::GetMany { names } => {
            let mut values = Vec::with_capacity(names.len());
            for name in &names {
                values.push(read(storage, name, now).await?);
            }
            Reply {
                values,
                ..Reply::default()
            }
        }
        Op::Cas {
            name,
            expected,
            new,
            expires_at_ms,
        } => {
            let current = read(storage, &name, now).await?;
            let swapped = current == expected;
            if swapped {
                match new {
                    Some(value) => {
                        storage
                            .put(&name, envelope::wrap(&value, expires_at_ms))
                            .await?
                    }
                    None => {
                        storage.delete(&name).await?;
                    }
                }
            }
            Reply {
                swapped,
                ..Reply::default()
            }
        }
        Op::Incr {
            name,
            delta,
            expires_at_ms,
        } => {
            let stored: Option<String> = storage.get(&name).await?;
            let live = stored.as_deref().and_then(|s| {
                let value = envelope::unwrap(s, now)?;
                Some((
                    value.parse::<u64>().unwrap_or(0),
                    envelope::expiry(s).flatten(),
                ))
            });
            let (count, expiry) = match live {
                Some((count, expiry)) => (count.saturating_add(delta), expiry),
                None => (delta, Some(expires_at_ms)),
            };
            storage
                .put(&name, envelope::wrap(&count.to_string(), expiry))
                .await?;
            Reply {
                count,
                ..Reply::default()
            }
        }
        Op::List { prefix } => {
            let map = storage
                .list_with_options(ListOptions::new().prefix(&prefix))
                .await?;
            let mut pairs = Vec::new();
            map.for_each(&mut |value, key| {
                if let (Some(name), Some(stored)) = (key.as_string(), value.as_string()) {
                    if let Some(value) = envelope::unwrap(&stored, now) {
                        pairs.push((name, value.to_string()));
                    }
                }
            });
            Reply {
                pairs,
                ..Reply::default()
            }
        }
    })
}

#[wasm_bindgen]
impl AtomicShard {
    /// The RPC method `op`: one JSON operation in, the JSON reply out (a rejected
    /// promise for an operation that does not parse).
    #[wasm_bindgen(js_name = op)]
    pub async fn rpc_op(&self, body: String) -> Result<JsValue, JsValue> {
        match handle(self.state.storage(), &body).await {
            Ok(Some(reply)) => Ok(JsValue::from_str(&reply)),
            Ok(None) => Err(JsValue::from_str("bad operation")),
            Err(error) => Err(JsValue::from(error)),
        }
    }
}

impl DurableObject for AtomicShard {
    fn new(state: State, _env: Env) -> Self {
        Self { state }
    }

    async fn fetch(&self, mut request: Request) -> worker::Result<Response> {
        let text = request.text().await?;
        match handle(self.state.storage(), &text).await? {
            Some(reply) => Response::ok(reply),
            None => Response::error("bad operation", 400),
        }
    }
}
