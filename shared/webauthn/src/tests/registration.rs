//! Registration: recorded ceremonies accepted, each refusal named.

use super::support::*;
use crate::{
    verify_registration, Algorithm, AttestationPolicy, Error, Malformed, PublicKey, RelyingParty,
    UserVerification,
};

fn w3c_rp(w3c: &W3c) -> RelyingParty<'_> {
    RelyingParty::new(&w3c.rp_id, &w3c.origin).unwrap()
}

#[test]
fn registers_the_w3c_es256_credential_with_no_attestation() {
    let w3c = w3c();
    let rp = w3c_rp(&w3c);
    let reg = Registration::from(&w3c.vector("none-es256").registration);
    let credential = verify_registration(
        &registration_expectations(&rp, &reg.challenge),
        &reg.response(),
    )
    .unwrap();
    assert_eq!(credential.id, reg.credential_id);
    assert_eq!(credential.algorithm, Algorithm::Es256);
    assert!(matches!(credential.public_key, PublicKey::P256 { .. }));
    assert_eq!(credential.sign_count, 0);
    // Flags 0x59: UP, BE, BS, AT.
    assert!(credential.backup_eligible && credential.backup_state);
    assert!(!credential.user_verified);
    assert_eq!(
        credential.aaguid,
        *b"\x84\x46\xcc\xb9\xab\x1d\xb3\x74\x75\x0b\x23\x67\xff\x6f\x3a\x1f"
    );
    // The stored COSE bytes parse back to the same key.
    assert_eq!(
        PublicKey::from_cose(&credential.public_key_cose).unwrap(),
        credential.public_key
    );
}

#[test]
fn registers_a_1023_byte_credential_id() {
    let w3c = w3c();
    let rp = w3c_rp(&w3c);
    let reg = Registration::from(&w3c.vector("none-es256-long-credential-id").registration);
    let credential = verify_registration(
        &registration_expectations(&rp, &reg.challenge),
        &reg.response(),
    )
    .unwrap();
    assert_eq!(credential.id.len(), 1023);
}

#[test]
fn registers_recorded_es256_and_rs256_credentials_from_py_webauthn() {
    let py = py_webauthn();
    let rp = RelyingParty::new(&py.rp_id, &py.origin).unwrap();
    let es = py.registration("es256-none");
    let reg = Registration::from(es);
    let credential = verify_registration(
        &registration_expectations(&rp, &reg.challenge),
        &reg.response(),
    )
    .unwrap();
    assert_eq!(credential.algorithm, Algorithm::Es256);
    assert_eq!(credential.sign_count, 23);
    assert_eq!(
        credential.public_key_cose,
        b64(es.expected["public_key_cose"].as_str().unwrap())
    );
    assert_eq!(credential.aaguid, [0; 16]);
    assert!(!credential.backup_eligible && !credential.backup_state);

    let reg = Registration::from(py.registration("rs256-none"));
    let credential = verify_registration(
        &registration_expectations(&rp, &reg.challenge),
        &reg.response(),
    )
    .unwrap();
    assert_eq!(credential.algorithm, Algorithm::Rs256);
    assert!(matches!(&credential.public_key, PublicKey::Rsa { n, e: 65537 } if n.len() == 256));
}

#[test]
fn refuses_packed_attestation_by_default() {
    let w3c = w3c();
    let rp = w3c_rp(&w3c);
    for name in [
        "packed-self-es256",
        "packed-es256",
        "packed-rs256",
        "packed-eddsa",
    ] {
        let reg = Registration::from(&w3c.vector(name).registration);
        let expected = registration_expectations(&rp, &reg.challenge);
        assert_eq!(
            verify_registration(&expected, &reg.response()),
            Err(Error::UnsupportedAttestation),
            "{name}"
        );
    }
    let py = py_webauthn();
    let rp = RelyingParty::new(&py.rp_id, &py.origin).unwrap();
    let reg = Registration::from(py.registration("eddsa-packed"));
    assert_eq!(
        verify_registration(
            &registration_expectations(&rp, &reg.challenge),
            &reg.response()
        ),
        Err(Error::UnsupportedAttestation)
    );
}

