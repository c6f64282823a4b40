use super::*;
use alloc::vec;

const USER: &str = "0123456789abcdef0123456789abcdef";
const SESSION: &str = "fedcba9876543210fedcba9876543210";

fn token() -> RefreshToken {
    RefreshToken::new(USER, SESSION, Secret::new(vec![9u8; 32]))
}

#[test]
fn round_trips_its_wire_form() {
    let text = token().encode();
    assert_eq!(RefreshToken::parse(&text), Some(token()));
    assert!(text.starts_with(&alloc::format!("{USER}.{SESSION}.")));
}

#[test]
fn rejects_anything_not_of_our_shape() {
    let secret = encoding::b64url(&[1u8; 32]);
    for bad in [
        String::new(),
        alloc::format!("{USER}.{SESSION}"),
        alloc::format!("{USER}.{SESSION}.{secret}.x"),
        alloc::format!("{USER}.{SESSION}.{}", encoding::b64url(&[1u8; 31])),
        alloc::format!("{}.{SESSION}.{secret}", USER.to_uppercase()),
        alloc::format!("../x.{SESSION}.{secret}"),
        alloc::format!("{USER}.{SESSION}.{secret}="),
    ] {
        assert_eq!(RefreshToken::parse(&bad), None, "{bad}");
    }
}

#[test]
fn debug_output_hides_the_secret() {
    let text = alloc::format!("{:?}", token());
    assert!(!text.contains(&encoding::b64url(&[9u8; 32])));
    assert!(text.contains("REDACTED"));
}

#[test]
fn hash_matching_is_exact() {
    let t = token();
    assert!(t.matches(&t.secret_hash()));
    assert!(!t.matches(&encoding::hex(&[0u8; 32])));
}

fn config() -> Config {
    crate::testkit::config(&[])
}

fn issued() -> RefreshToken {
    let config = config();
    RefreshToken::issue(
        config.data_encryption_keys.active(),
        USER,
        SESSION,
        Secret::new(vec![9u8; 32]),
    )
}

#[test]
fn issued_tokens_carry_a_tag_and_round_trip() {
    let text = issued().encode();
    assert_eq!(text.split('.').count(), 4);
    assert!(text.len() <= MAX_TEXT_CHARS);
    assert_eq!(RefreshToken::parse(&text), Some(issued()));
    assert_eq!(issued().secret_hash(), token().secret_hash());
}

#[test]
fn provenance_tells_issued_untagged_and_forged_apart() {
    let config = config();
    assert_eq!(issued().provenance(&config), Provenance::Issued);
    assert_eq!(token().provenance(&config), Provenance::Untagged);
    let mut forged = issued();
    forged.tag = Some([1u8; TAG_BYTES]);
    assert_eq!(forged.provenance(&config), Provenance::Forged);
    // A genuine tag on another secret, or moved to another session, is no tag.
    let mut other_secret = issued();
    other_secret.secret = Secret::new(vec![8u8; 32]);
    assert_eq!(other_secret.provenance(&config), Provenance::Forged);
    let mut moved = issued();
    moved.session_id = USER.into();
    assert_eq!(moved.provenance(&config), Provenance::Forged);
}

#[test]
fn a_tag_verifies_under_any_key_of_the_ring_and_not_after_its_key_left() {
    let config = config();
    let old = config.data_encryption_keys.get("data-1").unwrap();
    let token = RefreshToken::issue(old, USER, SESSION, Secret::new(vec![9u8; 32]));
    assert_eq!(token.provenance(&config), Provenance::Issued);
    let without_old = crate::testkit::config(&[(
        "DATA_ENCRYPTION_KEYS",
        "data-2:qHMKllDMn1NVFNL_Acb7sKILIFz9nBuOi8ncSknWMRQ",
    )]);
    assert_eq!(token.provenance(&without_old), Provenance::Forged);
}

#[test]
fn successors_are_tagged_under_the_deriving_key() {
    let config = config();
    let next = issued().successor(&config, "data-1", 1).unwrap();
    assert_eq!(next.provenance(&config), Provenance::Issued);
    let again = issued().successor(&config, "data-1", 1).unwrap();
    assert_eq!(
        next.encode(),
        again.encode(),
        "a retry gets the identical token"
    );
}

#[test]
fn rejects_tags_not_of_our_shape() {
    let base = token().encode();
    for bad in [
        alloc::format!("{base}."),
        alloc::format!("{base}.{}", encoding::b64url(&[1u8; 15])),
        alloc::format!("{base}.{}", encoding::b64url(&[1u8; 17])),
        alloc::format!("{base}.{}.x", encoding::b64url(&[1u8; 16])),
    ] {
        assert_eq!(RefreshToken::parse(&bad), None, "{bad}");
    }
}
