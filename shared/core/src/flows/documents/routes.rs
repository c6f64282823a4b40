//! The handlers of `/api/documents…` (docs/contract.md §6).
//!
//! | route | success | object rule ([`crate::policy::documents`]) |
//! |---|---|---|
//! | `POST /api/documents {title, body}` | `201` document | — (the caller becomes the owner) |
//! | `GET /api/documents?limit=&cursor=` | `200 {"documents", "next_cursor"}` | own and shared-with-me |
//! | `GET /api/documents/{id}` | `200` document | owner, sharees, admin |
//! | `PUT /api/documents/{id} {title, body}` | `200` document | owner, `write` sharees |
//! | `DELETE /api/documents/{id}` | `204` | owner |
//! | `POST /api/documents/{id}/shares {user_id, permission}` | `201 {document_id, user_id, permission}` | owner |
//! | `DELETE /api/documents/{id}/shares/{user_id}` | `204` | owner |
//!
//! A document is `{id, title, body, owner_id, created_at, updated_at}`; the owner
//! and an admin also see `shares: [{user_id, permission}]`, in every answer that
//! holds the document (the listing too) — other sharees do not learn who else has
//! access. Posting a share for a user who already has one changes its
//! level. `PUT` replaces title and body (both required).
//!
//! Security considerations: see the module docs of [`super`]. Updates are
//! compare-and-swap on the record just read and re-decided on every retry, so a
//! share revoked meanwhile is honoured.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::{MAX_BODY_CHARS, MAX_OWNED, MAX_SHARES, MAX_TITLE_CHARS};
use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::document::{self, DocumentRecord, IndexEntry, Relation, ShareLevel};
use crate::model::principal::Principal;
use crate::model::user;
use crate::policy::documents::{self, Action, Decision};
use crate::policy::paging;
use crate::policy::rbac::{self, Permission};

/// Documents per listing page when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 20;
/// The largest listing `limit`.
pub const MAX_LIMIT: usize = 50;
/// An index entry younger than this is never pruned: its document write may still
/// be in flight (index first, then the document).
pub const PRUNE_GRACE_MS: u64 = 60_000;
const ATTEMPTS: usize = 6;
const TITLE_DETAIL: &str = "title: 1 to 200 characters";
const BODY_DETAIL: &str = "body: at most 10000 characters";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentBody {
    title: String,
    body: String,
}

impl DocumentBody {
    fn validate(&self) -> Result<(), ApiError> {
        body::check_length(&self.title, 1, MAX_TITLE_CHARS, TITLE_DETAIL)?;
        body::check_length(&self.body, 0, MAX_BODY_CHARS, BODY_DETAIL)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShareBody {
    user_id: String,
    permission: ShareLevel,
}

#[derive(Debug, Serialize)]
struct ShareView<'a> {
    user_id: &'a str,
    permission: ShareLevel,
}

#[derive(Debug, Serialize)]
struct DocumentView<'a> {
    id: &'a str,
    title: &'a str,
    body: &'a str,
    owner_id: &'a str,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    shares: Option<Vec<ShareView<'a>>>,
}

fn view(document: &DocumentRecord, with_shares: bool) -> DocumentView<'_> {
    DocumentView {
        id: &document.id,
        title: &document.title,
        body: &document.body,
        owner_id: &document.owner_id,
        created_at: encoding::rfc3339(document.created_at_ms),
        updated_at: encoding::rfc3339(document.updated_at_ms),
        shares: with_shares.then(|| {
            document
                .shares
                .iter()
                .map(|(user_id, permission)| ShareView {
                    user_id,
                    permission: *permission,
                })
                .collect()
        }),
    }
}

fn read_any(principal: &Principal) -> bool {
    rbac::authorize(&principal.user.roles, Permission::DocumentsReadAny)
}

/// Whether the caller sees the share list: the owner, and an admin.
fn sees_shares(document: &DocumentRecord, principal: &Principal) -> bool {
    document.owner_id == principal.user_id() || read_any(principal)
}

