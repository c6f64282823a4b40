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
    query_param(query, name).map(|value| edgeauth_core::encoding::percent_decode(&value))
}

/// Every route but `/__contract/store`, for both runtimes: the status and body to
/// answer. `get` and `swap` take percent-decoded parameters, `incr` and `cas` raw ones.
#[cfg(target_arch = "wasm32")]
async fn probe(store: &impl edgeauth_core::AtomicStore, path: &str, query: &str) -> (u16, String) {
    use edgeauth_core::store::AtomicKey;
    let decoded = matches!(path, "/__contract/get" | "/__contract/swap");
    let param = |name: &str| {
        if decoded {
            decoded_param(query, name)
        } else {
            query_param(query, name)
        }
    };
    let (shard, name) = (
        param("shard").unwrap_or_default(),
        param("name").unwrap_or_default(),
    );
    let key = AtomicKey::new(&shard, &name);
    let result = match path {
        "/__contract/incr" => store
            .increment(key, 1, u64::MAX / 2)
            .await
            .map(|count| serde_json::json!({ "count": count })),
        "/__contract/get" => store
            .get(key)
            .await
            .map(|value| serde_json::json!({ "value": value })),
        "/__contract/cas" | "/__contract/swap" => {
            let (expected, new) = (param("expected"), param("new"));
            store
                .compare_and_swap(key, expected.as_deref(), new.as_deref(), None)
                .await
                .map(|swapped| serde_json::json!({ "swapped": swapped }))
        }
        _ => return (404, "not found".into()),
    };
    match result {
        Ok(reply) => (200, reply.to_string()),
        Err(error) => (503, error.cause().to_string()),
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod workers {
    use worker::{event, Context, Env, Request, Response, Result};

    #[event(fetch)]
    async fn fetch(request: Request, env: Env, _ctx: Context) -> Result<Response> {
        let url = request.url()?;
        if url.path() == "/__contract/store" {
            return Response::from_json(&edgeauth_workers::store_contract(&env).await);
        }
        let store = edgeauth_workers::atomic_store(&env);
        let (status, body) =
            super::probe(&store, url.path(), url.query().unwrap_or_default()).await;
        Ok(Response::ok(body)?.with_status(status))
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
mod spin {
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
        if path == "/__contract/store" {
            let report = edgeauth_spin::store_contract().await;
            return reply(200, serde_json::to_string(&report).unwrap_or_default());
        }
        let store = edgeauth_spin::atomic::KvAtomic::open_for_tests();
        let (status, body) = super::probe(&store, &path, &query).await;
        reply(status, body)
    }
}
