//! The `api` function: everything under `/api/` (docs/contract.md §6).
//!
//! **Every route declares its permission** in [`Api`]'s route table: it is either
//! public (only `GET /api/health`) or protected by a [`Permission`] of
//! [`crate::policy::rbac`]. The pipeline ([`crate::app::serve`]) reads the table and,
//! for a protected route, authenticates (`401 unauthenticated`), authorises with the
//! roles stored now (`403 forbidden`) and counts the per-user limit (`429`) *before*
//! the handler runs; the handler receives that principal and makes the object-level
//! decisions (a document the caller may not see is `404`, see
//! [`crate::policy::documents`]). A path the table does not list is `404`, a method it
//! does not list `405`.
//!
//! **Password routes.** Two handlers verify the caller's password (docs/contract.md §6:
//! erasure and turning TOTP off re-authenticate), marked
//! [`Route::verifies_password`]. Password verification links argon2, bcrypt and the
//! NFKC tables — a third of the `api` Worker — so on Workers the `api` function is
//! built without the `password` feature and forwards exactly these requests,
//! unchanged, to the `login` function over a service binding
//! ([`crate::app::verifies_password`]); `login` lists the same routes with the same
//! permissions and handlers ([`super::login`]). On Spin (no bundle limit) `api` links
//! `password` and serves them itself.
//!
//! **Passkey routes.** Every route of `/api/me/passkeys…` and `/api/me/reauthenticate…`
//! is marked `served_by("login")` ([`Route::served_by`]): the WebAuthn verifier and the
//! passkey flows (~20 KiB gzip, more than the `api` Worker's budget had left;
//! docs/passkeys.md §6) are the core's `passkeys` feature, which the Workers `api` is
//! built without, so it forwards them to `login` like the password routes; `login`'s
//! table lists the same entries. On Spin `api` links `passkeys` and serves them.
//!
//! Security considerations: the gate is in one place, ahead of every protected
//! handler, and a protected handler's signature takes the principal, so neither can
//! be forgotten; `HEAD` is decided as `GET`. A build without `password` (`passkeys`)
//! answers the password (passkey) routes `503` (reached only when forwarding is not
//! configured), never a success without re-authentication.

use alloc::boxed::Box;

use crate::app::{param, Function, Route};
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
#[cfg(any(
    not(feature = "password"),
    not(feature = "passkeys"),
    not(any(test, feature = "admin-monitoring"))
))]
use crate::error::Internal;
#[cfg(any(test, feature = "admin-monitoring"))]
use crate::flows::monitoring;
#[cfg(feature = "password")]
use crate::flows::oauth;
use crate::flows::{accounts, admin, audit, documents, gdpr, mfa};
use crate::http::{Method, Response};
use crate::model::principal::Principal;
use crate::policy::rbac::Permission;

/// The protected API.
#[derive(Debug)]
pub struct Api;

impl Function for Api {
    const NAME: &'static str = "api";
    const NAMESPACE: Option<&'static str> = Some("/api/");

