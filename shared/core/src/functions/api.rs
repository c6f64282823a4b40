//! The `api` function: everything under `/api/` (docs/contract.md §6).
//!
//! **Every route declares its permission** in [`ACCESS`], a table parallel to
//! [`Api::ROUTES`] keyed by pattern and method: either [`Access::Public`] (only
//! `GET /api/health`) or [`Access::Requires`] a [`Permission`] of [`crate::rbac`].
//! [`Api::dispatch`] looks the route up *before* anything else and:
//! - refuses a route the table does not list with `404` (deny by default: a route
//!   added to `ROUTES` but forgotten here is unreachable, and the unit test
//!   `every_route_and_method_declares_its_permission` fails);
//! - for a protected route, authenticates (`401 unauthenticated`), then asks
//!   [`rbac::authorize`] with the roles stored now (`403 forbidden`);
//! - only then runs the handler, which makes the object-level decisions (a document
//!   the caller may not see is `404`, see [`crate::documents::access`]).
//!
//! Security considerations: the gate is in one place, ahead of every handler, so a
//! handler cannot forget it; `HEAD` is decided as `GET`. Handlers receive the gate's
//! principal (the session and user as read for this request) instead of
//! authenticating again: one session read and one user read per request.

use crate::app::{Ctx, Function, Params, Route, Services};
use crate::auth::{self, Principal};
use crate::error::{ApiError, Internal};
use crate::http::{Method, Response};
use crate::rbac::{self, Permission};
use crate::{admin, audit_query, documents, gdpr, session};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, unauthenticated.
    Public,
    /// An authenticated caller whose stored roles grant the permission.
    Requires(Permission),
}

/// The permission of every route and method (`HEAD` is looked up as `GET`).
pub const ACCESS: &[(&str, &str, Access)] = {
    use Access::{Public, Requires};
    use Permission::*;
    &[
        ("/api/health", "GET", Public),
        ("/api/me", "GET", Requires(ProfileRead)),
        ("/api/me", "DELETE", Requires(AccountErase)),
        ("/api/me/export", "GET", Requires(DataExport)),
        ("/api/me/activity", "GET", Requires(ActivityRead)),
        ("/api/me/consents", "GET", Requires(ConsentsManage)),
        ("/api/me/consents", "PUT", Requires(ConsentsManage)),
        ("/api/me/mfa/totp/setup", "POST", Requires(MfaManage)),
        ("/api/me/mfa/totp/confirm", "POST", Requires(MfaManage)),
        ("/api/me/mfa/totp", "DELETE", Requires(MfaManage)),
        ("/api/documents", "GET", Requires(DocumentsUse)),
        ("/api/documents", "POST", Requires(DocumentsUse)),
        ("/api/documents/{id}", "GET", Requires(DocumentsUse)),
        ("/api/documents/{id}", "PUT", Requires(DocumentsUse)),
        ("/api/documents/{id}", "DELETE", Requires(DocumentsUse)),
        ("/api/documents/{id}/shares", "POST", Requires(DocumentsUse)),
        (
            "/api/documents/{id}/shares/{user_id}",
            "DELETE",
            Requires(DocumentsUse),
        ),
        ("/api/admin/users", "GET", Requires(UsersList)),
        (
            "/api/admin/users/{id}/roles",
            "PUT",
            Requires(UsersSetRoles),
        ),
        (
            "/api/admin/users/{id}/disable",
            "POST",
            Requires(UsersDisable),
        ),
        (
            "/api/admin/users/{id}/enable",
            "POST",
            Requires(UsersDisable),
        ),
        (
            "/api/admin/users/{id}/sessions",
            "DELETE",
            Requires(UsersRevokeSessions),
        ),
        ("/api/admin/audit", "GET", Requires(AuditRead)),
        (
            "/api/admin/data-keys/sweep",
            "POST",
            Requires(DataKeysRotate),
        ),
        (
            "/api/admin/sessions/revoke-all",
            "POST",
            Requires(SessionsRevokeAll),
        ),
    ]
};

/// The declared access of a route pattern and method, if any (`HEAD` as `GET`).
pub fn access_for(pattern: &str, method: &str) -> Option<Access> {
    let method = if method == "HEAD" { "GET" } else { method };
    ACCESS
        .iter()
        .find(|(p, m, _)| *p == pattern && *m == method)
        .map(|(_, _, access)| *access)
}

