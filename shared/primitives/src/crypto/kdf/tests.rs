use super::*;
use crate::encoding::hex;
use alloc::string::String;
use alloc::vec::Vec;
use proptest::prelude::*;
use sha1::Sha1;
use sha2::Sha512;

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[derive(serde::Deserialize)]
struct HkdfVector {
    name: String,
    ikm: String,
    salt: String,
    info: String,
    okm: String,
}

#[test]
fn hkdf_matches_rfc5869_vectors() {
    // RFC 5869 A.1–A.3 (tests/vectors/rfc5869.json); one HKDF block is the first 32
    // bytes of the RFC's OKM. A.2's 80-byte salt is longer than a SHA-256 block, so it
    // also exercises the hashed-key path of `hmac`.
    let vectors: Vec<HkdfVector> =
        serde_json::from_str(include_str!("../../../tests/vectors/rfc5869.json")).unwrap();
    assert!(vectors.len() >= 3);
    for vector in vectors {
        let okm = hkdf_sha256(
            &unhex(&vector.salt),
            &unhex(&vector.ikm),
            &unhex(&vector.info),
        );
        assert_eq!(hex(&*okm), vector.okm[..64], "{}", vector.name);
    }
}

#[test]
fn hmac_sha256_matches_rfc4231_long_key_case() {
    // RFC 4231 §4.7 (test case 6): a 131-byte key, longer than the block, is hashed.
    let key = [0xaau8; 131];
    let tag = hmac_sha256(
        &key,
        &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
    );
    assert_eq!(
        hex(&tag),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
}

#[test]
fn purposes_have_distinct_labels() {
    // Every derivation label of edgeauth is in `Purpose` (grep for `b"edgeauth `).
    for (i, a) in Purpose::ALL.iter().enumerate() {
        assert_eq!(a.index(), i);
        for b in Purpose::ALL.iter().skip(i + 1) {
            assert_ne!(a.label(), b.label());
        }
    }
}

#[test]
fn subkeys_are_hkdf_with_the_shared_salt_and_the_label() {
    let key = [7u8; 32];
    let expected = hkdf_sha256(b"edgeauth/kdf/v1", &key, b"edgeauth csrf v1");
    assert_eq!(*derive(&key, Purpose::Csrf), *expected);
}

#[test]
fn subkeys_differ_per_purpose_and_from_the_key() {
    let key = [7u8; 32];
    let subkeys: Vec<SubKey> = Purpose::ALL.iter().map(|p| derive(&key, *p)).collect();
    for (i, a) in subkeys.iter().enumerate() {
        assert_ne!(**a, key);
        for b in subkeys.iter().skip(i + 1) {
            assert_ne!(**a, **b);
        }
    }
    assert_eq!(*subkeys[0], *derive(&key, Purpose::DataAtRest));
}

#[test]
fn mac_frames_parts_so_boundaries_cannot_shift() {
    let key = [1u8; 32];
    assert_ne!(mac(&key, &[b"ab", b"c"]), mac(&key, &[b"a", b"bc"]));
    assert_ne!(mac(&key, &[b"abc"]), mac(&key, &[b"abc", b""]));
    assert_eq!(mac(&key, &[b"ab", b"c"]), mac(&key, &[b"ab", b"c"]));
}

#[test]
fn sha256_matches_the_empty_string_digest() {
    assert_eq!(
        hex(&sha256(b"")),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

fn reference<D: EagerHash>(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<D> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

proptest! {
    #[test]
    fn hmac_equals_the_variable_length_constructor(
        key in proptest::collection::vec(any::<u8>(), 0..300),
        message in proptest::collection::vec(any::<u8>(), 0..200),
        split in 0usize..200,
    ) {
        let cut = split.min(message.len());
        let (head, tail) = message.split_at(cut);
        prop_assert_eq!(hmac::<Sha1>(&key, &[head, tail]).to_vec(), reference::<Sha1>(&key, &message));
        prop_assert_eq!(hmac::<Sha256>(&key, &[head, tail]).to_vec(), reference::<Sha256>(&key, &message));
        prop_assert_eq!(hmac::<Sha512>(&key, &[head, tail]).to_vec(), reference::<Sha512>(&key, &message));
    }
}
