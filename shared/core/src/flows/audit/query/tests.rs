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

use crate::model::audit::{AuditEvent, AuditKind};
use crate::testkit::api::{answer, code, Kit};
use crate::testkit::Client;
use alloc::format;
use alloc::string::ToString;

/// Persists `n` synthetic events of `kind` about `subject`, one millisecond apart.
fn seed_events(kit: &Kit, n: usize, kind: AuditKind, subject: &str) {
    for i in 0..n {
        let event = AuditEvent {
            id: format!("{:032x}", i + 1),
            at: crate::encoding::rfc3339(0),
            event: kind,
            actor_id: None,
            subject_id: Some(subject.to_string()),
            ip_prefix: Some("203.0.113.0/24".into()),
            user_agent: None,
            request_id: "r".into(),
            detail: Default::default(),
        };
        pollster::block_on(crate::flows::audit::log::persist(
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
    use crate::testkit::{request, RequestExt};
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
    pollster::block_on(crate::flows::audit::log::persist(
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
        Some(serde_json::json!({"consents": {"analytics": {"granted": true, "version": "v1"}}})),
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
