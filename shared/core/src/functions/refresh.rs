//! The `refresh` function (docs/contract.md §1): the session routes and the public key set.
//!
//! Refresh and logout authenticate with the credential they are given (a refresh
//! token; logout also takes the access token), so they are public entries. The
//! routes on one's own sessions are signed-in entries: any authenticated caller,
//! whatever their roles, each request spending the caller's sessions budget
//! (`RATE_LIMIT_SESSIONS_PER_USER`, [`crate::flows::ratelimit::PerUser::Sessions`]) — listing and revoking
//! read or write every session of the user, and polling `GET /auth/session` should
//! not spend the API budget.
//!
//! `GET`/`POST /auth/introspect` is the session check for resource servers outside
//! edgeauth ([`crate::flows::sessions::introspect`]); it spends the caller's API
//! budget (`RATE_LIMIT_API_PER_USER`), being the check of an API request.
//! On Workers it also serves the monitoring admin routes the `api` Worker forwards
//! to it ([`crate::app::Route::served_by`]): the same entries as `api`'s, permission
//! gate included, kept out of the `api` bundle (its size budget).

use alloc::boxed::Box;

use crate::app::{param, Function, Route};
use crate::ctx::Services;
use crate::flows::ratelimit::PerUser::{Api, Sessions};
use crate::flows::sessions::{introspect, routes};
use crate::http::Method::{Delete, Get, Post};
use crate::policy::rbac::Permission::{MonitoringRead, WebhooksRetry};
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
                Route::signed_in(Get, "/auth/session", Sessions, |ctx, who, _| {
                    Box::pin(routes::current(ctx, who))
                }),
                Route::public(Post, "/auth/session/logout", |ctx, _| {
                    Box::pin(routes::logout(ctx))
                }),
                Route::signed_in(Post, "/auth/session/logout-all", Sessions, |ctx, who, _| {
                    Box::pin(routes::logout_all(ctx, who))
                }),
                Route::signed_in(Get, "/auth/sessions", Sessions, |ctx, who, _| {
                    Box::pin(routes::list(ctx, who))
                }),
                Route::signed_in(Delete, "/auth/sessions/{id}", Sessions, |ctx, who, p| {
                    Box::pin(async move { routes::delete(ctx, who, param(p, 0)?).await })
                }),
                Route::signed_in(Get, "/auth/introspect", Api, |ctx, who, _| {
                    Box::pin(introspect::read(ctx, who))
                }),
                Route::signed_in(Post, "/auth/introspect", Api, |ctx, who, _| {
                    Box::pin(introspect::write(ctx, who))
                }),
                Route::public(Get, "/.well-known/jwks.json", |ctx, _| {
                    Box::pin(async move { jwks::response(ctx.config) })
                }),
                // Forwarded by the `api` Worker (`served_by("refresh")`): the `api`
                // table's entries, so that `api`'s bundle need not hold them.
                Route::protected(
                    Get,
                    "/api/admin/webhooks/deliveries",
                    MonitoringRead,
                    |ctx, _, _| Box::pin(super::api::webhook_deliveries(ctx)),
                )
                .served_by("refresh"),
                Route::protected(
                    Post,
                    "/api/admin/webhooks/retry",
                    WebhooksRetry,
                    |ctx, _, _| Box::pin(super::api::webhook_retry(ctx)),
                )
                .served_by("refresh"),
                Route::protected(Get, "/api/admin/metrics", MonitoringRead, |ctx, _, _| {
                    Box::pin(super::api::metrics_summary(ctx))
                })
                .served_by("refresh"),
            ]
        }
    }
}

#[cfg(test)]
mod tests;
