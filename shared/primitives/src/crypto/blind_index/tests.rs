use super::*;
use alloc::format;
use proptest::prelude::*;

const KEY_A: &str = "OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c";
const KEY_B: &str = "ZVVV4f0TrU4rsRpAWk4cLk3RkBOso06T_LSpHOxSIUU";

fn ring(spec: &str) -> Keyring {
    Keyring::parse(spec, false).unwrap()
}

#[derive(serde::Deserialize)]
struct Vectors {
    keyring: String,
    email_index: Vec<IndexVector>,
}

#[derive(serde::Deserialize)]
struct IndexVector {
    email: String,
    index: String,
}

#[test]
fn matches_independently_computed_vectors() {
    let vectors: Vectors =
        serde_json::from_str(include_str!("../../../tests/vectors/email-index.json")).unwrap();
    let keyring = ring(&vectors.keyring);
    assert!(vectors.email_index.len() >= 3);
    for vector in vectors.email_index {
        assert_eq!(
            email_index(&keyring, &vector.email),
            vector.index,
            "{}",
            vector.email
        );
    }
}

#[test]
fn index_is_deterministic_and_case_insensitive() {
    let keyring = ring(&format!("test-a:{KEY_A}"));
    let index = email_index(&keyring, "alice@example.com");
    assert_eq!(index, email_index(&keyring, "alice@example.com"));
    assert_eq!(index, email_index(&keyring, "  Alice@Example.COM "));
    assert_ne!(index, email_index(&keyring, "alice2@example.com"));
    assert!(index.starts_with("test-a."));
    assert_eq!(index.len(), "test-a.".len() + 43);
}

#[test]
fn index_differs_per_key() {
    let a = email_index(&ring(&format!("test-a:{KEY_A}")), "alice@example.com");
    let b = email_index(&ring(&format!("test-b:{KEY_B}")), "alice@example.com");
    assert_ne!(a.split_once('.').unwrap().1, b.split_once('.').unwrap().1);
    // Same material under another id: the MAC is equal, the prefix is not.
    let a2 = email_index(&ring(&format!("other:{KEY_A}")), "alice@example.com");
    assert_eq!(a.split_once('.').unwrap().1, a2.split_once('.').unwrap().1);
}

#[test]
fn index_is_not_the_aead_or_raw_key_mac() {
    // The blind-index subkey is not the configured key itself.
    let keyring = ring(&format!("test-a:{KEY_A}"));
    let raw = kdf::hmac_sha256(keyring.active().material.expose(), &[b"alice@example.com"]);
    assert!(!email_index(&keyring, "alice@example.com").ends_with(&b64url(&raw)));
}

#[test]
fn candidates_cover_every_key_active_first() {
    let old = ring(&format!("test-a:{KEY_A}"));
    let rotated = ring(&format!("test-b:{KEY_B},test-a:{KEY_A}"));
    let candidates = email_index_candidates(&rotated, "Alice@example.com");
    assert_eq!(candidates.len(), 2);
    assert_eq!(candidates[0], email_index(&rotated, "alice@example.com"));
    // The entry written before the rotation is still found.
    assert_eq!(candidates[1], email_index(&old, "alice@example.com"));
    assert!(index_is_current(&rotated, &candidates[0]));
    assert!(!index_is_current(&rotated, &candidates[1]));
    assert_eq!(index_key_id(&candidates[1]), Some("test-a"));
}

#[test]
fn key_ids_with_dots_are_recovered_from_an_index() {
    let keyring = ring(&format!("2026.01:{KEY_A}"));
    let index = email_index(&keyring, "a@b.c");
    assert_eq!(index_key_id(&index), Some("2026.01"));
    assert!(index_is_current(&keyring, &index));
    assert_eq!(index_key_id("no-dot"), None);
    assert_eq!(index_key_id(".short"), None);
}

#[test]
fn normalizes_valid_addresses_to_the_indexed_form() {
    assert_eq!(
        normalize_email(" Alice@Example.COM ").unwrap(),
        "alice@example.com"
    );
    assert_eq!(
        normalize_email("a.b+tag@sub.example.org").unwrap(),
        "a.b+tag@sub.example.org"
    );
    assert_eq!(
        normalize_email("admin@localhost").unwrap(),
        "admin@localhost"
    );
    assert_eq!(
        normalize_email("ÉMILE@exemple.fr").unwrap(),
        "émile@exemple.fr"
    );
}

#[test]
fn rejects_invalid_addresses_without_echoing_them() {
    let long_local = format!("{}@example.com", "a".repeat(65));
    let long_total = format!("a@{}.com", "b".repeat(250));
    for bad in [
        "",
        "alice",
        "@example.com",
        "alice@",
        "a@b@c",
        "alice @example.com",
        "alice@exa mple.com",
        "alice@example..com",
        "alice@.example.com",
        "alice@example.com.",
        ".alice@example.com",
        "al..ice@example.com",
        "alice\r\nBcc: x@evil@example.com",
        "alice@example.com\u{0}",
        "<alice@example.com>",
        "\"alice\"@example.com",
        long_local.as_str(),
        long_total.as_str(),
    ] {
        let error = normalize_email(bad).unwrap_err();
        assert_eq!(error, InvalidEmail, "{bad:?}");
    }
}

proptest! {
    #[test]
    fn normalized_emails_index_like_their_raw_spelling(local in "[A-Za-z0-9._+-]{1,20}", domain in "[A-Za-z0-9-]{1,20}\\.[a-z]{2,6}") {
        let keyring = ring(&format!("test-a:{KEY_A}"));
        let raw = format!("{local}@{domain}");
        if let Ok(normalized) = normalize_email(&raw) {
            prop_assert_eq!(email_index(&keyring, &normalized), email_index(&keyring, &raw));
        }
    }

    #[test]
    fn normalization_never_panics(text in "\\PC{0,300}") {
        let _ = normalize_email(&text);
    }
}

#[test]
fn identity_indexes_are_keyed_per_provider_and_never_equal_an_email_index() {
    let keyring = ring(&format!("b:{KEY_B},a:{KEY_A}"));
    let google = identity_index(&keyring, "google", "1234");
    assert!(google.starts_with("b."));
    assert_eq!(index_key_id(&google), Some("b"));
    assert_ne!(google, identity_index(&keyring, "github", "1234"));
    assert_ne!(google, identity_index(&keyring, "google", "12345"));
    assert_eq!(
        identity_index_candidates(&keyring, "google", "1234"),
        alloc::vec![
            google.clone(),
            identity_index(&ring(&format!("a:{KEY_A}")), "google", "1234")
        ]
    );
    // The NUL-led input is no canonical address: the email index of a look-alike differs.
    assert_ne!(google, email_index(&keyring, "identity@google.1234"));
}
