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
//! makes four to six of these calls). `fetch` with the same JSON stays for an object
//! that predates `op`: the client falls back to it only when the runtime says the
//! object has no `op` method. RPC calls are events like `fetch`: the input gate
//! argument above holds for both.
//!
//! Once only: a call can fail after the object applied it (the connection drops on
//! the way back, the caller is interrupted). Compare-and-swap and increment therefore
//! carry an operation id, and the object remembers each id's reply for
//! [`OP_MEMORY_MS`] ([`OpMemory`]): a repeat of the id gets the remembered reply and
//! changes nothing. The client retries a failed call once, with the same id; the
//! object handles one event at a time, so the retry runs after the first call has
//! finished. The memory is the object's, in memory, not in storage: storing it would
//! double the storage writes of every counter, and leave records in a shard (an
//! erased account's) that should be empty. The one case it does not cover is an
//! object reset between applying an operation and answering it (a code update, a
//! crash); then the retry is applied again. See docs/ARCHITECTURE.md.

use core::cell::OnceCell;
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
use core::cell::RefCell;
use edgeauth_core::Random;
use edgeauth_primitives::env::OsRandom;
use std::collections::BTreeMap;

/// How long the object remembers an operation id's reply (a retry follows its
/// failure within milliseconds; a minute leaves room for a slow one).
const OP_MEMORY_MS: u64 = 60_000;
/// At most this many replies are remembered (the oldest go first).
const OP_MEMORY_ENTRIES: usize = 4_096;

/// Recent operation ids and their replies, in id order, which is send-time order
/// (ids start with their send time): expiry and the size bound drop from the front.
#[derive(Debug, Default)]
struct OpMemory(BTreeMap<String, (u64, String)>);

impl OpMemory {
    fn forget_old(&mut self, now: u64) {
        while let Some((_, (expires, _))) = self.0.first_key_value() {
            if *expires > now && self.0.len() <= OP_MEMORY_ENTRIES {
                break;
            }
            self.0.pop_first();
        }
    }

    fn recall(&mut self, id: &str, now: u64) -> Option<String> {
        self.forget_old(now);
        self.0.get(id).map(|(_, reply)| reply.clone())
    }

    fn remember(&mut self, id: String, reply: String, now: u64) {
        self.0.insert(id, (now.saturating_add(OP_MEMORY_MS), reply));
        self.forget_old(now);
    }
}

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
        /// The operation id (see the module docs); absent from older clients.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    Incr {
        name: String,
        delta: u64,
        expires_at_ms: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
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

/// The client side: sends each operation to the shard's Durable Object. The namespace
/// binding is looked up on first use (a request served from the isolate's memory
/// makes no crossing for it).
#[derive(Debug)]
pub struct DoAtomic {
    env: Env,
    binding: &'static str,
    namespace: OnceCell<Option<ObjectNamespace>>,
}

impl DoAtomic {
    pub(crate) fn bind(env: &Env, binding: &'static str) -> Self {
        Self {
            env: env.clone(),
            binding,
            namespace: OnceCell::new(),
        }
    }

    async fn call(&self, shard: &str, op: &Op) -> Result<Reply, StoreError> {
        let body =
            serde_json::to_string(op).map_err(|_| StoreError::unavailable("encode failed"))?;
        let text = match call_rpc(self.stub(shard)?, &body).await {
            Ok(text) => text,
            Err(RpcFailure::MethodMissing) => call_fetch(self.stub(shard)?, body).await?,
            // The object may have applied it already: the same body carries the same
            // operation id, so a second application answers from memory.
            Err(RpcFailure::Failed) => call_rpc(self.stub(shard)?, &body)
                .await
                .map_err(|_| StoreError::unavailable("Durable Object call failed"))?,
        };
        // Parsed by serde_json, not through JS numbers: expiries and counters are u64.
        serde_json::from_str(&text)
            .map_err(|_| StoreError::unavailable("Durable Object reply malformed"))
    }

    fn stub(&self, shard: &str) -> Result<Stub, StoreError> {
        let namespace = self
            .namespace
            .get_or_init(|| self.env.durable_object(self.binding).ok())
            .as_ref()
            .ok_or(StoreError::unavailable("Durable Object binding missing"))?;
        namespace
            .id_from_name(shard)
            .and_then(|id| id.get_stub())
            .map_err(|_| StoreError::unavailable("Durable Object stub failed"))
    }
}

/// A fresh operation id: the send time first (so the object can drop old ones in
/// order), then 128 random bits.
fn op_id() -> Result<String, StoreError> {
    let mut random = [0u8; 16];
    OsRandom
        .fill(&mut random)
        .map_err(|_| StoreError::unavailable("no randomness for an operation id"))?;
    let hex: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(format!("{:013}-{hex}", WorkersClock.now_ms()))
}

/// Whether `id` has the shape [`op_id`] gives (anything else is not remembered).
fn is_op_id(id: &str) -> bool {
    id.len() == 46
        && id.as_bytes().get(13) == Some(&b'-')
        && id
            .bytes()
            .enumerate()
            .all(|(at, byte)| at == 13 || byte.is_ascii_digit() || matches!(byte, b'a'..=b'f'))
}

#[wasm_bindgen]
extern "C" {
    /// A stub of [`AtomicShard`], seen through its RPC method.
    type AtomicShardRpc;

    #[wasm_bindgen(method, catch, js_name = op)]
    fn op(this: &AtomicShardRpc, body: &str) -> Result<js_sys::Promise, JsValue>;
}

