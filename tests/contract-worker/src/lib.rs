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
//! - `POST /__contract/verify` with `{"alg", "jwk" | "spki", "message", "signature"}`
//!   (the key a JWK object read by `crypto::jwk::parse_jwk`, or SPKI bytes; bytes as
//!   base64url) → `{"valid": bool}` from the runtime's signature verifier — WebCrypto on
//!   Workers, the software verifier on Spin — or `400 {"error": …}` for a refused JWK.
//!   On Workers the answer also has `"webcrypto"`: WebCrypto's own answer, without the
//!   software fallback, so a test can tell that the platform verified
//! - `POST /__contract/sign-rs256` with `{"pkcs8", "message"}` (base64url) →
//!   `{"signature": …}` from the runtime's RS256 signer (WebCrypto on Workers, the
//!   software signer on Spin), or `{"signature": null}` when it could not sign

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

/// `POST /__contract/verify` for both runtimes: one signature check through `verifier`.
#[cfg(target_arch = "wasm32")]
async fn verify_probe(
    verifier: &impl edgeauth_core::crypto::signature::SignatureVerifier,
    native: Option<&impl edgeauth_core::crypto::signature::SignatureVerifier>,
    body: &[u8],
) -> (u16, String) {
    use edgeauth_core::crypto::jwk::parse_jwk;
    use edgeauth_core::crypto::signature::{Algorithm, SignatureCheck};
    use edgeauth_core::encoding::b64url_decode;
    let Ok(input) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (400, r#"{"error":"body is not JSON"}"#.into());
    };
    let bytes = |name: &str| input[name].as_str().and_then(b64url_decode);
    let spki = match (&input["jwk"], bytes("spki")) {
        (serde_json::Value::Null, Some(spki)) => spki,
        (jwk, None) if jwk.is_object() => match parse_jwk(jwk.to_string().as_bytes()) {
            Ok(key) => key.spki,
            Err(error) => {
                return (
                    400,
                    serde_json::json!({ "error": error.cause() }).to_string(),
                )
            }
        },
        _ => return (400, r#"{"error":"give either jwk or spki"}"#.into()),
    };
    let (Some(algorithm), Some(message), Some(signature)) = (
        input["alg"].as_str().and_then(Algorithm::from_jose_name),
        bytes("message"),
        bytes("signature"),
    ) else {
        return (
            400,
            r#"{"error":"alg, message and signature are required"}"#.into(),
        );
    };
    let check = SignatureCheck {
        algorithm,
        public_key_spki: &spki,
        message: &message,
        signature: &signature,
    };
    let mut reply = serde_json::json!({ "valid": verifier.verify(&check).await });
    if let Some(native) = native {
        reply["webcrypto"] = native.verify(&check).await.into();
    }
    (200, reply.to_string())
}

/// `POST /__contract/sign-rs256` for both runtimes: one RS256 signature by `signer`.
#[cfg(target_arch = "wasm32")]
async fn sign_probe(
    signer: &impl edgeauth_core::crypto::rsa::Rs256Signer,
    body: &[u8],
) -> (u16, String) {
    use edgeauth_core::crypto::rsa::RsaSigningKey;
    use edgeauth_core::encoding::{b64url, b64url_decode};
    let Ok(input) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (400, r#"{"error":"body is not JSON"}"#.into());
    };
    let bytes = |name: &str| input[name].as_str().and_then(b64url_decode);
    let (Some(pkcs8), Some(message)) = (bytes("pkcs8"), bytes("message")) else {
        return (400, r#"{"error":"pkcs8 and message are required"}"#.into());
    };
    let Some(key) = RsaSigningKey::new("probe", pkcs8) else {
        return (400, r#"{"error":"not an RSA key edgeauth accepts"}"#.into());
    };
    let random = edgeauth_core::env::OsRandom;
    let signature = signer.sign_rs256(&key, &message, &random).await;
    (
        200,
        serde_json::json!({ "signature": signature.as_deref().map(b64url) }).to_string(),
    )
}

/// Every route but `/__contract/store` and `/__contract/verify`, for both runtimes: the status and body to
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
    async fn fetch(mut request: Request, env: Env, _ctx: Context) -> Result<Response> {
        let url = request.url()?;
        if url.path() == "/__contract/store" {
            return Response::from_json(&edgeauth_workers::store_contract(&env).await);
        }
        if url.path() == "/__contract/verify" {
            let body = request.bytes().await?;
            let (status, body) = super::verify_probe(
                &edgeauth_workers::WebCryptoVerifier,
                Some(&edgeauth_workers::WebCryptoOnly),
                &body,
            )
            .await;
            return Ok(Response::ok(body)?.with_status(status));
        }
        if url.path() == "/__contract/sign-rs256" {
            let body = request.bytes().await?;
            let (status, body) = super::sign_probe(&edgeauth_workers::WebCryptoOnly, &body).await;
            return Ok(Response::ok(body)?.with_status(status));
        }
        let store = edgeauth_workers::atomic_store(&env);
        let (status, body) =
            super::probe(&store, url.path(), url.query().unwrap_or_default()).await;
        Ok(Response::ok(body)?.with_status(status))
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
mod spin {
    use edgeauth_core::crypto::signature::SoftwareVerifier;
    use spin_sdk::http::body::IncomingBodyExt;
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
        if path == "/__contract/verify" {
            // The verifier of `edgeauth_spin::SpinServices`.
            let body = request.into_body().bytes().await.unwrap_or_default();
            let (status, body) =
                super::verify_probe(&SoftwareVerifier, None::<&SoftwareVerifier>, &body).await;
            return reply(status, body);
        }
        if path == "/__contract/sign-rs256" {
            // The signer of `edgeauth_spin::SpinServices`.
            let body = request.into_body().bytes().await.unwrap_or_default();
            let (status, body) = super::sign_probe(&SoftwareVerifier, &body).await;
            return reply(status, body);
        }
        let store = edgeauth_spin::atomic::KvAtomic::open_for_tests();
        let (status, body) = super::probe(&store, &path, &query).await;
        reply(status, body)
    }
}
