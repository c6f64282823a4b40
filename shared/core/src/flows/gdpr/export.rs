//! The data export: `GET /api/me/export` → `200` JSON, as an attachment (docs/contract.md §6;
//! GDPR Art. 15 and 20).
//!
//! Everything held about the caller, by record kind:
//!
//! | field | source |
//! |---|---|
//! | `profile` | the user record: id, email, email_verified, disabled, created_at, last_login_at |
//! | `roles` | the user record |
//! | `identities` | each linked provider account: provider, subject, the address it asserted, when linked; `password_set` |
//! | `mfa` | status only ([`crate::flows::mfa::MfaStatus`]): on/off, since when, recovery codes left — never the secret, its ciphertext or the code hashes |
//! | `sessions` | every stored session, live or revoked (tombstones), without token hashes |
//! | `passkeys` | every registered passkey as stored: its public data (`credential_id`, `public_key` — the COSE key —, the COSE `algorithm`, `aaguid`, `transports`, `backup_eligible`, `backup_state`, `sign_count`), `name`, `created_at`, `last_used_at`, `counter_regressed_at`; `profile.webauthn_user_handle` is the handle authenticators store |
//! | `consents` | [`super::consents`] |
//! | `documents.owned` | documents the caller owns, with their shares |
//! | `documents.shared_with_me` | documents shared with the caller, with the caller's level (not the other sharees) |
//! | `activity` | the caller's audit events (subject or actor), newest first |
//!
//! `activity` holds at most [`MAX_ACTIVITY`] events (one store read each, bounded per
//! request); `activity_complete: false` says there are older ones, which
//! `GET /api/me/activity` pages through. The export is audited (`data_exported`);
//! that event is written after the response, so it appears in the next export.
//!
//! What is *not* exported, and why: the password hash, refresh-token hashes, TOTP
//! secrets and recovery-code hashes (credentials, not information about the person,
//! and handing them out would weaken the account); the email index and the
//! directory entry (derived keys that only point at the records above).
//!
//! Security considerations: the export is for the authenticated caller only — no id
//! in the path; `Content-Disposition: attachment` and the JSON-only CSP keep it from
//! being rendered; `Cache-Control: no-store` (the layer) keeps it out of caches.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

use super::consents;
use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::ApiError;
use crate::flows::audit;
use crate::http::Response;
use crate::model::audit::AuditKind;
use crate::model::document::{self as documents, DocumentRecord, ShareLevel};
use crate::model::passkey;
use crate::model::principal::Principal;
use crate::model::session as sessions;

/// Most audit events in one export.
pub const MAX_ACTIVITY: usize = 500;
/// The attachment's file name.
pub const FILE_NAME: &str = "edgeauth-export.json";

#[derive(Debug, Serialize)]
struct Profile {
    id: String,
    email: String,
    email_verified: bool,
    disabled: bool,
    created_at: String,
    last_login_at: Option<String>,
    webauthn_user_handle: Option<serde_json::Value>,
}

/// A stored passkey as exported: the record (public data only: the credential id, the
/// COSE public key, its COSE `algorithm`, AAGUID, transports, backup flags, counter,
/// name) without the owner's id and the transient removal mark, its times (`…_at_ms`)
/// as RFC 3339 (`…_at`). Read as a JSON value rather than decoded: the Workers `api`
/// links no passkey decoder.
fn passkey_export(stored: &serde_json::Value) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    if let Some(fields) = stored.as_object() {
        for (name, value) in fields {
            match name.strip_suffix("_ms") {
                _ if name == "user_id" || name == "removing_since_ms" => {}
                Some(time) => {
                    let at = value.as_u64().map(encoding::rfc3339);
                    out.insert(time.into(), at.into());
                }
                None => {
                    out.insert(name.clone(), value.clone());
                }
            }
        }
    }
    serde_json::Value::Object(out)
}

#[derive(Debug, Serialize)]
struct SessionView {
    id: String,
    created_at: String,
    last_used_at: String,
    ends_at: String,
    user_agent: Option<String>,
    ip_prefix: Option<String>,
    mode: &'static str,
    revoked: bool,
}

#[derive(Debug, Serialize)]
struct ShareView {
    user_id: String,
    permission: ShareLevel,
}

#[derive(Debug, Serialize)]
struct OwnedDocument {
    id: String,
    title: String,
    body: String,
    created_at: String,
    updated_at: String,
    shares: Vec<ShareView>,
}

#[derive(Debug, Serialize)]
struct SharedDocument {
    id: String,
    owner_id: String,
    title: String,
    body: String,
    created_at: String,
    updated_at: String,
    permission: ShareLevel,
}

#[derive(Debug, Serialize)]
struct Documents {
    owned: Vec<OwnedDocument>,
    shared_with_me: Vec<SharedDocument>,
}

