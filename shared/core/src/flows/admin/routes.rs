//! The handlers of `/api/admin/users…` (docs/contract.md §6). The route table's permission
//! gate has already required the matching admin permission; these handlers decide
//! on the target user.
//!
//! | route | success | audited |
//! |---|---|---|
//! | `GET /api/admin/users?limit=&cursor=` | `200 {"users", "next_cursor"}` | — |
//! | `PUT /api/admin/users/{id}/roles {roles}` | `200 {id, roles}` | `role_changed` (when changed) |
//! | `POST /api/admin/users/{id}/disable` | `204` | `user_disabled` (when changed) |
//! | `POST /api/admin/users/{id}/enable` | `204` | `user_enabled` (when changed) |
//! | `DELETE /api/admin/users/{id}/sessions` | `204` | `session_revoked` |
//!
//! Choices this module makes (stated in docs/contract.md):
//! - `roles` may hold only `user`, `auditor`, `admin` (else `400`); `user` is always
//!   kept, whether or not it is listed; the stored order is `user, auditor, admin`.
//! - Taking `admin` from, disabling or erasing the last enabled admin is
//!   `400 invalid_request` with a detail ([`crate::model::admins`]). An admin may drop
//!   their own `admin` role while another admin remains.
//! - An admin cannot disable their own account (`400`): it would end the session
//!   they are acting from and could lock the deployment out; another admin must do
//!   it.
//! - Disabling revokes every session of the user *and* the user record's `disabled`
//!   flag is checked by every authenticated request ([`crate::flows::auth`]), so the user's
//!   access tokens fail at their next request, on every function, whatever their
//!   `exp`. Enabling does not bring sessions back: the user signs in again. Disabling
//!   and "revoke sessions" both move the user's session epoch on
//!   ([`crate::policy::session_epoch`]), so a login in flight does not survive them either.
//! - Repeating a disable/enable is `204` without a second audit event (idempotent).
//! - Unknown or malformed user ids are `404`.
//!
//! Security considerations: every change names the acting admin as `actor_id` and
//! the target as `subject_id`; details hold role names and counts, never an
//! address. The access review includes addresses (it is the admin's job to see
//! them) and MFA status only (never secrets).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::ApiError;
use crate::flows::sessions;
use crate::http::{body, Response};
use crate::model::admins;
use crate::model::audit::AuditKind;
use crate::model::principal::Principal;
use crate::model::user::{self, UserRecord, ROLE_ADMIN};
use crate::policy::paging::{self, Position};
use crate::policy::rbac::Role;

/// Users per page of the access review when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest `limit` of the access review.
pub const MAX_LIMIT: usize = 200;
const SCOPE: &str = "admin-users";

#[derive(Debug, Serialize)]
struct UserView {
    id: String,
    email: String,
    roles: Vec<String>,
    disabled: bool,
    email_verified: bool,
    mfa_enabled: bool,
    created_at: String,
    last_login_at: Option<String>,
}

impl UserView {
    fn of<S: Services>(ctx: &Ctx<'_, S>, user: UserRecord) -> Result<Self, ApiError> {
        Ok(Self {
            email: user.email_address(ctx.config)?,
            mfa_enabled: crate::model::user::mfa::status(&user).totp_enabled,
            disabled: user.disabled,
            email_verified: user.email_verified,
            created_at: encoding::rfc3339(user.created_at_ms),
            last_login_at: user.last_login_at_ms.map(encoding::rfc3339),
            roles: user.roles,
            id: user.id,
        })
    }
}

#[derive(Debug, Serialize)]
struct UserPage {
    users: Vec<UserView>,
    next_cursor: Option<String>,
}

/// `GET /api/admin/users?limit=&cursor=` → the access review, one page.
pub async fn list_users<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let limit = paging::limit_param(
        ctx.request.query_param("limit").as_deref(),
        DEFAULT_LIMIT,
        MAX_LIMIT,
        "limit: an integer from 1 to 200",
    )?;
    let cursor = ctx.request.query_param("cursor");
    let start = Position::open(ctx.config, SCOPE, cursor.as_deref())?;
    let (keys, next) = paging::take_keys(
        ctx.services.records(),
        user::DIRECTORY_PREFIX,
        &start,
        limit,
    )
    .await?;
    let mut users = Vec::with_capacity(keys.len());
    for key in &keys {
        let Some(id) = key.strip_prefix(user::DIRECTORY_PREFIX) else {
            continue;
        };
        // Erased accounts may linger in the directory for a moment (KV) or until the
        // retention sweep prunes them: skip what has no profile.
        if let Some(record) = user::load(ctx.services.atomic(), id).await? {
            users.push(UserView::of(ctx, record)?);
        }
    }
    Ok(Response::json(
        200,
        &UserPage {
            users,
            next_cursor: next.map(|next| next.seal(ctx.config, SCOPE)),
        },
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesBody {
    roles: Vec<String>,
}

/// The canonical role list for a request: known roles only, `user` always, in
/// privilege order, without duplicates.
pub fn canonical_roles(requested: &[String]) -> Result<Vec<String>, ApiError> {
    if requested.len() > 8 {
        return Err(ApiError::InvalidRequest(
            "roles: at most user, auditor, admin",
        ));
    }
    let mut roles = alloc::vec![Role::User];
    for name in requested {
        let role = Role::parse(name).ok_or(ApiError::InvalidRequest(
            "roles: only user, auditor and admin exist",
        ))?;
        roles.push(role);
    }
    roles.sort();
    roles.dedup();
    Ok(roles
        .into_iter()
        .map(|role| role.as_str().to_string())
        .collect())
}

fn difference<'a>(a: &'a [String], b: &[String]) -> Vec<&'a str> {
    a.iter()
        .filter(|role| !b.contains(role))
        .map(String::as_str)
        .collect()
}

