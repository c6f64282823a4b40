use super::*;
use alloc::string::ToString;
use proptest::prelude::*;

#[derive(serde::Deserialize)]
struct Vectors {
    valid: Vec<Valid>,
    invalid: Vec<Invalid>,
}

#[derive(serde::Deserialize)]
struct Valid {
    decoded: String,
    encoded: String,
}

#[derive(serde::Deserialize)]
struct Invalid {
    encoded: String,
    error: String,
}

fn vectors() -> Vectors {
    serde_json::from_str(include_str!(
        "../../../../tests/vectors/rfc4648-base32.json"
    ))
    .unwrap()
}

#[test]
fn matches_rfc4648_section_10_vectors() {
    let vectors = vectors();
    assert_eq!(vectors.valid.len(), 7);
    for vector in vectors.valid {
        let unpadded = vector.encoded.trim_end_matches('=');
        assert_eq!(encode(vector.decoded.as_bytes()), unpadded);
        assert_eq!(decode(&vector.encoded).unwrap(), vector.decoded.as_bytes());
        assert_eq!(decode(unpadded).unwrap(), vector.decoded.as_bytes());
        assert_eq!(
            decode(&vector.encoded.to_lowercase()).unwrap(),
            vector.decoded.as_bytes()
        );
    }
}

#[test]
fn rejects_invalid_spellings_with_the_right_reason() {
    let vectors = vectors();
    assert!(vectors.invalid.len() >= 10);
    for vector in vectors.invalid {
        let expected = match vector.error.as_str() {
            "invalid_character" => Base32Error::InvalidCharacter,
            "invalid_length" => Base32Error::InvalidLength,
            "invalid_padding" => Base32Error::InvalidPadding,
            "non_canonical" => Base32Error::NonCanonical,
            other => panic!("unknown error {other}"),
        };
        assert_eq!(
            decode(&vector.encoded),
            Err(expected),
            "{:?}",
            vector.encoded
        );
    }
}

#[test]
fn encodes_a_totp_secret_to_32_characters() {
    assert_eq!(encode(&[0u8; 20]).len(), 32);
    assert_eq!(
        encode(b"12345678901234567890"),
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    );
}

#[test]
fn error_text_is_static() {
    assert_eq!(
        Base32Error::InvalidCharacter.to_string(),
        "base32: invalid character"
    );
}

proptest! {
    #[test]
    fn round_trips_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let encoded = encode(&bytes);
        prop_assert!(!encoded.contains('='));
        prop_assert_eq!(decode(&encoded).unwrap(), bytes.clone());
        prop_assert_eq!(decode(&encoded.to_lowercase()).unwrap(), bytes);
    }

    #[test]
    fn decoding_never_panics_and_accepts_only_canonical_text(text in "\\PC{0,80}") {
        if let Ok(bytes) = decode(&text) {
            // Accepted input is the canonical spelling (up to case and padding).
            prop_assert_eq!(encode(&bytes), text.trim_end_matches('=').to_uppercase());
        }
    }

    #[test]
    fn decoding_alphabet_strings_never_panics(text in "[A-Z2-7=a-z]{0,40}") {
        let _ = decode(&text);
    }
}
