//! The request pipeline every function shares: the HTTP security layer of docs/contract.md
//! §2–§4 around a function's own routes.
//!
//! Order of checks, and why:
//! 1. a fresh request id (random), so even the earliest error is traceable;
//! 2. configuration — a missing/malformed secret answers `503` before anything else;
//! 3. the HTTPS rule (`308`), before any credential could be read over plain http;
//! 4. CORS preflight (`204` or `403 cors_rejected`);
//! 5. routing (`404`, `405` with `Allow`);
//! 6. body envelope (`413`, `415`) before any handler parses;
//! 7. the handler;
//! 8. security headers, CORS grant, `Vary: Origin` and `Cache-Control` on *every*
//!    response, including errors and refused preflights, then one log line.

use alloc::string::String;
use alloc::vec::Vec;

use crate::config::{Config, ConfigError, Needs};
use crate::ctx::{Ctx, Effects, Services};
use crate::encoding;
use crate::env::{Clock, Random};
use crate::error::{ApiError, Internal};
#[cfg(any(test, feature = "oauth-provider"))]
use crate::flows::oauth_provider;
use crate::flows::{auth, ratelimit};
use crate::http::{body, problem, Method, Request, Response};
use crate::memory::metrics::Sample;
use crate::memory::IsolateMemory;
use crate::model::alert::Alert;
use crate::model::audit::{AuditEvent, AuditKind};
use crate::model::log::RequestLog;
use crate::model::mail::Mail;
use crate::model::metrics::{Outcomes, Snapshot};
use crate::policy::alerts;
use crate::policy::oauth_provider::scope as oauth_scope;
use crate::policy::security_headers::{self, Hsts};
use crate::policy::{cors, https_redirect};

pub mod background;
pub mod carry;
pub mod errors;
pub mod mails;
pub mod output;
pub mod route;
pub mod webhooks;

pub use background::Background;
pub use carry::{carry_out, reclaim, retention_sweep};
pub use mails::Mails;
pub use output::{notice, DataPoint, NotSent, Output};
pub use route::{match_pattern, param, Handler, HandlerFuture, Params, Route};

/// One deployable function: its name and its route table.
pub trait Function {
    /// The function's name (`login`, `reset`, `refresh`, `api`).
    const NAME: &'static str;
    /// The path prefix the platform routes to this function as a whole, routes or
    /// not (`/api/` for `api`, which also answers the `404` of paths nobody owns);
    /// `None`: the platform routes exactly the paths of its routes.
    const NAMESPACE: Option<&'static str> = None;
    /// What the function needs of the configuration: [`Needs::NoSecrets`] for one
    /// that signs, verifies, encrypts and mails nothing, so it deploys without the
    /// secrets (adapters parse with [`Config::for_needs`]).
    const NEEDS: Needs = Needs::Everything;
    /// Whether the function signs access tokens: on a runtime whose instances serve
    /// one request each (Spin), only these compare the active signing key with the
    /// stored one ([`crate::flows::monitoring::signing_key`]).
    const SIGNS_TOKENS: bool = false;
    /// Whether the function's work after a response may use the stores and outbound
    /// requests: the `5xx` count, alerts and their webhooks, error reports to the
    /// tracker, the metrics snapshot in the store. `pages` reads no store and, on
    /// Spin, may make no outbound request: its error reports and metrics go to the
    /// log only, and none of that code is linked into it.
    const DOES_IO: bool = true;
    /// Every route the function serves ([`route`]).
    fn routes<S: Services>() -> &'static [Route<S>];
}

/// What the core decided: the response and the effects to carry out.
#[derive(Debug)]
pub struct Outcome {
    /// The response to send.
    pub response: Response,
    /// Audit events to persist (after the response is decided).
    pub audit: Vec<AuditEvent>,
    /// Mails to send.
    pub mails: Vec<Mail>,
    /// The request's log line.
    pub log: RequestLog,
    /// Security alerts its audit events raise ([`crate::policy::alerts`]).
    pub alerts: Vec<Alert>,
    /// The isolate's metrics, when a flush is due ([`crate::memory::metrics`]).
    pub metrics: Option<Snapshot>,
    /// Compare the active signing key with the stored one (the isolate's first
    /// request; [`crate::flows::monitoring::signing_key`]).
    pub watch_signing_key: bool,
    /// Run the due webhook retries (`POST /api/admin/webhooks/retry`).
    pub retry_webhooks: bool,
}

