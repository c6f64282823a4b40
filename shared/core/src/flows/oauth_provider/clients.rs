//! The administrators' management of OAuth clients (permission
//! `oauth_clients:manage`, role `admin`), and creating a client (shared with dynamic
//! registration).
//!
//! | route | success | audited |
//! |---|---|---|
//! | `GET /oauth/admin/clients?limit=&cursor=` | `200 {"clients", "next_cursor"}` | — |
//! | `POST /oauth/admin/clients` (client metadata, as registration) | `201` the client, with `client_secret` once | `oauth_client_created` |
//! | `GET /oauth/admin/clients/{id}` | `200` the client | — |
//! | `POST /oauth/admin/clients/{id}/disable`, `/enable` | `204` | `oauth_client_disabled` / `_enabled` (when changed) |
//! | `DELETE /oauth/admin/clients/{id}` | `204` | `oauth_client_deleted` |
//!
//! Security considerations: disabling or deleting a client takes effect at the next
//! request to any endpoint (every one reads the client from strongly consistent
//! storage): no authorization, no code exchange, no refresh, no introspection or
//! userinfo answer for its tokens; the secret is shown once, at creation, and stored
//! as its hash; views never include the hash or the key set's private members (there
//! are none: private keys are refused at registration).

use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::oauth_provider::client::{self, AuthMethod, ClientRecord};
use crate::model::principal::Principal;
use crate::model::user;
use crate::policy::oauth_provider::error::{self};
use crate::policy::oauth_provider::metadata::{self, Metadata, Valid};
use crate::policy::paging::{self, Position};

/// Clients per page when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest `limit`.
pub const MAX_LIMIT: usize = 200;
const SCOPE: &str = "oauth-clients";
const ATTEMPTS: usize = 6;

/// A client as the registration answer (RFC 7591 §3.2.1) and the admin API show it.
#[derive(Debug, Serialize)]
pub struct ClientView {
    client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    client_id_issued_at: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret_expires_at: Option<u64>,
    client_name: String,
    redirect_uris: Vec<String>,
    post_logout_redirect_uris: Vec<String>,
    grant_types: Vec<&'static str>,
    response_types: [&'static str; 1],
    token_endpoint_auth_method: &'static str,
    id_token_signed_response_alg: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    jwks: Option<serde_json::Value>,
    dynamic: bool,
    disabled: bool,
    created_at: String,
}

impl ClientView {
    /// The view of `client`, with its new `secret` when it was just created.
    pub fn of(client: &ClientRecord, secret: Option<&str>) -> Self {
        let mut grant_types = alloc::vec!["authorization_code"];
        if client.refresh_tokens {
            grant_types.push("refresh_token");
        }
        Self {
            client_id: client.id.clone(),
            client_secret: secret.map(String::from),
            client_id_issued_at: client.created_at_ms / 1000,
            client_secret_expires_at: client.auth_method.uses_secret().then_some(0),
            client_name: client.name.clone(),
            redirect_uris: client.redirect_uris.clone(),
            post_logout_redirect_uris: client.post_logout_redirect_uris.clone(),
            grant_types,
            response_types: ["code"],
            token_endpoint_auth_method: client.auth_method.as_str(),
            id_token_signed_response_alg: client.id_token_alg.as_str(),
            jwks: client
                .jwks
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok()),
            dynamic: client.dynamic,
            disabled: client.disabled,
            created_at: encoding::rfc3339(client.created_at_ms),
        }
    }
}

/// Creates a client from validated metadata; returns it and its secret (secret
/// methods only). `dynamic`: registered by itself; `admin`: the creating admin.
pub async fn create<S: Services>(
    ctx: &Ctx<'_, S>,
    valid: Valid,
    dynamic: bool,
    admin: Option<&str>,
) -> Result<(ClientRecord, Option<String>), ApiError> {
    let random = ctx.services.random();
    let secret = if valid.auth_method.uses_secret() {
        let bytes: [u8; 32] = crate::env::random_array(random)?;
        Some(encoding::b64url(&bytes))
    } else {
        None
    };
    let record = ClientRecord {
        id: user::new_id(random)?,
        name: valid.name,
        redirect_uris: valid.redirect_uris,
        post_logout_redirect_uris: valid.post_logout_redirect_uris,
        auth_method: valid.auth_method,
        secret_hash: secret.as_deref().map(client::secret_hash),
        jwks: valid.jwks,
        refresh_tokens: valid.refresh_tokens,
        id_token_alg: valid.id_token_alg,
        dynamic,
        created_at_ms: ctx.now_ms,
        created_by: admin.map(String::from),
        disabled: false,
    };
    if !client::swap(ctx.services.atomic(), None, Some(&record), &record.id).await? {
        return Err(ApiError::Unavailable(Internal("client id collision")));
    }
    client::directory_add(ctx.services.records(), &record.id).await?;
    Ok((record, secret))
}