/// A linked provider account: the provider, its subject and address as stored.
#[derive(Debug, Serialize)]
struct IdentityView {
    provider: String,
    subject: String,
    email: Option<String>,
    linked_at: String,
}

#[derive(Debug, Serialize)]
struct Export {
    format: &'static str,
    exported_at: String,
    profile: Profile,
    roles: Vec<String>,
    mfa: crate::model::user::mfa::MfaStatus,
    password_set: bool,
    identities: Vec<IdentityView>,
    sessions: Vec<SessionView>,
    passkeys: Vec<serde_json::Value>,
    consents: serde_json::Value,
    documents: Documents,
    activity: Vec<serde_json::Value>,
    activity_complete: bool,
}

fn identities<S: Services>(
    ctx: &Ctx<'_, S>,
    user: &crate::model::user::UserRecord,
) -> Result<Vec<IdentityView>, ApiError> {
    user.identities
        .iter()
        .map(|identity| {
            Ok(IdentityView {
                provider: identity.provider.clone(),
                subject: identity.subject(ctx.config, &user.id)?,
                email: identity.email(ctx.config, &user.id)?,
                linked_at: encoding::rfc3339(identity.linked_at_ms),
            })
        })
        .collect()
}

fn owned(document: DocumentRecord) -> OwnedDocument {
    OwnedDocument {
        created_at: encoding::rfc3339(document.created_at_ms),
        updated_at: encoding::rfc3339(document.updated_at_ms),
        shares: document
            .shares
            .into_iter()
            .map(|(user_id, permission)| ShareView {
                user_id,
                permission,
            })
            .collect(),
        id: document.id,
        title: document.title,
        body: document.body,
    }
}

/// `GET /api/me/export`.
pub async fn handle<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let atomic = ctx.services.atomic();
    let user = &principal.user;
    let user_id = principal.user_id();

    let mut session_views: Vec<SessionView> = sessions::list_raw(atomic, user_id)
        .await?
        .into_iter()
        .map(|(session, _)| SessionView {
            ends_at: encoding::rfc3339(session.ends_at_ms(ctx.config)),
            created_at: encoding::rfc3339(session.created_at_ms),
            last_used_at: encoding::rfc3339(session.last_used_at_ms),
            mode: session.mode.as_str(),
            revoked: session.revoked,
            user_agent: session.user_agent,
            ip_prefix: session.ip_prefix,
            id: session.id,
        })
        .collect();
    session_views.sort_by(|a, b| b.created_at.cmp(&a.created_at));

    let mut own = Vec::new();
    let mut shared = Vec::new();
    let mut index = documents::index_of(atomic, user_id).await?;
    index.sort_by(|a, b| b.1.since_ms.cmp(&a.1.since_ms).then_with(|| a.0.cmp(&b.0)));
    for (document_id, _) in index {
        let Some((document, _)) = documents::load_raw(atomic, &document_id).await? else {
            continue;
        };
        if document.owner_id == user_id {
            own.push(owned(document));
        } else if let Some(permission) = document.shares.get(user_id).copied() {
            shared.push(SharedDocument {
                created_at: encoding::rfc3339(document.created_at_ms),
                updated_at: encoding::rfc3339(document.updated_at_ms),
                permission,
                id: document.id,
                owner_id: document.owner_id,
                title: document.title,
                body: document.body,
            });
        }
    }

    let passkeys = passkey::list_values(atomic, user_id)
        .await?
        .iter()
        .map(passkey_export)
        .collect();
    let (consents, _) = consents::load(atomic, user_id).await?;
    let (activity, activity_complete) =
        audit::query::all_of_user(ctx.services.records(), user_id, MAX_ACTIVITY).await?;

    let export = Export {
        format: "edgeauth-export/1",
        exported_at: encoding::rfc3339(ctx.now_ms),
        profile: Profile {
            id: user.id.clone(),
            email: user.email_address(ctx.config)?,
            email_verified: user.email_verified,
            disabled: user.disabled,
            created_at: encoding::rfc3339(user.created_at_ms),
            last_login_at: user.last_login_at_ms.map(encoding::rfc3339),
            webauthn_user_handle: user.other.get(passkey::USER_HANDLE_FIELD).cloned(),
        },
        roles: user.roles.clone(),
        mfa: crate::model::user::mfa::status(user),
        password_set: user.has_password(),
        identities: identities(ctx, user)?,
        sessions: session_views,
        passkeys,
        consents: consents::view(&consents)
            .get("consents")
            .cloned()
            .unwrap_or_default(),
        documents: Documents {
            owned: own,
            shared_with_me: shared,
        },
        activity,
        activity_complete,
    };
    ctx.audit(AuditKind::DataExported, Some(user_id), Some(user_id), &[])?;
    let mut response = Response::json(200, &export);
    response.set_header(
        "Content-Disposition",
        &alloc::format!("attachment; filename=\"{FILE_NAME}\""),
    );
    Ok(response)
}