/// Serves one request for function `F`, with the isolate's configuration and memory.
pub async fn serve<F: Function, S: Services>(
    config: Result<&Config, &ConfigError>,
    memory: &IsolateMemory,
    services: &S,
    request: &Request,
) -> Outcome {
    let started = services.clock().now_ms();
    let mut id_bytes = [0u8; 16];
    let request_id = match services.random().fill(&mut id_bytes) {
        Ok(()) => encoding::hex(&id_bytes),
        Err(_) => String::from("00000000000000000000000000000000"),
    };
    let mut log = RequestLog {
        kind: "request",
        function: F::NAME,
        method: request.method.as_str(),
        route: "unmatched",
        status: 0,
        duration_ms: 0,
        request_id: request_id.clone(),
        hash_ms: None,
        error: None,
        cause: None,
    };

    let (result, effects, hsts, allowed_origins): (_, Effects, Hsts, &[String]) = match config {
        Err(error) => {
            log.cause = Some(alloc::format!("{error}"));
            (
                Err(ApiError::Unavailable(Internal("configuration invalid"))),
                Effects::default(),
                Hsts::Send,
                &[],
            )
        }
        Ok(_) if id_bytes == [0u8; 16] => (
            Err(ApiError::Unavailable(Internal("random source failed"))),
            Effects::default(),
            Hsts::Send,
            &[],
        ),
        Ok(config) => {
            let scheme = https_redirect::client_scheme(
                request,
                config.trusted_proxy_proto_header.as_deref(),
            );
            let hsts = if https_redirect::plain_http_allowed(request, config.environment)
                && scheme.eq_ignore_ascii_case("http")
            {
                Hsts::OmitForLoopbackDevelopment
            } else {
                Hsts::Send
            };
            let ctx = Ctx::new(config, memory, services, request, &request_id, started);
            let result = route_and_dispatch::<F, S>(&ctx, &mut log).await;
            (
                result,
                ctx.into_effects(),
                hsts,
                config.allowed_origins.as_slice(),
            )
        }
    };

    let mut response = match result {
        Ok(response) => response,
        Err(error) => {
            log.error = Some(error.code());
            if log.cause.is_none() {
                log.cause = error.internal_cause().map(String::from);
            }
            problem::problem_response(&error, &request_id)
        }
    };
    security_headers::apply(&mut response, &request.path, &request_id, hsts);
    cors::apply(&mut response, request, allowed_origins);
    if request.method == Method::Head {
        response.body.clear();
    }
    log.status = response.status;
    let now = services.clock().now_ms();
    log.duration_ms = now.saturating_sub(started);
    log.hash_ms = effects.hash_ms;
    memory.metrics.record(&Sample {
        function: F::NAME,
        method: log.method,
        route: log.route,
        status: log.status,
        duration_ms: log.duration_ms,
        at_ms: started,
        outcomes: &outcomes_of(&effects.audit, log.status),
        hash_ms: log.hash_ms,
    });
    let (alerts, metrics, watch_signing_key) = match config {
        Ok(config) => (
            effects
                .audit
                .iter()
                .filter_map(|event| alerts::from_audit(config, event, started))
                .collect(),
            memory
                .metrics
                .take_due(now, u64::from(config.monitoring.metrics_flush_secs) * 1000),
            F::SIGNS_TOKENS && memory.signing_key.first_check(),
        ),
        Err(_) => (Vec::new(), None, false),
    };
    Outcome {
        response,
        audit: effects.audit,
        mails: effects.mails,
        log,
        alerts,
        metrics,
        watch_signing_key,
        retry_webhooks: effects.retry_webhooks,
    }
}

/// The outcome counts of one request: from its audit events and its status.
fn outcomes_of(audit: &[AuditEvent], status: u16) -> Outcomes {
    let count = |kind: AuditKind| audit.iter().filter(|event| event.event == kind).count() as u64;
    Outcomes {
        logins_succeeded: count(AuditKind::LoginSucceeded),
        logins_failed: count(AuditKind::LoginFailed),
        rate_limited: u64::from(status == 429),
        refresh_reuse_detected: count(AuditKind::RefreshReuseDetected),
        lockouts: count(AuditKind::Lockout),
    }
}

async fn route_and_dispatch<F: Function, S: Services>(
    ctx: &Ctx<'_, S>,
    log: &mut RequestLog,
) -> Result<Response, ApiError> {
    let request = ctx.request;
    if let Some(redirect) = https_redirect::redirect(
        request,
        ctx.config.environment,
        ctx.config.trusted_proxy_proto_header.as_deref(),
    ) {
        return Ok(redirect);
    }
    let matched = route::find(F::routes::<S>(), &request.path);

    if cors::is_preflight(request) {
        // An unlisted origin learns nothing, not even whether the path exists.
        let methods = matched
            .as_ref()
            .map(|(entries, _)| route::allowed_methods(entries))
            .unwrap_or_default();
        let response = cors::preflight(request, &ctx.config.allowed_origins, &methods)?;
        if let Some((entries, _)) = &matched {
            log.route = entries.first().map_or("unmatched", |route| route.pattern);
            return Ok(response);
        }
        return Err(ApiError::NotFound);
    }

    let Some((entries, params)) = matched else {
        return Err(ApiError::NotFound);
    };
    log.route = entries.first().map_or("unmatched", |route| route.pattern);
    if request.method == Method::Options {
        let mut response = Response::empty(204);
        response.set_header("Allow", &route::allowed_methods(&entries).join(", "));
        return Ok(response);
    }
    let effective_method = if request.method == Method::Head {
        Method::Get
    } else {
        request.method
    };
    let Some(route) = entries
        .iter()
        .find(|route| route.method == effective_method)
    else {
        return Err(ApiError::MethodNotAllowed(route::method_set(&entries)));
    };
    if !request.method.is_safe() {
        if route.form_body {
            body::check_oauth_form_envelope(request)?;
        } else if route.accepts_form {
            body::check_form_envelope(request)?;
        } else {
            body::check_envelope(request)?;
        }
    }
    dispatch(ctx, route, &params).await
}

