//! The request pipeline every function shares: the HTTP security layer of API.md
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
//! 8. security headers, CORS grant and `Cache-Control` on *every* response,
//!    including errors, then one log line.

use alloc::string::String;
use alloc::vec::Vec;

use crate::config::{Config, ConfigError};
use crate::ctx::{Ctx, Effects, Services};
use crate::encoding;
use crate::env::{Clock, Random};
use crate::error::{ApiError, Internal};
use crate::http::{body, problem, Method, Request, Response};
use crate::memory::IsolateMemory;
use crate::model::audit::AuditEvent;
use crate::model::log::RequestLog;
use crate::model::mail::Mail;
use crate::policy::security_headers::{self, Hsts};
use crate::policy::{cors, https_redirect};

/// A route a function owns: a path pattern (`{name}` matches one segment) and methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// Pattern such as `/api/documents/{id}`.
    pub pattern: &'static str,
    /// Methods the route answers (`HEAD` is implied by `GET`).
    pub methods: &'static [&'static str],
}

/// Path parameters captured by a route pattern, in order.
pub type Params<'a> = Vec<&'a str>;

/// One deployable function: its routes and how it serves them.
#[allow(async_fn_in_trait)]
pub trait Function {
    /// The function's name (`login`, `reset`, `refresh`, `api`).
    const NAME: &'static str;
    /// Every route the function owns.
    const ROUTES: &'static [Route];
    /// Serves a matched route.
    async fn dispatch<S: Services>(
        ctx: &Ctx<'_, S>,
        route: &Route,
        params: &Params<'_>,
    ) -> Result<Response, ApiError>;
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
}

/// Matches a path against a pattern, capturing `{name}` segments.
pub fn match_pattern<'p>(pattern: &str, path: &'p str) -> Option<Params<'p>> {
    let mut params = Vec::new();
    let mut pattern_parts = pattern.split('/');
    let mut path_parts = path.split('/');
    loop {
        match (pattern_parts.next(), path_parts.next()) {
            (None, None) => return Some(params),
            (Some(expected), Some(actual)) => {
                if expected.starts_with('{') && expected.ends_with('}') {
                    if actual.is_empty() {
                        return None;
                    }
                    params.push(actual);
                } else if expected != actual {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

fn allowed_methods(route: &Route) -> Vec<&'static str> {
    let mut methods: Vec<&'static str> = route.methods.to_vec();
    if methods.contains(&"GET") && !methods.contains(&"HEAD") {
        methods.push("HEAD");
    }
    methods.push("OPTIONS");
    methods
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
            let hsts = if https_redirect::plain_http_allowed(request, config.environment)
                && request.scheme.eq_ignore_ascii_case("http")
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
    if !cors::is_preflight(request) {
        cors::apply(&mut response, request, allowed_origins);
    }
    if request.method == Method::Head {
        response.body.clear();
    }
    log.status = response.status;
    log.duration_ms = services.clock().now_ms().saturating_sub(started);
    Outcome {
        response,
        audit: effects.audit,
        mails: effects.mails,
        log,
    }
}

async fn route_and_dispatch<F: Function, S: Services>(
    ctx: &Ctx<'_, S>,
    log: &mut RequestLog,
) -> Result<Response, ApiError> {
    let request = ctx.request;
    if let Some(redirect) = https_redirect::redirect(request, ctx.config.environment) {
        return Ok(redirect);
    }
    let matched = F::ROUTES.iter().find_map(|route| {
        match_pattern(route.pattern, &request.path).map(|params| (route, params))
    });

    if cors::is_preflight(request) {
        // An unlisted origin learns nothing, not even whether the path exists.
        let methods = matched
            .as_ref()
            .map(|(route, _)| allowed_methods(route))
            .unwrap_or_default();
        let response = cors::preflight(request, &ctx.config.allowed_origins, &methods)?;
        if let Some((route, _)) = &matched {
            log.route = route.pattern;
            return Ok(response);
        }
        return Err(ApiError::NotFound);
    }

    let Some((route, params)) = matched else {
        return Err(ApiError::NotFound);
    };
    log.route = route.pattern;
    let method = request.method.as_str();
    let effective_method = if request.method == Method::Head {
        "GET"
    } else {
        method
    };
    if request.method == Method::Options {
        let mut response = Response::empty(204);
        response.set_header("Allow", &allowed_methods(route).join(", "));
        return Ok(response);
    }
    if !route.methods.contains(&effective_method) {
        return Err(method_not_allowed(route));
    }
    if !request.method.is_safe() {
        body::check_envelope(request)?;
    }
    F::dispatch(ctx, route, &params).await
}

fn method_not_allowed(route: &Route) -> ApiError {
    ApiError::MethodNotAllowed(allow_list(route.methods))
}

/// The `Allow` value for a route's method set, as a static list (route tables are
/// static, so every method set a function declares is listed here).
fn allow_list(methods: &'static [&'static str]) -> &'static [&'static str] {
    match methods {
        ["GET"] => &["GET", "HEAD", "OPTIONS"],
        ["POST"] => &["POST", "OPTIONS"],
        ["DELETE"] => &["DELETE", "OPTIONS"],
        ["GET", "POST"] => &["GET", "HEAD", "POST", "OPTIONS"],
        ["GET", "PUT"] => &["GET", "HEAD", "PUT", "OPTIONS"],
        ["GET", "DELETE"] => &["GET", "HEAD", "DELETE", "OPTIONS"],
        ["GET", "PUT", "DELETE"] => &["GET", "HEAD", "PUT", "DELETE", "OPTIONS"],
        other => other,
    }
}
