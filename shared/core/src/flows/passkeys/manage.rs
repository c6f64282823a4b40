//! The signed-in user's passkeys (docs/contract.md §6): list, registration options,
//! rename, remove, and the options of a passkey re-authentication. None of these
//! verifies a WebAuthn response, so they need no `edgeauth-webauthn` and run in the
//! Workers `api`; the two routes that do verify one (`POST /api/me/passkeys`,
//! `POST /api/me/reauthenticate`) are forwarded to `login` ([`super::register`],
//! [`super::reauth`]).
//!
//! - `GET /api/me/passkeys` → `200 {"passkeys": [view…]}`, oldest first.
//! - `POST /api/me/passkeys/options` → `200 {"options": creation options}`: needs a
//!   recent authentication (`403 reauthentication_required`), at most
//!   [`MAX_PER_USER`] passkeys (`400`). Makes the user handle at the first
//!   registration (32 random bytes, kept on the user record).
//! - `PUT /api/me/passkeys/{id} {name}` → `200` view.
//! - `DELETE /api/me/passkeys/{id}` → `204`: needs a recent authentication; refuses the
//!   last sign-in method (`400`, [`crate::model::sign_in_methods`]); audited
//!   `passkey_removed`; the owner gets a security notice ([`crate::flows::notices`]).
//! - `POST /api/me/reauthenticate/options` → `200 {"options": request options}` for the
//!   user's own passkeys (`400` when there are none: re-authenticate with the password).
//!
//! Security considerations: an id that is malformed, unknown or another user's is `404`
//! (the passkey is read from the caller's own shard); recency is the session's, as
//! stored ([`crate::policy::reauth`]); a removal marks the passkey before it counts the
//! remaining methods, so concurrent removals cannot remove the last one.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{enabled, options};
use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::flows::notices::{self, SecurityNotice};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::ceremony::{self, Ceremony, Purpose};
use crate::model::passkey::{self, PasskeyRecord, MAX_NAME_CHARS, MAX_PER_USER};
use crate::model::principal::Principal;
use crate::model::sign_in_methods;
use crate::model::user;
use crate::policy::reauth;

/// Bytes of a user handle (WebAuthn allows up to 64).
pub const USER_HANDLE_BYTES: usize = 32;

const NAME_DETAIL: &str = "name: 1 to 64 characters, no control characters";

/// What the API shows of a passkey: no key material, no counter.
pub fn view(passkey: &PasskeyRecord) -> Value {
    let algorithm = crate::crypto::signature::Algorithm::from_cose_id(passkey.algorithm)
        .map(|algorithm| algorithm.jose_name());
    json!({
        "id": passkey.id,
        "name": passkey.name,
        "created_at": encoding::rfc3339(passkey.created_at_ms),
        "last_used_at": passkey.last_used_at_ms.map(encoding::rfc3339),
        "backup_eligible": passkey.backup_eligible,
        "backed_up": passkey.backup_state,
        "algorithm": algorithm,
        "counter_regressed_at": passkey.counter_regressed_at_ms.map(encoding::rfc3339),
    })
}

/// `403 reauthentication_required` unless the caller authenticated recently.
pub fn require_recent(principal: &Principal, now_ms: u64) -> Result<(), ApiError> {
    if reauth::is_recent(&principal.session, now_ms) {
        Ok(())
    } else {
        Err(ApiError::ReauthenticationRequired)
    }
}

/// A passkey name as given: trimmed, 1–64 characters, no control characters.
pub fn check_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    body::check_length(name, 1, MAX_NAME_CHARS, NAME_DETAIL)?;
    if name.chars().any(char::is_control) {
        return Err(ApiError::InvalidRequest(NAME_DETAIL));
    }
    Ok(name.into())
}

/// `GET /api/me/passkeys`.
pub async fn list<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    enabled(ctx)?;
    let passkeys: Vec<Value> = passkey::list(ctx.services.atomic(), principal.user_id())
        .await?
        .iter()
        .map(|(passkey, _)| view(passkey))
        .collect();
    Ok(Response::json(200, &json!({"passkeys": passkeys})))
}

/// The user's WebAuthn user handle, made (and stored) if they have none yet.
async fn user_handle<S: Services>(ctx: &Ctx<'_, S>, user_id: &str) -> Result<String, ApiError> {
    let fresh: [u8; USER_HANDLE_BYTES] = crate::env::random_array(ctx.services.random())?;
    let fresh = encoding::b64url(&fresh);
    let stored = user::update(ctx.services.atomic(), user_id, |user| {
        if passkey::user_handle(user).is_some() {
            return false;
        }
        user.other
            .insert(passkey::USER_HANDLE_FIELD.into(), fresh.clone().into());
        true
    })
    .await?
    .ok_or(ApiError::Unauthenticated)?;
    passkey::user_handle(&stored)
        .map(String::from)
        .ok_or(ApiError::Internal(Internal("user handle not stored")))
}

