//! The `api` function: everything under `/api/` (API.md §6).

use crate::app::{Ctx, Function, Params, Route, Services};
use crate::error::ApiError;
use crate::http::Response;

/// The protected API.
#[derive(Debug)]
pub struct Api;

impl Function for Api {
    const NAME: &'static str = "api";
    const ROUTES: &'static [Route] = &[
        Route {
            pattern: "/api/health",
            methods: &["GET"],
        },
        Route {
            pattern: "/api/me",
            methods: &["GET"],
        },
    ];

    async fn dispatch<S: Services>(
        ctx: &Ctx<'_, S>,
        route: &Route,
        _params: &Params<'_>,
    ) -> Result<Response, ApiError> {
        match route.pattern {
            "/api/health" => Ok(Response::json(200, &serde_json::json!({"status": "ok"}))),
            "/api/me" => crate::accounts::me::handle(ctx).await,
            _ => Err(ApiError::NotFound),
        }
    }
}