#[test]
fn registers_eddsa_and_rs256_authenticator_data_as_a_browser_returns_it_for_none() {
    let w3c = w3c();
    let rp = w3c_rp(&w3c);
    for (name, algorithm) in [
        ("packed-rs256", Algorithm::Rs256),
        ("packed-eddsa", Algorithm::EdDsa),
        ("packed-es256", Algorithm::Es256),
    ] {
        let mut reg = Registration::from(&w3c.vector(name).registration);
        reg.attestation_object = as_none_attestation(&reg.attestation_object);
        let credential = verify_registration(
            &registration_expectations(&rp, &reg.challenge),
            &reg.response(),
        )
        .unwrap();
        assert_eq!(credential.algorithm, algorithm, "{name}");
    }
    // A YubiKey's Ed25519 credential (recorded with packed attestation).
    let py = py_webauthn();
    let rp = RelyingParty::new(&py.rp_id, &py.origin).unwrap();
    let mut reg = Registration::from(py.registration("eddsa-packed"));
    reg.attestation_object = as_none_attestation(&reg.attestation_object);
    let credential = verify_registration(
        &registration_expectations(&rp, &reg.challenge),
        &reg.response(),
    )
    .unwrap();
    assert_eq!(credential.algorithm, Algorithm::EdDsa);
    assert_eq!(credential.id.len(), 128);
}

#[test]
fn refuses_a_credential_for_an_unsupported_algorithm() {
    let w3c = w3c();
    let rp = w3c_rp(&w3c);
    let mut reg = Registration::from(&w3c.vector("packed-es384").registration);
    reg.attestation_object = as_none_attestation(&reg.attestation_object);
    let expected = registration_expectations(&rp, &reg.challenge);
    assert_eq!(
        verify_registration(&expected, &reg.response()),
        Err(Error::UnsupportedAlgorithm)
    );
}

#[test]
fn refuses_an_algorithm_the_relying_party_did_not_offer() {
    let py = py_webauthn();
    let rp = RelyingParty::new(&py.rp_id, &py.origin).unwrap();
    let reg = Registration::from(py.registration("rs256-none"));
    let mut expected = registration_expectations(&rp, &reg.challenge);
    expected.allowed_algorithms = &[Algorithm::Es256, Algorithm::EdDsa];
    assert_eq!(
        verify_registration(&expected, &reg.response()),
        Err(Error::AlgorithmNotAllowed)
    );
}

fn es256_none() -> (W3c, Registration) {
    let w3c = w3c();
    let reg = Registration::from(&w3c.vector("none-es256").registration);
    (w3c, reg)
}

#[test]
fn registration_refuses_a_wrong_origin() {
    let (w3c, reg) = es256_none();
    for origin in [
        "https://evil.example.org",
        "https://example.org:8443",
        "https://sub.example.org",
    ] {
        let rp = RelyingParty::new(&w3c.rp_id, origin).unwrap();
        let expected = registration_expectations(&rp, &reg.challenge);
        assert_eq!(
            verify_registration(&expected, &reg.response()),
            Err(Error::OriginMismatch)
        );
    }
}

#[test]
fn registration_refuses_a_wrong_rp_id_hash() {
    let (_, reg) = es256_none();
    // Same origin, RP id one label up: the origin is valid for it, the hash is not.
    let rp = RelyingParty::new("org", "https://example.org").unwrap();
    let expected = registration_expectations(&rp, &reg.challenge);
    assert_eq!(
        verify_registration(&expected, &reg.response()),
        Err(Error::RpIdMismatch)
    );
}

#[test]
fn registration_refuses_a_different_challenge() {
    // Single use is the challenge store's job; what this crate guarantees is that any
    // challenge but the one issued fails.
    let (w3c, reg) = es256_none();
    let rp = w3c_rp(&w3c);
    let mut other = reg.challenge.clone();
    other[0] ^= 1;
    let expected = registration_expectations(&rp, &other);
    assert_eq!(
        verify_registration(&expected, &reg.response()),
        Err(Error::ChallengeMismatch)
    );
}