    fn routes<S: Services>() -> &'static [Route<S>] {
        use Method::{Delete, Get, Post, Put};
        use Permission::*;
        const {
            &[
                Route::public(Get, "/api/health", |_, _| Box::pin(health())),
                Route::protected(Get, "/api/me", ProfileRead, |ctx, who, _| {
                    Box::pin(accounts::me::handle(ctx, who))
                }),
                Route::protected(Delete, "/api/me", AccountErase, |ctx, who, _| {
                    Box::pin(erase_account(ctx, who))
                })
                .verifying_password(),
                // Served by `login` on Workers: the export carries every credential
                // kind's records (passkeys, linked identities), kept out of the api.
                Route::protected(Get, "/api/me/export", DataExport, |ctx, who, _| {
                    Box::pin(export_data(ctx, who))
                })
                .served_by("login"),
                Route::protected(Get, "/api/me/activity", ActivityRead, |ctx, who, _| {
                    Box::pin(audit::query::my_activity(ctx, who))
                }),
                Route::protected(Get, "/api/me/consents", ConsentsManage, |ctx, who, _| {
                    Box::pin(gdpr::consents::get(ctx, who))
                }),
                Route::protected(Put, "/api/me/consents", ConsentsManage, |ctx, who, _| {
                    Box::pin(gdpr::consents::put(ctx, who))
                }),
                Route::protected(Post, "/api/me/mfa/totp/setup", MfaManage, |ctx, who, _| {
                    Box::pin(mfa::enroll::setup(ctx, who))
                }),
                Route::protected(
                    Post,
                    "/api/me/mfa/totp/confirm",
                    MfaManage,
                    |ctx, who, _| Box::pin(mfa::enroll::confirm(ctx, who)),
                ),
                Route::protected(Delete, "/api/me/mfa/totp", MfaManage, |ctx, who, _| {
                    Box::pin(disable_totp(ctx, who))
                })
                .verifying_password(),
                // Passkeys: served by `login` on Workers (the `passkeys` feature).
                Route::protected(Get, "/api/me/passkeys", CredentialsManage, passkey_handler)
                    .served_by("login"),
                Route::protected(Post, "/api/me/passkeys", CredentialsManage, passkey_handler)
                    .served_by("login"),
                // Before `{id}`: the first pattern that matches a path decides its routes.
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
                Route::protected(
                    Get,
                    "/api/me/identities",
                    IdentitiesManage,
                    |ctx, who, _| Box::pin(list_identities(ctx, who)),
                )
                .served_by("login"),
                Route::protected(
                    Delete,
                    "/api/me/identities/{provider}",
                    IdentitiesManage,
                    |ctx, who, p| {
                        Box::pin(async move { unlink_identity(ctx, who, param(p, 0)?).await })
                    },
                )
                .served_by("login"),
                Route::protected(
                    Post,
                    "/api/admin/data-keys/sweep",
                    DataKeysRotate,
                    |ctx, who, _| Box::pin(admin::data_keys::handle(ctx, who)),
                ),
                Route::protected(
                    Post,
                    "/api/admin/sessions/revoke-all",
                    SessionsRevokeAll,
                    |ctx, who, _| Box::pin(admin::revoke_all::revoke_all_sessions(ctx, who)),
                ),
                Route::protected(Get, "/api/documents", DocumentsUse, |ctx, who, _| {
                    Box::pin(documents::routes::list(ctx, who))
                }),
                Route::protected(Post, "/api/documents", DocumentsUse, |ctx, who, _| {
                    Box::pin(documents::routes::create(ctx, who))
                }),
                Route::protected(Get, "/api/documents/{id}", DocumentsUse, |ctx, who, p| {
                    Box::pin(async move { documents::routes::get(ctx, who, param(p, 0)?).await })
                }),
                Route::protected(Put, "/api/documents/{id}", DocumentsUse, |ctx, who, p| {
                    Box::pin(async move { documents::routes::update(ctx, who, param(p, 0)?).await })
                }),
                Route::protected(
                    Delete,
                    "/api/documents/{id}",
                    DocumentsUse,
                    |ctx, who, p| {
                        Box::pin(
                            async move { documents::routes::delete(ctx, who, param(p, 0)?).await },
                        )
                    },
                ),
                Route::protected(
                    Post,
                    "/api/documents/{id}/shares",
                    DocumentsUse,
                    |ctx, who, p| {
                        Box::pin(
                            async move { documents::routes::share(ctx, who, param(p, 0)?).await },
                        )
                    },
                ),
                Route::protected(
                    Delete,
                    "/api/documents/{id}/shares/{user_id}",
                    DocumentsUse,
                    |ctx, who, p| {
                        Box::pin(async move {
                            let (id, user_id) = (param(p, 0)?, param(p, 1)?);
                            documents::routes::unshare(ctx, who, id, user_id).await
                        })
                    },
                ),
                Route::protected(Get, "/api/admin/users", UsersList, |ctx, _, _| {
                    Box::pin(admin::routes::list_users(ctx))
                }),
                Route::protected(
                    Put,
                    "/api/admin/users/{id}/roles",
                    UsersSetRoles,
                    |ctx, who, p| {
                        Box::pin(
                            async move { admin::routes::set_roles(ctx, who, param(p, 0)?).await },
                        )
                    },
                ),
                Route::protected(
                    Post,
                    "/api/admin/users/{id}/disable",
                    UsersDisable,
                    |ctx, who, p| {
                        Box::pin(
                            async move { admin::routes::disable(ctx, who, param(p, 0)?).await },
                        )
                    },
                ),
                Route::protected(
                    Post,
                    "/api/admin/users/{id}/enable",
                    UsersDisable,
                    |ctx, who, p| {
                        Box::pin(async move { admin::routes::enable(ctx, who, param(p, 0)?).await })
                    },
                ),
                Route::protected(
                    Delete,
                    "/api/admin/users/{id}/sessions",
                    UsersRevokeSessions,
                    |ctx, who, p| {
                        Box::pin(async move {
                            admin::routes::revoke_sessions(ctx, who, param(p, 0)?).await
                        })
                    },
                ),
                Route::protected(Get, "/api/admin/audit", AuditRead, |ctx, _, _| {
                    Box::pin(audit::query::admin_audit(ctx))
                }),
                Route::protected(
                    Get,
                    "/api/admin/webhooks/deliveries",
                    MonitoringRead,
                    |ctx, _, _| Box::pin(webhook_deliveries(ctx)),
                )
                .served_by("refresh"),
                Route::protected(
                    Post,
                    "/api/admin/webhooks/retry",
                    WebhooksRetry,
                    |ctx, _, _| Box::pin(webhook_retry(ctx)),
                )
                .served_by("refresh"),
                Route::protected(Get, "/api/admin/metrics", MonitoringRead, |ctx, _, _| {
                    Box::pin(metrics_summary(ctx))
                })
                .served_by("refresh"),
            ]
        }
    }
}

