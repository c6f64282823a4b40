//! Test-only Worker (never deployed): exposes the store contract and two atomicity
//! probes over HTTP so the integration suite can drive them from outside, with real
//! concurrency, against Miniflare's KV and Durable Objects.
//!
//! - `GET  /__contract/store` → the contract report as JSON
//! - `POST /__contract/incr?shard=S&name=N` → `{"count": n}` after one increment
//! - `POST /__contract/cas?shard=S&name=N&expected=E&new=V` → `{"swapped": bool}`
//!   (`expected` absent = expect absent)
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]

use edgeauth_core::store::AtomicKey;
use edgeauth_core::AtomicStore;
use worker::{event, Context, Env, Request, Response, Result};

fn param(request: &Request, name: &str) -> Option<String> {
    request
        .url()
        .ok()?
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

#[event(fetch)]
async fn fetch(request: Request, env: Env, _ctx: Context) -> Result<Response> {
    let path = request.path();
    let shard = param(&request, "shard").unwrap_or_default();
    let name = param(&request, "name").unwrap_or_default();
    let store = edgeauth_workers::atomic_store(&env);
    let key = AtomicKey::new(&shard, &name);
    match path.as_str() {
        "/__contract/store" => Response::from_json(&edgeauth_workers::store_contract(&env).await),
        "/__contract/incr" => match store.increment(key, 1, u64::MAX / 2).await {
            Ok(count) => Response::from_json(&serde_json::json!({ "count": count })),
            Err(error) => Response::error(error.cause(), 503),
        },
        "/__contract/cas" => {
            let expected = param(&request, "expected");
            let new = param(&request, "new");
            match store.compare_and_swap(key, expected.as_deref(), new.as_deref(), None).await {
                Ok(swapped) => Response::from_json(&serde_json::json!({ "swapped": swapped })),
                Err(error) => Response::error(error.cause(), 503),
            }
        }
        _ => Response::error("not found", 404),
    }
}
