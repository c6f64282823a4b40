//! # edgeauth-workers
//!
//! The Cloudflare Workers adapter. It does the IO the core decides on:
//! converts the platform's request into a core [`Request`](edgeauth_core::Request),
//! provides the core's services (KV records, Durable Object atomics, `Date.now()`,
//! `crypto.getRandomValues`, WebCrypto signature verification), calls the core, and lends the core
//! its transport to carry out the outcome ([`edgeauth_core::app::carry_out`]: the
//! console, `fetch`, the webhook Queue, Analytics Engine); mail, alerts, error
//! reports and metrics leave after the response, through `waitUntil`, so that their
//! latency never shows in it (mail's would reveal whether an account exists).
//!
//! Bindings (see `wrangler.toml`): KV namespace `EDGEAUTH_KV`, Durable Object
//! namespace `ATOMIC` (class [`AtomicShard`], defined by the `api` script and
//! bound by the others via `script_name`); the Queue `WEBHOOKS` (security webhooks,
//! consumed by `refresh`, [`webhook_queue`]) and, optionally, the Analytics Engine
//! dataset `METRICS`.
//!
//! Security considerations: configuration is parsed once per isolate and a failure
//! answers `503` for every request (never a built-in key outside development); the
//! request body is not read past the 16 KiB limit; secrets never reach a log line.
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]

mod atomic;
mod effects;
mod outbound;
mod queue;
mod records;
mod request;
mod scheduled;
mod webcrypto;

pub use atomic::AtomicShard;
pub use effects::{METRICS_BINDING, WEBHOOKS_BINDING};
pub use outbound::WorkersHttp;
pub use queue::webhook_queue;
pub use scheduled::retention_sweep;
#[cfg(feature = "contract-tests")]
pub use webcrypto::WebCryptoOnly;
pub use webcrypto::WebCryptoVerifier;

use core::cell::OnceCell;
use edgeauth_core::app::{self, Function};
use edgeauth_core::ctx::Platform;
use edgeauth_core::memory::IsolateMemory;
use edgeauth_core::{Clock, Config, ConfigError, Vars};
use edgeauth_primitives::env::OsRandom;
use worker::{Context, Env};

use effects::WorkersOutput;

/// The KV namespace binding.
pub const KV_BINDING: &str = "EDGEAUTH_KV";
/// The Durable Object namespace binding.
pub const ATOMIC_BINDING: &str = "ATOMIC";
/// The service binding of the `api` Worker to the `login` Worker, over which it
/// forwards the routes that verify a password (the `api` route table's `verifies_password` entries).
pub const LOGIN_BINDING: &str = "LOGIN";
/// The service binding of the `api` Worker to the `oauth` Worker, over which it
/// forwards the requests that bear a client's access token ([`app::bears_client_token`]).
pub const OAUTH_BINDING: &str = "OAUTH";

thread_local! {
    // Parsed once per isolate; leaked so every request borrows it for free
    // (an isolate's configuration lives as long as the isolate).
    static CONFIG: OnceCell<&'static Result<Config, ConfigError>> = const { OnceCell::new() };
    // What the isolate remembers between requests (edgeauth_core::memory), beside the
    // configuration and as long-lived.
    static MEMORY: OnceCell<&'static IsolateMemory> = const { OnceCell::new() };
}

struct EnvVars<'a>(&'a Env);

impl Vars for EnvVars<'_> {
    fn var(&self, name: &str) -> Option<String> {
        // Secrets (`wrangler secret put`) and plain vars share one namespace on Workers.
        self.0
            .secret(name)
            .map(|value| value.to_string())
            .or_else(|_| self.0.var(name).map(|value| value.to_string()))
            .ok()
    }
}

/// `Date.now()`: in production it advances only across IO, which is what the
/// core's time rules need (they compare request times, not CPU time).
#[derive(Debug, Clone, Copy)]
pub struct WorkersClock;

impl Clock for WorkersClock {
    fn now_ms(&self) -> u64 {
        worker::Date::now().as_millis()
    }
}

/// The services of one request: KV records, Durable Object atomics, `Date.now()`,
/// `crypto.getRandomValues`, WebCrypto signatures (EdDSA, ES256, RS256), `fetch`.
pub type WorkersServices = Platform<
    records::KvRecords,
    atomic::DoAtomic,
    WorkersClock,
    OsRandom,
    WebCryptoVerifier,
    WorkersHttp,
