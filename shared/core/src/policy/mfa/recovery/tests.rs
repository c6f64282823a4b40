//! Tests of recovery codes: shape and entropy, hashing, matching, normalisation.

use super::*;
use crate::env::fake::SeededRandom;
use crate::env::RandomError;
use alloc::format;
use proptest::prelude::*;

const KEY_A: &str = "OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c";
const KEY_B: &str = "ZVVV4f0TrU4rsRpAWk4cLk3RkBOso06T_LSpHOxSIUU";
const USER: &str = "user/123";

fn ring(spec: &str) -> Keyring {
    Keyring::parse(spec, false).unwrap()
}

fn ring_a() -> Keyring {
    ring(&format!("test-a:{KEY_A}"))
}

#[test]
fn generates_ten_distinct_well_formed_codes() {
    let set = generate(&ring_a(), &SeededRandom::new(31), USER).unwrap();
    assert_eq!(set.codes.len(), CODE_COUNT);
    assert_eq!(set.hashes.len(), CODE_COUNT);
    for code in &set.codes {
        assert_eq!(code.len(), 14);
        let groups: Vec<&str> = code.split('-').collect();
        assert_eq!(groups.len(), 3);
        assert!(groups.iter().all(|g| g.len() == GROUP_CHARS));
        assert!(code.bytes().all(|b| b == b'-' || ALPHABET.contains(&b)));
        assert!(!code.contains(['i', 'l', 'o', 'u']));
    }
    let mut unique = set.codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), CODE_COUNT);
    let mut hashes = set.hashes.clone();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), CODE_COUNT);
}

#[test]
fn each_code_has_at_least_50_bits_of_entropy() {
    assert_eq!(ALPHABET.len(), 32);
    let mut symbols = ALPHABET.to_vec();
    symbols.sort();
    symbols.dedup();
    assert_eq!(symbols.len(), 32, "alphabet symbols are distinct");
    let bits = symbols.len().ilog2() as usize * CODE_CHARS;
    assert_eq!(bits, ENTROPY_BITS);
    assert!(bits >= 50);
}

#[test]
fn every_symbol_is_drawn_with_equal_probability() {
    // Each of the 256 byte values maps to a symbol; each symbol gets exactly 8.
    let mut counts = [0u32; 32];
    for byte in 0..=255u8 {
        let raw = [byte; CODE_CHARS];
        let code = format_code(&raw);
        let symbol = code.as_bytes()[0];
        counts[ALPHABET.iter().position(|&s| s == symbol).unwrap()] += 1;
    }
    assert!(counts.iter().all(|&count| count == 8));
}

#[test]
fn hashes_verify_their_own_code_only() {
    let keyring = ring_a();
    let set = generate(&keyring, &SeededRandom::new(32), USER).unwrap();
    for (i, code) in set.codes.iter().enumerate() {
        for (j, hash) in set.hashes.iter().enumerate() {
            assert_eq!(matches(&keyring, USER, code, hash), i == j);
        }
        assert_eq!(find(&keyring, USER, code, &set.hashes), Some(i));
    }
    assert_eq!(find(&keyring, USER, "0000-0000-0000", &set.hashes), None);
}

#[test]
fn hashes_do_not_contain_the_code() {
    let set = generate(&ring_a(), &SeededRandom::new(33), USER).unwrap();
    for (code, hash) in set.codes.iter().zip(&set.hashes) {
        assert!(!hash.contains(&code.replace('-', "")));
        assert!(hash.starts_with("test-a."));
    }
    assert!(!format!("{set:?}").contains(&set.codes[0]));
}

#[test]
fn a_hash_copied_to_another_account_does_not_match() {
    let keyring = ring_a();
    let set = generate(&keyring, &SeededRandom::new(34), "user/attacker").unwrap();
    assert!(matches(
        &keyring,
        "user/attacker",
        &set.codes[0],
        &set.hashes[0]
    ));
    assert!(!matches(
        &keyring,
        "user/victim",
        &set.codes[0],
        &set.hashes[0]
    ));
}

#[test]
fn typed_variants_of_a_code_match() {
    let keyring = ring_a();
    let set = generate(&keyring, &SeededRandom::new(35), USER).unwrap();
    let code = &set.codes[0];
    let hash = &set.hashes[0];
    let plain = code.replace('-', "");
    for typed in [
        code.clone(),
        code.to_uppercase(),
        plain.clone(),
        format!("  {code}  "),
        format!("{} {} {}", &plain[..4], &plain[4..8], &plain[8..]),
        format!("{}--{}", &plain[..6], &plain[6..]),
        plain.replace('0', "o").replace('1', "l"),
        plain.replace('0', "O").replace('1', "I"),
    ] {
        assert!(matches(&keyring, USER, &typed, hash), "{typed:?}");
    }
}