/// Why an RPC call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RpcFailure {
    /// The object has no `op` method (it predates it): `fetch` is the way in.
    MethodMissing,
    /// Anything else; the object may or may not have applied the operation.
    Failed,
}

/// Tells a missing method apart from other failures by the runtime's own words: a
/// `TypeError` saying the receiver does not implement the method (or is no RPC
/// class at all). Anything else counts as a failure that may have applied.
fn classify(error: &JsValue) -> RpcFailure {
    let text = |field: &str| {
        js_sys::Reflect::get(error, &JsValue::from_str(field))
            .ok()
            .and_then(|value| value.as_string())
            .unwrap_or_default()
    };
    let message = text("message");
    let missing = text("name") == "TypeError"
        && (message.contains("does not implement the method")
            || message.contains("does not support RPC")
            || message.contains("is not a function"));
    if missing {
        RpcFailure::MethodMissing
    } else {
        RpcFailure::Failed
    }
}

/// One operation through the object's `op` RPC method.
async fn call_rpc(stub: Stub, body: &str) -> Result<String, RpcFailure> {
    let rpc: AtomicShardRpc = stub.into_rpc();
    let promise = rpc.op(body).map_err(|error| classify(&error))?;
    JsFuture::from(promise)
        .await
        .map_err(|error| classify(&error))?
        .as_string()
        .ok_or(RpcFailure::Failed)
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
            id: Some(op_id()?),
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
            id: Some(op_id()?),
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
    /// Replies to recent operation ids.
    memory: RefCell<OpMemory>,
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

/// A write an operation makes; all of one operation's writes land together.
#[derive(Debug)]
enum Write {
    Put(String, String),
    Delete(String),
}

/// Issues every write without awaiting in between, then awaits them: Durable Object
/// storage coalesces writes made without an intervening await into one atomic write.
async fn commit(storage: &Storage, writes: Vec<Write>) -> worker::Result<()> {
    let raw = storage.as_raw();
    let mut pending = Vec::with_capacity(writes.len());
    for write in &writes {
        pending.push(match write {
            Write::Put(name, value) => raw.put(name, JsValue::from_str(value))?,
            Write::Delete(name) => raw.delete(name)?,
        });
    }
    for promise in pending {
        JsFuture::from(promise).await?;
    }
    Ok(())
}

impl Op {
    /// The operation id, when it has a well-formed one.
    fn id(&self) -> Option<&str> {
        match self {
            Op::Cas { id, .. } | Op::Incr { id, .. } => id.as_deref().filter(|id| is_op_id(id)),
            _ => None,
        }
    }
}

/// Carries out one operation (JSON in, JSON out) on the object's storage: a repeat
/// of a remembered operation id gets its first reply and changes nothing.
async fn handle(
    storage: Storage,
    body: &str,
    memory: &RefCell<OpMemory>,
) -> worker::Result<Option<String>> {
    let Ok(op) = serde_json::from_str::<Op>(body) else {
        return Ok(None);
    };
    let now = WorkersClock.now_ms();
    let id = op.id().map(String::from);
    if let Some(id) = &id {
        if let Some(reply) = memory.borrow_mut().recall(id, now) {
            return Ok(Some(reply));
        }
    }
    let (reply, writes) = apply(&storage, op, now).await?;
    let reply = serde_json::to_string(&reply)
        .map_err(|error| worker::Error::RustError(error.to_string()))?;
    commit(&storage, writes).await?;
    if let Some(id) = id {
        memory.borrow_mut().remember(id, reply.clone(), now);
    }
    Ok(Some(reply))
}

/// Works out an operation's reply and the writes it makes (reads happen here).
async fn apply(storage: &Storage, op: Op, now: u64) -> worker::Result<(Reply, Vec<Write>)> {
    let mut writes = Vec::new();
    let reply = match op {
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
            ..
        } => {
            let current = read(storage, &name, now).await?;
            let swapped = current == expected;
            if swapped {
                writes.push(match new {
                    Some(value) => Write::Put(name, envelope::wrap(&value, expires_at_ms)),
                    None => Write::Delete(name),
                });
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
            ..
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
            writes.push(Write::Put(name, envelope::wrap(&count.to_string(), expiry)));
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
    };
    Ok((reply, writes))
}

#[wasm_bindgen]
impl AtomicShard {
    /// The RPC method `op`: one JSON operation in, the JSON reply out (a rejected
    /// promise for an operation that does not parse).
    #[wasm_bindgen(js_name = op)]
    pub async fn rpc_op(&self, body: String) -> Result<JsValue, JsValue> {
        match handle(self.state.storage(), &body, &self.memory).await {
            Ok(Some(reply)) => Ok(JsValue::from_str(&reply)),
            Ok(None) => Err(JsValue::from_str("bad operation")),
            Err(error) => Err(JsValue::from(error)),
        }
    }
}

impl DurableObject for AtomicShard {
    fn new(state: State, _env: Env) -> Self {
        Self {
            state,
            memory: RefCell::new(OpMemory::default()),
        }
    }

    async fn fetch(&self, mut request: Request) -> worker::Result<Response> {
        let text = request.text().await?;
        match handle(self.state.storage(), &text, &self.memory).await? {
            Some(reply) => Response::ok(reply),
            None => Response::error("bad operation", 400),
        }
    }
}
