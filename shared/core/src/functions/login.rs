//! The `login` function (docs/contract.md §1): `POST /auth/register`, `POST /auth/login`,
//! `POST /auth/login/mfa`, with passkeys `POST /auth/passkey/options`,
//! `POST /auth/passkey/verify` and `POST /auth/login/mfa/passkey/options`, and social
//! sign-in: `GET /auth/oauth/{provider}/start`, `GET|POST /auth/oauth/{provider}/callback`,
//! `POST /auth/oauth/{provider}/link`.
//!
//! Its flows need password hashing and the password policy, so the routes exist only
//! with the core's `password-policy` feature (which the `login` function crate
//! enables), the passkey routes also with `passkeys`; without them the table is
//! empty and every path answers `404` through the layer, never a fake success.
//!
//! It also serves the `api` routes that verify a password (`DELETE /api/me`,
//! `DELETE /api/me/mfa/totp`, marked [`Route::verifies_password`] in both tables) and
//! the passkey and identity routes and the export (`/api/me/passkeys…`,
//! `/api/me/reauthenticate…`, `/api/me/identities…`, `/api/me/export`, marked
//! `served_by("login")`, [`Route::served_by`]), which the `api` Worker forwards here
//! over a service binding so that it need not link the password, passkey and social
//! sign-in code: the same permissions, gate, per-user limit and handlers as `api` (a
//! unit test holds the two tables to that). Public routing never sends `/api/*` here
//! (they are under the `api` namespace, not mounted for `login`), and a request that
//! did arrive directly would meet exactly the same checks.

#[cfg(feature = "password-policy")]
use alloc::boxed::Box;

#[cfg(feature = "password-policy")]
use super::api::passkey_handler;
#[cfg(feature = "password-policy")]
use crate::app::param;
use crate::app::{Function, Route};
use crate::ctx::Services;
#[cfg(feature = "password-policy")]
use crate::flows::oauth;
#[cfg(feature = "password-policy")]
use crate::flows::{accounts, mfa};
#[cfg(feature = "password-policy")]
use crate::http::Method::{Delete, Get, Post, Put};
#[cfg(feature = "password-policy")]
use crate::policy::rbac::Permission::{
    AccountErase, CredentialsManage, DataExport, IdentitiesManage, MfaManage,
};

/// The `login` function.
#[derive(Debug)]
pub struct Login;

impl Function for Login {
    const NAME: &'static str = "login";
    const SIGNS_TOKENS: bool = true;

    #[cfg(feature = "password-policy")]
    fn routes<S: Services>() -> &'static [Route<S>] {
        const {
            &[
                Route::public(Post, "/auth/register", |ctx, _| {
                    Box::pin(accounts::register::handle(ctx))
                }),
                Route::public(Post, "/auth/login", |ctx, _| {
                    Box::pin(accounts::login::handle(ctx))
                }),
                Route::public(Post, "/auth/login/mfa", |ctx, _| {
                    Box::pin(mfa::login_step::handle(ctx))
                }),
                #[cfg(feature = "passkeys")]
                Route::public(Post, "/auth/login/mfa/passkey/options", |ctx, _| {
                    Box::pin(mfa::passkey_options::handle(ctx))
                }),
                #[cfg(feature = "passkeys")]
                Route::public(Post, "/auth/passkey/options", |ctx, _| {
                    Box::pin(crate::flows::passkeys::sign_in::options(ctx))
                }),
                #[cfg(feature = "passkeys")]
                Route::public(Post, "/auth/passkey/verify", |ctx, _| {
                    Box::pin(crate::flows::passkeys::sign_in::verify(ctx))
                }),
                // Social sign-in (docs/social-login.md): browser hops, public.
                Route::public(Get, "/auth/oauth/{provider}/start", |ctx, p| {
                    Box::pin(async move { oauth::start::sign_in(ctx, param(p, 0)?).await })
                }),
                Route::public(Get, "/auth/oauth/{provider}/callback", |ctx, p| {
                    Box::pin(async move { oauth::callback::handle(ctx, param(p, 0)?).await })
                }),
                // A provider's `form_post` answer (Sign in with Apple): a form body.
                Route::public(Post, "/auth/oauth/{provider}/callback", |ctx, p| {
                    Box::pin(async move { oauth::callback::handle(ctx, param(p, 0)?).await })
                })
                .accepting_form(),
                Route::protected(
                    Post,
                    "/auth/oauth/{provider}/link",
                    IdentitiesManage,
                    |ctx, who, p| {
                        Box::pin(async move { oauth::start::link(ctx, who, param(p, 0)?).await })
                    },
                ),
                // Forwarded by the `api` Worker: the `api` table's entries.
                Route::protected(Delete, "/api/me", AccountErase, |ctx, who, _| {
                    Box::pin(super::api::erase_account(ctx, who))
                })
                .verifying_password(),
                Route::protected(Get, "/api/me/export", DataExport, |ctx, who, _| {
                    Box::pin(super::api::export_data(ctx, who))
                })
                .served_by("login"),
                Route::protected(Delete, "/api/me/mfa/totp", MfaManage, |ctx, who, _| {
                    Box::pin(super::api::disable_totp(ctx, who))
                })
                .verifying_password(),
                Route::protected(Get, "/api/me/passkeys", CredentialsManage, passkey_handler)
                    .served_by("login"),
                Route::protected(Post, "/api/me/passkeys", CredentialsManage, passkey_handler)
                    .served_by("login"),
                Route::protected(
                    Post,
                    "/api/me/passkeys/options",
                    CredentialsManage,
                    passkey_handler,
                )
                .served_by("login"),
                Route::protected(
                    Put,
                    "/api/me/passkeys/{id}",
                    CredentialsManage,
                    passkey_handler,
                )
                .served_by("login"),
                Route::protected(
                    Delete,
                    "/api/me/passkeys/{id}",
                    CredentialsManage,
                    passkey_handler,
                )
                .served_by("login"),
                Route::protected(
                    Post,
                    "/api/me/reauthenticate",
                    CredentialsManage,
                    passkey_handler,
                )
                .served_by("login"),
                Route::protected(
                    Post,
                    "/api/me/reauthenticate/options",
                    CredentialsManage,
                    passkey_handler,
                )
                .served_by("login"),
                // The `api` identity routes, whose code only `login` links on Workers.
                Route::protected(
                    Get,
                    "/api/me/identities",
                    IdentitiesManage,
                    |ctx, who, _| Box::pin(super::api::list_identities(ctx, who)),
                )
                .served_by("login"),
                Route::protected(
                    Delete,
                    "/api/me/identities/{provider}",
                    IdentitiesManage,
                    |ctx, who, p| {
                        Box::pin(async move {
                            super::api::unlink_identity(ctx, who, param(p, 0)?).await
                        })
                    },
                )
                .served_by("login"),
            ]
        }
    }

    #[cfg(not(feature = "password-policy"))]
    fn routes<S: Services>() -> &'static [Route<S>] {
        &[]
    }
}
