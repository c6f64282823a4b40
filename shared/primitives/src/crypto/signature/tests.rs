use super::*;
use crate::encoding::b64url_decode;
use alloc::string::String;
use alloc::vec::Vec;

/// One JWS of `tests/vectors/jws-signatures.json` (RFC 7515 A.2, A.3, RFC 8037 A.4).
#[derive(serde::Deserialize)]
pub(super) struct JwsVector {
    pub(super) name: String,
    pub(super) alg: String,
    pub(super) jwk: serde_json::Value,
    pub(super) protected: String,
    pub(super) payload: String,
    pub(super) signature: String,
    /// Node's SubjectPublicKeyInfo of `jwk`.
    pub(super) spki: String,
}

impl JwsVector {
    pub(super) fn algorithm(&self) -> Algorithm {
        Algorithm::from_jose_name(&self.alg).unwrap()
    }
    pub(super) fn signing_input(&self) -> Vec<u8> {
        alloc::format!("{}.{}", self.protected, self.payload).into_bytes()
    }
    pub(super) fn signature(&self) -> Vec<u8> {
        b64url_decode(&self.signature).unwrap()
    }
    pub(super) fn spki(&self) -> Vec<u8> {
        b64url_decode(&self.spki).unwrap()
    }
}

pub(super) fn jws_vectors() -> Vec<JwsVector> {
    #[derive(serde::Deserialize)]
    struct File {
        vectors: Vec<JwsVector>,
    }
    let file: File =
        serde_json::from_str(include_str!("../../../tests/vectors/jws-signatures.json")).unwrap();
    assert_eq!(file.vectors.len(), 3);
    file.vectors
}

#[test]
fn algorithms_have_their_jose_names_and_cose_ids() {
    let table = [
        (Algorithm::EdDsa, "EdDSA", -8),
        (Algorithm::Es256, "ES256", -7),
        (Algorithm::Rs256, "RS256", -257),
    ];
    for (algorithm, name, id) in table {
        assert_eq!(algorithm.jose_name(), name);
        assert_eq!(alloc::format!("{algorithm}"), name);
        assert_eq!(Algorithm::from_jose_name(name), Some(algorithm));
        assert_eq!(algorithm.cose_id(), id);
        assert_eq!(Algorithm::from_cose_id(id), Some(algorithm));
    }
    for name in [
        "none", "HS256", "eddsa", "es256", "RS384", "PS256", "ES384", "Ed25519", "",
    ] {
        assert_eq!(Algorithm::from_jose_name(name), None, "{name}");
    }
    for id in [0, 1, 7, 8, 257, -35, -36, -37, -47, -258, -259] {
        assert_eq!(Algorithm::from_cose_id(id), None, "{id}");
    }
}

#[test]
fn a_check_is_well_formed_only_with_its_algorithms_key_type_and_signature_length() {
    for vector in jws_vectors() {
        let spki = vector.spki();
        let signature = vector.signature();
        let message = vector.signing_input();
        let check = |algorithm, signature: &[u8]| {
            SignatureCheck {
                algorithm,
                public_key_spki: &spki,
                message: &message,
                signature,
            }
            .key()
            .is_some()
        };
        assert!(check(vector.algorithm(), &signature), "{}", vector.name);
        for other in Algorithm::ALL
            .into_iter()
            .filter(|a| *a != vector.algorithm())
        {
            assert!(!check(other, &signature), "{} as {other}", vector.name);
        }
        let longer = [signature.as_slice(), &[0]].concat();
        assert!(!check(vector.algorithm(), &longer), "{}", vector.name);
        assert!(
            !check(vector.algorithm(), &signature[1..]),
            "{}",
            vector.name
        );
        assert!(!check(vector.algorithm(), &[]), "{}", vector.name);
    }
}

#[test]
fn a_check_with_a_key_that_is_not_spki_is_not_well_formed() {
    let message = b"m";
    for spki in [&[][..], &[0x30, 0x00], &[0u8; 44], &[0u8; 91]] {
        for algorithm in Algorithm::ALL {
            let check = SignatureCheck {
                algorithm,
                public_key_spki: spki,
                message,
                signature: &[0; 64],
            };
            assert!(check.key().is_none());
        }
    }
}
