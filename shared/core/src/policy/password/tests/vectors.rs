//! The Argon2 known answers: RFC 9106 §5 and the reference implementation's PHC
//! strings (`tests/vectors/argon2.json`).

use super::*;

#[test]
fn argon2_matches_the_rfc_9106_vectors_with_secret_and_associated_data() {
    let all = vectors(include_str!("../../../../tests/vectors/argon2.json"));
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
    let all = vectors(include_str!("../../../../tests/vectors/argon2.json"));
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
    let all = vectors(include_str!("../../../../tests/vectors/argon2.json"));
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
