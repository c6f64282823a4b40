//! Administration through whole requests: the access review, roles and the
//! last-admin guard (also under concurrency), disabling with immediate lockout,
//! enabling, revoking sessions, and the audit trail of each.

use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;
use serde_json::json;

use crate::functions::Api;
use crate::http::Method;
use crate::model::admins;
use crate::testkit::api::{answer, code, Kit};
use crate::testkit::{self, Client};

fn set_roles(kit: &Kit, admin: &Client, target: &str, roles: &[&str]) -> crate::app::Outcome {
    kit.call(
        Some(admin),
        Method::Put,
        &format!("/api/admin/users/{target}/roles"),
        Some(json!({ "roles": roles })),
    )
}

fn post(kit: &Kit, admin: &Client, path: &str) -> crate::app::Outcome {
    kit.call(Some(admin), Method::Post, path, None)
}

#[test]
fn the_access_review_lists_every_user_with_roles_state_and_mfa() {
    let kit = Kit::new();
    let admin = kit.user("admin@example.com", &["admin"]);
    let alice = kit.user("alice@example.com", &["auditor"]);
    testkit::edit_user(&kit.env, &alice.user_id, |user| {
        user.disabled = true;
        user.mfa_enabled = true;
        user.last_login_at_ms = Some(testkit::START_MS);
    });
    let (status, body) = answer(&kit.get(&admin, "/api/admin/users"));
    assert_eq!(status, 200);
    let users = body["users"].as_array().unwrap();
    assert_eq!(users.len(), 2);
    let row = users
        .iter()
        .find(|u| u["id"] == alice.user_id.as_str())
        .unwrap();
    assert_eq!(row["email"], "alice@example.com");
    assert_eq!(row["roles"], json!(["user", "auditor"]));
    assert_eq!(row["disabled"], true);
    assert_eq!(row["mfa_enabled"], true);
    assert_eq!(row["created_at"], "2026-01-01T00:00:00.000Z");
    assert_eq!(row["last_login_at"], "2026-01-01T00:00:00.000Z");
    assert!(row.get("password_hash").is_none() && row.get("mfa").is_none());
    let admin_row = users
        .iter()
        .find(|u| u["id"] == admin.user_id.as_str())
        .unwrap();
    assert_eq!(admin_row["last_login_at"], json!(null));
    assert_eq!(body["next_cursor"], json!(null));
}

#[test]
fn the_access_review_pages_with_a_cursor() {
    let kit = Kit::new();
    let admin = kit.user("admin@example.com", &["admin"]);
    for i in 0..6 {
        kit.user(&format!("u{i}@example.com"), &[]);
    }
    let mut ids = Vec::new();
    let mut path = "/api/admin/users?limit=4".to_string();
    loop {
        let (status, body) = answer(&kit.get(&admin, &path));
        assert_eq!(status, 200);
        ids.extend(
            body["users"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["id"].to_string()),
        );
        match body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/admin/users?limit=4&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(ids.len(), 7);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 7);
    assert_eq!(
        code(&kit.get(&admin, "/api/admin/users?limit=0")),
        "invalid_request"
    );
    assert_eq!(
        code(&kit.get(&admin, "/api/admin/users?cursor=abc.def")),
        "invalid_request"
    );
}

#[test]
fn roles_are_canonical_and_audited_with_the_actor() {
    let kit = Kit::new();
    let admin = kit.user("admin@example.com", &["admin"]);
    let alice = kit.user("alice@example.com", &[]);
    let outcome = set_roles(&kit, &admin, &alice.user_id, &["auditor", "auditor"]);
    let (status, body) = answer(&outcome);
    assert_eq!(status, 200);
    assert_eq!(
        body["roles"],
        json!(["user", "auditor"]),
        "user kept, duplicates dropped"
    );
    let event = &outcome.audit[0];
    assert_eq!(event.event.as_str(), "role_changed");
    assert_eq!(event.actor_id.as_deref(), Some(admin.user_id.as_str()));
    assert_eq!(event.subject_id.as_deref(), Some(alice.user_id.as_str()));
    assert_eq!(event.detail["granted"], "auditor");
    // The new role applies to Alice's very next request.
    assert_eq!(kit.get(&alice, "/api/admin/audit").response.status, 200);

    let unchanged = set_roles(&kit, &admin, &alice.user_id, &["user", "auditor"]);
    assert_eq!(unchanged.response.status, 200);
    assert!(unchanged.audit.is_empty(), "no change, no event");

    for bad in [&["root"][..], &["Admin"][..], &["user", "superuser"][..]] {
        assert_eq!(
            code(&set_roles(&kit, &admin, &alice.user_id, bad)),
            "invalid_request"
        );
    }
    let unknown = set_roles(&kit, &admin, "0123456789abcdef0123456789abcdef", &["user"]);
    assert_eq!(unknown.response.status, 404);
    let extra = kit.call(
        Some(&admin),
        Method::Put,
        &format!("/api/admin/users/{}/roles", alice.user_id),
        Some(json!({"roles": ["user"], "disabled": false})),
    );
    assert_eq!(
        code(&extra),
        "invalid_request",
        "unknown fields are refused"
    );
}

#[test]
fn the_last_admin_cannot_be_demoted_disabled_or_demote_themselves() {
    let kit = Kit::new();
    let root = kit.user("root@example.com", &["admin"]);
    let outcome = set_roles(&kit, &root, &root.user_id, &["user"]);
    assert_eq!(code(&outcome), "invalid_request");
    assert_eq!(
        answer(&outcome).1["detail"],
        "roles: the last administrator cannot be removed"
    );
    assert!(testkit::stored_user(&kit.env, &root.user_id).has_role("admin"));

    // With a second admin, either may step down — but not both.
    let second = kit.user("second@example.com", &[]);
    assert_eq!(
        set_roles(&kit, &root, &second.user_id, &["admin"])
            .response
            .status,
        200
    );
    assert_eq!(
        set_roles(&kit, &second, &root.user_id, &["user"])
            .response
            .status,
        200
    );
    assert_eq!(
        code(&set_roles(&kit, &second, &second.user_id, &["user"])),
        "invalid_request"
    );
    assert_eq!(code(&kit.get(&root, "/api/admin/users")), "forbidden");
}

