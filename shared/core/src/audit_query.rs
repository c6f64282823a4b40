//! Reading the audit log: `GET /api/admin/audit` (admins and auditors) and
//! `GET /api/me/activity` (one's own events), newest first, with cursor pagination
//! (docs/contract.md §6).
//!
//! Events are the records [`crate::audit_log`] persists: the whole log under
//! [`ALL_PREFIX`], and each user's events (as subject or actor) under
//! [`user_prefix`]. Keys sort newest first, so a page is a walk over one prefix
//! ([`crate::paging::take_keys`]) reading each event.
//!
//! - `user_id` selects the user's prefix (events where the user is subject or actor);
//!   `event` keeps events of one kind. Both may be combined.
//! - `limit`: default [`DEFAULT_LIMIT`], at most [`MAX_LIMIT`].
//! - `cursor`: opaque, sealed to the listing and its filters ([`crate::paging`]).
//! - One request reads at most [`SCAN_BUDGET`] events. With a selective `event`
//!   filter a page can hold fewer than `limit` events (even none) and still carry a
//!   `next_cursor`; a client pages on while `next_cursor` is not `null`. This bounds
//!   the store reads of one request (Workers caps the subrequests per invocation).
//!
//! Events are returned as stored (the §6 fields), parsed as JSON values rather than
//! as [`crate::audit::AuditEvent`], so events of kinds a newer deployment of another
//! function writes are shown, not dropped.
//!
//! Security considerations: the permission gate of the route decides who may read
//! the whole log ([`crate::rbac::Permission::AuditRead`]); `/api/me/activity` takes no
//! user parameter at all, so a caller can only ever list the prefix of their own id,
//! and sees an administrator's action on their account without the administrator's
//! id, address prefix, user agent or request id ([`as_seen_by`]; the export too).
//! Query values are validated by shape before they become part of a key prefix.
//! Events hold no secrets by construction ([`crate::audit`]).

use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

use crate::accounts::user;
use crate::app::{Ctx, Services};
use crate::audit_log::{user_prefix, ALL_PREFIX};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::Response;
use crate::paging::{self, Position};
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
/// (every such route is an administrator's, [`crate::rbac`]).
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
/// [`ACTED_ON_BY_ROLE`]), but not who, from where or with what: `actor_id`,
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
mod tests {
    use super::*;

    #[test]
    fn event_names_are_checked_by_shape() {
        for good in ["login_failed", "role_changed", "x"] {
            assert!(is_event_name(good), "{good}");
        }
        for bad in ["", "Login", "a/b", "a b", "a%2F", &"a".repeat(65)] {
            assert!(!is_event_name(bad), "{bad}");
        }
    }

    #[test]
    fn cursors_are_scoped_to_prefix_and_filter() {
        let all = AuditQuery {
            user_id: None,
            event: None,
            limit: 10,
        };
        let mine = AuditQuery {
            user_id: Some("0123456789abcdef0123456789abcdef".into()),
            ..all.clone()
        };
        let filtered = AuditQuery {
            event: Some("logout".into()),
            ..all.clone()
        };
        assert_eq!(all.prefix(), "audit/all/");
        assert_eq!(
            mine.prefix(),
            "audit/user/0123456789abcdef0123456789abcdef/"
        );
        assert_ne!(all.scope(), mine.scope());
        assert_ne!(all.scope(), filtered.scope());
    }

    use crate::audit::{AuditEvent, AuditKind};
    use crate::auth::testkit::Client;
    use crate::functions::api::tests::kit::{answer, code, Kit};
    use alloc::format;
    use alloc::string::ToString;

    /// Persists `n` synthetic events of `kind` about `subject`, one millisecond apart.
    fn seed_events(kit: &Kit, n: usize, kind: AuditKind, subject: &str) {
        for i in 0..n {
            let event = AuditEvent {
                id: format!("{:032x}", i + 1),
                at: crate::util::rfc3339(0),
                event: kind,
                actor_id: None,
                subject_id: Some(subject.to_string()),
                ip_prefix: Some("203.0.113.0/24".into()),
                user_agent: None,
                request_id: "r".into(),
                detail: Default::default(),
            };
            pollster::block_on(crate::audit_log::persist(
                &kit.env,
                &kit.env.config,
                &[event],
            ))
            .unwrap();
            kit.env.clock.advance(1);
        }
    }

    /// Walks every page of `path` (which has a `?`) and returns the events.
    fn walk(kit: &Kit, client: &Client, path: &str) -> (Vec<serde_json::Value>, usize) {
        let mut events = Vec::new();
        let mut pages = 0;
        let mut next = path.to_string();
        loop {
            let (status, body) = answer(&kit.get(client, &next));
            assert_eq!(status, 200, "{body}");
            pages += 1;
            events.extend(body["events"].as_array().unwrap().iter().cloned());
            match body["next_cursor"].as_str() {
                Some(cursor) => next = format!("{path}&cursor={cursor}"),
                None => return (events, pages),
            }
        }
    }

