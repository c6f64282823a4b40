//! The guard in a Spin component.
//!
//! ```ignore
//! #[http_service]
//! async fn handle(request: Request) -> impl IntoResponse {
//!     let principal = match edgeauth_guard::spin::authenticate(&request).await {
//!         Ok(principal) => principal,
//!         Err(refusal) => return edgeauth_guard::spin::refusal(&refusal, &request),
//!     };
//!     // …
//! }
//! ```
//!
//! Configuration: Spin variables, the names of [`crate::GuardConfig`] in lower case
//! (`edgeauth_origin`, `edgeauth_url`, …), declared in the component's `spin.toml`;
//! `EDGEAUTH_URL`'s origin must be in `allowed_outbound_hosts`. Signatures are checked
//! by edgeauth's software verifier, time is WASI's clock.
//!
//! On Spin an instance serves one request, so the memory starts empty every time:
//! every request fetches the key set and asks edgeauth about the session — the
//! per-request check, whatever `SESSION_CHECK` says (as edgeauth's own functions on
//! Spin).
//!
//! Security considerations: a configuration error refuses the request (`503`); an
//! outbound request the platform denies is `503`, never a pass.

use edgeauth_core::config::Vars;
use edgeauth_core::error::Internal;
use edgeauth_core::http::problem::problem_response;
use edgeauth_core::policy::security_headers::{self, Hsts};
use edgeauth_core::{encoding, ApiError, Method};
use edgeauth_primitives::crypto::signature::SoftwareVerifier;
use edgeauth_primitives::env::{OsRandom, Random};
use edgeauth_spin::{spin_response, SpinClock};
use spin_sdk::http::body::IncomingBodyExt;
use spin_sdk::http::Request;
use std::collections::BTreeMap;

use crate::config::VARIABLES;
use crate::upstream::MAX_ANSWER_BYTES;
use crate::{Answer, Call, Guard, GuardConfig, GuardMemory, Principal, Upstream, UpstreamError};

/// The guard's variables, read up front (Spin's variable API is async).
struct SpinVars(BTreeMap<String, String>);

impl SpinVars {
    async fn fetch() -> Self {
        let mut values = BTreeMap::new();
        for name in VARIABLES {
            if let Ok(value) = spin_sdk::variables::get(name.to_ascii_lowercase()).await {
                values.insert((*name).to_string(), value);
            }
        }
        Self(values)
    }
}

impl Vars for SpinVars {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// edgeauth by outbound HTTP to `EDGEAUTH_URL`.
struct SpinUpstream<'a> {
    base_url: &'a str,
}

impl Upstream for SpinUpstream<'_> {
    async fn call(&self, call: Call<'_>) -> Result<Answer, UpstreamError> {
        let url = format!("{}{}", self.base_url, call.path());
        let mut builder = http::Request::builder().method(call.method()).uri(url);
        if let Some(authorization) = call.authorization() {
            builder = builder.header("authorization", authorization);
        }
        let body = call.body().unwrap_or_default();
        if !body.is_empty() {
            builder = builder.header("content-type", "application/json");
        }
        let request = builder
            .body(body)
            .map_err(|_| UpstreamError("edgeauth URL invalid"))?;
        let response = spin_sdk::http::send(request)
            .await
            .map_err(|_| UpstreamError("edgeauth did not answer"))?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        };
        let (status, cache_control, retry_after) = (
            response.status().as_u16(),
            header("cache-control"),
            header("retry-after"),
        );
        let body = response
            .into_body()
            .bytes()
            .await
            .map_err(|_| UpstreamError("edgeauth answer unreadable"))?;
        if body.len() > MAX_ANSWER_BYTES {
            return Err(UpstreamError("edgeauth answer too large"));
        }
        Ok(Answer {
            status,
            body: body.to_vec(),
            cache_control,
            retry_after,
        })
    }
}

/// The parts of `request` the guard decides on (method and headers).
fn core_request(request: &Request) -> edgeauth_core::Request {
    edgeauth_core::Request {
        method: Method::parse(request.method().as_str()),
        scheme: String::new(),
        host: String::new(),
        port: None,
        path: String::new(),
        query: String::new(),
        headers: request
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
            })
            .collect(),
        body: Vec::new(),
    }
}

/// Authenticates `request` with the guard configured by the component's variables.
pub async fn authenticate(request: &Request) -> Result<Principal, ApiError> {
    let guard = match GuardConfig::from_vars(&SpinVars::fetch().await) {
        Ok(config) => Guard::new(config),
        Err(error) => {
            eprintln!("edgeauth-guard: configuration invalid: {error}");
            return Err(ApiError::Unavailable(Internal(
                "guard configuration invalid",
            )));
        }
    };
    let upstream = SpinUpstream {
        base_url: &guard.config().base_url,
    };
    // One instance per request: nothing to remember between requests.
    let memory = GuardMemory::new();
    guard
        .authenticate(
            &core_request(request),
            &memory,
            &upstream,
            &SoftwareVerifier,
            &SpinClock,
        )
        .await
}

/// The answer to a refused request: edgeauth's problem body and security headers.
pub fn refusal(error: &ApiError, request: &Request) -> http::Response<String> {
    let mut id = [0u8; 16];
    let request_id = match OsRandom.fill(&mut id) {
        Ok(()) => encoding::hex(&id),
        Err(_) => String::from("00000000000000000000000000000000"),
    };
    let mut response = problem_response(error, &request_id);
    security_headers::apply(&mut response, request.uri().path(), &request_id, Hsts::Send);
    spin_response(response)
}
