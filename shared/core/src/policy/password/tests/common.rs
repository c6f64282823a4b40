//! The embedded common-password list: sampled members, false-positive rate, and the
//! policy's output feeding the hash.

use super::*;

#[test]
fn every_sampled_member_of_the_source_list_is_found() {
    let sample = vectors(include_str!(
        "../../../../tests/vectors/common-passwords-sample.json"
    ));
    let entries = sample["entries"].as_array().unwrap();
    assert!(entries.len() > 1_500);
    let mut in_top_100k = 0;
    for entry in entries {
        let rank = entry[0].as_u64().unwrap();
        let password = entry[1].as_str().unwrap();
        assert_eq!(is_common(password), Ok(true), "rank {rank}: {password:?}");
        // And in another case, since the list is case-folded.
        assert_eq!(
            is_common(&password.to_uppercase()),
            Ok(true),
            "{password:?}"
        );
        in_top_100k += usize::from(rank <= 100_000);
    }
    assert!(in_top_100k > 1_500);
}

#[test]
fn false_positive_rate_on_random_strings_is_near_two_to_the_minus_nine() {
    // 100,000 random 16-character strings: none is a real member, so every hit is
    // a false positive. Expected 2^-9 ≈ 0.195 % (≈195 hits, σ ≈ 14).
    let random = SeededRandom::new(0x5EED);
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let trials = 100_000;
    let mut hits = 0;
    for _ in 0..trials {
        let mut bytes = [0u8; 16];
        random.fill(&mut bytes).unwrap();
        let candidate: String = bytes
            .iter()
            .map(|b| alphabet[usize::from(*b) % alphabet.len()] as char)
            .collect();
        hits += usize::from(is_common(&candidate).unwrap());
    }
    let rate = hits as f64 / trials as f64;
    assert!(rate < 0.0035, "false-positive rate {rate}");
    assert!(
        rate > 0.0005,
        "false-positive rate {rate} is implausibly low"
    );
}

#[test]
fn check_policy_returns_the_normal_form_for_hashing() {
    let checked =
        check_policy("ｍｙ ｆｉｒｓｔ ｂｉｃｙｃｌｅ ７", "rider@example.com", 12).unwrap();
    assert_eq!(checked, "my first bicycle 7");
    let stored = hash_password(&checked, &FAST, None, &SeededRandom::new(1)).unwrap();
    assert_eq!(
        verify_password("ｍｙ ｆｉｒｓｔ ｂｉｃｙｃｌｅ ７", &stored, &FAST, None),
        VALID_CURRENT
    );
}
