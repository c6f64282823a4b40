//! The `reset` function (API.md §1): `POST /auth/email/verify` (the password routes
//! arrive with their flows; until then they answer `404` through the layer).

use crate::app::{Ctx, Function, Params, Route, Services};
use crate::error::ApiError;
use crate::http::Response;

/// The `reset` function.
#[derive(Debug)]
pub struct Reset;

impl Function for Reset {
    const NAME: &'static str = "reset";
    const ROUTES: &'static [Route] = &[Route {
        pattern: "/auth/email/verify",
        methods: &["POST"],
    }];

    async fn dispatch<S: Services>(
        ctx: &Ctx<'_, S>,
        route: &Route,
        _params: &Params<'_>,
    ) -> Result<Response, ApiError> {
        match route.pattern {
            "/auth/email/verify" => crate::accounts::verify_email::handle(ctx).await,
            _ => Err(ApiError::NotFound),
        }
    }
}
