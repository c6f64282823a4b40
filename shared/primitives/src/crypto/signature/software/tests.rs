use super::*;
use crate::crypto::signature::tests::{jws_vectors, JwsVector};
#[cfg(feature = "software-signatures")]
use {crate::crypto::signature::spki, alloc::vec::Vec};

fn verify_with<V: SignatureVerifier>(
    verifier: &V,
    vector: &JwsVector,
    algorithm: Algorithm,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let spki = vector.spki();
    pollster::block_on(verifier.verify(&SignatureCheck {
        algorithm,
        public_key_spki: &spki,
        message,
        signature,
    }))
}

/// The vector as published, then with each byte of the signature and the message
/// altered in turn (a sample of positions), and under each other algorithm.
fn answers<V: SignatureVerifier>(verifier: &V, vector: &JwsVector) -> (bool, bool) {
    let (message, signature) = (vector.signing_input(), vector.signature());
    let valid = verify_with(verifier, vector, vector.algorithm(), &message, &signature);
    let mut any_tampered = false;
    for at in [0, 1, signature.len() / 2, signature.len() - 1] {
        let mut bad = signature.clone();
        bad[at] ^= 0x01;
        any_tampered |= verify_with(verifier, vector, vector.algorithm(), &message, &bad);
    }
    for at in [0, message.len() / 2, message.len() - 1] {
        let mut bad = message.clone();
        bad[at] ^= 0x01;
        any_tampered |= verify_with(verifier, vector, vector.algorithm(), &bad, &signature);
    }
    for other in Algorithm::ALL
        .into_iter()
        .filter(|a| *a != vector.algorithm())
    {
        any_tampered |= verify_with(verifier, vector, other, &message, &signature);
    }
    (valid, any_tampered)
}

#[test]
fn software_ed25519_verifies_the_rfc_8037_vector_and_nothing_of_another_algorithm() {
    for vector in jws_vectors() {
        let (valid, tampered) = answers(&SoftwareEd25519, &vector);
        assert_eq!(
            valid,
            vector.algorithm() == Algorithm::EdDsa,
            "{}",
            vector.name
        );
        assert!(!tampered, "{}", vector.name);
    }
}

#[cfg(feature = "software-signatures")]
#[test]
fn software_verifier_verifies_the_rfc_vectors_and_refuses_tampered_copies() {
    for vector in jws_vectors() {
        assert_eq!(
            answers(&SoftwareVerifier, &vector),
            (true, false),
            "{}",
            vector.name
        );
    }
}

/// `n − s` for P-256's group order `n` (big-endian, 32 bytes).
#[cfg(feature = "software-signatures")]
fn negate_mod_n(s: &[u8]) -> Vec<u8> {
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];
    let mut out = alloc::vec![0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut digit = i16::from(N[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(digit < 0);
        if digit < 0 {
            digit += 256;
        }
        out[i] = digit as u8;
    }
    out
}

#[cfg(feature = "software-signatures")]
#[test]
fn es256_accepts_the_high_s_twin_of_a_valid_signature_as_webcrypto_does() {
    let vector = &jws_vectors()[1];
    let (message, signature) = (vector.signing_input(), vector.signature());
    let twin = [&signature[..32], &negate_mod_n(&signature[32..])].concat();
    assert_ne!(twin, signature);
    assert!(verify_with(
        &SoftwareVerifier,
        vector,
        Algorithm::Es256,
        &message,
        &twin
    ));
}

#[cfg(feature = "software-signatures")]
#[test]
fn es256_refuses_points_off_the_curve_and_scalars_out_of_range() {
    let check = |spki: &[u8], signature: &[u8]| {
        SoftwareVerifier::verify_now(&SignatureCheck {
            algorithm: Algorithm::Es256,
            public_key_spki: spki,
            message: b"m",
            signature,
        })
    };
    assert!(!check(&spki::p256(&[1; 32], &[1; 32]), &[1; 64]));
    // The P-256 generator is a valid key; r = s = 0 and r = s = 2^256 − 1 (≥ n) are not
    // signatures under it, nor under any key.
    let generator = spki::p256(
        b"\x6b\x17\xd1\xf2\xe1\x2c\x42\x47\xf8\xbc\xe6\xe5\x63\xa4\x40\xf2\x77\x03\x7d\x81\x2d\xeb\x33\xa0\xf4\xa1\x39\x45\xd8\x98\xc2\x96",
        b"\x4f\xe3\x42\xe2\xfe\x1a\x7f\x9b\x8e\xe7\xeb\x4a\x7c\x0f\x9e\x16\x2b\xce\x33\x57\x6b\x31\x5e\xce\xcb\xb6\x40\x68\x37\xbf\x51\xf5",
    );
    for signature in [[0u8; 64], [0xff; 64]] {
        assert!(!check(&generator, &signature));
    }
    // r = n: the smallest out-of-range value.
    let n = negate_mod_n(&[0; 32]);
    assert!(!check(&generator, &[n.as_slice(), &[1; 32]].concat()));
}
