//! The handlers of the `pages` function: an HTML shell per page, a file per asset.
//!
//! Security considerations: each shell gets a nonce of 128 random bits from the
//! injected random source, written into its CSP and into its one `<style>` and one
//! `<script>` element, so an injected element cannot guess it; a failing random
//! source answers `503` rather than a predictable nonce. The route's own
//! `Content-Security-Policy` is kept by the security layer, which fills in the other
//! headers of docs/contract.md §2 (and `Cache-Control: no-store` for the shells).

use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::env::random_array;
use crate::error::ApiError;
use crate::http::Response;
use crate::policy::{page_csp, return_to};

use super::assets;
use super::methods::sign_in_methods;
use super::views::{self, Page, View};

/// `GET /<page>`: the page's HTML with a fresh nonce.
pub async fn page<S: Services>(ctx: &Ctx<'_, S>, page: Page) -> Result<Response, ApiError> {
    let nonce_bytes: [u8; 16] = random_array(ctx.services.random())?;
    let nonce = encoding::b64url(&nonce_bytes);
    let return_to = ctx.request.query_param("return_to").and_then(|candidate| {
        return_to::validate(&candidate, &ctx.config.pages.return_to_paths)
            .or_else(|| return_to::validate(&candidate, &built_in_return_paths()))
    });
    let reauthenticate =
        page == Page::SignIn && ctx.request.query_param("prompt").as_deref() == Some("login");
    let methods = sign_in_methods(ctx.config);
    let view = View {
        pages: &ctx.config.pages,
        password_min_length: ctx.config.password_min_length,
        nonce: &nonce,
        return_to: return_to.as_deref(),
        methods: &methods,
        reauthenticate,
    };
    let mut response = Response::empty(200);
    response.set_header("Content-Type", "text/html; charset=utf-8");
    response.set_header("Content-Security-Policy", &page_csp::for_page(&nonce));
    response.body = views::render(page, &view).into_bytes();
    Ok(response)
}

/// Return paths every deployment accepts besides `RETURN_TO_PATHS`: where the
/// OAuth provider resumes an authorization request after sign-in
/// (`/oauth/continue?request=<id>`). The same rules of `policy::return_to` apply; the
/// path is the provider's own, and what it does next is decided there.
fn built_in_return_paths() -> [alloc::string::String; 1] {
    [alloc::string::String::from("/oauth/continue")]
}

/// `GET /assets/…`: an embedded file, or `404`.
pub async fn asset<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let asset = assets::find(&ctx.request.path).ok_or(ApiError::NotFound)?;
    Ok(assets::respond(asset, ctx.request.header("If-None-Match")))
}
