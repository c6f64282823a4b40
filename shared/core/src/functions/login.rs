//! The `login` function (docs/contract.md §1): `POST /auth/register`, `POST /auth/login`,
//! `POST /auth/login/mfa`.
//!
//! Its flows need password hashing and the password policy, so the routes exist only
//! with the core's `password-policy` feature (which the `login` function crate
//! enables); without it the table is empty and every path answers `404` through the
//! layer, never a fake success.
//!
//! It also serves the `api` routes that verify a password
//! ([`super::api::PASSWORD_ROUTES`]: `DELETE /api/me`, `DELETE /api/me/mfa/totp`),
//! which the `api` Worker forwards here over a service binding so that it need not
//! link the password code; the gate, rate limit and handlers are the `api` function's
//! own. Public routing never sends `/api/*` here, and a request that did arrive
//! directly would meet exactly the same checks.

use crate::app::{Ctx, Function, Params, Route, Services};
use crate::error::ApiError;
use crate::http::Response;

/// The `login` function.
#[derive(Debug)]
pub struct Login;

/// `POST /auth/register`.
pub const REGISTER: Route = Route {
    pattern: "/auth/register",
    methods: &["POST"],
};
/// `POST /auth/login`.
pub const LOGIN: Route = Route {
    pattern: "/auth/login",
    methods: &["POST"],
};
/// `POST /auth/login/mfa`: the second step of a login with TOTP on.
pub const LOGIN_MFA: Route = Route {
    pattern: "/auth/login/mfa",
    methods: &["POST"],
};
/// `DELETE /api/me`, forwarded by the `api` Worker.
pub const ERASE_ACCOUNT: Route = Route {
    pattern: "/api/me",
    methods: &["DELETE"],
};
/// `DELETE /api/me/mfa/totp`, forwarded by the `api` Worker.
pub const DISABLE_TOTP: Route = Route {
    pattern: "/api/me/mfa/totp",
    methods: &["DELETE"],
};

impl Function for Login {
    const NAME: &'static str = "login";
    #[cfg(feature = "password-policy")]
    const ROUTES: &'static [Route] = &[REGISTER, LOGIN, LOGIN_MFA, ERASE_ACCOUNT, DISABLE_TOTP];
    #[cfg(not(feature = "password-policy"))]
    const ROUTES: &'static [Route] = &[];

    #[cfg_attr(not(feature = "password-policy"), allow(unused_variables))]
    async fn dispatch<S: Services>(
        ctx: &Ctx<'_, S>,
        route: &Route,
        _params: &Params<'_>,
    ) -> Result<Response, ApiError> {
        match route.pattern {
            #[cfg(feature = "password-policy")]
            "/auth/register" => crate::accounts::register::handle(ctx).await,
            #[cfg(feature = "password-policy")]
            "/auth/login" => crate::accounts::login::handle(ctx).await,
            #[cfg(feature = "password-policy")]
            "/auth/login/mfa" => crate::mfa::flows::login_step::handle(ctx).await,
            #[cfg(feature = "password-policy")]
            "/api/me" | "/api/me/mfa/totp" => super::api::serve_password_route(ctx, route).await,
            _ => Err(ApiError::NotFound),
        }
    }
}