/// The gate: the route's declared access, enforced. `Some(principal)` for a
/// protected route, `None` for a public one.
pub async fn gate<S: Services>(
    ctx: &Ctx<'_, S>,
    route: &Route,
) -> Result<Option<Principal>, ApiError> {
    match access_for(route.pattern, ctx.request.method.as_str()) {
        None => Err(ApiError::NotFound),
        Some(Access::Public) => Ok(None),
        Some(Access::Requires(permission)) => {
            let principal = auth::authenticate(ctx).await?;
            if !rbac::authorize(&principal.user.roles, permission) {
                return Err(ApiError::Forbidden);
            }
            Ok(Some(principal))
        }
    }
}

/// The routes whose handler verifies the caller's password (docs/contract.md §6: erasure and
/// turning TOTP off re-authenticate). Password verification links argon2, bcrypt and
/// the NFKC tables — a third of the `api` Worker — so on Workers the `api` function
/// is built without the `password` feature and forwards exactly these requests,
/// unchanged, to the `login` function over a service binding; `login` serves them
/// with the same gate and handlers ([`serve_password_route`]). On Spin (no bundle
/// limit) `api` links `password` and serves them itself.
pub const PASSWORD_ROUTES: &[(&str, &str)] =
    &[("/api/me", "DELETE"), ("/api/me/mfa/totp", "DELETE")];

/// Whether a request (raw method token, path) is one of [`PASSWORD_ROUTES`].
pub fn is_password_route(method: &str, path: &str) -> bool {
    PASSWORD_ROUTES
        .iter()
        .any(|(pattern, route_method)| *pattern == path && *route_method == method)
}

/// A [`PASSWORD_ROUTES`] handler, after the gate. Without the `password` feature this
/// build cannot verify a password: `503`, never a success without re-authentication
/// (reached only when the adapter's forwarding is not configured).
#[cfg_attr(not(feature = "password"), allow(unused_variables))]
async fn password_route<S: Services>(
    ctx: &Ctx<'_, S>,
    route: &Route,
    principal: &Principal,
) -> Result<Response, ApiError> {
    match route.pattern {
        #[cfg(feature = "password")]
        "/api/me" => gdpr::erase::handle(ctx, principal).await,
        #[cfg(feature = "password")]
        "/api/me/mfa/totp" => crate::mfa::flows::disable::handle(ctx, principal).await,
        #[cfg(not(feature = "password"))]
        "/api/me" | "/api/me/mfa/totp" => Err(ApiError::Unavailable(Internal(
            "password route reached a build without password verification (LOGIN binding missing?)",
        ))),
        _ => Err(ApiError::NotFound),
    }
}

/// Serves one of [`PASSWORD_ROUTES`] in another function (`login` on Workers): the
/// same gate, per-user rate limit and handler as [`Api::dispatch`].
pub async fn serve_password_route<S: Services>(
    ctx: &Ctx<'_, S>,
    route: &Route,
) -> Result<Response, ApiError> {
    if !is_password_route(ctx.request.method.as_str(), route.pattern) {
        return Err(ApiError::NotFound);
    }
    let principal = gate(ctx, route).await?;
    crate::ratelimit::api_per_user(ctx, principal.as_ref()).await?;
    password_route(ctx, route, caller(&principal)?).await
}

/// The principal of a gated route (the gate guarantees one).
fn caller(principal: &Option<Principal>) -> Result<&Principal, ApiError> {
    principal.as_ref().ok_or(ApiError::Internal(Internal(
        "protected route without a principal",
    )))
}

/// Path parameter `index` (the router guarantees the pattern's parameters).
fn param<'a>(params: &Params<'a>, index: usize) -> Result<&'a str, ApiError> {
    params.get(index).copied().ok_or(ApiError::NotFound)
}

/// The protected API.
#[derive(Debug)]
pub struct Api;

