//! The `refresh` function: routes of docs/contract.md §1, served by [`edgeauth_core::functions::Refresh`].
//!
//! Each entry point only resolves the runtime, builds the context and calls the
//! core; all decisions live in `edgeauth-core`.

/// Cloudflare Workers entry point (`wasm32-unknown-unknown`).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod workers {
    use edgeauth_core::functions::Refresh;
    use edgeauth_workers::RawRequest;
    use worker::{event, Context, Env, Result};

    #[event(fetch)]
    async fn fetch(
        request: RawRequest,
        env: Env,
        ctx: Context,
    ) -> Result<edgeauth_workers::RawResponse> {
        edgeauth_workers::serve::<Refresh>(request, env, ctx).await
    }

    /// The consumer of the webhook Queue (`[[queues.consumers]]` in
    /// `functions/refresh/wrangler.toml`): attempts each security-webhook delivery and
    /// acknowledges or retries it. It lives here rather than in `api`, whose bundle
    /// has the tightest size budget.
    // Exported to the runtime by wasm-bindgen (which needs `pub`), not to Rust.
    #[allow(unreachable_pub)]
    #[wasm_bindgen::prelude::wasm_bindgen]
    pub async fn queue(
        batch: wasm_bindgen::JsValue,
        env: Env,
        _ctx: wasm_bindgen::JsValue,
    ) -> core::result::Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
        edgeauth_workers::webhook_queue(batch, env).await;
        Ok(wasm_bindgen::JsValue::UNDEFINED)
    }
}

/// Spin entry point (`wasm32-wasip2`, WASIp3 `wasi:http/handler`).
#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
mod spin {
    use edgeauth_core::functions::Refresh;
    use spin_sdk::http::{IntoResponse, Request};
    use spin_sdk::http_service;

    #[http_service]
    async fn handle(request: Request) -> impl IntoResponse {
        edgeauth_spin::serve::<Refresh>(request).await
    }
}
