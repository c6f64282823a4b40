use super::*;
use crate::env::fake::SeededRandom;
use crate::testkit;

#[test]
fn a_link_keeps_the_subject_and_address_encrypted_and_bound_to_its_user() {
    let config = testkit::config(&[]);
    let random = SeededRandom::new(7);
    let link = new(
        &config,
        &random,
        "aa",
        "acme",
        "subject-1",
        Some("jane@example.com"),
        5,
    )
    .unwrap();
    assert!(!link.subject.contains("subject-1"));
    assert!(!link.email.as_deref().unwrap().contains("jane"));
    assert_eq!(link.subject(&config, "aa").unwrap(), "subject-1");
    assert_eq!(
        link.email(&config, "aa").unwrap().as_deref(),
        Some("jane@example.com")
    );
    // Copied into another user's record, it does not decrypt.
    assert!(link.subject(&config, "bb").is_err());
    assert_eq!(
        link.index,
        blind_index::identity_index(&config.data_encryption_keys, "acme", "subject-1")
    );
}

#[test]
fn an_index_is_claimed_by_one_user_only_and_released_by_its_owner_only() {
    let env = testkit::TestEnv::new();
    let atomic = crate::ctx::Services::atomic(&env);
    pollster::block_on(async {
        assert!(claim(atomic, "k.idx", "user-a").await.unwrap());
        assert!(!claim(atomic, "k.idx", "user-b").await.unwrap());
        assert!(!release(atomic, "k.idx", "user-b").await.unwrap());
        assert!(release(atomic, "k.idx", "user-a").await.unwrap());
        assert!(claim(atomic, "k.idx", "user-b").await.unwrap());
    });
}
