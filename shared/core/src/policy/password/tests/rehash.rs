//! Rehash detection and the bounds on stored parameters.

use super::*;

#[test]
fn reports_no_rehash_for_a_hash_made_with_the_configured_parameters() {
    let stored = current("pw for rehash tests", &FAST);
    assert_eq!(
        verify_password("pw for rehash tests", &stored, &FAST, None),
        VALID_CURRENT
    );
}

#[test]
fn weaker_stored_parameters_need_a_rehash() {
    let configured = PasswordHashParams {
        memory_kib: 128,
        iterations: 2,
        parallelism: 2,
    };
    for weaker in [(64, 2, 2), (128, 1, 2), (128, 2, 1), (64, 1, 1)] {
        let stored = phc(
            "pw",
            Algorithm::Argon2id,
            Version::V0x13,
            weaker,
            &[1; 16],
            32,
            None,
            None,
        );
        assert_eq!(
            verify_password("pw", &stored, &configured, None),
            VALID_STALE,
            "{weaker:?}"
        );
    }
}

#[test]
fn stronger_stored_parameters_also_converge_to_the_configured_ones() {
    let stored = phc(
        "pw",
        Algorithm::Argon2id,
        Version::V0x13,
        (128, 2, 1),
        &[1; 16],
        32,
        None,
        None,
    );
    assert_eq!(verify_password("pw", &stored, &FAST, None), VALID_STALE);
}

#[test]
fn other_variants_versions_salts_and_tag_lengths_need_a_rehash() {
    let shape = (FAST.memory_kib, FAST.iterations, FAST.parallelism);
    let stale = [
        phc(
            "pw",
            Algorithm::Argon2i,
            Version::V0x13,
            shape,
            &[1; 16],
            32,
            None,
            None,
        ),
        phc(
            "pw",
            Algorithm::Argon2d,
            Version::V0x13,
            shape,
            &[1; 16],
            32,
            None,
            None,
        ),
        phc(
            "pw",
            Algorithm::Argon2id,
            Version::V0x10,
            shape,
            &[1; 16],
            32,
            None,
            None,
        ),
        phc(
            "pw",
            Algorithm::Argon2id,
            Version::V0x13,
            shape,
            &[1; 8],
            32,
            None,
            None,
        ),
        phc(
            "pw",
            Algorithm::Argon2id,
            Version::V0x13,
            shape,
            &[1; 16],
            16,
            None,
            None,
        ),
        phc(
            "pw",
            Algorithm::Argon2id,
            Version::V0x13,
            shape,
            &[1; 16],
            64,
            None,
            None,
        ),
    ];
    for stored in stale {
        assert_eq!(
            verify_password("pw", &stored, &FAST, None),
            VALID_STALE,
            "{stored}"
        );
        assert_eq!(
            verify_password("wrong", &stored, &FAST, None),
            Verification::Invalid
        );
    }
}

#[test]
fn stored_parameters_beyond_the_configuration_limits_are_refused_without_hashing() {
    // Genuine hashes of "pw", just past each limit: refused although they match.
    let over_time = phc(
        "pw",
        Algorithm::Argon2id,
        Version::V0x13,
        (8, 17, 1),
        &[1; 16],
        32,
        None,
        None,
    );
    let over_lanes = phc(
        "pw",
        Algorithm::Argon2id,
        Version::V0x13,
        (72, 1, 9),
        &[1; 16],
        32,
        None,
        None,
    );
    assert_eq!(
        verify_password("pw", &over_time, &FAST, None),
        Verification::Invalid
    );
    assert_eq!(
        verify_password("pw", &over_lanes, &FAST, None),
        Verification::Invalid
    );
    // At the limits they verify.
    let at_time = phc(
        "pw",
        Algorithm::Argon2id,
        Version::V0x13,
        (8, 16, 1),
        &[1; 16],
        32,
        None,
        None,
    );
    let at_lanes = phc(
        "pw",
        Algorithm::Argon2id,
        Version::V0x13,
        (64, 1, 8),
        &[1; 16],
        32,
        None,
        None,
    );
    assert!(verify_password("pw", &at_time, &FAST, None).is_valid());
    assert!(verify_password("pw", &at_lanes, &FAST, None).is_valid());
    // Memory: a string claiming 4 TiB answers at once instead of aborting the process.
    let huge = "$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
    assert_eq!(
        verify_password("password", huge, &FAST, None),
        Verification::Invalid
    );
}

#[test]
fn memory_just_above_the_limit_is_refused_even_for_a_genuine_hash() {
    // 256 MiB + 8 KiB, one pass: a real match that must still be refused.
    let stored = phc(
        "pw",
        Algorithm::Argon2id,
        Version::V0x13,
        (argon2id::MAX_STORED_MEMORY_KIB + 8, 1, 1),
        &[1; 16],
        32,
        None,
        None,
    );
    assert_eq!(
        verify_password("pw", &stored, &FAST, None),
        Verification::Invalid
    );
}
