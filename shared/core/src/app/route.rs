//! A function's route table: one entry per method and path pattern, naming who may
//! call it and the handler that serves it.
//!
//! The table is the only place a route is written: dispatch, `404`/`405` with
//! `Allow`, preflights, the permission gate, the per-user limits
//! ([`Route::per_user`]), the routes the Workers `api` forwards to `login`
//! ([`Route::verifies_password`]) and the platform manifests (`cargo xtask
//! manifests`) all read it.
//!
//! Who may call a route is part of the handler's type: a [`Handler::Public`] handler
//! is never given a principal; a [`Handler::Protected`] one always is — the one the
//! pipeline's gate authenticated and authorised with the route's [`Permission`]; a
//! [`Handler::SignedIn`] one gets the authenticated caller whatever their roles (the
//! routes on one's own sessions). A protected route cannot be declared without a
//! permission, and its handler cannot forget to ask for one. Every route with a
//! principal spends a per-user budget, counted by the pipeline right after the gate.
//!
//! Security considerations: deny by default — a path no entry matches is `404`, a
//! method no entry of the path declares is `405`; `HEAD` is decided as `GET`.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::future::Future;
use core::pin::Pin;

use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::ratelimit::PerUser;
use crate::http::{Method, Methods, Response};
use crate::model::principal::Principal;
use crate::policy::rbac::Permission;

/// Path parameters captured by a route pattern, in order.
pub type Params<'a> = Vec<&'a str>;

/// What a handler returns: the response, later (handlers are `async`).
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Result<Response, ApiError>> + 'a>>;

/// A handler anyone may reach (it authenticates itself if the route needs a
/// credential, as the session routes do with their refresh token).
pub type PublicFn<S> = for<'a> fn(&'a Ctx<'a, S>, &'a Params<'a>) -> HandlerFuture<'a>;

/// A handler behind the gate: it receives the gate's principal.
pub type ProtectedFn<S> =
    for<'a> fn(&'a Ctx<'a, S>, &'a Principal, &'a Params<'a>) -> HandlerFuture<'a>;

/// Who may call a route, and what serves it.
pub enum Handler<S: Services> {
    /// Anyone; no principal.
    Public(PublicFn<S>),
    /// An authenticated caller whose stored roles grant the permission.
    Protected(Permission, ProtectedFn<S>),
    /// Any authenticated caller, whatever their roles: the routes on one's own
    /// sessions, which no role grants or takes away (a user whose roles were all
    /// removed can still see and end their sessions).
    SignedIn(ProtectedFn<S>),
}

impl<S: Services> core::fmt::Debug for Handler<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Public(_) => f.write_str("Public"),
            Self::Protected(permission, _) => write!(f, "Protected({permission:?})"),
            Self::SignedIn(_) => f.write_str("SignedIn"),
        }
    }
}

/// One entry of a route table.
pub struct Route<S: Services> {
    /// The method (`HEAD` is served by the `GET` entry).
    pub method: Method,
    /// The path pattern; `{name}` matches one non-empty segment.
    pub pattern: &'static str,
    /// Who may call it, and the handler.
    pub handler: Handler<S>,
    /// The per-user budget the route spends once the gate has a principal (`None`
    /// for a public route): [`PerUser::Api`] for a protected route.
    pub per_user: Option<PerUser>,
    /// The handler verifies the caller's password (docs/ARCHITECTURE.md, "Password
    /// routes"): the Workers `api` forwards these to `login`.
    pub verifies_password: bool,
    /// The body is `application/x-www-form-urlencoded` rather than JSON (the OAuth
    /// endpoints whose RFCs say so: token, revocation, introspection, userinfo).
    pub form_body: bool,
    /// On Workers the `api` forwards this route, unchanged, to the named function's
    /// Worker (service binding: the name in capitals), whose table lists the same
    /// entry — to keep its code out of the `api` bundle (docs/monitoring.md, "Where
    /// the admin routes run").
    pub served_by: Option<&'static str>,
    /// The route takes an `application/x-www-form-urlencoded` body besides JSON: a
    /// provider's `form_post` callback (Sign in with Apple), which a browser posts
    /// across sites. Every other route takes JSON only (docs/contract.md §2).
    pub accepts_form: bool,
}