#[test]
fn canonical_form_rejects_non_codes() {
    assert_eq!(canonical("abcd-efgh-jkmn").as_deref(), Some("abcdefghjkmn"));
    assert_eq!(canonical("ABCD EFGH JKMN").as_deref(), Some("abcdefghjkmn"));
    assert_eq!(canonical("oooo-iiii-llll").as_deref(), Some("000011111111"));
    for bad in [
        "",
        "abcd-efgh-jkm",
        "abcd-efgh-jkmnp",
        "abcd-efgh-jkmu",
        "abcd_efgh_jkmn",
        "abcd-efgh-jkm!",
        "abcd-efgh-jkmé",
        "ａbcd-efgh-jkmn",
        &"-".repeat(100),
    ] {
        assert_eq!(canonical(bad), None, "{bad:?}");
    }
}

#[test]
fn malformed_hashes_and_unknown_keys_never_match() {
    let keyring = ring_a();
    let set = generate(&keyring, &SeededRandom::new(36), USER).unwrap();
    let code = &set.codes[0];
    let (_, tag) = set.hashes[0].rsplit_once('.').unwrap();
    for hash in [
        String::new(),
        String::from("test-a."),
        String::from(tag),
        format!("gone.{tag}"),
        format!("test-a.{}", &tag[..10]),
        format!("test-a.{tag}="),
        format!("test-a.{tag}A"),
    ] {
        assert!(!matches(&keyring, USER, code, &hash), "{hash:?}");
    }
}

#[test]
fn rotation_keeps_old_hashes_verifiable_while_the_key_stays() {
    let old = ring_a();
    let set = generate(&old, &SeededRandom::new(37), USER).unwrap();
    let rotated = ring(&format!("test-b:{KEY_B},test-a:{KEY_A}"));
    assert!(matches(&rotated, USER, &set.codes[0], &set.hashes[0]));
    assert!(!hash_is_current(&rotated, &set.hashes[0]));
    let fresh = generate(&rotated, &SeededRandom::new(38), USER).unwrap();
    assert!(hash_is_current(&rotated, &fresh.hashes[0]));
    // Once the old key is gone, its hashes no longer verify: regenerate first.
    let only_b = ring(&format!("test-b:{KEY_B}"));
    assert!(!matches(&only_b, USER, &set.codes[0], &set.hashes[0]));
}

struct ZeroRandom;

impl Random for ZeroRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), RandomError> {
        buf.fill(0);
        Ok(())
    }
}

struct FailingRandom;

impl Random for FailingRandom {
    fn fill(&self, _: &mut [u8]) -> Result<(), RandomError> {
        Err(RandomError)
    }
}

#[test]
fn a_broken_random_source_is_an_error_not_a_loop() {
    assert_eq!(
        generate(&ring_a(), &ZeroRandom, USER).err(),
        Some(CryptoError::RandomFailed)
    );
    assert_eq!(
        generate(&ring_a(), &FailingRandom, USER).err(),
        Some(CryptoError::RandomFailed)
    );
}

#[derive(serde::Deserialize)]
struct Vectors {
    keyring: String,
    recovery_code: Vec<HashVector>,
}

#[derive(serde::Deserialize)]
struct HashVector {
    context: String,
    code: String,
    hash: String,
}

#[test]
fn matches_independently_computed_vectors() {
    let vectors: Vectors = serde_json::from_str(include_str!(
        "../../../../tests/vectors/recovery-codes.json"
    ))
    .unwrap();
    let keyring = ring(&vectors.keyring);
    assert!(vectors.recovery_code.len() >= 2);
    for vector in vectors.recovery_code {
        let canonical_code = canonical(&vector.code).unwrap();
        assert_eq!(
            hash_under(keyring.active(), &vector.context, &canonical_code),
            vector.hash
        );
        assert!(matches(
            &keyring,
            &vector.context,
            &vector.code,
            &vector.hash
        ));
    }
}

proptest! {
    #[test]
    fn matching_never_panics(code in "\\PC{0,40}", hash in "\\PC{0,80}") {
        let _ = matches(&ring_a(), USER, &code, &hash);
    }

    #[test]
    fn generated_sets_are_always_valid(seed in any::<u64>()) {
        let keyring = ring_a();
        let set = generate(&keyring, &SeededRandom::new(seed), USER).unwrap();
        for (i, code) in set.codes.iter().enumerate() {
            prop_assert_eq!(canonical(code).map(|c| c.len()), Some(CODE_CHARS));
            prop_assert_eq!(find(&keyring, USER, code, &set.hashes), Some(i));
        }
    }
}
