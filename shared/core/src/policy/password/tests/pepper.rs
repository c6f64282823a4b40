//! The pepper as argon2's secret input, its `keyid` marker, and upgrades.

use super::*;

#[test]
fn a_peppered_hash_verifies_only_with_its_pepper() {
    let right = pepper(b"0123456789abcdef-the-pepper");
    let wrong = pepper(b"0123456789abcdef-other-pepper");
    let stored = hash_password(
        "peppered password",
        &FAST,
        Some(&right),
        &SeededRandom::new(5),
    )
    .unwrap();
    assert!(stored.contains(",keyid=cGVwcGVy$"), "{stored}");
    assert_eq!(
        verify_password("peppered password", &stored, &FAST, Some(&right)),
        VALID_CURRENT
    );
    assert_eq!(
        verify_password("peppered password", &stored, &FAST, None),
        Verification::Invalid
    );
    assert_eq!(
        verify_password("peppered password", &stored, &FAST, Some(&wrong)),
        Verification::Invalid
    );
    assert_eq!(
        verify_password("other password", &stored, &FAST, Some(&right)),
        Verification::Invalid
    );
}

#[test]
fn the_pepper_is_argon2s_secret_input() {
    let secret = b"0123456789abcdef-the-pepper";
    let stored =
        hash_password("keyed", &FAST, Some(&pepper(secret)), &SeededRandom::new(5)).unwrap();
    let parsed = PasswordHash::new(&stored).unwrap();
    let salt = parsed.salt.unwrap();
    let expected = phc(
        "keyed",
        Algorithm::Argon2id,
        Version::V0x13,
        (FAST.memory_kib, FAST.iterations, FAST.parallelism),
        salt.as_ref(),
        32,
        Some(secret),
        Some(argon2id::PEPPER_KEY_ID),
    );
    assert_eq!(stored, expected);
    let unkeyed = hash_password("keyed", &FAST, None, &SeededRandom::new(5)).unwrap();
    assert_ne!(PasswordHash::new(&unkeyed).unwrap().hash, parsed.hash);
}

#[test]
fn an_unpeppered_hash_verifies_and_is_upgraded_once_a_pepper_is_configured() {
    let stored = current("from before the pepper", &FAST);
    let configured = pepper(b"0123456789abcdef-the-pepper");
    assert_eq!(
        verify_password("from before the pepper", &stored, &FAST, Some(&configured)),
        VALID_STALE
    );
}

#[test]
fn a_keyed_hash_with_an_unknown_key_id_is_refused() {
    let secret = b"0123456789abcdef-the-pepper";
    let stored = phc(
        "pw",
        Algorithm::Argon2id,
        Version::V0x13,
        (FAST.memory_kib, FAST.iterations, FAST.parallelism),
        &[1; 16],
        32,
        Some(secret),
        Some(b"other"),
    );
    assert_eq!(
        verify_password("pw", &stored, &FAST, Some(&pepper(secret))),
        Verification::Invalid
    );
}

#[test]
fn an_empty_pepper_fails_closed() {
    let empty = pepper(b"");
    let result = hash_password(
        "any password at all",
        &FAST,
        Some(&empty),
        &SeededRandom::new(1),
    );
    assert!(
        matches!(result, Err(ApiError::Unavailable(_))),
        "{result:?}"
    );
    let keyed = hash_password(
        "pw",
        &FAST,
        Some(&pepper(b"0123456789abcdef")),
        &SeededRandom::new(1),
    )
    .unwrap();
    assert_eq!(
        verify_password("pw", &keyed, &FAST, Some(&empty)),
        Verification::Invalid
    );
}
