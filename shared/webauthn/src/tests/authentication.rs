//! Authentication: recorded and specification assertions verified with the software
//! verifier (ES256, EdDSA, RS256), and each refusal named.

use std::collections::BTreeMap;
use std::vec::Vec;

use super::support::*;
use crate::{
    parse_attestation_object, parse_authenticator_data, verify_authentication,
    AuthenticationExpectations, AuthenticationOutcome, AuthenticationResponse, CounterPolicy,
    CounterStatus, Error, Part, RelyingParty, StoredCredential, UserVerification,
};
use edgeauth_primitives::crypto::signature::SoftwareVerifier;

/// One assertion with the credential it belongs to, as owned bytes.
#[derive(Debug, Clone)]
struct Case {
    rp_id: std::string::String,
    origin: std::string::String,
    challenge: Vec<u8>,
    credential_id: Vec<u8>,
    public_key_cose: Vec<u8>,
    stored_sign_count: u32,
    backup_eligible: bool,
    backup_state: bool,
    user_handle: Vec<u8>,
    client_data_json: Vec<u8>,
    authenticator_data: Vec<u8>,
    signature: Vec<u8>,
    returned_user_handle: Option<Vec<u8>>,
}

impl Case {
    /// The W3C vector's assertion, with the credential as its registration created it.
    fn w3c(name: &str) -> Self {
        let w3c = w3c();
        let vector = w3c.vector(name);
        let object = b64(&vector.registration.attestation_object);
        let auth_data =
            parse_authenticator_data(parse_attestation_object(&object).unwrap().auth_data).unwrap();
        let credential = auth_data.attested_credential.clone().unwrap();
        let get = &vector.authentication;
        Self {
            rp_id: w3c.rp_id.clone(),
            origin: w3c.origin.clone(),
            challenge: b64(&get.challenge),
            credential_id: credential.credential_id.to_vec(),
            public_key_cose: credential.public_key_cose.to_vec(),
            stored_sign_count: auth_data.sign_count,
            backup_eligible: auth_data.flags.backup_eligible(),
            backup_state: auth_data.flags.backup_state(),
            user_handle: b"user-1".to_vec(),
            client_data_json: b64(&get.client_data_json),
            authenticator_data: b64(&get.authenticator_data),
            signature: b64(&get.signature),
            returned_user_handle: None,
        }
    }

    /// A py_webauthn recorded assertion with its stored key and counter.
    fn py(name: &str) -> Self {
        let py = py_webauthn();
        let v = py.authentication(name);
        let handle = v.user_handle.as_deref().map(b64);
        Self {
            rp_id: py.rp_id.clone(),
            origin: py.origin.clone(),
            challenge: b64(&v.challenge),
            credential_id: b64(&v.credential_id),
            public_key_cose: b64(&v.public_key_cose),
            stored_sign_count: v.stored_sign_count,
            backup_eligible: false,
            backup_state: false,
            user_handle: handle.clone().unwrap_or_else(|| b"user-1".to_vec()),
            client_data_json: b64(&v.client_data_json),
            authenticator_data: b64(&v.authenticator_data),
            signature: b64(&v.signature),
            returned_user_handle: handle,
        }
    }

    fn stored(&self) -> StoredCredential<'_> {
        StoredCredential {
            id: &self.credential_id,
            public_key_cose: &self.public_key_cose,
            sign_count: self.stored_sign_count,
            backup_eligible: self.backup_eligible,
            backup_state: self.backup_state,
            user_handle: &self.user_handle,
        }
    }

    fn response(&self) -> AuthenticationResponse<'_> {
        AuthenticationResponse {
            credential_id: &self.credential_id,
            client_data_json: &self.client_data_json,
            authenticator_data: &self.authenticator_data,
            signature: &self.signature,
            user_handle: self.returned_user_handle.as_deref(),
        }
    }

    fn verify_with(
        &self,
        adjust: impl FnOnce(&mut AuthenticationExpectations<'_>),
    ) -> Result<AuthenticationOutcome, Error> {
        let rp = RelyingParty::new(&self.rp_id, &self.origin).unwrap();
        let mut expected = AuthenticationExpectations {
            relying_party: &rp,
            challenge: &self.challenge,
            user_verification: UserVerification::NotRequired,
            require_user_handle: false,
            counter_policy: CounterPolicy::Refuse,
        };
        adjust(&mut expected);
        pollster::block_on(verify_authentication(
            &expected,
            &self.stored(),
            &self.response(),
            &SoftwareVerifier,
        ))
    }

    fn verify(&self) -> Result<AuthenticationOutcome, Error> {
        self.verify_with(|_| {})
    }
}

