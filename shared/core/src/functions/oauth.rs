//! The `oauth` function (docs/contract.md §11): edgeauth as an OAuth 2.1 / OpenID
//! Connect provider — discovery, authorization with the hosted sign-in and consent
//! pages, the token endpoint, dynamic registration, revocation, introspection,
//! userinfo, RP-initiated logout, a user's connected apps and the administrators'
//! client management.
//!
//! A function of its own rather than routes of `refresh` or `api`: its code (request
//! validation, client authentication, ID tokens, RS256 signing on Spin) stays out of
//! the session functions' bundles and their size budgets, it deploys and scales on its
//! own, and an operator who does not want a provider does not route it.
//!
//! Who may call what: the protocol endpoints are public (they authenticate the client
//! or the user themselves); the consent page's API and the connected-apps routes are
//! signed-in routes (the session cookie, the CSRF header for changes, the sessions
//! budget); client management needs `oauth_clients:manage` (admins); the `api` routes
//! a client's scope can open are listed here too, for the requests the `api` Worker
//! forwards (they bear a client's token), with the `api` table's permissions. The token,
//! revocation, introspection and userinfo `POST`s take form bodies, as their RFCs say.

use alloc::boxed::Box;

use crate::app::{param, Function, Route};
use crate::ctx::Services;
use crate::flows::oauth_provider::{
    authorize, clients, consents, discovery, end_session, interaction, introspection, registration,
    revocation, token, userinfo,
};
use crate::flows::ratelimit::PerUser::Sessions;
use crate::flows::{accounts, documents};
use crate::http::Method::{Delete, Get, Post, Put};
use crate::policy::rbac::Permission::{DocumentsUse, OAuthClientsManage, ProfileRead};

/// The `oauth` function.
#[derive(Debug)]
pub struct OAuth;

impl Function for OAuth {
    const NAME: &'static str = "oauth";
    // Its access and ID tokens are signed with `JWT_SIGNING_KEYS` as the sessions' are.
    const SIGNS_TOKENS: bool = true;

    fn routes<S: Services>() -> &'static [Route<S>] {
        const {
            &[
                Route::public(Get, "/.well-known/openid-configuration", |ctx, _| {
                    Box::pin(discovery::authorization_server(ctx))
                }),
                Route::public(Get, "/.well-known/oauth-authorization-server", |ctx, _| {
                    Box::pin(discovery::authorization_server(ctx))
                }),
                Route::public(Get, "/.well-known/oauth-protected-resource", |ctx, _| {
                    Box::pin(discovery::protected_resource(ctx))
                }),
                Route::public(
                    Get,
                    "/.well-known/oauth-protected-resource/api",
                    |ctx, _| Box::pin(discovery::protected_resource(ctx)),
                ),
                Route::public(Get, "/oauth/authorize", |ctx, _| {
                    Box::pin(authorize::authorize(ctx))
                }),
                Route::public(Get, "/oauth/continue", |ctx, _| {
                    Box::pin(authorize::resume(ctx))
                }),
                Route::signed_in(Get, "/oauth/requests/{id}", Sessions, |ctx, who, p| {
                    Box::pin(async move { interaction::describe(ctx, who, param(p, 0)?).await })
                }),
                Route::signed_in(Post, "/oauth/requests/{id}", Sessions, |ctx, who, p| {
                    Box::pin(async move { interaction::decide(ctx, who, param(p, 0)?).await })
                }),
                Route::public(Post, "/oauth/token", |ctx, _| Box::pin(token::token(ctx))).form(),
                Route::public(Post, "/oauth/revoke", |ctx, _| {
                    Box::pin(revocation::revoke(ctx))
                })
                .form(),
                Route::public(Post, "/oauth/introspect", |ctx, _| {
                    Box::pin(introspection::introspect(ctx))
                })
                .form(),
                Route::public(Get, "/oauth/userinfo", |ctx, _| {
                    Box::pin(userinfo::userinfo(ctx))
                }),
                Route::public(Post, "/oauth/userinfo", |ctx, _| {
                    Box::pin(userinfo::userinfo(ctx))
                })
                .form(),
                Route::public(Get, "/oauth/end-session", |ctx, _| {
                    Box::pin(end_session::end_session(ctx))
                }),
                Route::public(Post, "/oauth/register", |ctx, _| {
                    Box::pin(registration::register(ctx))
                }),
                Route::signed_in(Get, "/oauth/consents", Sessions, |ctx, who, _| {
                    Box::pin(consents::list(ctx, who))
                }),
                Route::signed_in(
                    Delete,
                    "/oauth/consents/{client_id}",
                    Sessions,
                    |ctx, who, p| {
                        Box::pin(async move { consents::revoke(ctx, who, param(p, 0)?).await })
                    },
                ),
                Route::protected(
                    Get,
                    "/oauth/admin/clients",
                    OAuthClientsManage,
                    |ctx, who, _| Box::pin(clients::list(ctx, who)),
                ),
                Route::protected(
                    Post,
                    "/oauth/admin/clients",
                    OAuthClientsManage,
                    |ctx, who, _| Box::pin(clients::add(ctx, who)),
                ),
                Route::protected(
                    Get,
                    "/oauth/admin/clients/{id}",
                    OAuthClientsManage,
                    |ctx, who, p| {
                        Box::pin(async move { clients::show(ctx, who, param(p, 0)?).await })
                    },
                ),
                Route::protected(
                    Delete,
                    "/oauth/admin/clients/{id}",
                    OAuthClientsManage,
                    |ctx, who, p| {
                        Box::pin(async move { clients::delete(ctx, who, param(p, 0)?).await })
                    },
                ),
                Route::protected(
                    Post,
                    "/oauth/admin/clients/{id}/disable",
                    OAuthClientsManage,
                    |ctx, who, p| {
                        Box::pin(async move {
                            clients::set_disabled(ctx, who, param(p, 0)?, true).await
                        })
                    },
                ),
                Route::protected(
                    Post,
                    "/oauth/admin/clients/{id}/enable",
                    OAuthClientsManage,
                    |ctx, who, p| {
                        Box::pin(async move {
                            clients::set_disabled(ctx, who, param(p, 0)?, false).await
                        })
                    },
                ),
                // Forwarded by the `api` Worker when they bear a client's token
                // (`app::bears_client_token`): the `api` table's entries that a scope can
                // open, with the same permissions and handlers, so that the `api` bundle
                // need not verify clients' tokens (a test keeps the lists equal).
                Route::protected(Get, "/api/me", ProfileRead, |ctx, who, _| {
                    Box::pin(accounts::me::handle(ctx, who))
                }),
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
            ]
        }
    }
}

#[cfg(test)]
mod tests;
