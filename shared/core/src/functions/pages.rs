//! The `pages` function (docs/contract.md §10): the hosted sign-in, registration,
//! password, security-alert ("this wasn't me"), account and admin pages, and their
//! static assets under `/assets/`.
//!
//! All its routes are public `GET`s: the pages are shells whose scripts call the
//! JSON API of the other four functions through `clients/js`, where every
//! permission is enforced. It reads no store and sends no mail.

use alloc::boxed::Box;

use crate::app::{Function, Route};
use crate::ctx::Services;
use crate::flows::pages::routes::{asset, page};
use crate::flows::pages::views::Page;
use crate::http::Method::Get;

/// The `pages` function.
#[derive(Debug)]
pub struct Pages;

impl Function for Pages {
    const NAME: &'static str = "pages";
    const DOES_IO: bool = false;

    fn routes<S: Services>() -> &'static [Route<S>] {
        const {
            &[
                Route::public(Get, "/sign-in", |ctx, _| Box::pin(page(ctx, Page::SignIn))),
                Route::public(Get, "/sign-up", |ctx, _| Box::pin(page(ctx, Page::SignUp))),
                Route::public(Get, "/verify-email", |ctx, _| {
                    Box::pin(page(ctx, Page::VerifyEmail))
                }),
                Route::public(Get, "/forgot-password", |ctx, _| {
                    Box::pin(page(ctx, Page::ForgotPassword))
                }),
                Route::public(Get, "/reset-password", |ctx, _| {
                    Box::pin(page(ctx, Page::ResetPassword))
                }),
                Route::public(Get, "/security-alert", |ctx, _| {
                    Box::pin(page(ctx, Page::SecurityAlert))
                }),
                Route::public(Get, "/account", |ctx, _| Box::pin(page(ctx, Page::Account))),
                Route::public(Get, "/admin", |ctx, _| Box::pin(page(ctx, Page::Admin))),
                Route::public(Get, "/consent", |ctx, _| Box::pin(page(ctx, Page::Consent))),
                // The embedded files: the handler matches the whole path against its table.
                Route::public(Get, "/assets/{file}", |ctx, _| Box::pin(asset(ctx))),
                Route::public(Get, "/assets/{dir}/{file}", |ctx, _| Box::pin(asset(ctx))),
                Route::public(Get, "/assets/{dir}/{sub}/{file}", |ctx, _| {
                    Box::pin(asset(ctx))
                }),
            ]
        }
    }
}

#[cfg(test)]
mod tests;