#[test]
fn verifies_every_w3c_assertion_es256_eddsa_rs256() {
    for name in [
        "none-es256",
        "packed-self-es256",
        "none-es256-long-credential-id",
        "packed-es256",
        "packed-rs256",
        "packed-eddsa",
    ] {
        let case = Case::w3c(name);
        let outcome = case.verify().unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(outcome.credential_id, case.credential_id);
        assert_eq!(outcome.counter, CounterStatus::NotSupported, "{name}");
    }
}

#[test]
fn verifies_recorded_es256_eddsa_and_rs256_assertions_from_py_webauthn() {
    let py = py_webauthn();
    for name in ["es256", "eddsa", "rs256"] {
        let expected = &py.authentication(name).expected;
        let outcome = Case::py(name)
            .verify_with(|e| {
                if expected["user_verification_required"] == true {
                    e.user_verification = UserVerification::Required;
                }
            })
            .unwrap();
        assert_eq!(
            Some(u64::from(outcome.sign_count)),
            expected["new_sign_count"].as_u64()
        );
    }

    let outcome = Case::py("es256").verify().unwrap();
    assert_eq!(
        (outcome.sign_count, outcome.counter),
        (78, CounterStatus::Advanced)
    );
    assert!(!outcome.user_verified);

    let outcome = Case::py("eddsa").verify().unwrap();
    assert_eq!(
        (outcome.sign_count, outcome.counter),
        (7, CounterStatus::Advanced)
    );

    let case = Case::py("rs256");
    let outcome = case
        .verify_with(|e| {
            e.user_verification = UserVerification::Required;
            e.require_user_handle = true;
        })
        .unwrap();
    assert_eq!(
        (outcome.sign_count, outcome.counter),
        (1, CounterStatus::Advanced)
    );
    assert!(outcome.user_verified);
    // The user handle comes back for discoverable-credential lookups.
    assert_eq!(
        outcome.user_handle.as_deref(),
        Some(case.user_handle.as_slice())
    );
}

#[test]
fn reports_backup_state_changes() {
    // packed-self-es256 was registered backed up (BS) and asserts without BS.
    let case = Case::w3c("packed-self-es256");
    assert!(case.backup_state);
    let outcome = case.verify().unwrap();
    assert!(!outcome.backup_state && outcome.backup_state_changed);
    let unchanged = Case::w3c("none-es256").verify().unwrap();
    assert!(unchanged.backup_state && !unchanged.backup_state_changed);
}

#[test]
fn refuses_a_change_of_backup_eligibility() {
    let mut case = Case::w3c("none-es256");
    case.backup_eligible = false;
    assert_eq!(case.verify(), Err(Error::BackupEligibilityChanged));
}

#[test]
fn refuses_a_wrong_origin() {
    let mut case = Case::w3c("none-es256");
    case.origin = "https://login.example.org".into();
    assert_eq!(case.verify(), Err(Error::OriginMismatch));
}

#[test]
fn refuses_a_wrong_rp_id_hash() {
    let mut case = Case::w3c("none-es256");
    case.rp_id = "org".into();
    assert_eq!(case.verify(), Err(Error::RpIdMismatch));
}

#[test]
fn refuses_a_different_challenge() {
    // A replayed response carries its old challenge: the store issues a new one per
    // ceremony and consumes it, and any challenge but the issued one fails here.
    let mut case = Case::py("es256");
    let last = case.challenge.len() - 1;
    case.challenge[last] ^= 0x80;
    assert_eq!(case.verify(), Err(Error::ChallengeMismatch));
}

#[test]
fn refuses_missing_user_verification_when_required() {
    // Recorded: a security key that asserted with UP only.
    let case = Case::py("es256-uv-not-set");
    let required =
        |e: &mut AuthenticationExpectations<'_>| e.user_verification = UserVerification::Required;
    assert_eq!(case.verify_with(required), Err(Error::UserNotVerified));
    // …and the same assertion is genuine when UV is not required.
    assert!(case.verify().is_ok());
}

#[test]
fn refuses_user_presence_not_set() {
    let mut case = Case::w3c("packed-eddsa");
    case.authenticator_data[FLAGS] &= !0x01;
    assert_eq!(case.verify(), Err(Error::UserNotPresent));
}

