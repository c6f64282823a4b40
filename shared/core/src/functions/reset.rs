//! The `reset` function (docs/contract.md §1): `POST /auth/password/forgot`,
//! `POST /auth/password/reset`, `POST /auth/password/change`,
//! `POST /auth/email/verify` and `POST /auth/security/not-me` (a security notice's
//! "this wasn't me" link, [`crate::flows::notices`]).
//!
//! The password routes need hashing and the password policy, so they exist only with
//! the core's `password-policy` feature (which the `reset` function crate enables);
//! without it they answer `404` through the layer, never a fake success.

use alloc::boxed::Box;

use crate::app::{Function, Route};
use crate::ctx::Services;
use crate::flows::accounts;
use crate::http::Method::Post;

/// The `reset` function.
#[derive(Debug)]
pub struct Reset;

impl Function for Reset {
    const NAME: &'static str = "reset";

    #[cfg(feature = "password-policy")]
    fn routes<S: Services>() -> &'static [Route<S>] {
        const {
            &[
                Route::public(Post, "/auth/password/forgot", |ctx, _| {
                    Box::pin(accounts::recovery::forgot::handle(ctx))
                }),
                Route::public(Post, "/auth/password/reset", |ctx, _| {
                    Box::pin(accounts::recovery::reset::handle(ctx))
                }),
                Route::public(Post, "/auth/password/change", |ctx, _| {
                    Box::pin(accounts::recovery::change::handle(ctx))
                }),
                Route::public(Post, "/auth/email/verify", |ctx, _| {
                    Box::pin(accounts::verify_email::handle(ctx))
                }),
                Route::public(Post, "/auth/security/not-me", |ctx, _| {
                    Box::pin(accounts::recovery::not_me::handle(ctx))
                }),
            ]
        }
    }

    #[cfg(not(feature = "password-policy"))]
    fn routes<S: Services>() -> &'static [Route<S>] {
        const {
            &[Route::public(Post, "/auth/email/verify", |ctx, _| {
                Box::pin(accounts::verify_email::handle(ctx))
            })]
        }
    }
}
