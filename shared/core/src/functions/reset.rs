//! The `reset` function (API.md §1). Its routes arrive with the flows that implement them;
//! until then every path answers through the layer (`404`), never with a fake success.

use crate::app::{Ctx, Function, Params, Route, Services};
use crate::error::ApiError;
use crate::http::Response;

/// The `reset` function.
#[derive(Debug)]
pub struct Reset;

impl Function for Reset {
    const NAME: &'static str = "reset";
    const ROUTES: &'static [Route] = &[];

    async fn dispatch<S: Services>(
        _ctx: &Ctx<'_, S>,
        _route: &Route,
        _params: &Params<'_>,
    ) -> Result<Response, ApiError> {
        Err(ApiError::NotFound)
    }
}
