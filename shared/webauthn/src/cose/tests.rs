use super::*;

/// A COSE key from its entries, each a CBOR-encoded (label, value) pair.
fn key(entries: &[&[u8]]) -> Vec<u8> {
    let mut out = std::vec![0xa0 | u8::try_from(entries.len()).unwrap()];
    for entry in entries {
        out.extend_from_slice(entry);
    }
    out
}
fn with_len(prefix: &[u8], len: usize, fill: u8) -> Vec<u8> {
    let mut out = prefix.to_vec();
    out.push(0x58);
    out.push(u8::try_from(len).unwrap());
    out.extend(core::iter::repeat_n(fill, len));
    out
}
fn x32() -> Vec<u8> {
    with_len(b"\x21", 32, 0x11)
}
fn y32() -> Vec<u8> {
    with_len(b"\x22", 32, 0x22)
}

#[test]
fn parses_an_es256_key() {
    let bytes = key(&[b"\x01\x02", b"\x03\x26", b"\x20\x01", &x32(), &y32()]);
    assert_eq!(
        PublicKey::from_cose(&bytes),
        Ok(PublicKey::P256 {
            x: [0x11; 32],
            y: [0x22; 32]
        })
    );
}

#[test]
fn parses_an_ed25519_key() {
    let bytes = key(&[b"\x01\x01", b"\x03\x27", b"\x20\x06", &x32()]);
    assert_eq!(
        PublicKey::from_cose(&bytes),
        Ok(PublicKey::Ed25519([0x11; 32]))
    );
}

fn rsa(n_len: usize, n_first: u8, e: &[u8]) -> Vec<u8> {
    let mut n = std::vec![0x59];
    n.extend_from_slice(&u16::try_from(n_len).unwrap().to_be_bytes());
    n.push(n_first);
    n.extend(core::iter::repeat_n(0xff, n_len - 1));
    let mut minus1 = std::vec![0x20];
    minus1.extend_from_slice(&n);
    let mut minus2 = std::vec![0x21, 0x40 | u8::try_from(e.len()).unwrap()];
    minus2.extend_from_slice(e);
    key(&[b"\x01\x03", b"\x03\x39\x01\x00", &minus1, &minus2])
}

#[test]
fn parses_rsa_keys_of_2048_to_4096_bits() {
    for len in [256, 384, 512] {
        let parsed = PublicKey::from_cose(&rsa(len, 0x80, b"\x01\x00\x01")).unwrap();
        assert!(matches!(parsed, PublicKey::Rsa { ref n, e: 65537 } if n.len() == len));
    }
}

#[test]
fn refuses_rsa_keys_outside_the_size_bounds() {
    // 2047 bits (256 bytes, high bit clear), 255 bytes, 513 bytes, leading zero.
    for bytes in [
        rsa(256, 0x7f, b"\x01\x00\x01"),
        rsa(255, 0xff, b"\x01\x00\x01"),
        rsa(513, 0x80, b"\x01\x00\x01"),
        rsa(257, 0x00, b"\x01\x00\x01"),
    ] {
        assert!(matches!(
            PublicKey::from_cose(&bytes),
            Err(Error::Malformed(_))
        ));
    }
}

#[test]
fn refuses_degenerate_rsa_exponents() {
    for e in [
        &b"\x03"[..],
        b"\x01\x00\x00",
        b"\x01\x00\x02",
        b"\x00\x01\x00\x01",
        b"",
        b"\x01\x00\x00\x00\x01",
    ] {
        assert!(
            matches!(
                PublicKey::from_cose(&rsa(256, 0x80, e)),
                Err(Error::Malformed(_))
            ),
            "{e:x?}"
        );
    }
    assert!(PublicKey::from_cose(&rsa(256, 0x80, b"\xff\xff\xff\xff")).is_ok());
}

#[test]
fn refuses_an_ec2_key_on_another_curve() {
    // P-384 (crv 2) and secp256k1 (crv 8) under ES256.
    for crv in [&b"\x20\x02"[..], b"\x20\x08"] {
        let bytes = key(&[b"\x01\x02", b"\x03\x26", crv, &x32(), &y32()]);
        assert!(matches!(
            PublicKey::from_cose(&bytes),
            Err(Error::Malformed(_))
        ));
    }
}

#[test]
fn refuses_a_key_whose_type_does_not_match_its_algorithm() {
    let cases: [Vec<u8>; 4] = [
        // OKP key claiming ES256.
        key(&[b"\x01\x01", b"\x03\x26", b"\x20\x06", &x32()]),
        // EC2 key claiming EdDSA.
        key(&[b"\x01\x02", b"\x03\x27", b"\x20\x01", &x32(), &y32()]),
        // OKP on X25519 (crv 4) under EdDSA.
        key(&[b"\x01\x01", b"\x03\x27", b"\x20\x04", &x32()]),
        // Symmetric kty 4.
        key(&[b"\x01\x04", b"\x03\x26", b"\x20\x01", &x32(), &y32()]),
    ];
    for bytes in cases {
        assert!(
            matches!(PublicKey::from_cose(&bytes), Err(Error::Malformed(_))),
            "{bytes:x?}"
        );
    }
}

