//! The `reset` function: routes of docs/contract.md §1, served by [`edgeauth_core::functions::Reset`].
//!
//! Each entry point only resolves the runtime, builds the context and calls the
//! core; all decisions live in `edgeauth-core`.

/// Cloudflare Workers entry point (`wasm32-unknown-unknown`).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod workers {
    use edgeauth_core::functions::Reset;
    use edgeauth_workers::RawRequest;
    use worker::{event, Context, Env, Result};

    #[event(fetch)]
    async fn fetch(
        request: RawRequest,
        env: Env,
        ctx: Context,
    ) -> Result<edgeauth_workers::RawResponse> {
        edgeauth_workers::serve::<Reset>(request, env, ctx).await
    }
}

/// Spin entry point (`wasm32-wasip2`, WASIp3 `wasi:http/handler`).
#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
mod spin {
    use edgeauth_core::functions::Reset;
    use spin_sdk::http::{IntoResponse, Request};
    use spin_sdk::http_service;

    #[http_service]
    async fn handle(request: Request) -> impl IntoResponse {
        edgeauth_spin::serve::<Reset>(request).await
    }
}