impl<S: Services> Route<S> {
    /// A route anyone may call.
    pub const fn public(method: Method, pattern: &'static str, handler: PublicFn<S>) -> Self {
        Self {
            method,
            pattern,
            handler: Handler::Public(handler),
            per_user: None,
            verifies_password: false,
            form_body: false,
            served_by: None,
            accepts_form: false,
        }
    }

    /// A route behind the gate: `permission` is required, `handler` gets the principal,
    /// and the request spends the caller's API budget.
    pub const fn protected(
        method: Method,
        pattern: &'static str,
        permission: Permission,
        handler: ProtectedFn<S>,
    ) -> Self {
        Self {
            method,
            pattern,
            handler: Handler::Protected(permission, handler),
            per_user: Some(PerUser::Api),
            verifies_password: false,
            form_body: false,
            served_by: None,
            accepts_form: false,
        }
    }

    /// A route for any authenticated caller, spending the caller's `budget`.
    pub const fn signed_in(
        method: Method,
        pattern: &'static str,
        budget: PerUser,
        handler: ProtectedFn<S>,
    ) -> Self {
        Self {
            method,
            pattern,
            handler: Handler::SignedIn(handler),
            per_user: Some(budget),
            verifies_password: false,
            form_body: false,
            served_by: None,
            accepts_form: false,
        }
    }

    /// Marks a route whose body is a form (`application/x-www-form-urlencoded`): the
    /// layer's media-type check (`415`) accepts that type instead of JSON. Such a
    /// route must not authenticate by cookie: a cross-site form can post it.
    pub const fn form(mut self) -> Self {
        self.form_body = true;
        self
    }

    /// Marks a route whose handler verifies the caller's password.
    pub const fn verifying_password(mut self) -> Self {
        self.verifies_password = true;
        self
    }

    /// Marks a route the Workers `api` forwards to `function` ([`Route::served_by`]).
    pub const fn served_by(mut self, function: &'static str) -> Self {
        self.served_by = Some(function);
        self
    }

    /// Marks a route that takes a form body (a provider's `form_post` callback).
    pub const fn accepting_form(mut self) -> Self {
        self.accepts_form = true;
        self
    }

    /// The permission the route requires (`None`: public or signed-in).
    pub fn permission(&self) -> Option<Permission> {
        match self.handler {
            Handler::Public(_) | Handler::SignedIn(_) => None,
            Handler::Protected(permission, _) => Some(permission),
        }
    }
}

impl<S: Services> core::fmt::Debug for Route<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Route")
            .field("method", &self.method)
            .field("pattern", &self.pattern)
            .field("handler", &self.handler)
            .field("per_user", &self.per_user)
            .field("verifies_password", &self.verifies_password)
            .field("form_body", &self.form_body)
            .field("served_by", &self.served_by)
            .field("accepts_form", &self.accepts_form)
            .finish()
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

/// Path parameter `index` (the router guarantees the pattern's parameters; a missing
/// one is `404`, never a panic).
pub fn param<'a>(params: &Params<'a>, index: usize) -> Result<&'a str, ApiError> {
    params.get(index).copied().ok_or(ApiError::NotFound)
}

/// The entries of `table` for the first pattern that matches `path`, in table order,
/// and the path's parameters.
pub fn find<'t, 'p, S: Services>(
    table: &'t [Route<S>],
    path: &'p str,
) -> Option<(Vec<&'t Route<S>>, Params<'p>)> {
    let (pattern, params) = table
        .iter()
        .find_map(|route| match_pattern(route.pattern, path).map(|p| (route.pattern, p)))?;
    let entries = table.iter().filter(|r| r.pattern == pattern).collect();
    Some((entries, params))
}

/// The methods the entries declare, as a set (for `405`'s `Allow`).
pub fn method_set<S: Services>(entries: &[&Route<S>]) -> Methods {
    entries
        .iter()
        .fold(Methods::NONE, |set, route| set.with(route.method))
}

/// The `Allow` of an `OPTIONS` answer and a preflight's methods: the declared methods
/// in table order, `HEAD` after them when `GET` is one, then `OPTIONS`.
pub fn allowed_methods<S: Services>(entries: &[&Route<S>]) -> Vec<&'static str> {
    let mut methods: Vec<&'static str> = entries.iter().map(|r| r.method.as_str()).collect();
    if methods.contains(&"GET") && !methods.contains(&"HEAD") {
        methods.push("HEAD");
    }
    methods.push("OPTIONS");
    methods
}

#[cfg(test)]
mod tests;
