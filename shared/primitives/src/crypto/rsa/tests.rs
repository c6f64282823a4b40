use super::*;
use crate::crypto::signature::SoftwareEd25519;
#[cfg(feature = "software-signatures")]
use crate::crypto::signature::{Algorithm, SignatureCheck, SoftwareVerifier};
use crate::encoding::{b64url, b64url_decode};
use crate::env::fake::SeededRandom;
use alloc::string::String;
use alloc::vec::Vec;

#[derive(serde::Deserialize)]
struct Vector {
    name: String,
    pkcs8: String,
    pkcs1: String,
    n: String,
    e: String,
    spki: String,
    message: String,
    signature: String,
}

#[derive(serde::Deserialize)]
struct Refused {
    rsa_1024: String,
    rsa_2048_e3: String,
    ed25519: String,
    p256: String,
}

#[derive(serde::Deserialize)]
struct File {
    vectors: Vec<Vector>,
    refused: Refused,
}

fn file() -> File {
    serde_json::from_str(include_str!("../../../tests/vectors/rsa-signing.json")).unwrap()
}

fn key(vector: &Vector) -> RsaSigningKey {
    RsaSigningKey::new("k", b64url_decode(&vector.pkcs8).unwrap()).unwrap()
}

#[test]
fn reads_node_pkcs8_keys_into_their_public_jwk_and_spki() {
    for vector in file().vectors {
        let key = key(&vector);
        assert_eq!(b64url(key.modulus()), vector.n, "{}", vector.name);
        assert_eq!(b64url(&key.exponent_bytes()), vector.e, "{}", vector.name);
        assert_eq!(
            b64url(key.public_key_spki()),
            vector.spki,
            "{}",
            vector.name
        );
    }
}

#[cfg(feature = "software-signatures")]
#[test]
fn software_signatures_are_nodes_signatures_and_verify() {
    let random = SeededRandom::new(7);
    for vector in file().vectors {
        let key = key(&vector);
        let signature = sign_software(&key, vector.message.as_bytes(), &random).unwrap();
        // PKCS#1 v1.5 is deterministic: blinding changes the computation, not the result.
        assert_eq!(b64url(&signature), vector.signature, "{}", vector.name);
        assert!(SoftwareVerifier::verify_now(&SignatureCheck {
            algorithm: Algorithm::Rs256,
            public_key_spki: key.public_key_spki(),
            message: vector.message.as_bytes(),
            signature: &signature,
        }));
        let via_trait = pollster::block_on(SoftwareVerifier.sign_rs256(
            &key,
            vector.message.as_bytes(),
            &random,
        ));
        assert_eq!(via_trait.as_deref(), Some(signature.as_slice()));
    }
}

#[test]
fn refuses_pkcs1_other_key_types_and_keys_outside_the_policy() {
    let file = file();
    let refused = [
        ("PKCS#1, not PKCS#8", file.vectors[0].pkcs1.clone()),
        ("1024 bits", file.refused.rsa_1024),
        ("e = 3", file.refused.rsa_2048_e3),
        ("Ed25519", file.refused.ed25519),
        ("P-256", file.refused.p256),
    ];
    for (why, text) in refused {
        let der = b64url_decode(&text).unwrap();
        assert!(parse_pkcs8(&der).is_none(), "{why}");
        assert!(RsaSigningKey::new("k", der).is_none(), "{why}");
    }
}

#[test]
fn refuses_truncated_extended_and_multi_prime_encodings() {
    let der = b64url_decode(&file().vectors[0].pkcs8).unwrap();
    assert!(parse_pkcs8(&der).is_some());
    for cut in [1, 10, 100, der.len() / 2, der.len() - 1] {
        assert!(parse_pkcs8(&der[..cut]).is_none(), "cut at {cut}");
    }
    let mut trailing = der.clone();
    trailing.push(0);
    assert!(parse_pkcs8(&trailing).is_none(), "a trailing byte");
    // The inner RSAPrivateKey's version is the first INTEGER after the OCTET STRING
    // header: version 1 announces other primes, which are not accepted.
    let inner = der
        .windows(3)
        .position(|w| w == [0x02, 0x01, 0x00])
        .and_then(|first| {
            der[first + 3..]
                .windows(3)
                .position(|w| w == [0x02, 0x01, 0x00])
                .map(|second| first + 3 + second)
        })
        .unwrap();
    let mut multi_prime = der.clone();
    multi_prime[inner + 2] = 0x01;
    assert!(
        parse_pkcs8(&multi_prime).is_none(),
        "version 1 (multi-prime)"
    );
}

#[test]
fn keyring_takes_ids_and_keys_and_refuses_bad_entries() {
    let file = file();
    let (a, b) = (&file.vectors[0].pkcs8, &file.vectors[1].pkcs8);
    let ring = RsaKeyring::parse(&alloc::format!("rsa-2:{a}, rsa-1:{b}"), false).unwrap();
    assert_eq!(ring.active().unwrap().id, "rsa-2");
    assert_eq!(ring.iter().count(), 2);
    assert!(ring.get("rsa-1").is_some());
    assert_eq!(
        RsaKeyring::parse(&alloc::format!("dev-rsa:{a}"), false),
        Err(RsaKeyringError::DevelopmentKey)
    );
    assert!(RsaKeyring::parse(&alloc::format!("dev-rsa:{a}"), true).is_ok());
    assert_eq!(
        RsaKeyring::parse(&alloc::format!("x:{a},x:{b}"), false),
        Err(RsaKeyringError::DuplicateId)
    );
    assert_eq!(
        RsaKeyring::parse(&alloc::format!("a:{a},b:{b},c:{a},d:{b}"), false),
        Err(RsaKeyringError::Malformed)
    );
    assert_eq!(
        RsaKeyring::parse("no-colon", false),
        Err(RsaKeyringError::Malformed)
    );
    assert_eq!(
        RsaKeyring::parse(" , ", false),
        Err(RsaKeyringError::Malformed)
    );
    assert_eq!(
        RsaKeyring::parse("bad id:AAAA", false),
        Err(RsaKeyringError::Malformed)
    );
    assert_eq!(
        RsaKeyring::parse("k:not*base64", false),
        Err(RsaKeyringError::BadKeyMaterial)
    );
    assert_eq!(
        RsaKeyring::parse(&alloc::format!("k:{}", file.refused.rsa_1024), false),
        Err(RsaKeyringError::BadKeyMaterial)
    );
}

#[test]
fn debug_shows_the_id_only() {
    let vector = &file().vectors[0];
    let shown = alloc::format!("{:?}", key(vector));
    assert!(shown.contains("\"k\""));
    assert!(!shown.contains(&vector.pkcs8[..20]));
    let parts = alloc::format!("{:?}", key(vector).parts().unwrap());
    assert_eq!(parts, "RsaPrivateParts([REDACTED])");
}

#[test]
fn an_eddsa_only_platform_cannot_sign_rs256() {
    let vector = &file().vectors[0];
    let signed = pollster::block_on(SoftwareEd25519.sign_rs256(
        &key(vector),
        b"message",
        &SeededRandom::new(1),
    ));
    assert_eq!(signed, None);
}
