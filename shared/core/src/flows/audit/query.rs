//! Reading the audit log: `GET /api/admin/audit` (admins and auditors) and
//! `GET /api/me/activity` (one's own events), newest first, with cursor pagination
//! (docs/contract.md §6).
//!
//! Events are the records [`crate::flows::audit::log`] persists: the whole log under
//! [`ALL_PREFIX`], and each user's events (as subject or actor) under
//! [`user_prefix`]. Keys sort newest first, so a page is a walk over one prefix
//! ([`crate::policy::paging::take_keys`]) reading each event.
//!
//! - `user_id` selects the user's prefix (events where the user is subject or actor);
//!   `event` keeps events of one kind. Both may be combined.
//! - `limit`: default [`DEFAULT_LIMIT`], at most [`MAX_LIMIT`].
//! - `cursor`: opaque, sealed to the listing and its filters ([`crate::policy::paging`]).
//! - One request reads at most [`SCAN_BUDGET`] events. With a selective `event`
//!   filter a page can hold fewer than `limit` events (even none) and still carry a
//!   `next_cursor`; a client pages on while `next_cursor` is not `null`. This bounds
//!   the store reads of one request (Workers caps the subrequests per invocation).
//!
//! Events are returned as stored (the §6 fields), parsed as JSON values rather than
//! as [`crate::model::audit::AuditEvent`], so events of kinds a newer deployment of another
//! function writes are shown, not dropped.
//!
//! Security considerations: the permission gate of the route decides who may read
//! the whole log ([`crate::policy::rbac::Permission::AuditRead`]); `/api/me/activity` takes no
//! user parameter at all, so a caller can only ever list the prefix of their own id,
//! and sees an administrator's action on their account without the administrator's
//! id, address prefix, user agent or request id ([`as_seen_by`]; the export too).
//! Query values are validated by shape before they become part of a key prefix.
//! Events hold no secrets by construction ([`crate::model::audit`]).

use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::audit::log::{user_prefix, ALL_PREFIX};
use crate::http::Response;
use crate::model::principal::Principal;
use crate::model::user;
use crate::policy::paging::{self, Position};
use crate::store::RecordStore;

/// Events per page when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest `limit`.
pub const MAX_LIMIT: usize = 200;
/// Events read per request at most.
pub const SCAN_BUDGET: usize = 400;
const LIMIT_DETAIL: &str = "limit: an integer from 1 to 200";
const USER_DETAIL: &str = "user_id: not a user id";
const EVENT_DETAIL: &str = "event: not an event name";
/// Longest event name accepted as a filter.
const MAX_EVENT_CHARS: usize = 64;

/// What to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    /// Events of this user (subject or actor); `None`: the whole log.
    pub user_id: Option<String>,
    /// Events of this kind only.
    pub event: Option<String>,
    /// Page size.
    pub limit: usize,
}

impl AuditQuery {
    /// The key prefix the query walks.
    pub fn prefix(&self) -> String {
        match &self.user_id {
            Some(user_id) => user_prefix(user_id),
            None => String::from(ALL_PREFIX),
        }
    }

    /// The scope a cursor is sealed to: the prefix and the filter.
    fn scope(&self) -> String {
        alloc::format!(
            "audit|{}|{}",
            self.prefix(),
            self.event.as_deref().unwrap_or("")
        )
    }
}

/// One page of events.
#[derive(Debug, Serialize)]
pub struct EventPage {
    /// Events, newest first.
    pub events: Vec<serde_json::Value>,
    /// Pass as `cursor` for the next page; `null` at the end.
    pub next_cursor: Option<String>,
}

fn is_event_name(text: &str) -> bool {
    (1..=MAX_EVENT_CHARS).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

fn event_param(value: Option<String>) -> Result<Option<String>, ApiError> {
    match value {
        None => Ok(None),
        Some(name) if is_event_name(&name) => Ok(Some(name)),
        Some(_) => Err(ApiError::InvalidRequest(EVENT_DETAIL)),
    }
}

/// Reads one page of `query` from the position sealed in `cursor`.
pub async fn page<S: Services>(
    ctx: &Ctx<'_, S>,
    query: &AuditQuery,
    cursor: Option<&str>,
) -> Result<EventPage, ApiError> {
    let scope = query.scope();
    let mut position = Position::open(ctx.config, &scope, cursor)?;
    let prefix = query.prefix();
    let records = ctx.services.records();
    let mut events = Vec::new();
    let mut budget = SCAN_BUDGET;
    loop {
        let want = (query.limit - events.len()).min(budget);
        let (keys, next) = paging::take_keys(records, &prefix, &position, want).await?;
        budget -= keys.len().min(budget);
        for key in &keys {
            // An event that expired between listing and reading is simply gone.
            let Some(raw) = records.get(key).await? else {
                continue;
            };
            let Ok(event) = serde_json::from_str::<serde_json::Value>(&raw) else {
                continue;
            };
            let kind = event.get("event").and_then(serde_json::Value::as_str);
            if query
                .event
                .as_deref()
                .is_none_or(|wanted| kind == Some(wanted))
            {
                events.push(event);
            }
        }
        match next {
            None => {
                return Ok(EventPage {
                    events,
                    next_cursor: None,
                })
            }
            Some(next) if events.len() >= query.limit || budget == 0 || keys.is_empty() => {
                return Ok(EventPage {
                    events,
                    next_cursor: Some(next.seal(ctx.config, &scope)),
                })
            }
            Some(next) => position = next,
        }
    }
}

/// `GET /api/admin/audit?user_id=&event=&limit=&cursor=` → `200 {"events", "next_cursor"}`.
pub async fn admin_audit<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let request = ctx.request;
    let user_id = match request.query_param("user_id") {
        None => None,
        Some(id) if user::is_id(&id) => Some(id),
        Some(_) => return Err(ApiError::InvalidRequest(USER_DETAIL)),
    };
    Ok(Response::json(200, &query_page(ctx, user_id).await?))
}