#[test]
fn refuses_wrong_coordinate_lengths() {
    let short_x = with_len(b"\x21", 31, 0x11);
    let long_y = with_len(b"\x22", 33, 0x22);
    for bytes in [
        key(&[b"\x01\x02", b"\x03\x26", b"\x20\x01", &short_x, &y32()]),
        key(&[b"\x01\x02", b"\x03\x26", b"\x20\x01", &x32(), &long_y]),
        key(&[b"\x01\x01", b"\x03\x27", b"\x20\x06", &short_x]),
    ] {
        assert!(matches!(
            PublicKey::from_cose(&bytes),
            Err(Error::Malformed(_))
        ));
    }
}

#[test]
fn refuses_private_keys_duplicates_and_missing_members() {
    let d = with_len(b"\x23", 32, 0x33);
    for bytes in [
        key(&[b"\x01\x01", b"\x03\x27", b"\x20\x06", &x32(), &d]),
        key(&[
            b"\x01\x02",
            b"\x03\x26",
            b"\x03\x26",
            b"\x20\x01",
            &x32(),
            &y32(),
        ]),
        key(&[b"\x01\x02", b"\x20\x01", &x32(), &y32()]),
        key(&[b"\x03\x26", b"\x20\x01", &x32(), &y32()]),
        key(&[b"\x01\x02", b"\x03\x26", b"\x20\x01", &x32()]),
        key(&[b"\x61k\x02", b"\x03\x26", b"\x20\x01", &x32(), &y32()]),
    ] {
        assert!(
            matches!(PublicKey::from_cose(&bytes), Err(Error::Malformed(_))),
            "{bytes:x?}"
        );
    }
}

#[test]
fn unsupported_algorithms_are_told_apart_from_malformed_keys() {
    // ES384 (-35) and PS256 (-37).
    for alg in [&b"\x03\x38\x22"[..], b"\x03\x38\x24"] {
        let bytes = key(&[b"\x01\x02", alg, b"\x20\x02", &x32(), &y32()]);
        assert_eq!(
            PublicKey::from_cose(&bytes),
            Err(Error::UnsupportedAlgorithm)
        );
    }
}

#[test]
fn ignores_unknown_parameters_but_not_trailing_bytes() {
    let mut bytes = key(&[
        b"\x01\x01",
        b"\x03\x27",
        b"\x20\x06",
        &x32(),
        b"\x02\x43kid",
    ]);
    assert!(PublicKey::from_cose(&bytes).is_ok());
    bytes.push(0);
    assert!(PublicKey::from_cose(&bytes).is_err());
}

#[test]
fn algorithm_identifiers_are_the_primitives_cose_ids() {
    for alg in Algorithm::ALL {
        assert_eq!(Algorithm::from_cose_id(alg.cose_id()), Some(alg));
    }
    assert_eq!(Algorithm::from_cose_id(-35), None);
}

#[test]
fn every_key_type_becomes_the_spki_of_its_members() {
    use edgeauth_primitives::crypto::signature::spki::{decode, SpkiKey};
    let es256 = PublicKey::from_cose(&key(&[
        b"\x01\x02",
        b"\x03\x26",
        b"\x20\x01",
        &x32(),
        &y32(),
    ]))
    .unwrap();
    assert_eq!(
        decode(&es256.to_spki_der()),
        Some(SpkiKey::P256 {
            x: &[0x11; 32],
            y: &[0x22; 32]
        })
    );
    for (len, e) in [(256, 65_537u32), (512, u32::MAX)] {
        let e_bytes = e.to_be_bytes();
        let e_bytes: &[u8] = if e == 65_537 { &e_bytes[1..] } else { &e_bytes };
        let parsed = PublicKey::from_cose(&rsa(len, 0x80, e_bytes)).unwrap();
        let PublicKey::Rsa { n, .. } = &parsed else {
            panic!()
        };
        assert_eq!(decode(&parsed.to_spki_der()), Some(SpkiKey::Rsa { n, e }));
    }
    // RFC 8410 §10.1: MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=
    let ed = *b"\x19\xbf\x44\x09\x69\x84\xcd\xfe\x85\x41\xba\xc1\x67\xdc\x3b\x96\xc8\x50\x86\xaa\x30\xb6\xb6\xcb\x0c\x5c\x38\xad\x70\x31\x66\xe1";
    let mut expected = b"\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00".to_vec();
    expected.extend_from_slice(&ed);
    assert_eq!(PublicKey::Ed25519(ed).to_spki_der(), expected);
}
