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
//! 8. security headers, CORS grant and `Cache-Control` on *every* response,
//!    including errors, then one log line.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use crate::audit::{AuditEvent, AuditKind};
use crate::config::{Config, ConfigError};
use crate::env::{Clock, Random, SignatureVerifier};
use crate::error::{ApiError, Internal};
use crate::http::security_headers::{self, Hsts};
use crate::http::{body, cors, https_redirect, problem, Method, Request, Response};
use crate::log::RequestLog;
use crate::mail::Mail;
use crate::store::{AtomicStore, RecordStore};
use crate::util;

/// The platform services a flow may use.
pub trait Services {
    /// Record storage.
    type Records: RecordStore;
    /// Atomic storage.
    type Atomic: AtomicStore;
    /// Time.
    type Clock: Clock;
    /// Randomness.
    type Random: Random;
    /// Ed25519 signature checks (the platform's native verifier, or
    /// [`crate::token::SoftwareEd25519`]).
    type Signatures: SignatureVerifier;
    /// Record storage.
    fn records(&self) -> &Self::Records;
    /// Atomic storage.
    fn atomic(&self) -> &Self::Atomic;
    /// Time.
    fn clock(&self) -> &Self::Clock;
    /// Randomness.
    fn random(&self) -> &Self::Random;
    /// Ed25519 signature checks.
    fn signatures(&self) -> &Self::Signatures;
}

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

/// Effects a flow asks the adapter to carry out.
#[derive(Debug, Default)]
pub struct Effects {
    /// Audit events to persist.
    pub audit: Vec<AuditEvent>,
    /// Mails to send.
    pub mails: Vec<Mail>,
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

/// Everything a handler needs for one request.
#[derive(Debug)]
pub struct Ctx<'a, S: Services> {
    /// The validated configuration.
    pub config: &'a Config,
    /// Platform services.
    pub services: &'a S,
    /// The request.
    pub request: &'a Request,
    /// This request's id.
    pub request_id: &'a str,
    /// The time the request started (Unix ms).
    pub now_ms: u64,
    effects: RefCell<Effects>,
}

impl<S: Services> Ctx<'_, S> {
    /// Queues a mail.
    pub fn send_mail(&self, mail: Mail) {
        self.effects.borrow_mut().mails.push(mail);
    }

    /// Queues an audit event with the request's context filled in.
    pub fn audit(
        &self,
        event: AuditKind,
        actor_id: Option<&str>,
        subject_id: Option<&str>,
        detail: &[(&str, &str)],
    ) -> Result<(), ApiError> {
        let mut id = [0u8; 16];
        self.services.random().fill(&mut id)?;
        let user_agent = self
            .request
            .header("user-agent")
            .map(|ua| ua.chars().take(256).collect());
        self.effects.borrow_mut().audit.push(AuditEvent {
            id: util::hex(&id),
            at: util::rfc3339(self.now_ms),
            event,
            actor_id: actor_id.map(String::from),
            subject_id: subject_id.map(String::from),
            ip_prefix: self.client_ip().map(crate::net::storage_prefix),
            user_agent,
            request_id: self.request_id.into(),
            detail: detail
                .iter()
                .map(|(k, v)| (String::from(*k), String::from(*v)))
                .collect(),
        });
        Ok(())
    }

    /// The client address from `CLIENT_IP_HEADER`, when present and well-formed.
    pub fn client_ip(&self) -> Option<core::net::IpAddr> {
        self.request
            .header(&self.config.client_ip_header)
            .and_then(crate::net::parse_client_ip)
    }
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

/// Serves one request for function `F`.
pub async fn serve<F: Function, S: Services>(
    config: Result<&Config, &ConfigError>,
    services: &S,
    request: &Request,
) -> Outcome {
    let started = services.clock().now_ms();
    let mut id_bytes = [0u8; 16];
    let request_id = match services.random().fill(&mut id_bytes) {
        Ok(()) => util::hex(&id_bytes),
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
            let ctx = Ctx {
                config,
                services,
                request,
                request_id: &request_id,
                now_ms: started,
                effects: RefCell::new(Effects::default()),
            };
            let result = route_and_dispatch::<F, S>(&ctx, &mut log).await;
            (
                result,
                ctx.effects.into_inner(),
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
