use super::*;
use crate::testkit::{self, TestEnv};

#[test]
fn a_session_is_recent_for_five_minutes_after_its_sign_in_or_its_last_confirmation() {
    let env = TestEnv::new();
    let user = testkit::seed_user(&env, "recent@example.com", true);
    let client = testkit::sign_in(&env, &user.id, "token");
    let mut session = testkit::stored_session(&env, &user.id, &client.session_id);
    let signed_in = session.created_at_ms;
    assert!(is_recent(&session, signed_in));
    assert!(is_recent(&session, signed_in + WINDOW_MS));
    assert!(!is_recent(&session, signed_in + WINDOW_MS + 1));
    session.reauthenticated_at_ms = Some(signed_in + 60 * 60 * 1000);
    assert!(is_recent(&session, signed_in + 60 * 60 * 1000 + WINDOW_MS));
    assert!(!is_recent(
        &session,
        signed_in + 60 * 60 * 1000 + WINDOW_MS + 1
    ));
    // A confirmation recorded before the sign-in does not shorten the window.
    session.reauthenticated_at_ms = Some(0);
    assert_eq!(authenticated_at_ms(&session), signed_in);
}