/// `POST /api/me/passkeys/options`.
pub async fn registration_options<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let passkeys = enabled(ctx)?;
    require_recent(principal, ctx.now_ms)?;
    let atomic = ctx.services.atomic();
    let existing: Vec<PasskeyRecord> = passkey::list(atomic, principal.user_id())
        .await?
        .into_iter()
        .map(|(passkey, _)| passkey)
        .collect();
    if existing.len() >= MAX_PER_USER {
        return Err(ApiError::InvalidRequest(
            "passkeys: an account holds at most 20 passkeys; remove one first",
        ));
    }
    let address = principal.user.email_address(ctx.config)?;
    let handle = user_handle(ctx, principal.user_id()).await?;
    let challenge = ceremony::issue(
        atomic,
        ctx.services.random(),
        &Ceremony {
            purpose: Purpose::Register,
            user_id: Some(principal.user_id().into()),
            session_id: Some(principal.session_id().into()),
            mfa_shard: None,
            expires_at_ms: ctx.now_ms.saturating_add(ceremony::TTL_MS),
        },
    )
    .await?;
    let answer = options::creation(&options::Creation {
        rp_id: &passkeys.rp_id,
        rp_name: &ctx.config.pages.product_name,
        user_handle: &handle,
        user_name: &address,
        challenge: &challenge,
        exclude: &existing,
    });
    Ok(Response::json(200, &answer))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameBody {
    name: String,
}

/// `PUT /api/me/passkeys/{id} {name}`.
pub async fn rename<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    id: &str,
) -> Result<Response, ApiError> {
    enabled(ctx)?;
    let request: RenameBody = body::parse_json(ctx.request)?;
    let name = check_name(&request.name)?;
    let atomic = ctx.services.atomic();
    for _ in 0..6 {
        let (mut record, raw) = passkey::load(atomic, principal.user_id(), id)
            .await?
            .ok_or(ApiError::NotFound)?;
        record.name.clone_from(&name);
        if passkey::swap(atomic, &raw, &record).await? {
            return Ok(Response::json(200, &view(&record)));
        }
    }
    Err(ApiError::Unavailable(Internal("passkey update contended")))
}

/// `DELETE /api/me/passkeys/{id}`.
pub async fn remove<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    id: &str,
) -> Result<Response, ApiError> {
    enabled(ctx)?;
    require_recent(principal, ctx.now_ms)?;
    // Read before anything changes: an unreadable address fails now (`503`).
    let address = principal.user.email_address(ctx.config)?;
    let atomic = ctx.services.atomic();
    let now = ctx.now_ms;
    // 1. Mark it: from now on other removals do not count it as a method.
    let (marked, marked_raw) = mark(ctx, principal.user_id(), id, Some(now)).await?;
    // 2. Count what remains besides every marked method (the user record read afresh:
    // a concurrent unlink's mark is in it).
    let methods = sign_in_methods::count(atomic, principal.user_id(), now)
        .await?
        .map_or(0, |methods| methods.count());
    if methods == 0 {
        mark(ctx, principal.user_id(), id, None).await?;
        return Err(ApiError::InvalidRequest(
            "passkeys: the last way to sign in cannot be removed; add a password, another passkey or a linked account first",
        ));
    }
    // 3. Remove it (index entry, then record).
    if !passkey::remove(atomic, &marked, &marked_raw).await? {
        return Err(ApiError::Unavailable(Internal("passkey removal contended")));
    }
    ctx.audit(
        AuditKind::PasskeyRemoved,
        Some(principal.user_id()),
        Some(principal.user_id()),
        &[("passkey_id", &marked.id)],
    )?;
    let notice = SecurityNotice::PasskeyRemoved { name: &marked.name };
    notices::notify(ctx, principal.user_id(), &address, notice).await?;
    Ok(Response::empty(204))
}

/// Sets (or clears) the removal mark of passkey `id`; `404` when it is not the user's.
async fn mark<S: Services>(
    ctx: &Ctx<'_, S>,
    user_id: &str,
    id: &str,
    since: Option<u64>,
) -> Result<(PasskeyRecord, String), ApiError> {
    let atomic = ctx.services.atomic();
    for _ in 0..6 {
        let (mut record, raw) = passkey::load(atomic, user_id, id)
            .await?
            .ok_or(ApiError::NotFound)?;
        record.removing_since_ms = since;
        let new = serde_json::to_string(&record)
            .map_err(|_| ApiError::Internal(Internal("passkey encoding")))?;
        if passkey::swap(atomic, &raw, &record).await? {
            return Ok((record, new));
        }
    }
    Err(ApiError::Unavailable(Internal("passkey update contended")))
}

/// `POST /api/me/reauthenticate/options`.
pub async fn reauthentication_options<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let passkeys = enabled(ctx)?;
    let atomic = ctx.services.atomic();
    let own: Vec<PasskeyRecord> = passkey::list(atomic, principal.user_id())
        .await?
        .into_iter()
        .map(|(passkey, _)| passkey)
        .collect();
    if own.is_empty() {
        return Err(ApiError::InvalidRequest(
            "passkeys: no passkey is registered; confirm with the password",
        ));
    }
    let challenge = ceremony::issue(
        atomic,
        ctx.services.random(),
        &Ceremony {
            purpose: Purpose::Reauthenticate,
            user_id: Some(principal.user_id().into()),
            session_id: Some(principal.session_id().into()),
            mfa_shard: None,
            expires_at_ms: ctx.now_ms.saturating_add(ceremony::TTL_MS),
        },
    )
    .await?;
    Ok(Response::json(
        200,
        &options::request(
            &passkeys.rp_id,
            &challenge,
            &own,
            options::Verification::Required,
        ),
    ))
}