>;

/// The services bound in `env`.
fn services(env: &Env) -> WorkersServices {
    Platform {
        records: records::KvRecords::bind(env, KV_BINDING),
        atomic: atomic::DoAtomic::bind(env, ATOMIC_BINDING),
        clock: WorkersClock,
        random: OsRandom,
        signatures: WebCryptoVerifier,
        http: WorkersHttp,
    }
}

/// Runs the core's store contract suite against KV + the Durable Object (tests only).
#[cfg(feature = "contract-tests")]
pub async fn store_contract(env: &Env) -> edgeauth_core::store::contract::ContractReport {
    let records = records::KvRecords::bind(env, KV_BINDING);
    let atomic = atomic::DoAtomic::bind(env, ATOMIC_BINDING);
    edgeauth_core::store::contract::run_all(&records, &atomic, &WorkersClock).await
}

/// The atomic store bound in `env` (tests only: drives concurrency tests from outside).
#[cfg(feature = "contract-tests")]
pub fn atomic_store(env: &Env) -> impl edgeauth_core::AtomicStore {
    atomic::DoAtomic::bind(env, ATOMIC_BINDING)
}

/// This isolate's configuration, parsed on first use with what its function `F` needs
/// (an isolate runs one Worker, so one function). `F::NEEDS` is a constant here, so
/// a Worker links the parser for its own needs only.
fn isolate_config<F: Function>(env: &Env) -> &'static Result<Config, ConfigError> {
    config_once(|| Config::for_needs(&EnvVars(env), F::NEEDS, &OsRandom))
}

/// As [`isolate_config`], for the entry points that are not a function's `fetch` (the
/// cron and Queue handlers of Workers that read everything).
fn isolate_config_everything(env: &Env) -> &'static Result<Config, ConfigError> {
    config_once(|| Config::from_vars(&EnvVars(env)))
}

fn config_once(
    parse: impl FnOnce() -> Result<Config, ConfigError>,
) -> &'static Result<Config, ConfigError> {
    CONFIG.with(|cell| *cell.get_or_init(|| Box::leak(Box::new(parse()))))
}

/// This isolate's memory, created on first use.
fn isolate_memory() -> &'static IsolateMemory {
    MEMORY.with(|cell| *cell.get_or_init(|| Box::leak(Box::new(IsolateMemory::new()))))
}

/// The runtime's own response type: what a Worker's `fetch` hands back, built in one
/// crossing from the core's response.
pub type RawResponse = web_sys::Response;

/// The runtime's own request type: what a Worker's `fetch` takes (`#[event(fetch)]`
/// hands it over as it is). workers-rs' `Request` is made from it only where one is
/// needed — a body to read, a request to forward — since making one parses the URL
/// and reads the method and headers, a crossing each (docs/benchmarks.md, levers).
pub type RawRequest = web_sys::Request;

/// The `fetch` export's answer to `answer`: the response itself when `answer` is done
/// on its first poll, else a Promise of it. The protected path with a cached session
/// check awaits nothing, and answering it without a Promise spares it
/// `wasm-bindgen-futures`' task, microtask and Promise (about a twentieth of
/// `GET /api/me`'s CPU: docs/benchmarks.md, levers). That first poll has no one to wake:
/// a future that pauses is polled again at once by the task that then takes it over,
/// and re-checks what it waits on, as every future must on each poll. An error is
/// logged and answered `500`, as workers-rs' `#[event(fetch)]` does.
pub fn respond(
    answer: impl core::future::Future<Output = worker::Result<RawResponse>> + 'static,
) -> wasm_bindgen::JsValue {
    let mut answer = Box::pin(answer);
    let mut first_poll = core::task::Context::from_waker(core::task::Waker::noop());
    match answer.as_mut().poll(&mut first_poll) {
        core::task::Poll::Ready(result) => settled(result),
        core::task::Poll::Pending => {
            wasm_bindgen_futures::future_to_promise(async move { Ok(settled(answer.await)) }).into()
        }
    }
}

