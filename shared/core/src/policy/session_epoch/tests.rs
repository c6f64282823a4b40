use super::*;
use crate::testkit::{self, TestEnv};

fn session(env: &TestEnv, user: &UserRecord) -> SessionRecord {
    let client = testkit::sign_in(env, &user.id, "token");
    testkit::stored_session(env, &user.id, &client.session_id)
}

#[test]
fn a_session_counts_only_until_the_epoch_moves_past_it() {
    let env = TestEnv::new();
    let mut user = testkit::seed_user(&env, "eph@example.com", true);
    let old = session(&env, &user);
    assert_eq!(old.epoch, 0);
    assert!(admits(&user, &old));
    advance(&mut user, None);
    assert_eq!(user.session_epoch, 1);
    assert!(!admits(&user, &old));
    testkit::edit_user(&env, &user.id, |stored| *stored = user.clone());
    let new = session(&env, &user);
    assert_eq!(new.epoch, 1);
    assert!(admits(&user, &new));
}

#[test]
fn an_epoch_change_keeps_only_the_named_session_until_the_next_one() {
    let env = TestEnv::new();
    let mut user = testkit::seed_user(&env, "kep@example.com", true);
    let (kept, other) = (session(&env, &user), session(&env, &user));
    advance(&mut user, Some(&kept.id));
    assert!(admits(&user, &kept));
    assert!(!admits(&user, &other));
    advance(&mut user, Some(&kept.id));
    assert!(admits(&user, &kept), "kept again by the next change");
    advance(&mut user, None);
    assert!(!admits(&user, &kept));
}

#[test]
fn records_without_the_field_read_as_epoch_zero() {
    let env = TestEnv::new();
    let user = testkit::seed_user(&env, "old@example.com", true);
    let stored = session(&env, &user);
    let mut json: serde_json::Value = serde_json::to_value(&stored).unwrap();
    json.as_object_mut().unwrap().remove("epoch");
    let legacy: SessionRecord = serde_json::from_value(json).unwrap();
    assert_eq!(legacy.epoch, 0);
    let text = serde_json::to_string(&user).unwrap();
    assert!(!text.contains("session_epoch"), "{text}");
}
