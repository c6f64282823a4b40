//! Test-only function (never deployed): exposes the store contract and two atomicity
//! probes over HTTP so the integration suite can drive them from outside, with real
//! concurrency, against Miniflare's KV and Durable Objects, and against the Spin
//! host's key-value store and `wasi:keyvalue` atomics.
//!
//! - `GET  /__contract/store` → the contract report as JSON
//! - `POST /__contract/incr?shard=S&name=N` → `{"count": n}` after one increment
//! - `POST /__contract/cas?shard=S&name=N&expected=E&new=V` → `{"swapped": bool}`
//!   (`expected` absent = expect absent)
//! - `GET  /__contract/get?shard=S&name=N` → `{"value": string|null}` (percent-decoded
//!   parameters): read an atomic record, e.g. a user profile, as stored
//! - `POST /__contract/swap?shard=S&name=N&expected=E&new=V` → `{"swapped": bool}`:
//!   `cas` with percent-decoded parameters, so a test can write arbitrary text (a
//!   tampered ciphertext inside a JSON record) and check the product fails closed

/// Query parameter `name` of a query string (test inputs are plain ASCII).
#[cfg(target_arch = "wasm32")]
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then(|| value.to_string())
    })
}

/// Query parameter `name`, percent-decoded (for `get` and `swap`).
#[cfg(target_arch = "wasm32")]
fn decoded_param(query: &str, name: &str) -> Option<String> {
    query_param(query, name).map(|value| edgeauth_core::util::percent_decode(&value))
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod workers {
    use super::query_param;
    use edgeauth_core::store::AtomicKey;
    use edgeauth_core::AtomicStore;
    use worker::{event, Context, Env, Request, Response, Result};

    fn param(request: &Request, name: &str) -> Option<String> {
        let url = request.url().ok()?;
        query_param(url.query().unwrap_or_default(), name)
    }

    fn decoded(request: &Request, name: &str) -> Option<String> {
        let url = request.url().ok()?;
        super::decoded_param(url.query().unwrap_or_default(), name)
    }

    #[event(fetch)]
    async fn fetch(request: Request, env: Env, _ctx: Context) -> Result<Response> {
        let path = request.path();
        let shard = param(&request, "shard").unwrap_or_default();
        let name = param(&request, "name").unwrap_or_default();
        let store = edgeauth_workers::atomic_store(&env);
        let key = AtomicKey::new(&shard, &name);
        match path.as_str() {
            "/__contract/store" => {
                Response::from_json(&edgeauth_workers::store_contract(&env).await)
            }
            "/__contract/incr" => match store.increment(key, 1, u64::MAX / 2).await {
                Ok(count) => Response::from_json(&serde_json::json!({ "count": count })),
                Err(error) => Response::error(error.cause(), 503),
            },
            "/__contract/cas" => {
                let expected = param(&request, "expected");
                let new = param(&request, "new");
                match store
                    .compare_and_swap(key, expected.as_deref(), new.as_deref(), None)
                    .await
                {
                    Ok(swapped) => Response::from_json(&serde_json::json!({ "swapped": swapped })),
                    Err(error) => Response::error(error.cause(), 503),
                }
            }
            "/__contract/get" | "/__contract/swap" => {
                let shard = decoded(&request, "shard").unwrap_or_default();
                let name = decoded(&request, "name").unwrap_or_default();
                let key = AtomicKey::new(&shard, &name);
                let result = if path == "/__contract/get" {
                    store
                        .get(key)
                        .await
                        .map(|value| serde_json::json!({ "value": value }))
                } else {
                    let expected = decoded(&request, "expected");
                    let new = decoded(&request, "new");
                    store
                        .compare_and_swap(key, expected.as_deref(), new.as_deref(), None)
                        .await
                        .map(|swapped| serde_json::json!({ "swapped": swapped }))
                };
                match result {
                    Ok(reply) => Response::from_json(&reply),
                    Err(error) => Response::error(error.cause(), 503),
                }
            }
            _ => Response::error("not found", 404),
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
mod spin {
    use super::query_param;
    use edgeauth_core::store::AtomicKey;
    use edgeauth_core::AtomicStore;
    use spin_sdk::http::{IntoResponse, Request};
    use spin_sdk::http_service;

    fn reply(status: u16, body: String) -> http::Response<String> {
        let mut response = http::Response::new(body);
        *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
        response
    }

    #[http_service]
    async fn handle(request: Request) -> impl IntoResponse {
        let path = request.uri().path().to_string();
        let query = request.uri().query().unwrap_or_default().to_string();
        let shard = query_param(&query, "shard").unwrap_or_default();
        let name = query_param(&query, "name").unwrap_or_default();
        let store = edgeauth_spin::atomic::KvAtomic::open_for_tests();
        let key = AtomicKey::new(&shard, &name);
        match path.as_str() {
            "/__contract/store" => reply(
                200,
                serde_json::to_string(&edgeauth_spin::store_contract().await).unwrap_or_default(),
            ),
            "/__contract/incr" => match store.increment(key, 1, u64::MAX / 2).await {
                Ok(count) => reply(200, serde_json::json!({ "count": count }).to_string()),
                Err(error) => reply(503, error.cause().to_string()),
            },
            "/__contract/cas" => {
                let expected = query_param(&query, "expected");
                let new = query_param(&query, "new");
                match store
                    .compare_and_swap(key, expected.as_deref(), new.as_deref(), None)
                    .await
                {
                    Ok(swapped) => {
                        reply(200, serde_json::json!({ "swapped": swapped }).to_string())
                    }
                    Err(error) => reply(503, error.cause().to_string()),
                }
            }
            "/__contract/get" | "/__contract/swap" => {
                let shard = super::decoded_param(&query, "shard").unwrap_or_default();
                let name = super::decoded_param(&query, "name").unwrap_or_default();
                let key = AtomicKey::new(&shard, &name);
                let result = if path == "/__contract/get" {
                    store
                        .get(key)
                        .await
                        .map(|value| serde_json::json!({ "value": value }))
                } else {
                    let expected = super::decoded_param(&query, "expected");
                    let new = super::decoded_param(&query, "new");
                    store
                        .compare_and_swap(key, expected.as_deref(), new.as_deref(), None)
                        .await
                        .map(|swapped| serde_json::json!({ "swapped": swapped }))
                };
                match result {
                    Ok(value) => reply(200, value.to_string()),
                    Err(error) => reply(503, error.cause().to_string()),
                }
            }
            _ => reply(404, "not found".into()),
        }
    }
}
