//! The kill switch through whole requests: who may pull it, what it ends (everyone's
//! sessions, the caller's too), what it audits, that it only moves forward, how stale
//! another isolate may be, and that an unreadable cut-off fails closed.

use alloc::string::String;
use serde_json::json;

use crate::app;
use crate::ctx::Services;
use crate::flows::kill_switch::REFRESH_MS;
use crate::functions::Api;
use crate::http::Method;
use crate::store::{AtomicKey, AtomicStore};
use crate::testkit::api::{answer, code, Kit};
use crate::testkit::{self, request};

const ROUTE: &str = "/api/admin/sessions/revoke-all";
const STORED: AtomicKey<'static> = AtomicKey::new("kill-switch", "sessions-revoked-before");

fn stored(kit: &Kit) -> Option<String> {
    pollster::block_on(kit.env.atomic().get(STORED)).unwrap()
}

#[test]
fn an_admin_ends_every_session_including_their_own_and_it_is_audited() {
    let kit = Kit::new();
    let admin = kit.user("admin@example.com", &["admin"]);
    let alice = kit.user("alice@example.com", &[]);
    let bob = kit.user("bob@example.com", &["auditor"]);
    assert_eq!(kit.get(&alice, "/api/me").response.status, 200);

    let pulled = kit.call(Some(&admin), Method::Post, ROUTE, None);
    let (status, body) = answer(&pulled);
    assert_eq!(status, 200);
    let now = crate::env::Clock::now_ms(&*kit.env.clock) - 1; // `call` advanced the clock by 1 ms
    assert_eq!(
        body,
        json!({ "sessions_revoked_before": crate::encoding::rfc3339(now + 1) })
    );
    assert_eq!(stored(&kit), Some(alloc::format!("{}", now + 1)));

    assert_eq!(pulled.audit.len(), 1);
    let event = &pulled.audit[0];
    assert_eq!(event.event.as_str(), "all_sessions_revoked");
    assert_eq!(event.actor_id.as_deref(), Some(admin.user_id.as_str()));
    assert_eq!(event.subject_id, None);
    assert_eq!(
        event.detail["sessions_revoked_before"],
        crate::encoding::rfc3339(now + 1)
    );

    for client in [&alice, &bob, &admin] {
        assert_eq!(code(&kit.get(client, "/api/me")), "unauthenticated");
    }
    // Accounts are untouched: a new sign-in is a live session.
    let again = testkit::sign_in(&kit.env, &alice.user_id, "token");
    assert_eq!(kit.get(&again, "/api/me").response.status, 200);
}

#[test]
fn only_admins_may_pull_it() {
    let kit = Kit::new();
    let user = kit.user("user@example.com", &[]);
    let auditor = kit.user("auditor@example.com", &["auditor"]);
    for client in [&user, &auditor] {
        assert_eq!(
            code(&kit.call(Some(client), Method::Post, ROUTE, None)),
            "forbidden"
        );
    }
    assert_eq!(
        code(&kit.call(None, Method::Post, ROUTE, None)),
        "unauthenticated"
    );
    assert_eq!(stored(&kit), None);
    assert_eq!(kit.get(&user, "/api/me").response.status, 200);
}

#[test]
fn a_body_is_optional_but_strict() {
    let kit = Kit::new();
    let admin = kit.user("admin@example.com", &["admin"]);
    let outcome = kit.call(
        Some(&admin),
        Method::Post,
        ROUTE,
        Some(json!({ "everyone": true })),
    );
    assert_eq!(code(&outcome), "invalid_request");
    assert_eq!(stored(&kit), None, "nothing written on a bad request");
    let outcome = kit.call(Some(&admin), Method::Post, ROUTE, Some(json!({})));
    assert_eq!(outcome.response.status, 200);
}

#[test]
fn the_cut_off_only_moves_forward() {
    let kit = Kit::new();
    let admin = kit.user("admin@example.com", &["admin"]);
    let later = testkit::START_MS + 3_600_000;
    let later_text = alloc::format!("{later}");
    pollster::block_on(
        kit.env
            .atomic()
            .compare_and_swap(STORED, None, Some(&later_text), None),
    )
    .unwrap();
    let (status, body) = answer(&kit.call(Some(&admin), Method::Post, ROUTE, None));
    // The admin's session predates the stored cut-off, so the gate refuses it; the
    // value is not moved back either way.
    assert_eq!(status, 401, "{body}");
    assert_eq!(stored(&kit), Some(later_text));
}

#[test]
fn another_isolate_sees_the_switch_within_the_refresh_interval() {
    let kit = Kit::new();
    let admin = kit.user("admin@example.com", &["admin"]);
    let alice = kit.user("alice@example.com", &[]);
    // A second isolate: same storage and configuration, its own memory.
    let other = crate::memory::IsolateMemory::new();
    let me = alice.authorize(request(Method::Get, "/api/me"));
    let serve_other = || {
        pollster::block_on(app::serve::<Api, _>(
            Ok(&kit.env.config),
            &other,
            &kit.env,
            &me,
        ))
    };
    assert_eq!(
        serve_other().response.status,
        200,
        "warms the other isolate's copy"
    );

    assert_eq!(
        kit.call(Some(&admin), Method::Post, ROUTE, None)
            .response
            .status,
        200
    );
    assert_eq!(
        code(&kit.get(&alice, "/api/me")),
        "unauthenticated",
        "this isolate: at once"
    );
    assert_eq!(
        serve_other().response.status,
        200,
        "the other isolate: not yet"
    );
    kit.env.clock.advance(REFRESH_MS);
    assert_eq!(
        serve_other().response.status,
        401,
        "the other isolate: within REFRESH_MS"
    );
}

#[test]
fn the_configured_cut_off_still_applies_and_the_later_one_wins() {
    let configured = testkit::START_MS / 1000 + 10;
    let kit = Kit::with(&[("SESSIONS_REVOKED_BEFORE", &alloc::format!("{configured}"))]);
    kit.env.advance_secs(20);
    let admin = kit.user("admin@example.com", &["admin"]);
    assert_eq!(kit.get(&admin, "/api/me").response.status, 200);
    assert_eq!(
        kit.call(Some(&admin), Method::Post, ROUTE, None)
            .response
            .status,
        200
    );
    assert_eq!(code(&kit.get(&admin, "/api/me")), "unauthenticated");
}

#[test]
fn an_unreadable_cut_off_fails_closed() {
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    assert_eq!(kit.get(&alice, "/api/me").response.status, 200);
    kit.env.clock.advance(REFRESH_MS);
    pollster::block_on(
        kit.env
            .atomic()
            .compare_and_swap(STORED, None, Some("soon"), None),
    )
    .unwrap();
    let outcome = kit.get(&alice, "/api/me");
    assert_eq!(outcome.response.status, 500);
    assert_eq!(code(&outcome), "internal");
    pollster::block_on(
        kit.env
            .atomic()
            .compare_and_swap(STORED, Some("soon"), None, None),
    )
    .unwrap();
    kit.env.store.set_failing(true);
    kit.env.clock.advance(REFRESH_MS);
    assert_eq!(kit.get(&alice, "/api/me").response.status, 503);
}