#[test]
fn refuses_a_tampered_signature() {
    for name in ["none-es256", "packed-eddsa", "packed-rs256"] {
        let mut case = Case::w3c(name);
        // The last byte is inside `s` (ES256 DER), `S` (Ed25519) or the RSA signature.
        let last = case.signature.len() - 1;
        case.signature[last] ^= 0x01;
        assert_eq!(case.verify(), Err(Error::InvalidSignature), "{name}");
    }
}

#[test]
fn refuses_a_tampered_authenticator_data_byte() {
    for name in ["es256", "eddsa", "rs256"] {
        let mut case = Case::py(name);
        // The counter's last byte: signed, but checked by nothing else before the signature.
        case.authenticator_data[36] ^= 0x01;
        assert_eq!(case.verify(), Err(Error::InvalidSignature), "{name}");
    }
}

#[test]
fn refuses_a_signature_under_another_credentials_key() {
    // Recorded: an ES256 assertion checked against an RS256 key (py_webauthn's negative).
    let case = Case::py("rs256-key-es256-signature");
    assert!(matches!(
        case.verify(),
        Err(Error::Malformed(m)) if m.part() == Part::Signature
    ));
    // And a well-formed signature of one credential under another's key.
    let mut case = Case::w3c("none-es256");
    case.public_key_cose = Case::w3c("packed-es256").public_key_cose;
    assert_eq!(case.verify(), Err(Error::InvalidSignature));
}

#[test]
fn unknown_credentials_are_refused_by_the_lookup_and_mismatches_here() {
    // The caller's contract: look the stored credential up by the response's id (and, for
    // discoverable sign-in, the user by the returned handle). An id nobody registered is
    // not found, so no verification runs.
    let known = Case::w3c("none-es256");
    let mut store = BTreeMap::new();
    store.insert(known.credential_id.clone(), known.clone());
    let stranger = Case::w3c("packed-es256");
    assert!(!store.contains_key(&stranger.credential_id));
    assert!(store.get(&known.credential_id).unwrap().verify().is_ok());

    // A caller that pairs a response with the wrong stored credential is caught.
    let mut wrong = stranger.clone();
    wrong.credential_id = known.credential_id.clone();
    wrong.credential_id[0] ^= 1;
    let rp = RelyingParty::new(&wrong.rp_id, &wrong.origin).unwrap();
    let expected = AuthenticationExpectations {
        relying_party: &rp,
        challenge: &stranger.challenge,
        user_verification: UserVerification::NotRequired,
        require_user_handle: false,
        counter_policy: CounterPolicy::Refuse,
    };
    let result = pollster::block_on(verify_authentication(
        &expected,
        &known.stored(),
        &stranger.response(),
        &SoftwareVerifier,
    ));
    assert_eq!(result, Err(Error::CredentialIdMismatch));
}

#[test]
fn refuses_a_user_handle_of_another_user() {
    let mut case = Case::py("rs256");
    case.user_handle = b"someone-else".to_vec();
    assert_eq!(case.verify(), Err(Error::UserHandleMismatch));
}

#[test]
fn discoverable_sign_in_needs_a_user_handle() {
    let case = Case::py("es256");
    assert_eq!(case.returned_user_handle, None);
    assert_eq!(
        case.verify_with(|e| e.require_user_handle = true),
        Err(Error::UserHandleMissing)
    );
}

#[test]
fn refuses_a_counter_regression_by_default() {
    let mut case = Case::py("es256");
    case.stored_sign_count = 78; // the assertion carries 78 too
    assert_eq!(
        case.verify(),
        Err(Error::CounterRegression {
            stored: 78,
            received: 78
        })
    );
    case.stored_sign_count = 1000;
    assert_eq!(
        case.verify(),
        Err(Error::CounterRegression {
            stored: 1000,
            received: 78
        })
    );
}

#[test]
fn flags_a_counter_regression_when_asked_to() {
    let mut case = Case::py("eddsa");
    case.stored_sign_count = 9;
    let outcome = case
        .verify_with(|e| e.counter_policy = CounterPolicy::Flag)
        .unwrap();
    assert_eq!(
        outcome.counter,
        CounterStatus::Regressed {
            stored: 9,
            received: 7
        }
    );
}

