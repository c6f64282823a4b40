use super::*;
use crate::encoding::{b64url, b64url_decode};
use alloc::format;
use alloc::string::String;

#[derive(serde::Deserialize)]
struct Rfc8037 {
    d: String,
    x: String,
    protected: String,
    payload_text: String,
    payload: String,
    signature: String,
}

fn vector() -> Rfc8037 {
    serde_json::from_str(include_str!("../../../tests/vectors/rfc8037.json")).unwrap()
}

#[test]
fn derives_the_rfc8037_public_key_from_its_seed() {
    let v = vector();
    let key = EdSigningKey::from_seed(&Secret::new(b64url_decode(&v.d).unwrap())).unwrap();
    assert_eq!(b64url(&key.verifying_key().to_bytes()), v.x);
}

#[test]
fn signs_the_rfc8037_example_exactly() {
    let v = vector();
    assert_eq!(b64url(v.payload_text.as_bytes()), v.payload);
    assert_eq!(b64url(br#"{"alg":"EdDSA"}"#), v.protected);
    let key = EdSigningKey::from_seed(&Secret::new(b64url_decode(&v.d).unwrap())).unwrap();
    let signing_input = format!("{}.{}", v.protected, v.payload);
    assert_eq!(b64url(&key.sign(signing_input.as_bytes())), v.signature);
}

#[test]
fn verifies_the_rfc8037_example_and_rejects_a_flipped_bit() {
    let v = vector();
    let public = EdVerifyingKey::from_bytes(&b64url_decode(&v.x).unwrap()).unwrap();
    let signing_input = format!("{}.{}", v.protected, v.payload);
    let mut signature = b64url_decode(&v.signature).unwrap();
    assert!(public.verify(signing_input.as_bytes(), &signature));
    signature[10] ^= 1;
    assert!(!public.verify(signing_input.as_bytes(), &signature));
    assert!(!public.verify(b"other", &b64url_decode(&v.signature).unwrap()));
}

#[test]
fn refuses_seeds_of_the_wrong_length() {
    assert!(EdSigningKey::from_seed(&Secret::new(alloc::vec![0u8; 31])).is_none());
}

#[test]
fn an_all_zero_seed_is_refused_without_a_panic() {
    // ed25519-compact's `KeyPair::from_seed` panics on an all-zero seed; a configured
    // key of 32 zero bytes must be "unusable", never an aborted isolate.
    assert!(EdSigningKey::from_seed(&Secret::new(alloc::vec![0u8; 32])).is_none());
    assert!(EdSigningKey::from_seed(&Secret::new(alloc::vec![1u8; 32])).is_some());
}
