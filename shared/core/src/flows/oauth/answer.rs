//! How the browser hops of a social sign-in are answered.
//!
//! The start and the callback are reached by top-level navigation (a link, the
//! provider's redirect or form post). Such a request — `Sec-Fetch-Mode: navigate`, or an
//! `Accept` that asks for HTML — gets a `303 See Other` to a page: on success where the
//! flow was going (`return_to`, else `/account`), on failure the page it came from with
//! the problem code in the query (`/sign-in?error=oauth_failed`,
//! `/account?error=oauth_account_exists`), which the page turns into a message. Any other
//! request (an API client, a test) gets the problem body of docs/contract.md §3.
//!
//! Security considerations: the query carries a code from the fixed list only, never a
//! provider's text; `return_to` was validated against `RETURN_TO_PATHS` at the start; the
//! failure is audited (`oauth_failed`, with the code and the static cause) since the log
//! line of a redirect carries no error code.

use alloc::string::String;

use crate::ctx::{Ctx, Services};
use crate::encoding::percent_encode;
use crate::error::ApiError;
use crate::http::{Request, Response};
use crate::model::audit::AuditKind;

/// Where a successful flow lands without a `return_to`.
pub const DEFAULT_LANDING: &str = "/account";

/// Whether the request is a browser navigation (answered with redirects).
pub fn is_navigation(request: &Request) -> bool {
    request
        .header("sec-fetch-mode")
        .is_some_and(|mode| mode.eq_ignore_ascii_case("navigate"))
        || request
            .header("accept")
            .is_some_and(|accept| accept.to_ascii_lowercase().contains("text/html"))
}

/// `303 See Other` to a same-origin `location`.
pub fn see_other(location: &str) -> Response {
    let mut response = Response::empty(303);
    response.set_header("Location", location);
    response
}

/// The page a failure sends the browser back to, with the problem code (and the
/// `return_to` the flow had, so trying again goes to the same place).
pub fn failure_location(page: &str, error: &ApiError, return_to: Option<&str>) -> String {
    let mut location = alloc::format!("{page}?error={}", error.code());
    if let Some(return_to) = return_to {
        location.push_str("&return_to=");
        location.push_str(&percent_encode(return_to));
    }
    location
}

/// Audits a failure of `provider`'s flow, then answers it: a redirect to `page` for a
/// navigation, the problem itself otherwise.
pub fn failed<S: Services>(
    ctx: &Ctx<'_, S>,
    provider: &str,
    subject: Option<&str>,
    error: ApiError,
    page: &str,
    return_to: Option<&str>,
) -> Result<Response, ApiError> {
    // Rate limits are the client's own doing, not the provider's: no audit event.
    if !matches!(error, ApiError::RateLimited { .. }) {
        let cause = error.internal_cause().unwrap_or("");
        ctx.audit(
            AuditKind::OauthFailed,
            None,
            subject,
            &[
                ("provider", provider),
                ("reason", error.code()),
                ("cause", cause),
            ],
        )?;
    }
    if is_navigation(ctx.request) {
        Ok(see_other(&failure_location(page, &error, return_to)))
    } else {
        Err(error)
    }
}