#[test]
fn a_zero_counter_after_a_non_zero_one_is_a_regression() {
    // Passkey providers that keep no counter send 0 from the start (NotSupported, as the
    // W3C vectors show); a credential whose counter once moved and now sends 0 regressed.
    let mut case = Case::w3c("packed-eddsa");
    case.stored_sign_count = 5;
    assert_eq!(
        case.verify(),
        Err(Error::CounterRegression {
            stored: 5,
            received: 0
        })
    );
}

#[test]
fn a_forged_assertion_never_reaches_the_counter_check() {
    let mut case = Case::py("es256");
    case.stored_sign_count = 1000;
    let last = case.signature.len() - 1;
    case.signature[last] ^= 1;
    assert_eq!(case.verify(), Err(Error::InvalidSignature));
}

#[test]
fn refuses_cross_origin_assertions() {
    for name in ["none-es256-crossOrigin", "none-es256-topOrigin"] {
        assert_eq!(Case::w3c(name).verify(), Err(Error::CrossOrigin), "{name}");
    }
}

#[test]
fn refuses_a_registration_response_type() {
    let w3c = w3c();
    let mut case = Case::w3c("none-es256");
    let create = &w3c.vector("none-es256").registration;
    case.client_data_json = b64(&create.client_data_json);
    case.challenge = b64(&create.challenge);
    assert_eq!(case.verify(), Err(Error::WrongType));
}

#[test]
fn refuses_malformed_es256_signature_encodings() {
    let case = Case::w3c("none-es256");
    let der = case.signature.clone();
    for (name, signature) in [
        (
            "raw r||s instead of DER",
            crate::ecdsa_der_to_raw(&der).unwrap().to_vec(),
        ),
        ("trailing byte", [der.as_slice(), &[0]].concat()),
        ("truncated", der[..der.len() - 1].to_vec()),
        ("empty", Vec::new()),
    ] {
        let mut case = case.clone();
        case.signature = signature;
        assert!(
            matches!(case.verify(), Err(Error::Malformed(m)) if m.part() == Part::Signature),
            "{name}"
        );
    }
}

#[test]
fn refuses_a_stored_key_that_does_not_parse() {
    let mut case = Case::w3c("none-es256");
    case.public_key_cose.push(0);
    assert!(matches!(case.verify(), Err(Error::Malformed(m)) if m.part() == Part::CoseKey));
}

/// Records every check it is given (in WebCrypto's terms) and answers like the software
/// verifier.
#[derive(Default)]
struct Recording(core::cell::RefCell<Vec<serde_json::Value>>);

impl crate::SignatureVerifier for Recording {
    async fn verify(&self, check: &crate::SignatureCheck<'_>) -> bool {
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        use base64::Engine as _;
        self.0.borrow_mut().push(serde_json::json!({
            "algorithm": std::format!("{}", check.algorithm),
            "spki": b64(check.public_key_spki),
            "message": b64(check.message),
            "signature": b64(check.signature),
        }));
        SoftwareVerifier::verify_now(check)
    }
}

/// Writes the signature checks of every vector to `$WEBAUTHN_CHECKS_OUT` for
/// `tests/webcrypto-check.mjs`, which verifies them with WebCrypto (`crypto.subtle`, what
/// the Workers verifier will call): the key format, the raw ES256 signatures and the
/// message layout must be what WebCrypto accepts.
#[test]
#[ignore = "produces input for tests/webcrypto-check.mjs"]
fn export_signature_checks_for_webcrypto() {
    let recording = Recording::default();
    let mut cases: Vec<Case> = ["none-es256", "packed-rs256", "packed-eddsa", "packed-es256"]
        .into_iter()
        .map(Case::w3c)
        .collect();
    cases.extend(["es256", "eddsa", "rs256"].into_iter().map(Case::py));
    for case in &cases {
        let rp = RelyingParty::new(&case.rp_id, &case.origin).unwrap();
        let expected = AuthenticationExpectations {
            relying_party: &rp,
            challenge: &case.challenge,
            user_verification: UserVerification::NotRequired,
            require_user_handle: false,
            counter_policy: CounterPolicy::Refuse,
        };
        pollster::block_on(verify_authentication(
            &expected,
            &case.stored(),
            &case.response(),
            &recording,
        ))
        .unwrap();
    }
    let path = std::env::var("WEBAUTHN_CHECKS_OUT").unwrap();
    std::fs::write(
        path,
        serde_json::to_vec_pretty(&*recording.0.borrow()).unwrap(),
    )
    .unwrap();
}
