//! The `refresh` function (API.md §1): the session routes and the public key set.

use alloc::boxed::Box;

use crate::app::{param, Function, Route};
use crate::ctx::Services;
use crate::flows::sessions::routes;
use crate::http::Method::{Delete, Get, Post};
use crate::policy::token::jwks;

/// The `refresh` function.
#[derive(Debug)]
pub struct Refresh;

impl Function for Refresh {
    const NAME: &'static str = "refresh";
    const SIGNS_TOKENS: bool = true;

    fn routes<S: Services>() -> &'static [Route<S>] {
        const {
            &[
                Route::public(Post, "/auth/session/refresh", |ctx, _| {
                    Box::pin(routes::refresh(ctx))
                }),
                Route::public(Get, "/auth/session", |ctx, _| {
                    Box::pin(routes::current(ctx))
                }),
                Route::public(Post, "/auth/session/logout", |ctx, _| {
                    Box::pin(routes::logout(ctx))
                }),
                Route::public(Post, "/auth/session/logout-all", |ctx, _| {
                    Box::pin(routes::logout_all(ctx))
                }),
                Route::public(Get, "/auth/sessions", |ctx, _| Box::pin(routes::list(ctx))),
                Route::public(Delete, "/auth/sessions/{id}", |ctx, p| {
                    Box::pin(async move { routes::delete(ctx, param(p, 0)?).await })
                }),
                Route::public(Get, "/.well-known/jwks.json", |ctx, _| {
                    Box::pin(async move { jwks::response(ctx.config) })
                }),
            ]
        }
    }
}
