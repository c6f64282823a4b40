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
//! budget); client management needs `oauth_clients:manage` (admins). The token,
//! revocation, introspection and userinfo `POST`s take form bodies, as their RFCs say.

use alloc::boxed::Box;

use crate::app::{param, Function, Route};
use crate::ctx::Services;
use crate::flows::oauth::{
    authorize, clients, consents, discovery, end_session, interaction, introspection, registration,
    revocation, token, userinfo,
};
use crate::flows::ratelimit::PerUser::Sessions;
use crate::http::Method::{Delete, Get, Post};
use crate::policy::rbac::Permission::OAuthClientsManage;

/// The `oauth` function.
#[derive(Debug)]
pub struct OAuth;

impl Function for OAuth {
    const NAME: &'static str = "oauth";

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
            ]
        }
    }
}

#[cfg(test)]
mod tests;
