//! Refresh-token rotation: concurrency, grace window, reuse detection, expiry.

use alloc::string::String;
use alloc::vec::Vec;

use crate::functions::Refresh;
use crate::http::Method;
use crate::model::audit::AuditKind;
use crate::testkit::sessions::{me_status, refresh, rotated, signed_in};
use crate::testkit::{self, request, Client, RequestExt, TestEnv};

#[test]
fn refresh_rotates_the_token_and_the_successor_works() {
    for mode in ["token", "cookie"] {
        let (env, first) = signed_in(mode);
        let second = rotated(&env, &first);
        assert_ne!(second.refresh, first.refresh);
        assert_ne!(second.access, first.access);
        assert_eq!(second.session_id, first.session_id);
        let third = rotated(&env, &second);
        assert_ne!(third.refresh, second.refresh);
        assert_eq!(me_status(&env, &third), 200);
        let session = testkit::stored_session(&env, &first.user_id, &first.session_id);
        assert_eq!(session.rotation.generation, 2);
    }
}

#[test]
fn refresh_answers_like_login_in_the_mode_presented() {
    let (env, client) = signed_in("token");
    let (response, _) = refresh(&env, &client);
    let body = testkit::body(&response);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["user"]["email"], "grace@example.com");
    assert!(body["access_expires_at"].as_str().unwrap().ends_with('Z'));
    assert!(testkit::set_cookies(&response).is_empty());
}

#[test]
fn ten_concurrent_refreshes_with_one_token_yield_exactly_one_successor() {
    for mode in ["token", "cookie"] {
        let (env, client) = signed_in(mode);
        assert_eq!(env.lost_swaps(), 0);
        env.interleave(true);
        let request = client.refresh_request();
        let outcomes = pollster::block_on(futures::future::join_all(
            (0..10).map(|_| env.serve_async::<Refresh>(&request)),
        ));
        env.interleave(false);
        // The requests really overlapped: all ten read the record before the first
        // swap, so nine swaps lost and were answered through the grace path.
        assert_eq!(env.lost_swaps(), 9, "{mode}");
        let successors: Vec<String> = outcomes
            .iter()
            .map(|outcome| Client::from_answer(&outcome.response, mode).refresh)
            .collect();
        assert!(successors.iter().all(|s| *s == successors[0]), "{mode}");
        assert_ne!(successors[0], client.refresh);
        let session = testkit::stored_session(&env, &client.user_id, &client.session_id);
        assert_eq!(
            session.rotation.generation, 1,
            "{mode}: one rotation, not ten"
        );
        assert!(!session.revoked);
        // The one successor is live and rotates on.
        let mut next = client.clone();
        next.refresh = successors[0].clone();
        next.csrf = Client::from_answer(&outcomes[0].response, mode).csrf;
        assert_eq!(refresh(&env, &next).0.status, 200);
    }
}

#[test]
fn a_retry_within_the_grace_window_gets_the_same_successor() {
    let (env, first) = signed_in("token");
    let second = rotated(&env, &first);
    env.advance_secs(29);
    let retried = rotated(&env, &first);
    assert_eq!(retried.refresh, second.refresh);
    let session = testkit::stored_session(&env, &first.user_id, &first.session_id);
    assert_eq!(session.rotation.generation, 1);
    assert!(!session.revoked);
}

#[test]
fn the_previous_token_after_the_grace_window_revokes_the_session() {
    let (env, first) = signed_in("token");
    let second = rotated(&env, &first);
    env.advance_secs(31);
    let (response, events) = refresh(&env, &first);
    assert_eq!(response.status, 401);
    assert_eq!(testkit::body(&response)["code"], "unauthenticated");
    assert!(events.contains(&AuditKind::RefreshReuseDetected));
    assert_eq!(refresh(&env, &second).0.status, 401);
    assert_eq!(me_status(&env, &second), 401);
}

#[test]
fn a_replay_two_rotations_old_revokes_the_session() {
    let (env, first) = signed_in("cookie");
    let second = rotated(&env, &first);
    let third = rotated(&env, &second);
    let (response, events) = refresh(&env, &first);
    assert_eq!(response.status, 401);
    assert_eq!(events, [AuditKind::RefreshReuseDetected]);
    let session = testkit::stored_session(&env, &first.user_id, &first.session_id);
    assert!(session.revoked);
    assert_eq!(refresh(&env, &third).0.status, 401);
    assert_eq!(me_status(&env, &third), 401);
}