/// `GET /api/health`.
async fn health() -> Result<Response, ApiError> {
    Ok(Response::json(200, &serde_json::json!({"status": "ok"})))
}

/// `GET /api/admin/webhooks/deliveries` (served by `refresh` on Workers).
pub(crate) async fn webhook_deliveries<S: Services>(
    ctx: &Ctx<'_, S>,
) -> Result<Response, ApiError> {
    #[cfg(any(test, feature = "admin-monitoring"))]
    return monitoring::deliveries::list(ctx).await;
    #[cfg(not(any(test, feature = "admin-monitoring")))]
    return not_linked(ctx);
}

/// `POST /api/admin/webhooks/retry` (served by `refresh` on Workers).
pub(crate) async fn webhook_retry<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    #[cfg(any(test, feature = "admin-monitoring"))]
    return monitoring::deliveries::retry(ctx).await;
    #[cfg(not(any(test, feature = "admin-monitoring")))]
    return not_linked(ctx);
}

/// `GET /api/admin/metrics` (served by `refresh` on Workers).
pub(crate) async fn metrics_summary<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    #[cfg(any(test, feature = "admin-monitoring"))]
    return monitoring::metrics::summary(ctx).await;
    #[cfg(not(any(test, feature = "admin-monitoring")))]
    return not_linked(ctx);
}

/// A monitoring admin route in a build without it (the Workers `api`, reached only
/// when the `REFRESH` service binding is missing): `503`, never a partial answer.
#[cfg(not(any(test, feature = "admin-monitoring")))]
fn not_linked<S: Services>(_ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    Err(ApiError::Unavailable(Internal(
        "monitoring route reached a build without it (REFRESH binding missing?)",
    )))
}

/// `DELETE /api/me` (verifies the password).
pub(crate) async fn erase_account<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    #[cfg(feature = "password")]
    return gdpr::erase::handle(ctx, principal).await;
    #[cfg(not(feature = "password"))]
    return without_password(ctx, principal);
}