#[derive(Serialize)]
struct ClientPage {
    clients: Vec<ClientView>,
    next_cursor: Option<String>,
}

/// `GET /oauth/admin/clients`.
pub async fn list<S: Services>(ctx: &Ctx<'_, S>, _admin: &Principal) -> Result<Response, ApiError> {
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
        client::DIRECTORY_PREFIX,
        &start,
        limit,
    )
    .await?;
    let mut clients = Vec::with_capacity(keys.len());
    for key in &keys {
        let Some(id) = key.strip_prefix(client::DIRECTORY_PREFIX) else {
            continue;
        };
        // A deleted client may linger in the (eventually consistent) directory.
        if let Some(record) = client::load(ctx.services.atomic(), id).await? {
            clients.push(ClientView::of(&record, None));
        }
    }
    Ok(Response::json(
        200,
        &ClientPage {
            clients,
            next_cursor: next.map(|next| next.seal(ctx.config, SCOPE)),
        },
    ))
}

/// `POST /oauth/admin/clients`.
pub async fn add<S: Services>(ctx: &Ctx<'_, S>, admin: &Principal) -> Result<Response, ApiError> {
    let metadata: Metadata = body::parse_json(ctx.request)?;
    let valid = match metadata::validate(ctx.config, metadata) {
        Ok(valid) => valid,
        Err(error) => return Ok(error::json(error, false)),
    };
    let (record, secret) = create(ctx, valid, false, Some(admin.user_id())).await?;
    ctx.audit(
        AuditKind::OauthClientCreated,
        Some(admin.user_id()),
        None,
        &[
            ("client_id", record.id.as_str()),
            ("auth_method", record.auth_method.as_str()),
        ],
    )?;
    Ok(Response::json(
        201,
        &ClientView::of(&record, secret.as_deref()),
    ))
}

/// `GET /oauth/admin/clients/{id}`.
pub async fn show<S: Services>(
    ctx: &Ctx<'_, S>,
    _admin: &Principal,
    id: &str,
) -> Result<Response, ApiError> {
    let record = client::load(ctx.services.atomic(), id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Response::json(200, &ClientView::of(&record, None)))
}

/// `POST /oauth/admin/clients/{id}/disable` (`disabled = true`) and `/enable`.
pub async fn set_disabled<S: Services>(
    ctx: &Ctx<'_, S>,
    admin: &Principal,
    id: &str,
    disabled: bool,
) -> Result<Response, ApiError> {
    let atomic = ctx.services.atomic();
    for _ in 0..ATTEMPTS {
        let (record, raw) = client::load_raw(atomic, id)
            .await?
            .ok_or(ApiError::NotFound)?;
        if record.disabled == disabled {
            return Ok(Response::empty(204));
        }
        let mut changed = record.clone();
        changed.disabled = disabled;
        if client::swap(atomic, Some(&raw), Some(&changed), id).await? {
            let kind = if disabled {
                AuditKind::OauthClientDisabled
            } else {
                AuditKind::OauthClientEnabled
            };
            ctx.audit(kind, Some(admin.user_id()), None, &[("client_id", id)])?;
            return Ok(Response::empty(204));
        }
    }
    Err(ApiError::Unavailable(Internal("client update contended")))
}

/// `DELETE /oauth/admin/clients/{id}`.
pub async fn delete<S: Services>(
    ctx: &Ctx<'_, S>,
    admin: &Principal,
    id: &str,
) -> Result<Response, ApiError> {
    let atomic = ctx.services.atomic();
    for _ in 0..ATTEMPTS {
        let (_, raw) = client::load_raw(atomic, id)
            .await?
            .ok_or(ApiError::NotFound)?;
        if client::swap(atomic, Some(&raw), None, id).await? {
            client::directory_remove(ctx.services.records(), id).await?;
            ctx.audit(
                AuditKind::OauthClientDeleted,
                Some(admin.user_id()),
                None,
                &[("client_id", id)],
            )?;
            return Ok(Response::empty(204));
        }
    }
    Err(ApiError::Unavailable(Internal("client deletion contended")))
}

/// Whether `method` is offered (for discovery).
pub fn auth_methods() -> Vec<&'static str> {
    AuthMethod::ALL
        .iter()
        .map(|method| method.as_str())
        .collect()
}
