use super::*;
use crate::crypto::signature::tests::jws_vectors;
use crate::encoding::b64url_decode;
use alloc::vec;
use alloc::vec::Vec;

/// The RFC 7517 A.1 keys and Node's SPKI of each.
fn rfc7517_a1() -> Vec<(serde_json::Value, Vec<u8>)> {
    let file: serde_json::Value =
        serde_json::from_str(include_str!("../../../../tests/vectors/rfc7517.json")).unwrap();
    file["a1_public_keys"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|jwk| {
            let kid = jwk["kid"].as_str().unwrap();
            let spki = b64url_decode(file["a1_spki"][kid].as_str().unwrap()).unwrap();
            (jwk.clone(), spki)
        })
        .collect()
}

fn member(jwk: &serde_json::Value, name: &str) -> Vec<u8> {
    b64url_decode(jwk[name].as_str().unwrap()).unwrap()
}

/// Our encoding of a JWK's members, straight from the members (not through `jwk.rs`).
fn encode(jwk: &serde_json::Value) -> Vec<u8> {
    let m32 = |name| -> [u8; 32] { member(jwk, name).try_into().unwrap() };
    match jwk["kty"].as_str().unwrap() {
        "OKP" => ed25519(&m32("x")).to_vec(),
        "EC" => p256(&m32("x"), &m32("y")).to_vec(),
        "RSA" => rsa(&member(jwk, "n"), rsa_exponent(&member(jwk, "e")).unwrap()).unwrap(),
        other => panic!("{other}"),
    }
}

#[test]
fn encodes_every_key_type_exactly_as_node_does() {
    let mut keys: Vec<_> = jws_vectors()
        .into_iter()
        .map(|v| (v.jwk.clone(), v.spki()))
        .collect();
    keys.extend(rfc7517_a1());
    assert_eq!(keys.len(), 5);
    for (jwk, expected) in keys {
        assert_eq!(encode(&jwk), expected, "{jwk}");
    }
}

#[test]
fn decodes_what_it_encodes() {
    for (jwk, spki) in rfc7517_a1()
        .into_iter()
        .chain(jws_vectors().into_iter().map(|v| (v.jwk.clone(), v.spki())))
    {
        let key = decode(&spki).unwrap();
        match key {
            SpkiKey::Ed25519(x) => assert_eq!(x.as_slice(), member(&jwk, "x")),
            SpkiKey::P256 { x, y } => {
                assert_eq!(x.as_slice(), member(&jwk, "x"));
                assert_eq!(y.as_slice(), member(&jwk, "y"));
            }
            SpkiKey::Rsa { n, e } => {
                assert_eq!(n, member(&jwk, "n"));
                assert_eq!(e, 65_537);
            }
        }
    }
}

/// The RFC 7515 A.2 key's SPKI (2048 bits: two-byte lengths throughout).
fn rsa_spki() -> Vec<u8> {
    jws_vectors()[0].spki()
}

#[test]
fn refuses_rsa_spki_that_is_not_strict_der() {
    let good = rsa_spki();
    assert!(decode(&good).is_some());
    let mut cases: Vec<Vec<u8>> = vec![
        [good.as_slice(), &[0]].concat(), // trailing byte
        good[..good.len() - 1].to_vec(),  // truncated
    ];
    // Outer SEQUENCE length in a non-minimal three-byte form.
    let mut long_form = vec![0x30, 0x83, 0x00];
    long_form.extend_from_slice(&good[2..]);
    cases.push(long_form);
    // rsaEncryption without its NULL parameters (15 → 13 bytes, outer length fixed).
    let mut no_null = good.clone();
    no_null.splice(
        4..19,
        [
            0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
        ],
    );
    no_null[3] -= 2;
    cases.push(no_null);
    // Another algorithm identifier (RSASSA-PSS, 1.2.840.113549.1.1.10).
    let mut pss = good.clone();
    pss[16] = 0x0a;
    cases.push(pss);
    // Unused bits in the BIT STRING.
    let mut unused = good.clone();
    let bit_string = good.iter().position(|b| *b == 0x03).unwrap();
    unused[bit_string + 4] = 0x01;
    cases.push(unused);
    for case in cases {
        assert_eq!(decode(&case), None, "{case:02x?}");
    }
}

