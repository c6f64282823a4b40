//! The `reset` function (docs/contract.md §1): `POST /auth/password/forgot`,
//! `POST /auth/password/reset`, `POST /auth/password/change` and
//! `POST /auth/email/verify`.
//!
//! The password routes need hashing and the password policy, so they exist only with
//! the core's `password-policy` feature (which the `reset` function crate enables);
//! without it they answer `404` through the layer, never a fake success.

use crate::app::{Ctx, Function, Params, Route, Services};
use crate::error::ApiError;
use crate::http::Response;

/// The `reset` function.
#[derive(Debug)]
pub struct Reset;

/// `POST /auth/password/forgot`.
pub const FORGOT: Route = Route {
    pattern: "/auth/password/forgot",
    methods: &["POST"],
};
/// `POST /auth/password/reset`.
pub const RESET: Route = Route {
    pattern: "/auth/password/reset",
    methods: &["POST"],
};
/// `POST /auth/password/change`.
pub const CHANGE: Route = Route {
    pattern: "/auth/password/change",
    methods: &["POST"],
};
/// `POST /auth/email/verify`.
pub const VERIFY_EMAIL: Route = Route {
    pattern: "/auth/email/verify",
    methods: &["POST"],
};

impl Function for Reset {
    const NAME: &'static str = "reset";
    #[cfg(feature = "password-policy")]
    const ROUTES: &'static [Route] = &[FORGOT, RESET, CHANGE, VERIFY_EMAIL];
    #[cfg(not(feature = "password-policy"))]
    const ROUTES: &'static [Route] = &[VERIFY_EMAIL];

    async fn dispatch<S: Services>(
        ctx: &Ctx<'_, S>,
        route: &Route,
        _params: &Params<'_>,
    ) -> Result<Response, ApiError> {
        match route.pattern {
            #[cfg(feature = "password-policy")]
            "/auth/password/forgot" => crate::accounts::recovery::forgot::handle(ctx).await,
            #[cfg(feature = "password-policy")]
            "/auth/password/reset" => crate::accounts::recovery::reset::handle(ctx).await,
            #[cfg(feature = "password-policy")]
            "/auth/password/change" => crate::accounts::recovery::change::handle(ctx).await,
            "/auth/email/verify" => crate::accounts::verify_email::handle(ctx).await,
            _ => Err(ApiError::NotFound),
        }
    }
}