#[test]
fn registration_refuses_missing_user_verification_when_required() {
    let (w3c, reg) = es256_none();
    let rp = w3c_rp(&w3c);
    let mut expected = registration_expectations(&rp, &reg.challenge);
    expected.user_verification = UserVerification::Required;
    assert_eq!(
        verify_registration(&expected, &reg.response()),
        Err(Error::UserNotVerified)
    );
}

#[test]
fn registration_refuses_user_presence_not_set() {
    let (w3c, mut reg) = es256_none();
    let rp = w3c_rp(&w3c);
    let flags = auth_data_offset(&reg.attestation_object) + FLAGS;
    reg.attestation_object[flags] &= !0x01;
    let expected = registration_expectations(&rp, &reg.challenge);
    assert_eq!(
        verify_registration(&expected, &reg.response()),
        Err(Error::UserNotPresent)
    );
}

#[test]
fn registration_refuses_backup_state_without_eligibility() {
    let (w3c, mut reg) = es256_none();
    let rp = w3c_rp(&w3c);
    let flags = auth_data_offset(&reg.attestation_object) + FLAGS;
    reg.attestation_object[flags] &= !0x08;
    let expected = registration_expectations(&rp, &reg.challenge);
    assert_eq!(
        verify_registration(&expected, &reg.response()),
        Err(Error::InconsistentBackupFlags)
    );
}

#[test]
fn registration_refuses_cross_origin_ceremonies() {
    let w3c = w3c();
    let rp = w3c_rp(&w3c);
    for name in ["none-es256-crossOrigin", "none-es256-topOrigin"] {
        let reg = Registration::from(&w3c.vector(name).registration);
        let expected = registration_expectations(&rp, &reg.challenge);
        assert_eq!(
            verify_registration(&expected, &reg.response()),
            Err(Error::CrossOrigin),
            "{name}"
        );
    }
}

#[test]
fn registration_refuses_an_authentication_response_type() {
    let (w3c, mut reg) = es256_none();
    let rp = w3c_rp(&w3c);
    let get = &w3c.vector("none-es256").authentication;
    reg.client_data_json = b64(&get.client_data_json);
    let challenge = b64(&get.challenge);
    let expected = registration_expectations(&rp, &challenge);
    assert_eq!(
        verify_registration(&expected, &reg.response()),
        Err(Error::WrongType)
    );
}

#[test]
fn registration_refuses_a_raw_id_that_is_not_the_attested_credential() {
    let (w3c, mut reg) = es256_none();
    let rp = w3c_rp(&w3c);
    reg.credential_id[0] ^= 1;
    let expected = registration_expectations(&rp, &reg.challenge);
    assert_eq!(
        verify_registration(&expected, &reg.response()),
        Err(Error::CredentialIdMismatch)
    );
}

#[test]
fn registration_refuses_authenticator_data_without_a_credential() {
    let (w3c, reg) = es256_none();
    let rp = w3c_rp(&w3c);
    // The W3C authentication's authenticator data (no AT flag) in a `none` object.
    let auth_data = b64(&w3c.vector("none-es256").authentication.authenticator_data);
    let mut object = b"\xa3\x63fmt\x64none\x67attStmt\xa0\x68authData\x58".to_vec();
    object.push(u8::try_from(auth_data.len()).unwrap());
    object.extend_from_slice(&auth_data);
    let mut reg = reg;
    reg.attestation_object = object;
    let expected = registration_expectations(&rp, &reg.challenge);
    assert_eq!(
        verify_registration(&expected, &reg.response()),
        Err(Error::AttestedCredentialMissing)
    );
}

#[test]
fn registration_refuses_a_none_statement_that_is_not_empty() {
    let (w3c, reg) = es256_none();
    let rp = w3c_rp(&w3c);
    let object = crate::parse_attestation_object(&reg.attestation_object).unwrap();
    let mut forged = b"\xa3\x63fmt\x64none\x67attStmt\xa1\x63alg\x26\x68authData\x58".to_vec();
    forged.push(u8::try_from(object.auth_data.len()).unwrap());
    forged.extend_from_slice(object.auth_data);
    let mut reg = reg.clone();
    reg.attestation_object = forged;
    let expected = registration_expectations(&rp, &reg.challenge);
    assert_eq!(
        verify_registration(&expected, &reg.response()),
        Err(Error::UnsupportedAttestation)
    );
}