/// Loads a document and decides `action` for the caller (`404`/`403` otherwise).
async fn load_for<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    document_id: &str,
    action: Action,
) -> Result<(DocumentRecord, String, Decision), ApiError> {
    let (document, raw) = document::load_raw(ctx.services.atomic(), document_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let decision = documents::decide(&document, principal.user_id(), read_any(principal), action)
        .into_result()?;
    Ok((document, raw, decision))
}

/// `POST /api/documents {title, body}` → `201` the new document.
pub async fn create<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let request: DocumentBody = body::parse_json(ctx.request)?;
    request.validate()?;
    let atomic = ctx.services.atomic();
    let owner_id = principal.user_id();
    let owned = document::index_of(atomic, owner_id)
        .await?
        .iter()
        .filter(|(_, entry)| entry.rel == Relation::Owner)
        .count();
    if owned >= MAX_OWNED {
        return Err(ApiError::InvalidRequest(
            "documents: the limit of 1000 documents per user is reached",
        ));
    }
    let document = DocumentRecord {
        id: document::new_id(ctx.services.random())?,
        owner_id: owner_id.into(),
        title: request.title,
        body: request.body,
        created_at_ms: ctx.now_ms,
        updated_at_ms: ctx.now_ms,
        shares: Default::default(),
    };
    let entry = IndexEntry {
        rel: Relation::Owner,
        since_ms: ctx.now_ms,
    };
    document::put_index(atomic, owner_id, &document.id, entry).await?;
    if !document::swap(atomic, &document.id, None, Some(&document)).await? {
        // A collision of 128 random bits means the random source is broken.
        return Err(ApiError::Unavailable(Internal("document id collision")));
    }
    Ok(Response::json(201, &view(&document, true)))
}

#[derive(Debug, Serialize)]
struct ListPage<'a> {
    documents: Vec<DocumentView<'a>>,
    next_cursor: Option<String>,
}

/// The listing order: newest relation first, then by id.
fn listing_order(a: &(String, IndexEntry), b: &(String, IndexEntry)) -> core::cmp::Ordering {
    b.1.since_ms.cmp(&a.1.since_ms).then_with(|| a.0.cmp(&b.0))
}

fn position_after(entry: &(String, IndexEntry)) -> String {
    alloc::format!("{}:{}", entry.1.since_ms, entry.0)
}

/// `GET /api/documents?limit=&cursor=` → `200 {"documents", "next_cursor"}`: own and
/// shared-with-me, newest first.
pub async fn list<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let user_id = principal.user_id();
    let limit = paging::limit_param(
        ctx.request.query_param("limit").as_deref(),
        DEFAULT_LIMIT,
        MAX_LIMIT,
        "limit: an integer from 1 to 50",
    )?;
    let scope = alloc::format!("documents|{user_id}");
    let after = match ctx.request.query_param("cursor") {
        Some(cursor) => {
            let payload = paging::open(ctx.config, &scope, &cursor)?;
            let (since, id) = payload
                .split_once(':')
                .and_then(|(since, id)| Some((since.parse::<u64>().ok()?, String::from(id))))
                .ok_or(ApiError::InvalidRequest(paging::INVALID_CURSOR))?;
            Some((id, since))
        }
        None => None,
    };
    let atomic = ctx.services.atomic();
    let mut entries = document::index_of(atomic, user_id).await?;
    entries.sort_by(listing_order);
    if let Some((id, since)) = &after {
        let marker = (
            id.clone(),
            IndexEntry {
                rel: Relation::Owner,
                since_ms: *since,
            },
        );
        entries.retain(|entry| listing_order(entry, &marker) == core::cmp::Ordering::Greater);
    }
    let more = entries.len() > limit;
    entries.truncate(limit);

    let mut documents: Vec<DocumentRecord> = Vec::with_capacity(entries.len());
    for (id, entry) in &entries {
        let loaded = document::load_raw(atomic, id)
            .await?
            .map(|(document, _)| document);
        let visible = loaded
            .as_ref()
            .is_some_and(|document| documents::level(document, user_id) > documents::Level::None);
        match loaded {
            Some(document) if visible => documents.push(document),
            _ if entry.since_ms.saturating_add(PRUNE_GRACE_MS) <= ctx.now_ms => {
                document::remove_index(atomic, user_id, id).await?;
            }
            _ => {}
        }
    }
    let next_cursor = if more {
        entries
            .last()
            .map(|last| paging::seal(ctx.config, &scope, &position_after(last)))
    } else {
        None
    };
    let page = ListPage {
        documents: documents
            .iter()
            .map(|document| view(document, sees_shares(document, principal)))
            .collect(),
        next_cursor,
    };
    Ok(Response::json(200, &page))
}

/// `GET /api/documents/{id}` → `200` the document.
pub async fn get<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    document_id: &str,
) -> Result<Response, ApiError> {
    let (document, _, decision) = load_for(ctx, principal, document_id, Action::Read).await?;
    if decision == Decision::AllowAsAdmin {
        ctx.audit(
            AuditKind::DocumentReadByAdmin,
            Some(principal.user_id()),
            Some(&document.owner_id),
            &[("document_id", &document.id)],
        )?;
    }
    Ok(Response::json(
        200,
        &view(&document, sees_shares(&document, principal)),
    ))
}

