//! `GET /api/me` (docs/contract.md §6): the caller's own profile.
//!
//! Security considerations: answers only for the authenticated caller (no id in the
//! path to tamper with); the password hash and internal fields are never included.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::ApiError;
use crate::http::Response;
use crate::model::principal::Principal;

#[derive(Serialize)]
struct Me {
    id: String,
    email: String,
    roles: Vec<String>,
    email_verified: bool,
    mfa_enabled: bool,
    created_at: String,
}

/// `GET /api/me` → `200 {id, email, roles, email_verified, mfa_enabled, created_at}`.
/// The caller is the route gate's principal: authenticated once per request.
pub async fn handle<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let user = &principal.user;
    Ok(Response::json(
        200,
        &Me {
            email: user.email_address(ctx.config)?,
            email_verified: user.email_verified,
            mfa_enabled: user.mfa_enabled,
            created_at: encoding::rfc3339(user.created_at_ms),
            roles: user.roles.clone(),
            id: user.id.clone(),
        },
    ))
}
