use super::*;
use crate::env::fake::SeededRandom;
use crate::testkit;

const USER: &str = "0123456789abcdef0123456789abcdef";
const OTHER: &str = "fedcba9876543210fedcba9876543210";

#[test]
fn one_account_per_address_whatever_the_case() {
    let config = testkit::config(&[]);
    let random = SeededRandom::new(1);
    let a = normalize("  Alice@Example.COM ").unwrap();
    let b = normalize("alice@example.com").unwrap();
    assert_eq!(email_index(&config, &a), email_index(&config, &b));
    let stored = store_email(&config, &random, USER, &a).unwrap();
    assert_eq!(
        read_email(&config, USER, &stored).unwrap(),
        "alice@example.com"
    );
}

#[test]
fn the_index_is_a_keyed_mac_under_the_active_key_never_the_address() {
    let config = testkit::config(&[]);
    let index = email_index(&config, "alice@example.com");
    assert!(index.starts_with("data-2."), "{index}");
    assert!(!index.contains("alice"));
    let candidates = email_index_candidates(&config, "alice@example.com");
    assert_eq!(candidates.len(), 2);
    assert_eq!(candidates[0], index, "active key first");
    assert!(candidates[1].starts_with("data-1."));
}

#[test]
fn the_stored_address_is_a_ciphertext_bound_to_its_record() {
    let config = testkit::config(&[]);
    let random = SeededRandom::new(2);
    let stored = store_email(&config, &random, USER, "alice@example.com").unwrap();
    assert!(stored.ciphertext().starts_with("v1.data-2."));
    assert!(!stored.ciphertext().contains("alice"));
    // Copied into another user's record, it does not decrypt: 503, not a value.
    let error = read_email(&config, OTHER, &stored).unwrap_err();
    assert_eq!(error.status(), 503);
    assert_eq!(
        error.internal_cause(),
        Some(crate::crypto::CryptoError::Tampered.cause())
    );
}

#[test]
fn unreadable_stored_addresses_fail_closed() {
    let config = testkit::config(&[]);
    let random = SeededRandom::new(3);
    let stored = store_email(&config, &random, USER, "alice@example.com").unwrap();
    let text = stored.ciphertext();
    let mut flipped = String::from(&text[..text.len() - 1]);
    flipped.push(if text.ends_with('A') { 'B' } else { 'A' });
    let unknown = text.replacen("data-2", "data-9", 1);
    for (bad, cause) in [
        (flipped, crate::crypto::CryptoError::Tampered),
        (unknown, crate::crypto::CryptoError::UnknownKey),
        (
            String::from("alice@example.com"),
            crate::crypto::CryptoError::Malformed,
        ),
    ] {
        let error = read_email(&config, USER, &StoredEmail::from_ciphertext(bad)).unwrap_err();
        assert_eq!(error.status(), 503);
        assert_eq!(error.internal_cause(), Some(cause.cause()));
    }
}

#[test]
fn older_keys_still_decrypt_after_a_new_key_is_put_first() {
    let old = testkit::config(&[(
        "DATA_ENCRYPTION_KEYS",
        "data-1:7rpAkmsWGjVxwmG0gHkb4PsVjAMLiezd_Ys3xF3wobA",
    )]);
    let rotated = testkit::config(&[]);
    let random = SeededRandom::new(4);
    let stored = store_email(&old, &random, USER, "alice@example.com").unwrap();
    assert_eq!(
        read_email(&rotated, USER, &stored).unwrap(),
        "alice@example.com"
    );
    // The old index is among the candidates of the rotated configuration.
    assert!(email_index_candidates(&rotated, "alice@example.com")
        .contains(&email_index(&old, "alice@example.com")));
}

#[test]
fn invalid_addresses_are_a_400_without_the_value() {
    let error = normalize("not an address").unwrap_err();
    assert_eq!(error.status(), 400);
    assert!(!error.detail().unwrap_or("").contains("not an address"));
}

#[test]
fn recognises_bootstrap_admins_case_insensitively() {
    let config = testkit::config(&[("BOOTSTRAP_ADMIN_EMAILS", "Root@Example.com")]);
    assert!(is_bootstrap_admin(
        &config,
        &normalize("ROOT@example.com").unwrap()
    ));
    assert!(!is_bootstrap_admin(
        &config,
        &normalize("root2@example.com").unwrap()
    ));
}
