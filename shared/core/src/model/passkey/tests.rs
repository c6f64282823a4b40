use super::*;
use crate::testkit::TestEnv;

fn record(user_id: &str, credential: &[u8]) -> PasskeyRecord {
    PasskeyRecord {
        id: id_of(credential),
        user_id: user_id.into(),
        credential_id: encoding::b64url(credential),
        public_key: "pQ".into(),
        algorithm: -8,
        sign_count: 0,
        backup_eligible: false,
        backup_state: false,
        aaguid: "00".repeat(16),
        transports: Vec::new(),
        name: "Key".into(),
        created_at_ms: 1,
        last_used_at_ms: None,
        counter_regressed_at_ms: None,
        removing_since_ms: None,
    }
}

const ALICE: &str = "a0000000000000000000000000000000";
const BOB: &str = "b0000000000000000000000000000000";

#[test]
fn a_credential_id_is_claimed_once_and_found_by_its_index() {
    let env = TestEnv::new();
    pollster::block_on(async {
        assert!(insert(env.atomic_store(), &record(ALICE, b"cred"))
            .await
            .unwrap());
        assert!(!insert(env.atomic_store(), &record(BOB, b"cred"))
            .await
            .unwrap());
        assert!(
            list(env.atomic_store(), BOB).await.unwrap().is_empty(),
            "the loser's record is gone"
        );
        let entry = lookup(env.atomic_store(), b"cred").await.unwrap().unwrap();
        assert_eq!(entry.user_id, ALICE);
        assert_eq!(entry.passkey_id, id_of(b"cred"));
        assert!(crate::model::user::is_id(&entry.passkey_id));
        // The same credential for the same user again: refused, the first one stays.
        assert!(!insert(env.atomic_store(), &record(ALICE, b"cred"))
            .await
            .unwrap());
        assert_eq!(list(env.atomic_store(), ALICE).await.unwrap().len(), 1);
        assert_eq!(lookup(env.atomic_store(), b"other").await.unwrap(), None);
    });
}

#[test]
fn a_record_whose_id_is_not_its_credentials_is_refused() {
    let env = TestEnv::new();
    let mut forged = record(ALICE, b"one");
    forged.id = id_of(b"two");
    assert!(pollster::block_on(insert(env.atomic_store(), &forged)).is_err());
}

#[test]
fn an_index_entry_of_another_owner_is_left_alone() {
    let env = TestEnv::new();
    pollster::block_on(async {
        insert(env.atomic_store(), &record(ALICE, b"one"))
            .await
            .unwrap();
        let (first, raw) = load(env.atomic_store(), ALICE, &id_of(b"one"))
            .await
            .unwrap()
            .unwrap();
        assert!(remove(env.atomic_store(), &first, &raw).await.unwrap());
        // Registered again by someone else; an erasure of the first owner that ran late
        // must not release it.
        assert!(insert(env.atomic_store(), &record(BOB, b"one"))
            .await
            .unwrap());
        erase_all(env.atomic_store(), ALICE).await.unwrap();
        assert_eq!(
            lookup(env.atomic_store(), b"one")
                .await
                .unwrap()
                .unwrap()
                .user_id,
            BOB
        );
    });
}

#[test]
fn removal_releases_the_index_and_erasure_removes_everything() {
    let env = TestEnv::new();
    pollster::block_on(async {
        insert(env.atomic_store(), &record(ALICE, b"one"))
            .await
            .unwrap();
        insert(env.atomic_store(), &record(ALICE, b"two"))
            .await
            .unwrap();
        let (first, raw) = load(env.atomic_store(), ALICE, &id_of(b"one"))
            .await
            .unwrap()
            .unwrap();
        assert!(remove(env.atomic_store(), &first, &raw).await.unwrap());
        assert_eq!(lookup(env.atomic_store(), b"one").await.unwrap(), None);
        assert_eq!(erase_all(env.atomic_store(), ALICE).await.unwrap(), 1);
        assert_eq!(lookup(env.atomic_store(), b"two").await.unwrap(), None);
        assert!(list(env.atomic_store(), ALICE).await.unwrap().is_empty());
    });
}

#[test]
fn ids_of_the_wrong_shape_or_owner_read_as_absent() {
    let env = TestEnv::new();
    pollster::block_on(async {
        insert(env.atomic_store(), &record(ALICE, b"one"))
            .await
            .unwrap();
        assert!(load(env.atomic_store(), BOB, &id_of(b"one"))
            .await
            .unwrap()
            .is_none());
        assert!(load(env.atomic_store(), ALICE, "../profile")
            .await
            .unwrap()
            .is_none());
        assert!(load(env.atomic_store(), ALICE, &id_of(b"one"))
            .await
            .unwrap()
            .is_some());
    });
}

#[test]
fn a_removal_mark_holds_for_a_minute() {
    let mut passkey = record(ALICE, b"one");
    assert!(!passkey.being_removed(10));
    passkey.removing_since_ms = Some(1_000);
    assert!(passkey.being_removed(1_000 + REMOVAL_MARK_MS - 1));
    assert!(!passkey.being_removed(1_000 + REMOVAL_MARK_MS));
}