/// Runs a matched route: a public handler as is; a protected one after the gate
/// (authenticate, `401`; authorise with the stored roles, `403`), a signed-in one
/// after authentication (`401`) — then the route's per-user limit (`429`), and the
/// handler with the gate's principal. The gate runs before anything the handler
/// does, so no handler can forget it.
async fn dispatch<S: Services>(
    ctx: &Ctx<'_, S>,
    route: &Route<S>,
    params: &Params<'_>,
) -> Result<Response, ApiError> {
    let (principal, handler) = match route.handler {
        Handler::Public(handler) => return handler(ctx, params).await,
        Handler::Protected(permission, handler) => {
            (protected_gate(ctx, permission).await?, handler)
        }
        Handler::SignedIn(handler) => (auth::authenticate(ctx).await?, handler),
    };
    if let Some(budget) = route.per_user {
        ratelimit::per_user(ctx, budget, principal.user_id()).await?;
    }
    let answer = handler(ctx, &principal, params).await;
    if !ctx.request.method.is_safe() {
        // What the handler changed is what this isolate's next read of the caller
        // should see (the gate forgot the caller's session checks too, before it).
        ctx.memory.sessions.forget_user(principal.user_id());
    }
    answer
}

/// The gate of a protected route: edgeauth's own session ([`auth::gate`]), else — in
/// builds with feature `oauth-provider` — a client's access token for the `api` resource
/// ([`oauth_provider::resource::principal`]), which opens only the routes its scopes allow. The
/// Workers `api`, built without it, forwards such requests to `oauth`
/// ([`bears_client_token`]).
async fn protected_gate<S: Services>(
    ctx: &Ctx<'_, S>,
    permission: crate::policy::rbac::Permission,
) -> Result<crate::model::principal::Principal, ApiError> {
    match auth::gate(ctx, permission).await {
        #[cfg(any(test, feature = "oauth-provider"))]
        Err(ApiError::Unauthenticated) => oauth_provider::resource::principal(ctx, permission)
            .await?
            .ok_or(ApiError::Unauthenticated),
        other => other,
    }
}

/// Whether the Workers `api` passes this request, unchanged, to the `oauth` function:
/// a protected route of `F` that a client's scope can open
/// ([`oauth_scope::opens`]) and an `Authorization: Bearer` token that names a client.
/// The token is read *without* verification: this only routes (`oauth` verifies it
/// as `api` would, and serves a session's token too), so a forged one gains nothing.
/// `method` is the raw token.
pub fn bears_client_token<F: Function, S: Services>(
    method: &str,
    path: &str,
    authorization: Option<&str>,
) -> bool {
    let Some(token) = authorization.and_then(auth::bearer_token) else {
        return false;
    };
    let method = Method::parse(method);
    let reachable = F::routes::<S>().iter().any(|route| {
        matches!(route.handler, Handler::Protected(permission, _) if oauth_scope::opens(permission))
            && route.method == method
            && match_pattern(route.pattern, path).is_some()
    });
    reachable && crate::policy::token::names_a_client(token)
}

/// The function `F`'s table says serves `method path` on Workers instead of `F`
/// ([`Route::served_by`]). `method` is the raw token.
pub fn served_by<F: Function, S: Services>(method: &str, path: &str) -> Option<&'static str> {
    let method = Method::parse(method);
    F::routes::<S>().iter().find_map(|route| {
        (route.method == method && match_pattern(route.pattern, path).is_some())
            .then_some(route.served_by)
            .flatten()
    })
}

/// Whether `F` serves `method path` with a handler that verifies the caller's
/// password ([`Route::verifies_password`]): what the Workers `api` forwards to
/// `login`. `method` is the raw token (`delete` is not `DELETE`).
pub fn verifies_password<F: Function, S: Services>(method: &str, path: &str) -> bool {
    let method = Method::parse(method);
    F::routes::<S>().iter().any(|route| {
        route.verifies_password
            && route.method == method
            && match_pattern(route.pattern, path).is_some()
    })
}
