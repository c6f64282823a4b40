//! The token check: edgeauth's own, against the published keys.

use super::*;
use crate::keys::{DEFAULT_MAX_AGE_MS, UNKNOWN_KID_COOLDOWN_MS};

#[test]
fn an_expired_token_is_refused() {
    let fixture = Fixture::new();
    let token = fixture.token();
    assert!(fixture.check(&bearer(Method::Get, &token)).is_ok());
    // Past `exp` (15 min) and the 30 s leeway: refused, remembered check or not.
    fixture.clock.advance(900_000 + 31_000);
    assert_eq!(
        fixture.check(&bearer(Method::Get, &token)),
        Err(ApiError::Unauthenticated)
    );
}

#[test]
fn a_token_for_another_audience_is_refused_and_the_audience_is_configurable() {
    let edgeauths = Fixture::new();
    let api = Fixture::with(&[("EDGEAUTH_AUDIENCE", "https://api.example.com")]);
    // edgeauth's own tokens say aud = PUBLIC_ORIGIN: not for an API that expects its
    // own audience...
    assert_eq!(
        api.check(&bearer(Method::Get, &api.token())),
        Err(ApiError::Unauthenticated)
    );
    assert_eq!(
        api.edgeauth.calls("/auth/introspect"),
        0,
        "refused before asking"
    );
    // ...and accepted where the audience is edgeauth's.
    assert!(edgeauths
        .check(&bearer(Method::Get, &edgeauths.token()))
        .is_ok());
    assert_eq!(api.guard.config().audience, "https://api.example.com");
}

#[test]
fn a_token_from_another_issuer_is_refused() {
    let fixture = Fixture::with(&[]);
    let other = Fixture::with(&[]);
    *other.edgeauth.config.borrow_mut() = Config::from_vars(&vars(&[
        ("ENVIRONMENT", "production"),
        ("PUBLIC_ORIGIN", "https://evil.example.net"),
        ("JWT_SIGNING_KEYS", KEY_A),
        ("DATA_ENCRYPTION_KEYS", DATA_KEYS),
        ("MAIL_TRANSPORT", "console"),
    ]))
    .unwrap();
    // Same key, other issuer (and audience).
    assert_eq!(
        fixture.check(&bearer(Method::Get, &other.token())),
        Err(ApiError::Unauthenticated)
    );
}

#[test]
fn a_token_under_a_key_the_set_does_not_hold_is_refused_after_one_fetch_per_cooldown() {
    let fixture = Fixture::new();
    assert!(fixture
        .check(&bearer(Method::Get, &fixture.token()))
        .is_ok());
    // Signed by a key edgeauth does not publish (a forged or foreign kid).
    let forger = Fixture::new();
    *forger.edgeauth.config.borrow_mut() = edgeauth(KEY_B);
    let forged = forger.token();
    fixture.clock.advance(UNKNOWN_KID_COOLDOWN_MS);
    for _ in 0..5 {
        assert_eq!(
            fixture.check(&bearer(Method::Get, &forged)),
            Err(ApiError::Unauthenticated)
        );
    }
    assert_eq!(
        fixture.edgeauth.calls("jwks.json"),
        2,
        "the first fetch, then one refetch for the unknown kid within the cooldown"
    );
    assert_eq!(fixture.edgeauth.calls("/auth/introspect"), 1);
}

#[test]
fn a_new_signing_key_is_picked_up_at_once_and_a_removed_one_at_the_next_fetch() {
    let fixture = Fixture::new();
    assert!(fixture
        .check(&bearer(Method::Get, &fixture.token()))
        .is_ok());
    let old = fixture.token();
    // Compromise rotation: B first, A still verifying.
    *fixture.edgeauth.config.borrow_mut() = edgeauth(&format!("{KEY_B},{KEY_A}"));
    fixture.clock.advance(UNKNOWN_KID_COOLDOWN_MS);
    let new = fixture.token();
    assert!(
        fixture.check(&bearer(Method::Get, &new)).is_ok(),
        "unknown kid: refetched"
    );
    assert!(fixture.check(&bearer(Method::Get, &old)).is_ok());
    // A removed: refused once the set is fetched again (its max-age).
    *fixture.edgeauth.config.borrow_mut() = edgeauth(KEY_B);
    fixture.clock.advance(DEFAULT_MAX_AGE_MS);
    assert_eq!(
        fixture.check(&bearer(Method::Get, &old)),
        Err(ApiError::Unauthenticated)
    );
    assert!(fixture.check(&bearer(Method::Get, &new)).is_ok());
}

#[test]
fn a_repeated_token_is_not_verified_again_but_its_times_are() {
    let fixture = Fixture::new();
    let token = fixture.token();
    assert!(fixture.check(&bearer(Method::Get, &token)).is_ok());
    assert_eq!(
        fixture.memory.tokens.len(),
        1,
        "remembered after a full check"
    );
    // A token memory hit still refuses a token past its time.
    fixture.clock.advance(3_600_000);
    assert_eq!(
        fixture.check(&bearer(Method::Get, &token)),
        Err(ApiError::Unauthenticated)
    );
}