impl Function for Api {
    const NAME: &'static str = "api";
    const ROUTES: &'static [Route] = &[
        Route {
            pattern: "/api/health",
            methods: &["GET"],
        },
        Route {
            pattern: "/api/me",
            methods: &["GET", "DELETE"],
        },
        Route {
            pattern: "/api/me/export",
            methods: &["GET"],
        },
        Route {
            pattern: "/api/me/activity",
            methods: &["GET"],
        },
        Route {
            pattern: "/api/me/consents",
            methods: &["GET", "PUT"],
        },
        Route {
            pattern: "/api/me/mfa/totp/setup",
            methods: &["POST"],
        },
        Route {
            pattern: "/api/me/mfa/totp/confirm",
            methods: &["POST"],
        },
        Route {
            pattern: "/api/me/mfa/totp",
            methods: &["DELETE"],
        },
        Route {
            pattern: "/api/admin/data-keys/sweep",
            methods: &["POST"],
        },
        Route {
            pattern: "/api/admin/sessions/revoke-all",
            methods: &["POST"],
        },
        Route {
            pattern: "/api/documents",
            methods: &["GET", "POST"],
        },
        Route {
            pattern: "/api/documents/{id}",
            methods: &["GET", "PUT", "DELETE"],
        },
        Route {
            pattern: "/api/documents/{id}/shares",
            methods: &["POST"],
        },
        Route {
            pattern: "/api/documents/{id}/shares/{user_id}",
            methods: &["DELETE"],
        },
        Route {
            pattern: "/api/admin/users",
            methods: &["GET"],
        },
        Route {
            pattern: "/api/admin/users/{id}/roles",
            methods: &["PUT"],
        },
        Route {
            pattern: "/api/admin/users/{id}/disable",
            methods: &["POST"],
        },
        Route {
            pattern: "/api/admin/users/{id}/enable",
            methods: &["POST"],
        },
        Route {
            pattern: "/api/admin/users/{id}/sessions",
            methods: &["DELETE"],
        },
        Route {
            pattern: "/api/admin/audit",
            methods: &["GET"],
        },
    ];

    async fn dispatch<S: Services>(
        ctx: &Ctx<'_, S>,
        route: &Route,
        params: &Params<'_>,
    ) -> Result<Response, ApiError> {
        // Deny by default: the route's declared permission, before anything else.
        let principal = gate(ctx, route).await?;
        crate::ratelimit::api_per_user(ctx, principal.as_ref()).await?;
        let method = ctx.request.method;
        match route.pattern {
            "/api/health" => Ok(Response::json(200, &serde_json::json!({"status": "ok"}))),
            "/api/me" if method == Method::Delete => {
                password_route(ctx, route, caller(&principal)?).await
            }
            "/api/me" => crate::accounts::me::handle(ctx, caller(&principal)?).await,
            "/api/me/export" => gdpr::export::handle(ctx, caller(&principal)?).await,
            "/api/me/activity" => audit_query::my_activity(ctx, caller(&principal)?).await,
            "/api/me/consents" if method == Method::Put => {
                gdpr::consents::put(ctx, caller(&principal)?).await
            }
            "/api/me/consents" => gdpr::consents::get(ctx, caller(&principal)?).await,
            "/api/documents" if method == Method::Post => {
                documents::routes::create(ctx, caller(&principal)?).await
            }
            "/api/documents" => documents::routes::list(ctx, caller(&principal)?).await,
            "/api/documents/{id}" => {
                let (who, id) = (caller(&principal)?, param(params, 0)?);
                match method {
                    Method::Put => documents::routes::update(ctx, who, id).await,
                    Method::Delete => documents::routes::delete(ctx, who, id).await,
                    _ => documents::routes::get(ctx, who, id).await,
                }
            }
            "/api/documents/{id}/shares" => {
                documents::routes::share(ctx, caller(&principal)?, param(params, 0)?).await
            }
            "/api/documents/{id}/shares/{user_id}" => {
                let (who, id, user_id) =
                    (caller(&principal)?, param(params, 0)?, param(params, 1)?);
                documents::routes::unshare(ctx, who, id, user_id).await
            }
            "/api/admin/users" => admin::routes::list_users(ctx).await,
            "/api/admin/users/{id}/roles" => {
                admin::routes::set_roles(ctx, caller(&principal)?, param(params, 0)?).await
            }
            "/api/admin/users/{id}/disable" => {
                admin::routes::disable(ctx, caller(&principal)?, param(params, 0)?).await
            }
            "/api/admin/users/{id}/enable" => {
                admin::routes::enable(ctx, caller(&principal)?, param(params, 0)?).await
            }
            "/api/admin/users/{id}/sessions" => {
                admin::routes::revoke_sessions(ctx, caller(&principal)?, param(params, 0)?).await
            }
            "/api/admin/audit" => audit_query::admin_audit(ctx).await,
            "/api/me/mfa/totp/setup" => {
                crate::mfa::flows::enroll::setup(ctx, caller(&principal)?).await
            }
            "/api/me/mfa/totp/confirm" => {
                crate::mfa::flows::enroll::confirm(ctx, caller(&principal)?).await
            }
            "/api/me/mfa/totp" => password_route(ctx, route, caller(&principal)?).await,
            "/api/admin/data-keys/sweep" => {
                crate::crypto::rotation::sweep::handle(ctx, caller(&principal)?).await
            }
            "/api/admin/sessions/revoke-all" => {
                session::kill_switch::revoke_all_sessions(ctx, caller(&principal)?).await
            }
            _ => Err(ApiError::NotFound),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
