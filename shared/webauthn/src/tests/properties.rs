//! Arbitrary bytes never panic any parser or flow, and mutations of a genuine input are
//! either refused or read consistently.

use proptest::prelude::*;
use std::vec::Vec;

use super::support::*;
use crate::{
    ecdsa_der_to_raw, parse_attestation_object, parse_authenticator_data, parse_client_data,
    verify_registration, PublicKey, RelyingParty,
};

fn genuine_object() -> Vec<u8> {
    b64(&w3c().vector("none-es256").registration.attestation_object)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn arbitrary_bytes_never_panic_a_parser(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_attestation_object(&bytes);
        let _ = parse_authenticator_data(&bytes);
        let _ = parse_client_data(&bytes);
        let _ = PublicKey::from_cose(&bytes);
        let _ = ecdsa_der_to_raw(&bytes);
        let _ = crate::cbor::Reader::new(&bytes).skip();
    }

    #[test]
    fn cbor_shaped_bytes_never_panic_a_parser(
        // Heads of every major type and additional-information value, with short tails.
        bytes in proptest::collection::vec(
            prop_oneof![any::<u8>(), (0u8..8, 0u8..32).prop_map(|(m, i)| (m << 5) | i)],
            0..200,
        )
    ) {
        let _ = parse_attestation_object(&bytes);
        let _ = PublicKey::from_cose(&bytes);
        let mut framed = std::vec![0u8; 32];
        framed.extend_from_slice(&[0xc5, 0, 0, 0, 1]);
        framed.extend_from_slice(&[0u8; 16]);
        framed.extend_from_slice(&[0, 4, 1, 2, 3, 4]);
        framed.extend_from_slice(&bytes);
        let _ = parse_authenticator_data(&framed);
    }

    #[test]
    fn mutated_registrations_never_panic_and_keep_the_credential_id_and_one_reading_of_the_key(
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let w3c = w3c();
        let rp = RelyingParty::new(&w3c.rp_id, &w3c.origin).unwrap();
        let mut reg = Registration::from(&w3c.vector("none-es256").registration);
        let genuine = verify_registration(&registration_expectations(&rp, &reg.challenge), &reg.response()).unwrap();
        let i = at.index(reg.attestation_object.len());
        reg.attestation_object[i] = byte;
        if let Ok(credential) = verify_registration(&registration_expectations(&rp, &reg.challenge), &reg.response()) {
            // The credential id is pinned by rawId; the key bytes are protected only by the
            // transport under `none` attestation, but whatever is accepted is one reading:
            // the stored COSE bytes parse back to the returned key, of the same algorithm.
            prop_assert_eq!(credential.id, genuine.id);
            prop_assert_eq!(credential.algorithm, genuine.algorithm);
            prop_assert_eq!(PublicKey::from_cose(&credential.public_key_cose), Ok(credential.public_key));
        }
    }

    #[test]
    fn truncations_of_a_genuine_object_are_refused(len in 0usize..200) {
        let object = genuine_object();
        let len = len.min(object.len() - 1);
        prop_assert!(parse_attestation_object(&object[..len]).is_err());
    }
}