/// `DELETE /api/me/mfa/totp` (verifies the password).
pub(crate) async fn disable_totp<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    #[cfg(feature = "password")]
    return mfa::disable::handle(ctx, principal).await;
    #[cfg(not(feature = "password"))]
    return without_password(ctx, principal);
}

/// `GET /api/me/export` (served by `login` on Workers, [`Route::served_by`]: the
/// export reads every kind of credential record, passkeys and linked identities among
/// them, whose code the size-limited Workers `api` leaves to `login`).
pub(crate) async fn export_data<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    // (The core's own tests serve it from `api` in every feature set.)
    #[cfg(any(feature = "password", test))]
    return gdpr::export::handle(ctx, principal).await;
    #[cfg(not(any(feature = "password", test)))]
    return without_password(ctx, principal);
}

/// The handler of every passkey route (`crate::flows::passkeys`), one function for the
/// seven: in a build without the `passkeys` feature (the Workers `api`, which forwards
/// them to `login`) it is one small `503` instead of seven handlers.
pub(crate) fn passkey_handler<'a, S: Services>(
    ctx: &'a Ctx<'a, S>,
    principal: &'a Principal,
    params: &'a crate::app::Params<'a>,
) -> crate::app::HandlerFuture<'a> {
    Box::pin(passkey_route(ctx, principal, params))
}

/// Serves the passkey route the request matched (the table routed it here: its method
/// and path are one of the seven).
async fn passkey_route<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    params: &crate::app::Params<'_>,
) -> Result<Response, ApiError> {
    #[cfg(feature = "passkeys")]
    {
        use crate::flows::passkeys::{manage, reauth, register};
        use Method::{Delete, Get, Head, Post, Put};
        match (ctx.request.method, ctx.request.path.as_str()) {
            (Get | Head, _) => manage::list(ctx, principal).await,
            (Post, "/api/me/passkeys") => register::handle(ctx, principal).await,
            (Post, "/api/me/passkeys/options") => {
                manage::registration_options(ctx, principal).await
            }
            (Put, _) => manage::rename(ctx, principal, param(params, 0)?).await,
            (Delete, _) => manage::remove(ctx, principal, param(params, 0)?).await,
            (Post, "/api/me/reauthenticate") => reauth::handle(ctx, principal).await,
            (Post, "/api/me/reauthenticate/options") => {
                manage::reauthentication_options(ctx, principal).await
            }
            _ => Err(ApiError::NotFound),
        }
    }
    #[cfg(not(feature = "passkeys"))]
    {
        let _ = params;
        without_password(ctx, principal)
    }
}

/// `GET /api/me/identities` (served by `login` on Workers, [`Route::served_by`]:
/// the Workers `api`, built without `password`, keeps none of the social sign-in code).
pub(crate) async fn list_identities<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    #[cfg(feature = "password")]
    return oauth::identities::list(ctx, principal).await;
    #[cfg(not(feature = "password"))]
    return without_password(ctx, principal);
}

/// `DELETE /api/me/identities/{provider}` (served by `login` on Workers).
pub(crate) async fn unlink_identity<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    provider: &str,
) -> Result<Response, ApiError> {
    #[cfg(feature = "password")]
    return oauth::identities::unlink(ctx, principal, provider).await;
    #[cfg(not(feature = "password"))]
    {
        let _ = provider;
        without_password(ctx, principal)
    }
}

/// A password, passkey, identity or export route in a build without that code (the Workers `api`,
/// reached only when the `LOGIN` service binding is missing): `503`, never a success
/// without re-authentication.
#[cfg(any(not(feature = "password"), not(feature = "passkeys")))]
fn without_password<S: Services>(
    _ctx: &Ctx<'_, S>,
    _principal: &Principal,
) -> Result<Response, ApiError> {
    Err(ApiError::Unavailable(Internal(
        "password or passkey route reached a build without it (LOGIN binding missing?)",
    )))
}

#[cfg(test)]
mod tests;
