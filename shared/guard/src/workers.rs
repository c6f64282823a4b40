//! The guard in a workers-rs handler.
//!
//! ```ignore
//! #[event(fetch)]
//! async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
//!     let principal = match edgeauth_guard::workers::authenticate(&req, &env).await {
//!         Ok(principal) => principal,
//!         Err(refusal) => return edgeauth_guard::workers::refusal(&refusal, &req),
//!     };
//!     if let Err(refusal) = principal.require_role("admin") {
//!         return edgeauth_guard::workers::refusal(&refusal, &req);
//!     }
//!     Response::ok(format!("hello {}", principal.user_id))
//! }
//! ```
//!
//! Configuration: the variables of [`crate::GuardConfig`] (`vars` or secrets), read
//! once per isolate; edgeauth is reached over the service binding [`SERVICE_BINDING`]
//! (to edgeauth's `refresh` Worker, which serves `/auth/introspect` and the key set)
//! or, without it, by `fetch` to `EDGEAUTH_URL`. Signatures are checked by WebCrypto
//! (edgeauth's own verifier), time is `Date.now()`.
//!
//! Security considerations: a configuration error refuses every request (`503`, the
//! variable named in the log, never in the answer); the memory lives as long as the
//! isolate, like edgeauth's own.

use core::cell::OnceCell;

use edgeauth_core::config::{ConfigError, Vars};
use edgeauth_core::error::Internal;
use edgeauth_core::http::problem::problem_response;
use edgeauth_core::policy::security_headers::{self, Hsts};
use edgeauth_core::{encoding, ApiError, Method};
use edgeauth_primitives::env::{OsRandom, Random};
use edgeauth_workers::{worker_response, WebCryptoVerifier, WorkersClock};
use worker::{Env, Fetch, Headers, Request, RequestInit, Response};

use crate::upstream::MAX_ANSWER_BYTES;
use crate::{Answer, Call, Guard, GuardConfig, GuardMemory, Principal, Upstream, UpstreamError};

/// The service binding to edgeauth's `refresh` Worker.
pub const SERVICE_BINDING: &str = "EDGEAUTH";

thread_local! {
    static GUARD: OnceCell<&'static Result<Guard, ConfigError>> = const { OnceCell::new() };
    static MEMORY: OnceCell<&'static GuardMemory> = const { OnceCell::new() };
}

struct EnvVars<'a>(&'a Env);

impl Vars for EnvVars<'_> {
    fn var(&self, name: &str) -> Option<String> {
        self.0
            .secret(name)
            .map(|value| value.to_string())
            .or_else(|_| self.0.var(name).map(|value| value.to_string()))
            .ok()
    }
}

fn isolate_guard(env: &Env) -> &'static Result<Guard, ConfigError> {
    GUARD.with(|cell| {
        *cell.get_or_init(|| {
            Box::leak(Box::new(
                GuardConfig::from_vars(&EnvVars(env)).map(Guard::new),
            ))
        })
    })
}

fn isolate_memory() -> &'static GuardMemory {
    MEMORY.with(|cell| *cell.get_or_init(|| Box::leak(Box::new(GuardMemory::new()))))
}

/// edgeauth over the service binding, or `fetch` to `EDGEAUTH_URL`.
struct WorkersUpstream<'a> {
    env: &'a Env,
    base_url: &'a str,
}

impl WorkersUpstream<'_> {
    async fn send(&self, call: Call<'_>) -> worker::Result<Answer> {
        let headers = Headers::new();
        if let Some(authorization) = call.authorization() {
            headers.set("Authorization", &authorization)?;
        }
        let mut init = RequestInit::new();
        init.with_method(worker::Method::from(call.method().to_string()))
            .with_headers(headers.clone());
        if let Some(body) = call.body() {
            headers.set("Content-Type", "application/json")?;
            init.with_headers(headers).with_body(Some(body.into()));
        }
        let request = Request::new_with_init(&format!("{}{}", self.base_url, call.path()), &init)?;
        let mut response = match self.env.service(SERVICE_BINDING) {
            Ok(binding) => binding.fetch_request(request).await?,
            Err(_) => Fetch::Request(request).send().await?,
        };
        let body = response.bytes().await?;
        if body.len() > MAX_ANSWER_BYTES {
            return Err(worker::Error::RustError("edgeauth answer too large".into()));
        }
        Ok(Answer {
            status: response.status_code(),
            cache_control: response.headers().get("cache-control")?,
            retry_after: response.headers().get("retry-after")?,
            body,
        })
    }
}

impl Upstream for WorkersUpstream<'_> {
    async fn call(&self, call: Call<'_>) -> Result<Answer, UpstreamError> {
        self.send(call)
            .await
            .map_err(|_| UpstreamError("edgeauth did not answer"))
    }
}

/// The parts of `request` the guard decides on (method and headers).
fn core_request(request: &Request) -> edgeauth_core::Request {
    edgeauth_core::Request {
        method: Method::parse(&request.inner().method()),
        scheme: String::new(),
        host: String::new(),
        port: None,
        path: String::new(),
        query: String::new(),
        headers: request.headers().entries().collect(),
        body: Vec::new(),
    }
}

/// Authenticates `request` with the guard configured in `env` (see the crate docs).
pub async fn authenticate(request: &Request, env: &Env) -> Result<Principal, ApiError> {
    let guard = match isolate_guard(env) {
        Ok(guard) => guard,
        Err(error) => {
            worker::console_error!("edgeauth-guard: configuration invalid: {error}");
            return Err(ApiError::Unavailable(Internal(
                "guard configuration invalid",
            )));
        }
    };
    let upstream = WorkersUpstream {
        env,
        base_url: &guard.config().base_url,
    };
    guard
        .authenticate(
            &core_request(request),
            isolate_memory(),
            &upstream,
            &WebCryptoVerifier,
            &WorkersClock,
        )
        .await
}

/// The answer to a refused request: edgeauth's problem body (`401`, `403`, `429`,
/// `503`, with `WWW-Authenticate` or `Retry-After` as edgeauth sends them) and its
/// security headers.
pub fn refusal(error: &ApiError, request: &Request) -> worker::Result<Response> {
    let mut id = [0u8; 16];
    let request_id = match OsRandom.fill(&mut id) {
        Ok(()) => encoding::hex(&id),
        Err(_) => String::from("00000000000000000000000000000000"),
    };
    let mut response = problem_response(error, &request_id);
    let path = request.path();
    security_headers::apply(&mut response, &path, &request_id, Hsts::Send);
    worker_response(response)
}
