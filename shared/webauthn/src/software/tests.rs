use super::*;
use crate::CoseAlgorithm;

#[test]
fn spki_of_a_p256_key_decodes_with_rustcrypto_to_the_same_point() {
    use p256::pkcs8::DecodePublicKey as _;
    // The W3C none.ES256 credential.
    let x = *b"\xaf\xef\xa1\x6f\x97\xca\x9b\x2d\x23\xeb\x86\xcc\xb6\x40\x98\xd2\x0d\xb9\x08\x56\x06\x2e\xb2\x49\xc3\x3a\x9b\x67\x2f\x26\xdf\x61";
    let y = *b"\x93\x0a\x56\xb8\x7a\x2f\xca\x66\x33\x4b\x03\x45\x8a\xbf\x87\x97\x17\xc1\x2c\xc6\x8e\xd7\x32\x90\xaf\x2e\x26\x64\x79\x6b\x92\x20";
    let key = PublicKey::P256 { x, y };
    let decoded = p256::ecdsa::VerifyingKey::from_public_key_der(&key.to_spki_der()).unwrap();
    let point = decoded.to_sec1_point(false);
    assert_eq!(&point.as_bytes()[1..33], &x);
    assert_eq!(&point.as_bytes()[33..], &y);
}

#[test]
fn spki_of_an_rsa_key_decodes_with_rustcrypto_to_the_same_numbers() {
    use rsa::pkcs8::DecodePublicKey as _;
    use rsa::traits::PublicKeyParts as _;
    for (first, e) in [
        (0x80u8, 65_537u32),
        (0xc5, 0x7fff_ffff),
        (0xff, 0xffff_ffff),
    ] {
        let mut n = std::vec![first; 256];
        n[255] |= 1;
        let key = PublicKey::Rsa { n: n.clone(), e };
        let decoded = rsa::PublicKey::from_public_key_der(&key.to_spki_der()).unwrap();
        assert_eq!(decoded.n().to_be_bytes().as_ref(), n.as_slice());
        assert_eq!(decoded.e(), &rsa::BoxedUint::from(u64::from(e)));
    }
}

#[test]
fn spki_of_an_ed25519_key_is_rfc_8410s() {
    // RFC 8410 §10.1: MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=
    let key = *b"\x19\xbf\x44\x09\x69\x84\xcd\xfe\x85\x41\xba\xc1\x67\xdc\x3b\x96\xc8\x50\x86\xaa\x30\xb6\xb6\xcb\x0c\x5c\x38\xad\x70\x31\x66\xe1";
    let mut expected = b"\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00".to_vec();
    expected.extend_from_slice(&key);
    assert_eq!(PublicKey::Ed25519(key).to_spki_der(), expected);
}

#[test]
fn refuses_a_check_whose_algorithm_is_not_the_keys() {
    let key = PublicKey::Ed25519([0; 32]);
    let check = SignatureCheck {
        algorithm: CoseAlgorithm::Es256,
        public_key: &key,
        message: b"",
        signature: &[0; 64],
    };
    assert!(!verify(&check));
}

#[test]
fn refuses_points_off_the_curve_and_out_of_range_signatures() {
    let off_curve = PublicKey::P256 {
        x: [1; 32],
        y: [1; 32],
    };
    let check = SignatureCheck {
        algorithm: CoseAlgorithm::Es256,
        public_key: &off_curve,
        message: b"m",
        signature: &[1; 64],
    };
    assert!(!verify(&check));
    // r = s = 0 and r = s = 2^256 - 1 (≥ n) under a valid key (the P-256 generator).
    let generator = PublicKey::P256 {
        x: *b"\x6b\x17\xd1\xf2\xe1\x2c\x42\x47\xf8\xbc\xe6\xe5\x63\xa4\x40\xf2\x77\x03\x7d\x81\x2d\xeb\x33\xa0\xf4\xa1\x39\x45\xd8\x98\xc2\x96",
        y: *b"\x4f\xe3\x42\xe2\xfe\x1a\x7f\x9b\x8e\xe7\xeb\x4a\x7c\x0f\x9e\x16\x2b\xce\x33\x57\x6b\x31\x5e\xce\xcb\xb6\x40\x68\x37\xbf\x51\xf5",
    };
    for signature in [[0u8; 64], [0xff; 64]] {
        let check = SignatureCheck {
            algorithm: CoseAlgorithm::Es256,
            public_key: &generator,
            message: b"m",
            signature: &signature,
        };
        assert!(!verify(&check));
    }
}
