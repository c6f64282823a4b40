//! Known-answer vectors (`tests/vectors/argon2.json`, `bcrypt.json`,
//! `common-passwords-sample.json`) and behaviour tests across the password module.
//! Where a test is not about the parameters, it uses [`FAST`] to stay quick.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use alloc::{format, vec};
use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, AssociatedData, KeyId, ParamsBuilder, PasswordHasher, Version};
use proptest::prelude::*;
use serde_json::Value;

use super::*;
use crate::env::fake::SeededRandom;
use crate::env::{Random, RandomError};
use crate::error::ApiError;

/// Cheap parameters for tests that are not about cost.
const FAST: PasswordHashParams = PasswordHashParams {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};

fn vectors(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn pepper(bytes: &[u8]) -> Secret {
    Secret::new(bytes.to_vec())
}

/// A PHC string made directly with the argon2 crate, for any shape of hash.
#[allow(clippy::too_many_arguments)]
fn phc(
    password: &str,
    algorithm: Algorithm,
    version: Version,
    (m, t, p): (u32, u32, u32),
    salt: &[u8],
    tag_len: usize,
    secret: Option<&[u8]>,
    keyid: Option<&[u8]>,
) -> String {
    let mut builder = ParamsBuilder::new();
    builder.m_cost(m).t_cost(t).p_cost(p).output_len(tag_len);
    if let Some(keyid) = keyid {
        builder.keyid(KeyId::new(keyid).unwrap());
    }
    let params = builder.build().unwrap();
    let argon2 = match secret {
        Some(secret) => Argon2::new_with_secret(secret, algorithm, version, params).unwrap(),
        None => Argon2::new(algorithm, version, params),
    };
    argon2
        .hash_password_with_salt(password.as_bytes(), salt)
        .unwrap()
        .to_string()
}

fn current(password: &str, params: &PasswordHashParams) -> String {
    phc(
        password,
        Algorithm::Argon2id,
        Version::V0x13,
        (params.memory_kib, params.iterations, params.parallelism),
        &[9u8; 16],
        32,
        None,
        None,
    )
}

const VALID_CURRENT: Verification = Verification::Valid {
    needs_rehash: false,
};
const VALID_STALE: Verification = Verification::Valid { needs_rehash: true };

// ------------------------------------------------------------------ argon2 vectors

#[test]
fn argon2_matches_the_rfc_9106_vectors_with_secret_and_associated_data() {
    let all = vectors(include_str!("../../tests/vectors/argon2.json"));
    let cases = all["rfc9106"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    for case in cases {
        let algorithm = Algorithm::new(case["algorithm"].as_str().unwrap()).unwrap();
        let version = Version::try_from(case["version"].as_u64().unwrap() as u32).unwrap();
        let mut builder = ParamsBuilder::new();
        builder
            .m_cost(case["memory_kib"].as_u64().unwrap() as u32)
            .t_cost(case["iterations"].as_u64().unwrap() as u32)
            .p_cost(case["parallelism"].as_u64().unwrap() as u32)
            .data(
                AssociatedData::new(&hex(case["associated_data_hex"].as_str().unwrap())).unwrap(),
            );
        let secret = hex(case["secret_hex"].as_str().unwrap());
        let argon2 =
            Argon2::new_with_secret(&secret, algorithm, version, builder.build().unwrap()).unwrap();
        let expected = hex(case["tag_hex"].as_str().unwrap());
        let mut tag = vec![0u8; expected.len()];
        argon2
            .hash_password_into(
                &hex(case["password_hex"].as_str().unwrap()),
                &hex(case["salt_hex"].as_str().unwrap()),
                &mut tag,
            )
            .unwrap();
        assert_eq!(tag, expected, "RFC 9106 §{}", case["section"]);
    }
}

#[test]
fn verifies_the_reference_implementation_phc_strings() {
    let all = vectors(include_str!("../../tests/vectors/argon2.json"));
    for case in all["phc"].as_array().unwrap() {
        let password = case["password"].as_str().unwrap();
        let stored = case["phc"].as_str().unwrap();
        // Any configured parameters: these 8-byte-salt hashes are never current.
        assert_eq!(
            verify_password(password, stored, &FAST, None),
            VALID_STALE,
            "{stored}"
        );
        assert_eq!(
            verify_password("passwore", stored, &FAST, None),
            Verification::Invalid,
            "{stored}"
        );
    }
}

#[test]
fn refuses_the_reference_mismatching_hashes() {
    let all = vectors(include_str!("../../tests/vectors/argon2.json"));
    for case in all["mismatch"].as_array().unwrap() {
        let stored = case["phc"].as_str().unwrap();
        assert_eq!(
            verify_password(case["password"].as_str().unwrap(), stored, &FAST, None),
            Verification::Invalid,
            "{stored}"
        );
    }
}

#[test]
fn a_phc_string_without_version_is_version_16() {
    // The same tag with "v=16" and without "v=": both verify (as 0x10); read as 0x13
    // the second would fail.
    let with =
        "$argon2i$v=16$m=256,t=2,p=1$c29tZXNhbHQ$/U3YPXYsSb3q9XxHvc0MLxur+GP960kN9j7emXX8zwY";
    let without = "$argon2i$m=256,t=2,p=1$c29tZXNhbHQ$/U3YPXYsSb3q9XxHvc0MLxur+GP960kN9j7emXX8zwY";
    assert!(verify_password("password", with, &FAST, None).is_valid());
    assert!(verify_password("password", without, &FAST, None).is_valid());
}

// ------------------------------------------------------------------ hashing

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

// ------------------------------------------------------------------ rehash detection

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

// ------------------------------------------------------------------ pepper

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

// ------------------------------------------------------------------ bcrypt

fn bcrypt_cases() -> Vec<(String, String, &'static str)> {
    let all = vectors(include_str!("../../tests/vectors/bcrypt.json"));
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

// ------------------------------------------------------------------ malformed input

#[test]
fn malformed_or_unknown_stored_strings_are_invalid() {
    let good_argon = current("pw", &FAST);
    let good_bcrypt = "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe";
    let mut cases: Vec<String> = [
        "",
        "$",
        "$$$$",
        "pw",
        "plaintext-password",
        "$argon2id",
        "$argon2id$",
        "$argon2id$v=19",
        "$argon2id$v=19$m=64,t=1,p=1",
        "$argon2id$v=19$m=64,t=1,p=1$",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$",
        "$argon2id$v=19$m=64,t=1,p=1$!!!$AAAA",
        "$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=1,t=1,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=18$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=1,x=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2xd$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
        "$pbkdf2-sha256$29000$N2GMcc5Zy1mrVWqtlVJKKQ$ePNm2u8ZjE/wK1KNMPBxvbBsEQp4DMvTVKyiDlVNcTE",
        "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
        "$2a$",
        "$2a$06$",
        "$2x$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe",
        "$2$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxee",
        "$2a$99$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe",
        "$2a$31$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe",
        "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVf€",
        "\u{0}\u{0}\u{0}",
        "🔑🔑🔑🔑",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Truncations and single-character corruptions of valid hashes.
    for valid in [good_argon.as_str(), good_bcrypt] {
        for cut in 0..valid.len() {
            if valid.is_char_boundary(cut) {
                cases.push(valid[..cut].to_string());
            }
        }
        cases.push(format!("{valid}A"));
        cases.push(valid.replacen('$', "$$", 1));
        cases.push(format!(" {valid}"));
    }
    for stored in &cases {
        for password in ["pw", "a", ""] {
            assert_eq!(
                verify_password(password, stored, &FAST, None),
                Verification::Invalid,
                "{stored:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn verification_never_panics_on_arbitrary_stored_strings(stored in ".{0,120}", password in ".{0,40}") {
        let _ = verify_password(&password, &stored, &FAST, None);
    }

    #[test]
    fn verification_never_panics_on_phc_like_strings(
        algorithm in prop_oneof![Just("argon2id"), Just("argon2i"), Just("argon2d"), Just("argon2"), Just("")],
        version in prop_oneof![Just(String::new()), (0u32..40).prop_map(|v| format!("v={v}$"))],
        m in 0u32..80, t in 0u32..4, p in 0u32..3,
        extra in prop_oneof![Just(String::new()), "[a-z]{1,6}=[A-Za-z0-9+/]{0,12}".prop_map(|s| format!(",{s}"))],
        salt in "[A-Za-z0-9+/]{0,70}", tag in "[A-Za-z0-9+/=.]{0,90}",
    ) {
        let stored = format!("${algorithm}${version}m={m},t={t},p={p}{extra}${salt}${tag}");
        let _ = verify_password("password", &stored, &FAST, None);
        let keyed = pepper(b"0123456789abcdef");
        let _ = verify_password("password", &stored, &FAST, Some(&keyed));
    }

    #[test]
    fn verification_never_panics_on_bcrypt_like_strings(
        variant in "[a-z0-9$]{0,2}", cost in "[0-9a-z-]{0,3}", body in "[./A-Za-z0-9$€]{0,60}",
    ) {
        let stored = format!("$2{variant}${cost}${body}");
        let _ = verify_password("password", &stored, &FAST, None);
    }

    #[test]
    fn a_corrupted_tag_never_verifies(index in 0usize..43, replacement in "[A-Za-z0-9+/]") {
        let stored = current("pw", &FAST);
        let tag_start = stored.rfind('$').unwrap() + 1;
        let mut bytes = stored.clone().into_bytes();
        let at = tag_start + index;
        prop_assume!(at < bytes.len() && bytes[at] != replacement.as_bytes()[0]);
        bytes[at] = replacement.as_bytes()[0];
        let corrupted = String::from_utf8(bytes).unwrap();
        prop_assert_eq!(verify_password("pw", &corrupted, &FAST, None), Verification::Invalid);
    }
}

// ------------------------------------------------------------------ dummy verification

#[test]
fn dummy_verification_handles_any_input_without_panicking() {
    let keyed = pepper(b"0123456789abcdef");
    let empty = pepper(b"");
    let invalid = PasswordHashParams {
        memory_kib: 0,
        iterations: 0,
        parallelism: 0,
    };
    for password in ["", "pw", "ｐａｓｓ", "🔑"] {
        dummy_verify(password, &FAST, None);
        dummy_verify(password, &FAST, Some(&keyed));
        dummy_verify(password, &FAST, Some(&empty));
        dummy_verify(password, &invalid, None);
    }
}

#[test]
fn dummy_verification_costs_about_what_a_real_verification_costs() {
    // Medians of several runs on a shared machine; the band is wide on purpose, and
    // still fails if the dummy skipped the hash (~100x cheaper) or hashed twice.
    extern crate std;
    use std::time::Instant;
    let params = PasswordHashParams {
        memory_kib: 8192,
        iterations: 2,
        parallelism: 1,
    };
    let stored = hash_password("timing password", &params, None, &SeededRandom::new(1)).unwrap();
    let median = |f: &dyn Fn()| {
        let mut runs: Vec<u128> = (0..7)
            .map(|_| {
                #[allow(clippy::disallowed_methods)]
                let start = Instant::now();
                f();
                start.elapsed().as_micros()
            })
            .collect();
        runs.sort_unstable();
        runs[3] as f64
    };
    let real = median(&|| {
        let _ = verify_password("wrong password", &stored, &params, None);
    });
    let dummy = median(&|| dummy_verify("wrong password", &params, None));
    let ratio = dummy / real;
    assert!(
        (0.6..=1.6).contains(&ratio),
        "dummy {dummy} µs, real {real} µs"
    );
}

// ------------------------------------------------------------------ common-password list

#[cfg(feature = "password-policy")]
mod common {
    use super::*;

    #[test]
    fn every_sampled_member_of_the_source_list_is_found() {
        let sample = vectors(include_str!(
            "../../tests/vectors/common-passwords-sample.json"
        ));
        let entries = sample["entries"].as_array().unwrap();
        assert!(entries.len() > 1_500);
        let mut in_top_100k = 0;
        for entry in entries {
            let rank = entry[0].as_u64().unwrap();
            let password = entry[1].as_str().unwrap();
            assert_eq!(is_common(password), Ok(true), "rank {rank}: {password:?}");
            // And in another case, since the list is case-folded.
            assert_eq!(
                is_common(&password.to_uppercase()),
                Ok(true),
                "{password:?}"
            );
            in_top_100k += usize::from(rank <= 100_000);
        }
        assert!(in_top_100k > 1_500);
    }

    #[test]
    fn false_positive_rate_on_random_strings_is_near_two_to_the_minus_nine() {
        // 100,000 random 16-character strings: none is a real member, so every hit is
        // a false positive. Expected 2^-9 ≈ 0.195 % (≈195 hits, σ ≈ 14).
        let random = SeededRandom::new(0x5EED);
        let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let trials = 100_000;
        let mut hits = 0;
        for _ in 0..trials {
            let mut bytes = [0u8; 16];
            random.fill(&mut bytes).unwrap();
            let candidate: String = bytes
                .iter()
                .map(|b| alphabet[usize::from(*b) % alphabet.len()] as char)
                .collect();
            hits += usize::from(is_common(&candidate).unwrap());
        }
        let rate = hits as f64 / trials as f64;
        assert!(rate < 0.0035, "false-positive rate {rate}");
        assert!(
            rate > 0.0005,
            "false-positive rate {rate} is implausibly low"
        );
    }

    #[test]
    fn check_policy_returns_the_normal_form_for_hashing() {
        let checked =
            check_policy("ｍｙ ｆｉｒｓｔ ｂｉｃｙｃｌｅ ７", "rider@example.com", 12).unwrap();
        assert_eq!(checked, "my first bicycle 7");
        let stored = hash_password(&checked, &FAST, None, &SeededRandom::new(1)).unwrap();
        assert_eq!(
            verify_password("ｍｙ ｆｉｒｓｔ ｂｉｃｙｃｌｅ ７", &stored, &FAST, None),
            VALID_CURRENT
        );
    }
}