#[test]
fn registration_refuses_malformed_attestation_objects() {
    let (w3c, reg) = es256_none();
    let rp = w3c_rp(&w3c);
    let expected = registration_expectations(&rp, &reg.challenge);
    let good = reg.attestation_object.clone();
    let mut cases: std::vec::Vec<(&str, std::vec::Vec<u8>)> = std::vec![
        ("truncated", good[..good.len() - 1].to_vec()),
        ("trailing bytes", [good.as_slice(), &[0x00]].concat()),
        (
            "indefinite-length map",
            [&[0xbf][..], &good[1..], &[0xff]].concat()
        ),
        ("empty", std::vec![]),
        (
            "too long",
            std::vec![0u8; crate::attestation::MAX_ATTESTATION_OBJECT_LEN + 1]
        ),
    ];
    // A declared authData length of 2^32 - 1.
    let mut huge = good.clone();
    let at = good.windows(9).position(|w| w == b"\x68authData").unwrap() + 9;
    huge.splice(at..at + 2, [0x5a, 0xff, 0xff, 0xff, 0xff]);
    cases.push(("huge length", huge));
    for (name, object) in cases {
        let mut reg = reg.clone();
        reg.attestation_object = object;
        assert!(
            matches!(verify_registration(&expected, &reg.response()), Err(Error::Malformed(m)) if m.part() == crate::Part::AttestationObject),
            "{name}"
        );
    }
}

#[test]
fn registration_refuses_misconfigured_expectations() {
    let (w3c, reg) = es256_none();
    let rp = w3c_rp(&w3c);
    let mut expected = registration_expectations(&rp, &reg.challenge[..15]);
    assert!(matches!(
        verify_registration(&expected, &reg.response()),
        Err(Error::Misuse(_))
    ));
    expected.challenge = &reg.challenge;
    expected.allowed_algorithms = &[];
    assert!(matches!(
        verify_registration(&expected, &reg.response()),
        Err(Error::Misuse(_))
    ));
}

#[test]
fn attestation_policy_defaults_to_none_only() {
    assert_eq!(AttestationPolicy::default(), AttestationPolicy::NoneOnly);
}

#[test]
fn parses_extension_outputs_recorded_from_an_android_device() {
    // SimpleWebAuthn's Android registration carries `devicePubKey` under the ED flag; its
    // origin is an app origin (`android:apk-key-hash:…`), which `RelyingParty` does not
    // accept, so the recorded bytes are checked at the parser level.
    let vectors = simplewebauthn();
    let reg = &vectors.registrations[0];
    let object_bytes = b64(&reg.attestation_object);
    let object = crate::parse_attestation_object(&object_bytes).unwrap();
    assert_eq!(object.fmt, "none");
    let auth_data = crate::parse_authenticator_data(object.auth_data).unwrap();
    assert!(auth_data.flags.0 & crate::Flags::EXTENSIONS != 0);
    let extensions = auth_data.extensions.unwrap();
    assert!(extensions.windows(12).any(|w| w == b"devicePubKey"));
    use sha2::Digest as _;
    assert_eq!(
        auth_data.rp_id_hash[..],
        sha2::Sha256::digest(reg.rp_id.as_bytes())[..]
    );
    let credential = auth_data.attested_credential.unwrap();
    assert_eq!(credential.public_key.algorithm(), Algorithm::Es256);
    assert_eq!(credential.credential_id.len(), 16);
    // The extensions map is exactly what follows the key.
    assert_eq!(
        object.auth_data.len(),
        37 + 16 + 2 + 16 + credential.public_key_cose.len() + extensions.len()
    );
    let _: Malformed =
        crate::parse_authenticator_data(&object.auth_data[..object.auth_data.len() - 1])
            .map(|_| ())
            .map_err(|e| match e {
                Error::Malformed(m) => m,
                other => panic!("{other:?}"),
            })
            .unwrap_err();
}
