//! Tests of the data-at-rest cipher: known answers for the primitive, a frozen
//! ciphertext for the format, Wycheproof-style edge cases from a data file, rotation,
//! and a property test that no input panics.

use super::*;
use crate::encoding::hex;
use crate::env::fake::SeededRandom;
use crate::env::RandomError;
use alloc::string::ToString;
use alloc::vec;
use proptest::prelude::*;
use serde::Deserialize;

const KEY_A: &str = "OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c";
const KEY_B: &str = "ZVVV4f0TrU4rsRpAWk4cLk3RkBOso06T_LSpHOxSIUU";
const CONTEXT: &str = "user/123/profile#email";

fn ring(spec: &str) -> Keyring {
    Keyring::parse(spec, false).unwrap()
}

fn ring_a() -> Keyring {
    ring(&format!("test-a:{KEY_A}"))
}

fn ring_b_a() -> Keyring {
    ring(&format!("test-b:{KEY_B},test-a:{KEY_A}"))
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

struct FailingRandom;

impl Random for FailingRandom {
    fn fill(&self, _: &mut [u8]) -> Result<(), RandomError> {
        Err(RandomError)
    }
}

// ---- the primitive ----------------------------------------------------------------

#[derive(Deserialize)]
struct Kat {
    source: String,
    key: String,
    nonce: String,
    aad: String,
    plaintext: String,
    ciphertext: String,
    tag: String,
}

#[test]
fn xchacha20poly1305_matches_published_vectors() {
    let kats: Vec<Kat> = serde_json::from_str(include_str!(
        "../../../tests/vectors/xchacha20poly1305.json"
    ))
    .unwrap();
    assert!(kats.len() >= 3);
    for kat in kats {
        let key = Key::try_from(unhex(&kat.key).as_slice()).unwrap();
        let cipher = XChaCha20Poly1305::new(&key);
        let nonce = XNonce::try_from(unhex(&kat.nonce).as_slice()).unwrap();
        let aad = unhex(&kat.aad);
        let plaintext = unhex(&kat.plaintext);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: &plaintext,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(
            hex(&sealed),
            format!("{}{}", kat.ciphertext, kat.tag),
            "{}",
            kat.source
        );
        let opened = cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(opened, plaintext, "{}", kat.source);
    }
}

// ---- the format ---------------------------------------------------------------------

#[derive(Deserialize)]
struct EdgeCases {
    format: Frozen,
    literals: Vec<Literal>,
    mutations: Vec<Mutation>,
}

/// A ciphertext computed by an independent implementation of the documented format.
#[derive(Deserialize)]
struct Frozen {
    keyring: String,
    associated: String,
    nonce: String,
    plaintext: String,
    ciphertext: String,
}

#[derive(Deserialize)]
struct Literal {
    name: String,
    ciphertext: String,
    expect: String,
}

#[derive(Deserialize)]
struct Mutation {
    name: String,
    op: String,
    #[serde(default)]
    part: String,
    #[serde(default)]
    index: i64,
    #[serde(default)]
    value: String,
    expect: String,
}

fn edge_cases() -> EdgeCases {
    serde_json::from_str(include_str!("../../../tests/vectors/aead-edge-cases.json")).unwrap()
}

fn expected(name: &str) -> CryptoError {
    match name {
        "malformed" => CryptoError::Malformed,
        "unknown_key" => CryptoError::UnknownKey,
        "tampered" => CryptoError::Tampered,
        other => panic!("unknown expectation {other}"),
    }
}

#[test]
fn frozen_ciphertext_still_decrypts_and_reencodes_identically() {
    let frozen = edge_cases().format;
    let keyring = ring(&frozen.keyring);
    let plaintext = decrypt_string(&keyring, &frozen.associated, &frozen.ciphertext).unwrap();
    assert_eq!(plaintext, frozen.plaintext);
    let nonce: [u8; NONCE_LEN] = unhex(&frozen.nonce).try_into().unwrap();
    let sealed = seal(
        keyring.active(),
        &nonce,
        &frozen.associated,
        frozen.plaintext.as_bytes(),
    )
    .unwrap();
    assert_eq!(sealed, frozen.ciphertext);
}

#[test]
fn literal_garbage_is_rejected_with_the_documented_reason() {
    let cases = edge_cases();
    let keyring = ring(&cases.format.keyring);
    assert!(cases.literals.len() >= 20);
    for case in cases.literals {
        let result = decrypt(&keyring, &cases.format.associated, &case.ciphertext);
        assert_eq!(result.err(), Some(expected(&case.expect)), "{}", case.name);
    }
}

/// Applies one mutation to the frozen ciphertext; returns (ciphertext, context).
fn mutate(frozen: &Frozen, mutation: &Mutation) -> (String, String) {
    let rest = frozen.ciphertext.strip_prefix("v1.").unwrap();
    let (rest, sealed) = rest.rsplit_once('.').unwrap();
    let (key_id, nonce) = rest.rsplit_once('.').unwrap();
    let mut parts = (
        "v1".to_string(),
        key_id.to_string(),
        b64url_decode(nonce).unwrap(),
        b64url_decode(sealed).unwrap(),
    );
    let mut associated = frozen.associated.clone();
    let at = |bytes: &Vec<u8>, index: i64| -> usize {
        if index < 0 {
            bytes.len() - index.unsigned_abs() as usize
        } else {
            index as usize
        }
    };
    match mutation.op.as_str() {
        "xor" => {
            let bytes = if mutation.part == "nonce" {
                &mut parts.2
            } else {
                &mut parts.3
            };
            let i = at(bytes, mutation.index);
            bytes[i] ^= 0x01;
        }
        "truncate" => {
            let bytes = if mutation.part == "nonce" {
                &mut parts.2
            } else {
                &mut parts.3
            };
            let keep = bytes.len() - mutation.index as usize;
            bytes.truncate(keep);
        }
        "append" => parts.3.extend_from_slice(&unhex(&mutation.value)),
        "key_id" => parts.1 = mutation.value.clone(),
        "version" => parts.0 = mutation.value.clone(),
        "associated" => associated = mutation.value.clone(),
        "swap_parts" => core::mem::swap(&mut parts.2, &mut parts.3),
        other => panic!("unknown mutation {other}"),
    }
    let text = format!(
        "{}.{}.{}.{}",
        parts.0,
        parts.1,
        b64url(&parts.2),
        b64url(&parts.3)
    );
    (text, associated)
}

#[test]
fn every_mutation_of_a_valid_ciphertext_fails_closed() {
    let cases = edge_cases();
    let keyring = ring(&cases.format.keyring);
    assert!(cases.mutations.len() >= 10);
    for mutation in &cases.mutations {
        let (text, associated) = mutate(&cases.format, mutation);
        assert_ne!(
            (text.as_str(), associated.as_str()),
            (
                cases.format.ciphertext.as_str(),
                cases.format.associated.as_str()
            ),
            "{} did not change anything",
            mutation.name
        );
        let result = decrypt(&keyring, &associated, &text);
        assert_eq!(
            result.err(),
            Some(expected(&mutation.expect)),
            "{}",
            mutation.name
        );
    }
}

// ---- behaviour ----------------------------------------------------------------------

#[test]
fn round_trips_bytes_and_empty_plaintext() {
    let keyring = ring_a();
    let random = SeededRandom::new(1);
    for plaintext in [
        &b""[..],
        b"x",
        b"alice@example.com",
        &[0u8, 255, 7][..],
        &[9u8; 1000],
    ] {
        let ciphertext = encrypt(&keyring, &random, CONTEXT, plaintext).unwrap();
        assert!(ciphertext.starts_with("v1.test-a."));
        assert_eq!(
            decrypt(&keyring, CONTEXT, &ciphertext).unwrap().expose(),
            plaintext
        );
    }
}

#[test]
fn same_plaintext_encrypts_differently_each_time() {
    let keyring = ring_a();
    let random = SeededRandom::new(2);
    let one = encrypt(&keyring, &random, CONTEXT, b"same").unwrap();
    let two = encrypt(&keyring, &random, CONTEXT, b"same").unwrap();
    assert_ne!(one, two);
}

#[test]
fn ciphertext_moved_to_another_record_fails() {
    let keyring = ring_a();
    let ciphertext = encrypt(&keyring, &SeededRandom::new(3), CONTEXT, b"secret").unwrap();
    for other in [
        "user/124/profile#email",
        "user/123/profile#name",
        "",
        "user/123/profile#emai",
    ] {
        assert_eq!(
            decrypt(&keyring, other, &ciphertext).err(),
            Some(CryptoError::Tampered),
            "{other}"
        );
    }
}

#[test]
fn relabelled_key_id_fails_even_with_identical_key_material() {
    // Two ids for the same bytes: the key id is bound into the associated data.
    let keyring = ring(&format!("twin-1:{KEY_A},twin-2:{KEY_A}"));
    let ciphertext = encrypt(&keyring, &SeededRandom::new(4), CONTEXT, b"secret").unwrap();
    let relabelled = ciphertext.replacen("twin-1", "twin-2", 1);
    assert_eq!(
        decrypt(&keyring, CONTEXT, &relabelled).err(),
        Some(CryptoError::Tampered)
    );
}

#[test]
fn unknown_key_id_fails_closed_as_unavailable() {
    let ciphertext = encrypt(&ring_a(), &SeededRandom::new(5), CONTEXT, b"secret").unwrap();
    let other = ring(&format!("test-b:{KEY_B}"));
    let error = decrypt(&other, CONTEXT, &ciphertext).unwrap_err();
    assert_eq!(error, CryptoError::UnknownKey);
}

#[test]
fn failing_random_source_is_an_error_not_a_fixed_nonce() {
    assert_eq!(
        encrypt(&ring_a(), &FailingRandom, CONTEXT, b"x").err(),
        Some(CryptoError::RandomFailed)
    );
}

#[test]
fn non_utf8_plaintext_is_not_returned_as_a_string() {
    let keyring = ring_a();
    let ciphertext = encrypt(&keyring, &SeededRandom::new(6), CONTEXT, &[0xff, 0xfe]).unwrap();
    assert_eq!(
        decrypt_string(&keyring, CONTEXT, &ciphertext).err(),
        Some(CryptoError::Malformed)
    );
}

#[test]
fn key_ids_with_dots_parse() {
    let keyring = ring(&format!("2026.01:{KEY_A}"));
    let ciphertext = encrypt(&keyring, &SeededRandom::new(7), CONTEXT, b"dots").unwrap();
    assert_eq!(key_id(&ciphertext), Some("2026.01"));
    assert_eq!(
        decrypt(&keyring, CONTEXT, &ciphertext).unwrap().expose(),
        b"dots"
    );
}

#[test]
fn rotation_keeps_old_data_readable_and_moves_it_to_the_new_key() {
    let random = SeededRandom::new(8);
    // Encrypted while A was the only key.
    let old = encrypt(&ring_a(), &random, CONTEXT, b"totp secret").unwrap();

    // B added in front: A's data still decrypts and is flagged for the sweep.
    let rotated = ring_b_a();
    assert_eq!(
        decrypt(&rotated, CONTEXT, &old).unwrap().expose(),
        b"totp secret"
    );
    assert!(needs_reencryption(&rotated, &old));

    let moved = reencrypt(&rotated, &random, CONTEXT, &old).unwrap();
    assert_eq!(key_id(&moved), Some("test-b"));
    assert!(!needs_reencryption(&rotated, &moved));

    // A removed: the moved value decrypts, the unmoved one fails closed.
    let only_b = ring(&format!("test-b:{KEY_B}"));
    assert_eq!(
        decrypt(&only_b, CONTEXT, &moved).unwrap().expose(),
        b"totp secret"
    );
    assert_eq!(
        decrypt(&only_b, CONTEXT, &old).err(),
        Some(CryptoError::UnknownKey)
    );
}

#[test]
fn garbage_counts_as_needing_reencryption_so_a_sweep_reports_it() {
    let keyring = ring_a();
    assert!(needs_reencryption(&keyring, ""));
    assert!(needs_reencryption(&keyring, "plain text"));
    assert_eq!(key_id("v1.test-a"), None);
}

#[test]
fn associated_data_frames_parts_unambiguously() {
    assert_ne!(associated_data("ab", "c"), associated_data("a", "bc"));
    assert_ne!(associated_data("a", ""), associated_data("", "a"));
}

#[test]
fn error_messages_reveal_nothing_of_the_input() {
    let error = decrypt(&ring_a(), CONTEXT, "v1.attacker-text.AAAA.AAAA").unwrap_err();
    assert!(!error.to_string().contains("attacker"));
}

proptest! {
    #[test]
    fn arbitrary_strings_never_decrypt_and_never_panic(text in "\\PC{0,120}") {
        prop_assert!(decrypt(&ring_a(), CONTEXT, &text).is_err());
    }

    #[test]
    fn structured_garbage_never_decrypts(
        key_id in "[a-z0-9._-]{0,10}",
        nonce in "[A-Za-z0-9_=+/-]{0,40}",
        sealed in "[A-Za-z0-9_=+/-]{0,60}",
    ) {
        let text = format!("v1.{key_id}.{nonce}.{sealed}");
        prop_assert!(decrypt(&ring_a(), CONTEXT, &text).is_err());
    }

    #[test]
    fn any_single_character_change_is_rejected(position in 0usize..200, replacement in "[A-Za-z0-9_.-]") {
        let keyring = ring_a();
        let ciphertext = encrypt(&keyring, &SeededRandom::new(9), CONTEXT, b"alice@example.com").unwrap();
        let position = position % ciphertext.len();
        let mut changed = ciphertext.clone();
        changed.replace_range(position..=position, &replacement);
        prop_assume!(changed != ciphertext);
        prop_assert!(decrypt(&keyring, CONTEXT, &changed).is_err());
    }

    #[test]
    fn round_trips_arbitrary_plaintexts(
        plaintext in proptest::collection::vec(any::<u8>(), 0..300),
        context in "\\PC{0,40}",
        seed in any::<u64>(),
    ) {
        let keyring = ring_b_a();
        let ciphertext = encrypt(&keyring, &SeededRandom::new(seed), &context, &plaintext).unwrap();
        let opened = decrypt(&keyring, &context, &ciphertext).unwrap();
        prop_assert_eq!(opened.expose(), &plaintext[..]);
    }
}

#[test]
fn nonce_has_the_documented_length() {
    let ciphertext = encrypt(&ring_a(), &SeededRandom::new(10), CONTEXT, b"").unwrap();
    let parts: Vec<&str> = ciphertext.split('.').collect();
    assert_eq!(parts.len(), 4);
    assert_eq!(b64url_decode(parts[2]).unwrap().len(), NONCE_LEN);
    assert_eq!(b64url_decode(parts[3]).unwrap().len(), TAG_LEN);
    assert_eq!(vec![parts[0]], vec![VERSION]);
}