#[test]
fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    let kit = Kit::new();
    let a = kit.user("a@example.com", &["admin"]);
    let b = kit.user("b@example.com", &["admin"]);
    // Build the set first so both requests race on the same record.
    pollster::block_on(admins::members(&*kit.env.store, &*kit.env.store)).unwrap();
    let request = |actor: &Client, target: &Client| {
        let req = testkit::request(
            Method::Put,
            &format!("/api/admin/users/{}/roles", target.user_id),
        );
        actor.authorize(testkit::RequestExt::json(req, json!({"roles": ["user"]})))
    };
    let (ra, rb) = (request(&a, &b), request(&b, &a));
    kit.env.interleave(true);
    let outcomes = pollster::block_on(futures::future::join_all([
        kit.env.serve_async::<Api>(&ra),
        kit.env.serve_async::<Api>(&rb),
    ]));
    kit.env.interleave(false);
    let statuses: Vec<u16> = outcomes.iter().map(|o| o.response.status).collect();
    assert!(
        statuses.contains(&200) && statuses.contains(&400),
        "{statuses:?}"
    );
    let admins = [&a, &b]
        .iter()
        .filter(|c| testkit::stored_user(&kit.env, &c.user_id).has_role("admin"))
        .count();
    assert_eq!(admins, 1);
}

#[test]
fn disabling_locks_the_user_out_at_once_and_revokes_every_session() {
    let kit = Kit::new();
    let admin = kit.user("admin@example.com", &["admin"]);
    let alice = kit.user("alice@example.com", &[]);
    let second_session = testkit::sign_in(&kit.env, &alice.user_id, "cookie");
    assert_eq!(kit.get(&alice, "/api/me").response.status, 200);

    let outcome = post(
        &kit,
        &admin,
        &format!("/api/admin/users/{}/disable", alice.user_id),
    );
    assert_eq!(outcome.response.status, 204);
    let event = &outcome.audit[0];
    assert_eq!(event.event.as_str(), "user_disabled");
    assert_eq!(event.actor_id.as_deref(), Some(admin.user_id.as_str()));
    assert_eq!(event.detail["sessions_revoked"], "2");

    for client in [&alice, &second_session] {
        assert_eq!(code(&kit.get(client, "/api/me")), "unauthenticated");
        assert_eq!(code(&kit.get(client, "/api/documents")), "unauthenticated");
        let refresh = kit
            .env
            .serve::<crate::functions::Refresh>(&client.refresh_request());
        assert_eq!(refresh.response.status, 401);
    }
    let repeat = post(
        &kit,
        &admin,
        &format!("/api/admin/users/{}/disable", alice.user_id),
    );
    assert_eq!(repeat.response.status, 204);
    assert!(repeat.audit.is_empty(), "idempotent, audited once");

    let enable = post(
        &kit,
        &admin,
        &format!("/api/admin/users/{}/enable", alice.user_id),
    );
    assert_eq!(enable.response.status, 204);
    assert_eq!(enable.audit[0].event.as_str(), "user_enabled");
    assert_eq!(
        code(&kit.get(&alice, "/api/me")),
        "unauthenticated",
        "sessions stay revoked"
    );
    let fresh = testkit::sign_in(&kit.env, &alice.user_id, "token");
    assert_eq!(kit.get(&fresh, "/api/me").response.status, 200);
}

#[test]
fn an_admin_cannot_disable_themselves_and_the_last_admin_cannot_be_disabled() {
    let kit = Kit::new();
    let root = kit.user("root@example.com", &["admin"]);
    let own = post(
        &kit,
        &root,
        &format!("/api/admin/users/{}/disable", root.user_id),
    );
    assert_eq!(code(&own), "invalid_request");
    let other = kit.user("other@example.com", &["admin"]);
    assert_eq!(
        post(
            &kit,
            &root,
            &format!("/api/admin/users/{}/disable", other.user_id)
        )
        .response
        .status,
        204
    );
    // `other` is disabled; root is now the last enabled admin.
    assert_eq!(
        code(&set_roles(&kit, &root, &root.user_id, &["user"])),
        "invalid_request"
    );
}

#[test]
fn revoking_a_users_sessions_ends_them_at_the_next_request() {
    let kit = Kit::new();
    let admin = kit.user("admin@example.com", &["admin"]);
    let alice = kit.user("alice@example.com", &[]);
    let outcome = kit.call(
        Some(&admin),
        Method::Delete,
        &format!("/api/admin/users/{}/sessions", alice.user_id),
        None,
    );
    assert_eq!(outcome.response.status, 204);
    let event = &outcome.audit[0];
    assert_eq!(event.event.as_str(), "session_revoked");
    assert_eq!(event.actor_id.as_deref(), Some(admin.user_id.as_str()));
    assert_eq!(event.detail["count"], "1");
    assert_eq!(code(&kit.get(&alice, "/api/me")), "unauthenticated");
    assert!(
        !testkit::stored_user(&kit.env, &alice.user_id).disabled,
        "not disabled"
    );
    let unknown = kit.call(
        Some(&admin),
        Method::Delete,
        "/api/admin/users/0123456789abcdef0123456789abcdef/sessions",
        None,
    );
    assert_eq!(unknown.response.status, 404);
}