/// The victim's refresh token with its secret (and tag) replaced: what anyone who
/// knows the user and session ids (an access token's `sid`, the audit log) can build.
fn forgeries(client: &Client) -> Vec<Client> {
    let ids = client
        .refresh
        .split('.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".");
    let secret = crate::encoding::b64url(&[7u8; 32]);
    let tag = crate::encoding::b64url(&[9u8; 16]);
    let genuine_tag = client.refresh.split('.').nth(3).unwrap_or_default();
    [
        alloc::format!("{ids}.{secret}"),
        alloc::format!("{ids}.{secret}.{tag}"),
        alloc::format!("{ids}.{secret}.{genuine_tag}"),
    ]
    .into_iter()
    .map(|refresh| Client {
        refresh,
        ..client.clone()
    })
    .collect()
}

#[test]
fn a_forged_refresh_token_for_a_live_session_is_refused_and_ends_nothing() {
    for mode in ["token", "cookie"] {
        let (env, client) = signed_in(mode);
        let client = rotated(&env, &client);
        for forged in forgeries(&client) {
            let (response, events) = refresh(&env, &forged);
            assert_eq!(response.status, 401, "{mode} {}", forged.refresh);
            assert_eq!(testkit::body(&response)["code"], "unauthenticated");
            assert!(events.is_empty(), "not reuse: {events:?}");
            let session = testkit::stored_session(&env, &client.user_id, &client.session_id);
            assert!(!session.revoked, "{mode}: a forgery revoked the session");
        }
        assert_eq!(me_status(&env, &client), 200, "{mode}");
        assert_eq!(refresh(&env, &client).0.status, 200, "{mode}");
    }
}

#[test]
fn a_replay_from_many_rotations_ago_still_revokes_the_session() {
    let (env, first) = signed_in("token");
    let mut client = rotated(&env, &first);
    for _ in 0..40 {
        client = rotated(&env, &client);
    }
    let (response, events) = refresh(&env, &first);
    assert_eq!(response.status, 401);
    assert_eq!(events, [AuditKind::RefreshReuseDetected]);
    assert!(testkit::stored_session(&env, &client.user_id, &client.session_id).revoked);
    assert_eq!(me_status(&env, &client), 401);
}

#[test]
fn a_token_issued_before_tags_still_rotates_and_its_previous_one_still_counts_as_reuse() {
    let (env, client) = signed_in("token");
    let untagged = |c: &Client| Client {
        refresh: c.refresh.split('.').take(3).collect::<Vec<_>>().join("."),
        ..c.clone()
    };
    let legacy = untagged(&client);
    assert_eq!(legacy.refresh.split('.').count(), 3);
    let next = rotated(&env, &legacy);
    assert_eq!(next.refresh.split('.').count(), 4, "successors are tagged");
    let _after = rotated(&env, &next);
    env.advance_secs(31);
    // The legacy token is the one before the previous: its hash is gone and it has no
    // tag, so nothing proves it was the session's — a plain 401.
    let (response, events) = refresh(&env, &legacy);
    assert_eq!(response.status, 401);
    assert!(events.is_empty());
    // The previous one (hash stored), presented untagged, is reuse.
    let (response, events) = refresh(&env, &untagged(&next));
    assert_eq!(response.status, 401);
    assert_eq!(events, [AuditKind::RefreshReuseDetected]);
}

#[test]
fn malformed_or_missing_refresh_tokens_are_unauthenticated() {
    let (env, client) = signed_in("token");
    let (user_and_session, _) = client.refresh.rsplit_once('.').unwrap();
    for body in [
        serde_json::json!({"refresh_token": "garbage"}),
        serde_json::json!({"refresh_token": alloc::format!("{user_and_session}.short")}),
        serde_json::json!({}),
    ] {
        let req = request(Method::Post, "/auth/session/refresh").json(body);
        assert_eq!(env.serve::<Refresh>(&req).response.status, 401);
    }
    let req = request(Method::Post, "/auth/session/refresh");
    assert_eq!(env.serve::<Refresh>(&req).response.status, 401);
    let req = request(Method::Post, "/auth/session/refresh")
        .json(serde_json::json!({"refresh_token": client.refresh, "extra": 1}));
    assert_eq!(env.serve::<Refresh>(&req).response.status, 400);
    // Nothing above consumed or revoked the real token.
    assert_eq!(refresh(&env, &client).0.status, 200);
}

#[test]
fn cookie_refresh_needs_the_csrf_header_and_a_good_origin() {
    let (env, client) = signed_in("cookie");
    let csrf = client.csrf.clone().unwrap();
    let bare = request(Method::Post, "/auth/session/refresh").cookies(&[
        ("__Secure-refresh", &client.refresh),
        ("__Host-csrf", &csrf),
    ]);
    let response = env.serve::<Refresh>(&bare).response;
    assert_eq!(response.status, 403);
    assert_eq!(testkit::body(&response)["code"], "csrf_failed");
    let foreign = client
        .refresh_request()
        .header("Origin", "https://evil.example");
    assert_eq!(env.serve::<Refresh>(&foreign).response.status, 403);
    assert_eq!(refresh(&env, &client).0.status, 200);
}

#[test]
fn a_disabled_user_cannot_refresh_and_the_token_is_not_consumed() {
    let (env, client) = signed_in("token");
    testkit::edit_user(&env, &client.user_id, |u| u.disabled = true);
    assert_eq!(refresh(&env, &client).0.status, 401);
    testkit::edit_user(&env, &client.user_id, |u| u.disabled = false);
    assert_eq!(refresh(&env, &client).0.status, 200);
}

#[test]
fn the_idle_timeout_ends_a_session_that_is_not_refreshed() {
    let (env, client) = signed_in("token");
    env.advance_secs(7 * 86_400 - 1);
    let kept = rotated(&env, &client);
    env.advance_secs(7 * 86_400 - 1);
    assert_eq!(refresh(&env, &kept).0.status, 200);

    let (env, client) = signed_in("token");
    env.advance_secs(7 * 86_400);
    assert_eq!(refresh(&env, &client).0.status, 401);
}

#[test]
fn the_absolute_lifetime_ends_a_session_however_active() {
    let (env, mut client) = signed_in("token");
    for _ in 0..4 {
        env.advance_secs(7 * 86_400 - 60);
        client = rotated(&env, &client);
    }
    // Almost 28 days in, refreshed moments ago; three more days pass day 30.
    env.advance_secs(3 * 86_400);
    assert_eq!(refresh(&env, &client).0.status, 401);
    assert_eq!(me_status(&env, &client), 401);
}

#[test]
fn access_tokens_stop_at_session_end_even_before_their_exp() {
    let env = TestEnv::with_config(testkit::config(&[
        ("SESSION_IDLE_TIMEOUT_SECS", "600"),
        ("SESSION_ABSOLUTE_LIFETIME_SECS", "600"),
    ]));
    let user = testkit::seed_user(&env, "ivan@example.com", true);
    let client = testkit::sign_in(&env, &user.id, "token");
    let claims = testkit::full_check(&env.config, &client.access, testkit::START_MS).unwrap();
    assert_eq!(claims.expires_at_secs, testkit::START_MS / 1000 + 600);
    env.advance_secs(600);
    assert_eq!(me_status(&env, &client), 401);
}

#[test]
fn a_retry_whose_successor_key_was_removed_must_sign_in_again() {
    let (mut env, first) = signed_in("token");
    let _second = rotated(&env, &first);
    env.config = testkit::config(&[(
        "DATA_ENCRYPTION_KEYS",
        "data-1:7rpAkmsWGjVxwmG0gHkb4PsVjAMLiezd_Ys3xF3wobA",
    )]);
    let (response, events) = refresh(&env, &first);
    assert_eq!(response.status, 401);
    assert!(events.is_empty(), "not reuse: the client did nothing wrong");
}

#[test]
fn stored_sessions_hold_hashes_never_tokens() {
    let (env, first) = signed_in("cookie");
    let second = rotated(&env, &first);
    let dump = env.store.dump();
    for (_, value) in &dump {
        for secret in [
            &first.refresh,
            &second.refresh,
            &first.access,
            &second.access,
        ] {
            let (_, tail) = secret.rsplit_once('.').unwrap();
            assert!(!value.contains(tail), "a token leaked into the store");
        }
    }
}
