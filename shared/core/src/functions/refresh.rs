//! The `refresh` function (docs/contract.md §1): the session routes and the public key set.

use crate::app::{Ctx, Function, Params, Route, Services};
use crate::error::ApiError;
use crate::http::Response;
use crate::session::routes;

/// The `refresh` function.
#[derive(Debug)]
pub struct Refresh;

impl Function for Refresh {
    const NAME: &'static str = "refresh";
    const ROUTES: &'static [Route] = &[
        Route {
            pattern: "/auth/session/refresh",
            methods: &["POST"],
        },
        Route {
            pattern: "/auth/session",
            methods: &["GET"],
        },
        Route {
            pattern: "/auth/session/logout",
            methods: &["POST"],
        },
        Route {
            pattern: "/auth/session/logout-all",
            methods: &["POST"],
        },
        Route {
            pattern: "/auth/sessions",
            methods: &["GET"],
        },
        Route {
            pattern: "/auth/sessions/{id}",
            methods: &["DELETE"],
        },
        Route {
            pattern: "/.well-known/jwks.json",
            methods: &["GET"],
        },
    ];

    async fn dispatch<S: Services>(
        ctx: &Ctx<'_, S>,
        route: &Route,
        params: &Params<'_>,
    ) -> Result<Response, ApiError> {
        match route.pattern {
            "/auth/session/refresh" => routes::refresh(ctx).await,
            "/auth/session" => routes::current(ctx).await,
            "/auth/session/logout" => routes::logout(ctx).await,
            "/auth/session/logout-all" => routes::logout_all(ctx).await,
            "/auth/sessions" => routes::list(ctx).await,
            "/auth/sessions/{id}" => match params.first() {
                Some(id) => routes::delete(ctx, id).await,
                None => Err(ApiError::NotFound),
            },
            "/.well-known/jwks.json" => crate::token::jwks::response(ctx.config),
            _ => Err(ApiError::NotFound),
        }
    }
}