/// The response, or the `500` workers-rs answers for an error (logged).
fn settled(result: worker::Result<RawResponse>) -> wasm_bindgen::JsValue {
    match result {
        Ok(response) => response.into(),
        Err(error) => {
            worker::console_error!("{error}");
            worker::Response::error("INTERNAL SERVER ERROR", 500)
                .map(RawResponse::from)
                .map(wasm_bindgen::JsValue::from)
                .unwrap_or(wasm_bindgen::JsValue::UNDEFINED)
        }
    }
}

/// Serves one request for function `F`: the whole body of a Worker's `fetch`.
pub async fn serve<F: Function>(
    request: RawRequest,
    env: Env,
    ctx: Context,
) -> worker::Result<RawResponse> {
    let head = request::Head::of(&request)?;
    serve_read::<F>(request, head, env, ctx).await
}

/// As [`serve`], for a request whose head has been read.
async fn serve_read<F: Function>(
    request: RawRequest,
    head: request::Head,
    env: Env,
    ctx: Context,
) -> worker::Result<RawResponse> {
    let config = isolate_config::<F>(&env);
    let services = services(&env);
    let core_request = request::to_core(request, head).await?;
    let outcome =
        app::serve::<F, _>(config.as_ref(), isolate_memory(), &services, &core_request).await;
    let output = WorkersOutput::with(&env);
    let (response, background) =
        app::carry_out(outcome, config.as_ref().ok(), &services, &output).await;
    // Mail, alerts and their webhooks, the error report and the metrics flush leave
    // after the response: their latency never shows in it.
    if let (Ok(config), false) = (config.as_ref(), background.is_empty()) {
        let memory = isolate_memory();
        ctx.wait_until(async move {
            background
                .run::<F, _, _>(config, memory, &services, &output)
                .await
        });
    }
    request::to_raw(response)
}

/// A core response as a `worker::Response` (for code beside the core's pipeline that
/// answers with the core's types: the guard's refusals).
pub fn worker_response(response: edgeauth_core::Response) -> worker::Result<worker::Response> {
    request::from_core(response)
}

/// As [`serve`], except that a request for a route of `F` whose handler verifies
/// the caller's password ([`app::verifies_password`], read from `F`'s route table) is
/// passed, unchanged, to the Worker behind service binding `binding`, whose answer is
/// returned as is; likewise a route another function serves ([`app::served_by`]) to
/// that function's binding, and a request that bears an OAuth client's access token
/// ([`app::bears_client_token`]) to `oauth` ([`OAUTH_BINDING`]). The `api` Worker uses
/// it so that it need not link password verification, the monitoring admin routes nor
/// the check of clients' tokens. Without the binding the request is served here, where
/// a build that lacks the route's code answers `503` (a client's token: `401`) — fail
/// closed, never a success.
pub async fn serve_forwarding<F: Function>(
    request: RawRequest,
    env: Env,
    ctx: Context,
    binding: &str,
) -> worker::Result<RawResponse> {
    let head = request::Head::of(&request)?;
    let (method, path) = (head.method(), head.path());
    if app::verifies_password::<F, WorkersServices>(method, path) {
        if let Ok(service) = env.service(binding) {
            let answer = forward(&service, request).await;
            // The other function changed a user (erased it, turned TOTP off): this
            // isolate's session checks must not show the state before to its next reads.
            isolate_memory().sessions.clear();
            return answer;
        }
    }
    // Routes another function serves on Workers ([`app::served_by`]): the monitoring
    // admin routes, to `refresh` over the binding named by it in capitals.
    if let Some(function) = app::served_by::<F, WorkersServices>(method, path) {
        if let Ok(service) = env.service(&function.to_ascii_uppercase()) {
            return forward(&service, request).await;
        }
    }
    // Requests that bear an OAuth client's access token, to `oauth`, which verifies
    // them (the `api` is built without feature `oauth-provider`: it would answer `401`).
    let authorization = head.header("authorization");
    if app::bears_client_token::<F, WorkersServices>(method, path, authorization) {
        if let Ok(service) = env.service(OAUTH_BINDING) {
            return forward(&service, request).await;
        }
    }
    serve_read::<F>(request, head, env, ctx).await
}

/// Passes `request`, unchanged, to the Worker behind `service`; its answer as it is.
async fn forward(service: &worker::Fetcher, request: RawRequest) -> worker::Result<RawResponse> {
    service
        .fetch_request(worker::Request::from(request))
        .await
        .map(RawResponse::from)
}
