//! Micro-benchmark Worker: the core's argon2id and EdDSA access-token code, timed
//! inside workerd. `GET /<op>?n=N` runs `<op>` `N` times and answers
//! `{"op":…,"n":N,"ms":elapsed}`; ops as in `ops.rs` (`argon2-hash`,
//! `argon2-verify`, `jwt-sign`, `jwt-verify`, `jwt-verify-cached`), plus
//! `jwt-verify-webcrypto` (the api's cold path: the Workers adapter's WebCrypto
//! verifier behind `token::verify`).
//!
//! Time is `Date.now()`: workerd (locally) advances it during CPU work in 1 ms
//! steps, so the bench command picks `N` large enough for tens of milliseconds.
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]

#[path = "../../shared/ops.rs"]
mod ops;

use worker::{event, Context, Env, Request, Response, Result};

fn now_ms() -> f64 {
    worker::js_sys::Date::now()
}

#[event(fetch)]
async fn fetch(request: Request, _env: Env, _ctx: Context) -> Result<Response> {
    let url = request.url()?;
    let n: u32 = url
        .query_pairs()
        .find(|(key, _)| key == "n")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(1);
    let op = url.path().trim_start_matches('/').to_string();
    let config = ops::config();
    let ms = match op.as_str() {
        "argon2-hash" => ops::argon2_hash(&config, n, &now_ms),
        "argon2-verify" => {
            let stored = ops::stored_hash(&config);
            ops::argon2_verify(&config, &stored, n, &now_ms)
        }
        "jwt-sign" => ops::jwt_sign(&config, n, &now_ms),
        "jwt-verify" => {
            let token = ops::fresh_token(&config, now_ms() as u64);
            ops::jwt_verify(&config, &token, n, &now_ms)
        }
        "jwt-verify-webcrypto" => {
            // What the api runs on the first request with a token: steps 1–4 and 6–7
            // in the core, the signature by WebCrypto. `n` distinct tokens, so each is
            // a miss of the token memory (the key is derived once, as in an isolate).
            let now = now_ms() as u64;
            let tokens: Vec<String> = (0..n).map(|_| ops::fresh_token(&config, now)).collect();
            let started = now_ms();
            for token in &tokens {
                let verified = edgeauth_core::policy::token::verify(
                    &config,
                    &edgeauth_core::policy::token::NoMemory,
                    &edgeauth_workers::WebCryptoVerifier,
                    token,
                    now,
                )
                .await;
                assert!(verified.is_ok(), "token::verify refused the token");
            }
            now_ms() - started
        }
        "jwt-verify-cached" => {
            let token = ops::fresh_token(&config, now_ms() as u64);
            ops::jwt_verify_cached(&config, &token, n, &now_ms)
        }
        "api-me-cached" => ops::api_me("cached", n, &now_ms),
        "api-me-strict" => ops::api_me("strict", n, &now_ms),
        "" => 0.0,
        _ => return Response::error("unknown op", 404),
    };
    Response::from_json(&serde_json::json!({ "op": op, "n": n, "ms": ms }))
}
