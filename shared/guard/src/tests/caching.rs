//! The revocation policy: answers kept for at most the bound, writes and strict mode
//! asking now.

use super::*;
use crate::REVOCATION_BOUND_MS;

fn revoke(fixture: &Fixture) {
    fixture
        .edgeauth
        .sessions
        .borrow_mut()
        .get_mut(SESSION)
        .unwrap()
        .live = false;
}

#[test]
fn a_revoked_session_is_refused_by_reads_within_the_bound_and_by_writes_at_once() {
    let fixture = Fixture::new();
    let token = fixture.token();
    assert!(fixture.check(&bearer(Method::Get, &token)).is_ok());
    revoke(&fixture);
    assert_eq!(
        fixture.check(&bearer(Method::Delete, &token)),
        Err(ApiError::Unauthenticated),
        "a write asks now"
    );
    fixture.clock.advance(REVOCATION_BOUND_MS - 1);
    assert!(
        fixture.check(&bearer(Method::Get, &token)).is_ok(),
        "a read within the bound may use the answer"
    );
    fixture.clock.advance(1);
    assert_eq!(
        fixture.check(&bearer(Method::Get, &token)),
        Err(ApiError::Unauthenticated),
        "no read past the bound"
    );
}

#[test]
fn the_age_of_edgeauths_own_snapshot_counts_against_the_bound() {
    let fixture = Fixture::new();
    let token = fixture.token();
    fixture.edgeauth.age_ms.set(4_000);
    let principal = fixture.check(&bearer(Method::Get, &token)).unwrap();
    assert_eq!(principal.checked_at_ms, START_MS - 4_000);
    revoke(&fixture);
    fixture.clock.advance(999);
    assert!(fixture.check(&bearer(Method::Get, &token)).is_ok());
    fixture.clock.advance(1);
    assert_eq!(
        fixture.check(&bearer(Method::Get, &token)),
        Err(ApiError::Unauthenticated),
        "5 s after edgeauth read the records, not 5 s after it answered"
    );
}

#[test]
fn reads_within_the_bound_cost_one_introspection() {
    let fixture = Fixture::new();
    let token = fixture.token();
    for _ in 0..10 {
        fixture.clock.advance(400);
        assert!(fixture.check(&bearer(Method::Get, &token)).is_ok());
    }
    assert_eq!(fixture.edgeauth.calls("GET /auth/introspect"), 1);
    assert_eq!(fixture.edgeauth.calls("jwks.json"), 1);
    for _ in 0..3 {
        assert!(fixture.check(&bearer(Method::Put, &token)).is_ok());
    }
    assert_eq!(
        fixture.edgeauth.calls("POST /auth/introspect"),
        3,
        "every write asks"
    );
}

#[test]
fn strict_mode_asks_for_every_request_and_keeps_nothing() {
    let fixture = Fixture::with(&[("SESSION_CHECK", "strict")]);
    let token = fixture.token();
    assert!(fixture.check(&bearer(Method::Get, &token)).is_ok());
    revoke(&fixture);
    assert_eq!(
        fixture.check(&bearer(Method::Get, &token)),
        Err(ApiError::Unauthenticated)
    );
    assert_eq!(
        fixture.edgeauth.calls("POST /auth/introspect"),
        2,
        "fresh every time"
    );
    assert_eq!(fixture.memory.answers(), 0);
}

#[test]
fn an_answer_is_kept_per_session() {
    let fixture = Fixture::new();
    fixture.edgeauth.sessions.borrow_mut().insert(
        "a".repeat(32),
        Session {
            user_id: USER.into(),
            roles: vec!["user".into()],
            live: true,
        },
    );
    assert!(fixture
        .check(&bearer(Method::Get, &fixture.token()))
        .is_ok());
    revoke(&fixture);
    let other = fixture.token_for(&"a".repeat(32));
    assert!(fixture.check(&bearer(Method::Get, &other)).is_ok());
    assert_eq!(
        fixture.edgeauth.calls("GET /auth/introspect"),
        2,
        "another session of the same user is asked about on its own"
    );
}
