//! Hashing: PHC shape, round trips, salt from the injected random source, errors,
//! normalisation.

use super::*;

#[test]
fn hashes_are_argon2id_v19_phc_strings_with_the_configured_parameters() {
    let stored = hash_password(
        "correct horse battery staple",
        &PasswordHashParams::OWASP_DEFAULT,
        None,
        &SeededRandom::new(1),
    )
    .unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    let parsed = PasswordHash::new(&stored).unwrap();
    assert_eq!(parsed.salt.unwrap().len(), 16);
    assert_eq!(parsed.hash.unwrap().len(), 32);
    assert_eq!(
        verify_password(
            "correct horse battery staple",
            &stored,
            &PasswordHashParams::OWASP_DEFAULT,
            None
        ),
        VALID_CURRENT
    );
}

#[test]
fn round_trips_and_refuses_other_passwords() {
    for password in [
        "hunter2hunter2",
        "",
        "ü ñ 漢字 🔑",
        "a very long passphrase ".repeat(20).as_str(),
    ] {
        let stored = hash_password(password, &FAST, None, &SeededRandom::new(7)).unwrap();
        assert_eq!(
            verify_password(password, &stored, &FAST, None),
            VALID_CURRENT
        );
        let other = format!("{password}x");
        assert_eq!(
            verify_password(&other, &stored, &FAST, None),
            Verification::Invalid
        );
    }
}

#[test]
fn the_salt_is_the_first_sixteen_bytes_of_the_injected_random_source() {
    let stored = hash_password("salt test password", &FAST, None, &SeededRandom::new(42)).unwrap();
    let mut expected = [0u8; 16];
    SeededRandom::new(42).fill(&mut expected).unwrap();
    let parsed = PasswordHash::new(&stored).unwrap();
    assert_eq!(parsed.salt.unwrap().as_ref(), &expected[..]);
    // Same source state, same hash; another state, another salt and hash.
    assert_eq!(
        hash_password("salt test password", &FAST, None, &SeededRandom::new(42)).unwrap(),
        stored
    );
    assert_ne!(
        hash_password("salt test password", &FAST, None, &SeededRandom::new(43)).unwrap(),
        stored
    );
}

struct BrokenRandom;

impl Random for BrokenRandom {
    fn fill(&self, _buf: &mut [u8]) -> Result<(), RandomError> {
        Err(RandomError)
    }
}

#[test]
fn fails_closed_when_the_random_source_fails() {
    let result = hash_password("any password at all", &FAST, None, &BrokenRandom);
    assert!(
        matches!(result, Err(ApiError::Unavailable(_))),
        "{result:?}"
    );
}

#[test]
fn parameters_argon2_rejects_are_an_internal_error() {
    let invalid = PasswordHashParams {
        memory_kib: 1,
        iterations: 0,
        parallelism: 0,
    };
    let result = hash_password("any password at all", &invalid, None, &SeededRandom::new(1));
    assert!(matches!(result, Err(ApiError::Internal(_))), "{result:?}");
}

#[test]
fn hashing_and_verification_normalise_the_password() {
    let stored = hash_password(
        "ｐａｓｓｗｏｒｄ　ｏｎｅ",
        &FAST,
        None,
        &SeededRandom::new(3),
    )
    .unwrap();
    assert_eq!(
        verify_password("password one", &stored, &FAST, None),
        VALID_CURRENT
    );
    let stored = hash_password("cafe\u{301} au lait", &FAST, None, &SeededRandom::new(3)).unwrap();
    assert_eq!(
        verify_password("caf\u{e9} au lait", &stored, &FAST, None),
        VALID_CURRENT
    );
    // And the stored hash is the hash of the normal form.
    assert_eq!(
        stored,
        hash_password("caf\u{e9} au lait", &FAST, None, &SeededRandom::new(3)).unwrap()
    );
}