#[test]
fn refuses_ec_and_ed25519_spki_of_another_shape() {
    let vectors = jws_vectors();
    let p256_spki = vectors[1].spki();
    let ed_spki = vectors[2].spki();
    assert!(decode(&p256_spki).is_some() && decode(&ed_spki).is_some());
    let mut compressed = p256_spki.clone();
    compressed[26] = 0x02;
    let mut p384_oid = p256_spki.clone();
    p384_oid[22] = 0x22;
    let mut x25519 = ed_spki.clone();
    x25519[8] = 0x6e;
    for case in [
        compressed,
        p384_oid,
        x25519,
        [p256_spki.as_slice(), &[0]].concat(),
        p256_spki[..90].to_vec(),
        [ed_spki.as_slice(), &[0]].concat(),
        ed_spki[..43].to_vec(),
    ] {
        assert_eq!(decode(&case), None, "{case:02x?}");
    }
}

/// A 2048-bit odd modulus whose first byte is `first`.
fn modulus(first: u8, len: usize) -> Vec<u8> {
    let mut n = vec![0xc5; len];
    n[0] = first;
    n[len - 1] |= 1;
    n
}

#[test]
fn holds_rsa_keys_to_the_policy() {
    assert!(check_rsa(&modulus(0x80, 256), 65_537).is_ok());
    assert!(check_rsa(&modulus(0xff, 512), u32::MAX).is_ok());
    let refused = [
        (modulus(0x7f, 256), 65_537, RsaKeyError::Modulus), // 2047 bits
        (modulus(0x80, 128), 65_537, RsaKeyError::Modulus), // 1024 bits
        (modulus(0x01, 513), 65_537, RsaKeyError::Modulus), // 4097 bits
        (modulus(0x00, 257), 65_537, RsaKeyError::NotMinimal),
        (vec![], 65_537, RsaKeyError::NotMinimal),
        (modulus(0x80, 256), 3, RsaKeyError::Exponent),
        (modulus(0x80, 256), 65_536, RsaKeyError::Exponent),
    ];
    for (n, e, error) in refused {
        assert_eq!(check_rsa(&n, e), Err(error), "{} bytes, e={e}", n.len());
        assert_eq!(rsa(&n, e), Err(error));
    }
    let mut even = modulus(0x80, 256);
    even[255] &= 0xfe;
    assert_eq!(check_rsa(&even, 65_537), Err(RsaKeyError::Modulus));
}

#[test]
fn reads_rsa_exponents_strictly() {
    assert_eq!(rsa_exponent(&[0x01, 0x00, 0x01]), Ok(65_537));
    assert_eq!(rsa_exponent(&[0xff; 4]), Ok(u32::MAX));
    assert_eq!(
        rsa_exponent(&[0x00, 0x01, 0x00, 0x01]),
        Err(RsaKeyError::NotMinimal)
    );
    assert_eq!(rsa_exponent(&[]), Err(RsaKeyError::NotMinimal));
    assert_eq!(rsa_exponent(&[0x03]), Err(RsaKeyError::Exponent));
    assert_eq!(
        rsa_exponent(&[0x01, 0x00, 0x00, 0x00, 0x01]),
        Err(RsaKeyError::Exponent)
    );
}

#[test]
fn rsa_keys_of_every_size_round_trip() {
    // One-byte (0x81) and two-byte (0x82) DER lengths, moduli with and without a sign
    // byte, the smallest and largest exponents.
    for (first, len) in [
        (0x80, 256),
        (0x7f, 257),
        (0xff, 384),
        (0x01, 512),
        (0xff, 512),
    ] {
        let n = modulus(first, len);
        if check_rsa(&n, 65_537).is_err() {
            continue;
        }
        for e in [65_537, 0x7fff_ffff, u32::MAX] {
            let spki = rsa(&n, e).unwrap();
            assert_eq!(decode(&spki), Some(SpkiKey::Rsa { n: &n, e }));
        }
    }
}