    #[test]
    fn pages_walk_the_whole_log_newest_first_exactly_once() {
        let kit = Kit::new();
        let auditor = kit.user("auditor@example.com", &["auditor"]);
        let subject = "0123456789abcdef0123456789abcdef";
        seed_events(&kit, 23, AuditKind::LoginFailed, subject);
        let (events, pages) = walk(&kit, &auditor, "/api/admin/audit?limit=5");
        assert_eq!(pages, 5);
        assert_eq!(events.len(), 23);
        let ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
        let expected: Vec<String> = (1..=23).rev().map(|i| format!("{i:032x}")).collect();
        assert_eq!(ids, expected, "newest first, no gaps, no repeats");
        let first = &events[0];
        for field in [
            "id",
            "at",
            "event",
            "actor_id",
            "subject_id",
            "ip_prefix",
            "user_agent",
            "request_id",
            "detail",
        ] {
            assert!(first.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn filters_by_user_and_by_event() {
        let kit = Kit::new();
        let admin = kit.user("admin@example.com", &["admin"]);
        let a = "0123456789abcdef0123456789abcdef";
        let b = "fedcba9876543210fedcba9876543210";
        seed_events(&kit, 4, AuditKind::LoginFailed, a);
        seed_events(&kit, 3, AuditKind::Lockout, a);
        seed_events(&kit, 5, AuditKind::LoginFailed, b);
        let (of_a, _) = walk(
            &kit,
            &admin,
            &format!("/api/admin/audit?user_id={a}&limit=2"),
        );
        assert_eq!(of_a.len(), 7);
        assert!(of_a.iter().all(|e| e["subject_id"] == a));
        let (lockouts, _) = walk(&kit, &admin, "/api/admin/audit?event=lockout&limit=2");
        assert_eq!(lockouts.len(), 3);
        assert!(lockouts.iter().all(|e| e["event"] == "lockout"));
        let (both, _) = walk(
            &kit,
            &admin,
            &format!("/api/admin/audit?user_id={b}&event=login_failed"),
        );
        assert_eq!(both.len(), 5);
    }

    #[test]
    fn a_selective_filter_pages_within_the_scan_budget() {
        let kit = Kit::new();
        let admin = kit.user("admin@example.com", &["admin"]);
        let subject = "0123456789abcdef0123456789abcdef";
        seed_events(&kit, 3, AuditKind::Lockout, subject);
        seed_events(&kit, SCAN_BUDGET + 20, AuditKind::LoginFailed, subject);
        let (status, first) = answer(&kit.get(&admin, "/api/admin/audit?event=lockout"));
        assert_eq!(status, 200);
        assert_eq!(
            first["events"],
            serde_json::json!([]),
            "budget spent on other kinds"
        );
        assert!(first["next_cursor"].is_string());
        let (lockouts, pages) = walk(&kit, &admin, "/api/admin/audit?event=lockout");
        assert_eq!((lockouts.len(), pages), (3, 2));
    }

    #[test]
    fn bad_parameters_and_foreign_cursors_are_a_400() {
        let kit = Kit::new();
        let admin = kit.user("admin@example.com", &["admin"]);
        seed_events(
            &kit,
            3,
            AuditKind::Logout,
            "0123456789abcdef0123456789abcdef",
        );
        for query in [
            "limit=0",
            "limit=201",
            "limit=x",
            "user_id=..%2F",
            "user_id=abc",
            "event=Login",
            "event=a%2Fb",
            "cursor=xyz",
        ] {
            let outcome = kit.get(&admin, &format!("/api/admin/audit?{query}"));
            assert_eq!(code(&outcome), "invalid_request", "{query}");
        }
        let (_, page) = answer(&kit.get(&admin, "/api/admin/audit?limit=1"));
        let cursor = page["next_cursor"].as_str().unwrap();
        let filtered = kit.get(
            &admin,
            &format!("/api/admin/audit?event=logout&cursor={cursor}"),
        );
        assert_eq!(
            code(&filtered),
            "invalid_request",
            "a cursor belongs to its filter"
        );
        let (status, limited) = answer(&kit.get(&admin, "/api/admin/audit?limit=200"));
        assert_eq!(status, 200);
        assert!(limited["events"].as_array().unwrap().len() <= 200);
    }

    /// `client`'s request to the `api` function from another network and browser;
    /// its audit events are persisted.
    fn call_from_elsewhere(
        kit: &Kit,
        client: &Client,
        method: crate::http::Method,
        path: &str,
        body: serde_json::Value,
    ) -> crate::app::Outcome {
        use crate::auth::testkit::{request, RequestExt};
        let mut req = request(method, path).json(body);
        for (name, value) in &mut req.headers {
            if name.eq_ignore_ascii_case("CF-Connecting-IP") {
                *value = "198.51.100.77".into();
            } else if name.eq_ignore_ascii_case("User-Agent") {
                *value = "AdminConsole/9.9".into();
            }
        }
        let outcome = kit
            .env
            .serve::<crate::functions::Api>(&client.authorize(req));
        pollster::block_on(crate::audit_log::persist(
            &kit.env,
            &kit.env.config,
            &outcome.audit,
        ))
        .unwrap();
        kit.env.clock.advance(1);
        outcome
    }

    #[test]
    fn activity_shows_that_an_admin_acted_but_not_who_or_from_where() {
        use crate::http::Method;
        let kit = Kit::new();
        let admin = kit.user("admin@example.com", &["admin"]);
        let alice = kit.user("alice@example.com", &[]);
        let roles = format!("/api/admin/users/{}/roles", alice.user_id);
        let changed = call_from_elsewhere(
            &kit,
            &admin,
            Method::Put,
            &roles,
            serde_json::json!({"roles": ["user", "auditor"]}),
        );
        assert_eq!(changed.response.status, 200);
        // Alice's own action, from her own browser.
        let consent = kit.call(
            Some(&alice),
            Method::Put,
            "/api/me/consents",
            Some(
                serde_json::json!({"consents": {"analytics": {"granted": true, "version": "v1"}}}),
            ),
        );
        assert_eq!(consent.response.status, 200);

        let (status, body) = answer(&kit.get(&alice, "/api/me/activity"));
        assert_eq!(status, 200);
        let text = body.to_string();
        for hidden in [admin.user_id.as_str(), "198.51.100", "AdminConsole"] {
            assert!(!text.contains(hidden), "{hidden} in {text}");
        }
        let events = body["events"].as_array().unwrap();
        let by_admin = events
            .iter()
            .find(|e| e["event"] == "role_changed")
            .unwrap();
        assert_eq!(by_admin["actor_role"], "admin", "which role acted");
        assert_eq!(by_admin["subject_id"], alice.user_id.as_str());
        assert_eq!(by_admin["detail"]["granted"], "auditor", "what was done");
        for field in ["actor_id", "ip_prefix", "user_agent", "request_id"] {
            assert!(by_admin[field].is_null(), "{field}: {}", by_admin[field]);
        }
        let own = events
            .iter()
            .find(|e| e["event"] == "consent_changed")
            .unwrap();
        assert_eq!(own["actor_id"], alice.user_id.as_str());
        assert_eq!(
            own["ip_prefix"], "203.0.113.0/24",
            "her own network, as stored"
        );
        assert_eq!(own["user_agent"], "TestBrowser/1.0");
        assert!(own.get("actor_role").is_none());

        // The export shows the same view; the audit log shows everything to admins.
        let (_, export) = answer(&kit.get(&alice, "/api/me/export"));
        assert!(!export["activity"].to_string().contains("198.51.100"));
        assert!(!export["activity"].to_string().contains(&admin.user_id));
        let (_, log) = answer(&kit.get(
            &admin,
            &format!(
                "/api/admin/audit?user_id={}&event=role_changed",
                alice.user_id
            ),
        ));
        assert_eq!(log["events"][0]["actor_id"], admin.user_id.as_str());
        assert_eq!(log["events"][0]["ip_prefix"], "198.51.100.0/24");
        assert_eq!(log["events"][0]["user_agent"], "AdminConsole/9.9");
        // The admin's own activity shows their own action as they made it.
        let (_, mine) = answer(&kit.get(&admin, "/api/me/activity?event=role_changed"));
        assert_eq!(mine["events"][0]["ip_prefix"], "198.51.100.0/24");
    }

    #[test]
    fn activity_shows_only_the_callers_own_events() {
        let kit = Kit::new();
        let alice = kit.user("alice@example.com", &[]);
        let bob = kit.user("bob@example.com", &[]);
        seed_events(&kit, 3, AuditKind::LoginSucceeded, &alice.user_id);
        seed_events(&kit, 2, AuditKind::LoginSucceeded, &bob.user_id);
        let (mine, _) = walk(&kit, &alice, "/api/me/activity?limit=2");
        assert_eq!(mine.len(), 3);
        assert!(mine
            .iter()
            .all(|e| e["subject_id"] == alice.user_id.as_str()));
        // Another user's id in the query does not widen the listing.
        let (still_mine, _) = walk(
            &kit,
            &alice,
            &format!("/api/me/activity?user_id={}", bob.user_id),
        );
        assert_eq!(still_mine.len(), 3);
        // Nor does another listing's cursor.
        let (_, page) = answer(&kit.get(&bob, "/api/me/activity?limit=1"));
        let cursor = page["next_cursor"].as_str().unwrap();
        let outcome = kit.get(&alice, &format!("/api/me/activity?cursor={cursor}"));
        assert_eq!(code(&outcome), "invalid_request");
        assert_eq!(code(&kit.get(&alice, "/api/admin/audit")), "forbidden");
    }
}