/// `PUT /api/documents/{id} {title, body}` → `200` the updated document.
pub async fn update<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    document_id: &str,
) -> Result<Response, ApiError> {
    let request: DocumentBody = body::parse_json(ctx.request)?;
    request.validate()?;
    for _ in 0..ATTEMPTS {
        let (mut document, raw, _) = load_for(ctx, principal, document_id, Action::Update).await?;
        document.title.clone_from(&request.title);
        document.body.clone_from(&request.body);
        document.updated_at_ms = ctx.now_ms.max(document.updated_at_ms);
        if document::swap(
            ctx.services.atomic(),
            document_id,
            Some(&raw),
            Some(&document),
        )
        .await?
        {
            return Ok(Response::json(
                200,
                &view(&document, sees_shares(&document, principal)),
            ));
        }
    }
    Err(ApiError::Unavailable(Internal("document update contended")))
}

/// `DELETE /api/documents/{id}` → `204`.
pub async fn delete<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    document_id: &str,
) -> Result<Response, ApiError> {
    for _ in 0..ATTEMPTS {
        let (document, raw, _) = load_for(ctx, principal, document_id, Action::Delete).await?;
        if document::swap(ctx.services.atomic(), document_id, Some(&raw), None).await? {
            document::remove_all_index_entries(ctx.services.atomic(), &document).await?;
            return Ok(Response::empty(204));
        }
    }
    Err(ApiError::Unavailable(Internal("document delete contended")))
}

#[derive(Debug, Serialize)]
struct ShareCreated<'a> {
    document_id: &'a str,
    user_id: &'a str,
    permission: ShareLevel,
}

/// `POST /api/documents/{id}/shares {user_id, permission}` → `201`.
pub async fn share<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    document_id: &str,
) -> Result<Response, ApiError> {
    let request: ShareBody = body::parse_json(ctx.request)?;
    if !user::is_id(&request.user_id) {
        return Err(ApiError::InvalidRequest("user_id: not a user id"));
    }
    // Ownership first: only then may the caller learn whether the user id exists.
    let atomic = ctx.services.atomic();
    let (document, _, _) = load_for(ctx, principal, document_id, Action::Share).await?;
    if request.user_id == document.owner_id {
        return Err(ApiError::InvalidRequest(
            "user_id: the owner already has full access",
        ));
    }
    if user::load(atomic, &request.user_id).await?.is_none() {
        return Err(ApiError::InvalidRequest("user_id: no such user"));
    }
    let entry = IndexEntry {
        rel: Relation::Shared,
        since_ms: ctx.now_ms,
    };
    if !document.shares.contains_key(&request.user_id) {
        document::put_index(atomic, &request.user_id, document_id, entry).await?;
    }
    for _ in 0..ATTEMPTS {
        let (mut document, raw, _) = load_for(ctx, principal, document_id, Action::Share).await?;
        if !document.shares.contains_key(&request.user_id) && document.shares.len() >= MAX_SHARES {
            return Err(ApiError::InvalidRequest("shares: at most 100 per document"));
        }
        document
            .shares
            .insert(request.user_id.clone(), request.permission);
        if document::swap(atomic, document_id, Some(&raw), Some(&document)).await? {
            return Ok(Response::json(
                201,
                &ShareCreated {
                    document_id,
                    user_id: &request.user_id,
                    permission: request.permission,
                },
            ));
        }
    }
    Err(ApiError::Unavailable(Internal("document share contended")))
}

/// `DELETE /api/documents/{id}/shares/{user_id}` → `204`; `404` when there is no
/// such share. Effective at once: the sharee's next request decides on the record.
pub async fn unshare<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    document_id: &str,
    user_id: &str,
) -> Result<Response, ApiError> {
    let atomic = ctx.services.atomic();
    for _ in 0..ATTEMPTS {
        let (mut document, raw, _) = load_for(ctx, principal, document_id, Action::Share).await?;
        if document.shares.remove(user_id).is_none() {
            return Err(ApiError::NotFound);
        }
        if document::swap(atomic, document_id, Some(&raw), Some(&document)).await? {
            document::remove_index(atomic, user_id, document_id).await?;
            return Ok(Response::empty(204));
        }
    }
    Err(ApiError::Unavailable(Internal("document share contended")))
}
