//! Legacy bcrypt: the published vectors (`tests/vectors/bcrypt.json`), rehash, pepper,
//! non-normalised passwords.

use super::*;

fn bcrypt_cases() -> Vec<(String, String, &'static str)> {
    let all = vectors(include_str!("../../../../tests/vectors/bcrypt.json"));
    let mut cases = Vec::new();
    for set in ["openbsd", "openwall", "pyca"] {
        for case in all[set].as_array().unwrap() {
            cases.push((
                case["password"].as_str().unwrap().to_string(),
                case["hash"].as_str().unwrap().to_string(),
                set,
            ));
        }
    }
    cases
}

#[test]
fn verifies_the_published_bcrypt_vectors_and_asks_for_a_rehash() {
    let cases = bcrypt_cases();
    assert_eq!(cases.len(), 49);
    for (password, stored, set) in &cases {
        assert_eq!(
            verify_password(password, stored, &FAST, None),
            VALID_STALE,
            "{set}: {password:?} {stored}"
        );
    }
}

#[test]
fn refuses_wrong_passwords_against_bcrypt_hashes() {
    for (password, stored, _) in bcrypt_cases() {
        if stored.as_bytes()[5] > b'6' {
            continue; // the cheap ones suffice for negatives
        }
        let wrong = format!("!{password}");
        assert_eq!(
            verify_password(&wrong, &stored, &FAST, None),
            Verification::Invalid,
            "{stored}"
        );
    }
}

#[test]
fn bcrypt_ignores_the_pepper() {
    let stored = "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe";
    let configured = pepper(b"0123456789abcdef-the-pepper");
    assert_eq!(
        verify_password("a", stored, &FAST, Some(&configured)),
        VALID_STALE
    );
}

#[test]
fn bcrypt_hashes_of_non_normalised_passwords_still_verify_as_typed() {
    // Hashed by the old system over the fullwidth bytes; the user types them again.
    let fullwidth = "$2b$05$ABCDEFGHIJKLMNOPQRSTUuRYg3B7Dv9Ilvzxx.6vBw5CFfbuMbLba";
    assert_eq!(
        verify_password("ｐａｓｓｗｏｒｄ", fullwidth, &FAST, None),
        VALID_STALE
    );
    assert_eq!(
        verify_password("password", fullwidth, &FAST, None),
        Verification::Invalid
    );
    // Hashed over a decomposed "é": typed the same way it verifies.
    let decomposed = "$2a$05$0123456789abcdefghijk.SyYrxZuo1XKcru9mKyIsuH6G7rTX2L.";
    assert_eq!(
        verify_password("cafe\u{301}", decomposed, &FAST, None),
        VALID_STALE
    );
    // Hashed over the precomposed form: the decomposed spelling normalises to it.
    let precomposed = "$2y$05$0123456789abcdefghijk.S0PiDWidRKKMGsNkuympdA7WAiKET6.";
    assert_eq!(
        verify_password("cafe\u{301}", precomposed, &FAST, None),
        VALID_STALE
    );
}