async fn load_target<S: Services>(ctx: &Ctx<'_, S>, user_id: &str) -> Result<UserRecord, ApiError> {
    user::load(ctx.services.atomic(), user_id)
        .await?
        .ok_or(ApiError::NotFound)
}

#[derive(Debug, Serialize)]
struct RolesView<'a> {
    id: &'a str,
    roles: &'a [String],
}

/// `PUT /api/admin/users/{id}/roles {roles}` → `200 {id, roles}`.
pub async fn set_roles<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    user_id: &str,
) -> Result<Response, ApiError> {
    let request: RolesBody = body::parse_json(ctx.request)?;
    let roles = canonical_roles(&request.roles)?;
    let target = load_target(ctx, user_id).await?;
    let (atomic, records) = (ctx.services.atomic(), ctx.services.records());
    let was_admin = target.has_role(ROLE_ADMIN);
    let will_be_admin = roles.iter().any(|role| role == ROLE_ADMIN);
    if was_admin && !will_be_admin {
        admins::remove_guarded(atomic, records, user_id).await?;
    } else if will_be_admin && !target.disabled {
        admins::add(atomic, records, user_id).await?;
    }
    let mut before = Vec::new();
    let updated = user::update(ctx.services.atomic(), user_id, |stored| {
        before.clone_from(&stored.roles);
        if stored.roles == roles {
            return false;
        }
        stored.roles.clone_from(&roles);
        true
    })
    .await?
    .ok_or(ApiError::NotFound)?;
    // This isolate's snapshots of the user carry the old roles; others' end within
    // the revocation bound.
    ctx.memory.sessions.forget_user(user_id);
    let granted = difference(&roles, &before).join(",");
    let revoked = difference(&before, &roles).join(",");
    if !granted.is_empty() || !revoked.is_empty() {
        ctx.audit(
            AuditKind::RoleChanged,
            Some(principal.user_id()),
            Some(user_id),
            &[("granted", &granted), ("revoked", &revoked)],
        )?;
    }
    Ok(Response::json(
        200,
        &RolesView {
            id: &updated.id,
            roles: &updated.roles,
        },
    ))
}

/// `POST /api/admin/users/{id}/disable` → `204`: the user can no longer sign in,
/// refresh or use a token, and every session is revoked.
pub async fn disable<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    user_id: &str,
) -> Result<Response, ApiError> {
    if user_id == principal.user_id() {
        return Err(ApiError::InvalidRequest(
            "an administrator cannot disable their own account",
        ));
    }
    let target = load_target(ctx, user_id).await?;
    if target.has_role(ROLE_ADMIN) && !target.disabled {
        admins::remove_guarded(ctx.services.atomic(), ctx.services.records(), user_id).await?;
    }
    let mut changed = false;
    user::update(ctx.services.atomic(), user_id, |stored| {
        changed = !stored.disabled;
        stored.disabled = true;
        // A new session epoch in the same swap: a login that checked the password
        // before this must not leave a session that enabling would bring back.
        crate::policy::session_epoch::advance(stored, None);
        true
    })
    .await?
    .ok_or(ApiError::NotFound)?;
    // Revoke even when it was already disabled: a repeat must leave nothing live.
    let revoked = sessions::revoke_all(ctx, user_id, None).await?;
    if changed {
        let count = revoked.to_string();
        ctx.audit(
            AuditKind::UserDisabled,
            Some(principal.user_id()),
            Some(user_id),
            &[("sessions_revoked", &count)],
        )?;
    }
    Ok(Response::empty(204))
}

/// `POST /api/admin/users/{id}/enable` → `204`.
pub async fn enable<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    user_id: &str,
) -> Result<Response, ApiError> {
    let target = load_target(ctx, user_id).await?;
    if target.has_role(ROLE_ADMIN) {
        admins::add(ctx.services.atomic(), ctx.services.records(), user_id).await?;
    }
    let mut changed = false;
    user::update(ctx.services.atomic(), user_id, |stored| {
        changed = stored.disabled;
        stored.disabled = false;
        changed
    })
    .await?
    .ok_or(ApiError::NotFound)?;
    if changed {
        ctx.audit(
            AuditKind::UserEnabled,
            Some(principal.user_id()),
            Some(user_id),
            &[],
        )?;
    }
    Ok(Response::empty(204))
}

/// `DELETE /api/admin/users/{id}/sessions` → `204`: every live session of the user
/// is revoked (their next request with any of its tokens is `401`).
pub async fn revoke_sessions<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    user_id: &str,
) -> Result<Response, ApiError> {
    load_target(ctx, user_id).await?;
    let revoked = sessions::epoch::end_all(ctx, user_id).await?;
    let count = revoked.to_string();
    ctx.audit(
        AuditKind::SessionRevoked,
        Some(principal.user_id()),
        Some(user_id),
        &[("scope", "all"), ("by", "admin"), ("count", &count)],
    )?;
    Ok(Response::empty(204))
}
