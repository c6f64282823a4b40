//! The `api` function: routes of docs/contract.md §1, served by [`edgeauth_core::functions::Api`].
//!
//! Each entry point only resolves the runtime, builds the context and calls the
//! core; all decisions live in `edgeauth-core`.

/// Cloudflare Workers entry point (`wasm32-unknown-unknown`).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod workers {
    use edgeauth_core::functions::Api;
    use edgeauth_workers::{RawRequest, LOGIN_BINDING};
    use worker::wasm_bindgen::{self, prelude::wasm_bindgen, JsValue};
    use worker::{event, worker_sys, Context, Env, ScheduleContext, ScheduledEvent};

    /// Built without password verification (bundle size): the two routes that verify a
    /// password go to the `login` Worker, which serves them with the same gate. Not
    /// `#[event(fetch)]`: a request that needs no IO is answered without a Promise
    /// ([`edgeauth_workers::respond`]), which is most of this Worker's traffic.
    #[wasm_bindgen]
    #[expect(
        unreachable_pub,
        reason = "a wasm-bindgen export must be `pub`; it is reached from JavaScript"
    )]
    pub fn fetch(request: RawRequest, env: Env, ctx: worker_sys::Context) -> JsValue {
        let ctx = Context::new(ctx);
        edgeauth_workers::respond(edgeauth_workers::serve_forwarding::<Api>(
            request,
            env,
            ctx,
            LOGIN_BINDING,
        ))
    }

    /// The cron trigger (`[triggers] crons` in `wrangler.toml`): the retention sweep
    /// of `edgeauth_core::flows::gdpr::retention`.
    #[event(scheduled)]
    async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
        edgeauth_workers::retention_sweep(&env).await;
    }
}

/// Spin entry point (`wasm32-wasip2`, WASIp3 `wasi:http/handler`).
#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
mod spin {
    use edgeauth_core::functions::Api;
    use spin_sdk::http::{IntoResponse, Request};
    use spin_sdk::http_service;

    #[http_service]
    async fn handle(request: Request) -> impl IntoResponse {
        edgeauth_spin::serve::<Api>(request).await
    }
}