/// `GET /api/me/activity?event=&limit=&cursor=` → `200 {"events", "next_cursor"}`:
/// the caller's own events (as subject or actor), newest first, each as
/// [`as_seen_by`] the caller.
pub async fn my_activity<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let viewer = principal.user_id();
    let mut page = query_page(ctx, Some(viewer.into())).await?;
    for event in &mut page.events {
        as_seen_by(event, viewer);
    }
    Ok(Response::json(200, &page))
}

/// Event kinds in which one account acts on another, and the role that allows it
/// (every such route is an administrator's, [`crate::policy::rbac`]).
const ACTED_ON_BY_ROLE: &[(&str, &str)] = &[
    ("role_changed", user::ROLE_ADMIN),
    ("user_disabled", user::ROLE_ADMIN),
    ("user_enabled", user::ROLE_ADMIN),
    ("session_revoked", user::ROLE_ADMIN),
    ("document_read_by_admin", user::ROLE_ADMIN),
];

/// Rewrites one of `viewer`'s own events as `viewer` may see it. When another
/// account is the actor (an administrator acted on the viewer), the viewer learns
/// *that* it happened and the actor's role (`actor_role`, `null` for a kind not in
/// `ACTED_ON_BY_ROLE`), but not who, from where or with what: `actor_id`,
/// `ip_prefix`, `user_agent` and `request_id` (which leads to the actor's request in
/// the logs) become `null`. The viewer's own actions, and requests that had no
/// authenticated actor (a failed login on the viewer's address, say), are shown as
/// stored: they are about access to the viewer's own account, and where they came
/// from is how an owner recognises an attack (docs/api.md §5).
pub fn as_seen_by(event: &mut serde_json::Value, viewer: &str) {
    let Some(fields) = event.as_object_mut() else {
        return;
    };
    let foreign_actor = fields
        .get("actor_id")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|actor| actor != viewer);
    if !foreign_actor {
        return;
    }
    let kind = fields.get("event").and_then(serde_json::Value::as_str);
    let role = ACTED_ON_BY_ROLE
        .iter()
        .find(|(known, _)| Some(*known) == kind)
        .map(|(_, role)| *role);
    for hidden in ["actor_id", "ip_prefix", "user_agent", "request_id"] {
        fields.insert(hidden.into(), serde_json::Value::Null);
    }
    fields.insert("actor_role".into(), role.into());
}

/// One page for `user_id` (or the whole log), with `event`, `limit` and `cursor` from
/// the query string: the part both audit routes share.
async fn query_page<S: Services>(
    ctx: &Ctx<'_, S>,
    user_id: Option<String>,
) -> Result<EventPage, ApiError> {
    let request = ctx.request;
    let query = AuditQuery {
        user_id,
        event: event_param(request.query_param("event"))?,
        limit: paging::limit_param(
            request.query_param("limit").as_deref(),
            DEFAULT_LIMIT,
            MAX_LIMIT,
            LIMIT_DETAIL,
        )?,
    };
    let cursor = request.query_param("cursor");
    page(ctx, &query, cursor.as_deref()).await
}

/// Every stored event of `user_id`, newest first, up to `max`, each [`as_seen_by`]
/// that user (the data export). Returns the events and whether the list is complete.
pub async fn all_of_user(
    records: &impl RecordStore,
    user_id: &str,
    max: usize,
) -> Result<(Vec<serde_json::Value>, bool), ApiError> {
    let prefix = user_prefix(user_id);
    let (keys, next) = paging::take_keys(records, &prefix, &Position::default(), max).await?;
    let mut events = Vec::with_capacity(keys.len());
    for key in &keys {
        if let Some(raw) = records.get(key).await? {
            if let Ok(mut event) = serde_json::from_str::<serde_json::Value>(&raw) {
                as_seen_by(&mut event, user_id);
                events.push(event);
            }
        }
    }
    Ok((events, next.is_none()))
}

#[cfg(test)]
mod tests;
