use super::*;
use crate::tests::{edgeauth, KEY_A, KEY_B};
use edgeauth_core::policy::token::jwks;

fn published(keys: &str) -> Vec<u8> {
    serde_json::to_vec(&jwks::key_set(&edgeauth(keys)).unwrap()).unwrap()
}

#[test]
fn every_published_key_is_kept_by_kid_for_its_max_age() {
    let set = KeySet::parse(
        &published(&format!("{KEY_B},{KEY_A}")),
        Some("public, max-age=300"),
        1_000,
    )
    .unwrap();
    assert_eq!(set.kids().collect::<Vec<_>>(), ["sig-b", "sig-a"]);
    assert!(set.is_fresh(1_000 + 299_999));
    assert!(!set.is_fresh(1_000 + 300_000));
    assert!(!set.is_fresh(999), "a clock that went back");
}

#[test]
fn max_age_is_bounded_whatever_is_sent() {
    for (header, expected) in [
        (None, DEFAULT_MAX_AGE_MS),
        (Some("max-age=0"), MIN_MAX_AGE_MS),
        (Some("public, max-age=999999"), MAX_MAX_AGE_MS),
        (Some("no-store"), DEFAULT_MAX_AGE_MS),
        (Some("max-age=120"), 120_000),
    ] {
        assert_eq!(max_age_ms(header), expected, "{header:?}");
    }
}

#[test]
fn a_set_with_a_private_key_or_a_duplicate_kid_is_refused_whole() {
    let mut doc: serde_json::Value = serde_json::from_slice(&published(KEY_A)).unwrap();
    doc["keys"][0]["d"] = serde_json::json!("AAAA");
    assert!(KeySet::parse(&serde_json::to_vec(&doc).unwrap(), None, 0).is_err());
    let mut doc: serde_json::Value =
        serde_json::from_slice(&published(&format!("{KEY_A},{KEY_B}"))).unwrap();
    doc["keys"][1]["kid"] = doc["keys"][0]["kid"].clone();
    assert!(KeySet::parse(&serde_json::to_vec(&doc).unwrap(), None, 0).is_err());
}

#[test]
fn unknown_kids_cause_a_fetch_only_after_the_cooldown() {
    let set = KeySet::parse(&published(KEY_A), None, 10_000).unwrap();
    assert!(!set.may_refetch_for_unknown_kid(10_000 + UNKNOWN_KID_COOLDOWN_MS - 1));
    assert!(set.may_refetch_for_unknown_kid(10_000 + UNKNOWN_KID_COOLDOWN_MS));
    assert!(set.has("sig-a") && !set.has("sig-b"));
}
