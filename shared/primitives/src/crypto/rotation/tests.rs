use super::*;
use crate::env::fake::SeededRandom;
use alloc::format;
use alloc::vec::Vec;

const KEY_A: &str = "OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c";
const KEY_B: &str = "ZVVV4f0TrU4rsRpAWk4cLk3RkBOso06T_LSpHOxSIUU";

fn ring(spec: &str) -> Keyring {
    Keyring::parse(spec, false).unwrap()
}

#[test]
fn sweep_moves_old_values_and_leaves_current_ones() {
    let random = SeededRandom::new(11);
    let old_ring = ring(&format!("test-a:{KEY_A}"));
    let new_ring = ring(&format!("test-b:{KEY_B},test-a:{KEY_A}"));
    let old = aead::encrypt(&old_ring, &random, "user/1/totp#secret", b"s1").unwrap();
    let current = aead::encrypt(&new_ring, &random, "user/2/totp#secret", b"s2").unwrap();

    assert_eq!(
        reencrypt_if_stale(&new_ring, &random, "user/2/totp#secret", &current),
        Ok(None)
    );
    let moved = reencrypt_if_stale(&new_ring, &random, "user/1/totp#secret", &old)
        .unwrap()
        .unwrap();
    assert_eq!(aead::key_id(&moved), Some("test-b"));
    let only_b = ring(&format!("test-b:{KEY_B}"));
    assert_eq!(
        aead::decrypt(&only_b, "user/1/totp#secret", &moved)
            .unwrap()
            .expose(),
        b"s1"
    );
}

#[test]
fn sweep_reports_unreadable_values_instead_of_replacing_them() {
    let random = SeededRandom::new(12);
    let keyring = ring(&format!("test-b:{KEY_B},test-a:{KEY_A}"));
    let old = aead::encrypt(&ring(&format!("test-a:{KEY_A}")), &random, "ctx", b"x").unwrap();
    let values = [
        old.replacen("test-a", "gone", 1),
        String::from("not a ciphertext"),
        old.clone(),
    ];
    let mut tally = SweepTally::default();
    let outcomes: Vec<_> = values
        .iter()
        .map(|value| reencrypt_if_stale(&keyring, &random, "ctx", value))
        .collect();
    for outcome in &outcomes {
        tally.record(outcome);
    }
    assert_eq!(outcomes[0], Err(CryptoError::UnknownKey));
    assert_eq!(outcomes[1], Err(CryptoError::Malformed));
    assert_eq!(
        tally,
        SweepTally {
            current: 0,
            moved: 1,
            failed: 2
        }
    );
    assert!(!tally.complete());
}

#[test]
fn verification_pass_after_a_sweep_is_complete() {
    let random = SeededRandom::new(13);
    let keyring = ring(&format!("test-b:{KEY_B},test-a:{KEY_A}"));
    let old_ring = ring(&format!("test-a:{KEY_A}"));
    let mut stored: Vec<String> = (0..5)
        .map(|i| aead::encrypt(&old_ring, &random, "ctx", &[i]).unwrap())
        .collect();
    for value in stored.iter_mut() {
        if let Some(new) = reencrypt_if_stale(&keyring, &random, "ctx", value).unwrap() {
            *value = new;
        }
    }
    let mut tally = SweepTally::default();
    for value in &stored {
        tally.record(&reencrypt_if_stale(&keyring, &random, "ctx", value));
    }
    assert!(tally.complete());
    assert_eq!(tally.current, 5);
}

#[test]
fn reindex_moves_only_stale_entries() {
    let old_ring = ring(&format!("test-a:{KEY_A}"));
    let new_ring = ring(&format!("test-b:{KEY_B},test-a:{KEY_A}"));
    let stale = blind_index::email_index(&old_ring, "alice@example.com");
    let fresh = reindex_if_stale(&new_ring, "alice@example.com", &stale).unwrap();
    assert_eq!(
        fresh,
        blind_index::email_index(&new_ring, "alice@example.com")
    );
    assert_eq!(
        reindex_if_stale(&new_ring, "alice@example.com", &fresh),
        None
    );
}
