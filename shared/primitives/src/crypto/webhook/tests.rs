use super::*;
use alloc::vec;

#[derive(serde::Deserialize)]
struct Vectors {
    sign: Vec<SignVector>,
    verify: Vec<VerifyVector>,
}

#[derive(serde::Deserialize)]
struct SignVector {
    name: String,
    secret: String,
    id: String,
    timestamp: u64,
    payload: String,
    signature: String,
}

#[derive(serde::Deserialize)]
struct VerifyVector {
    name: String,
    secret: String,
    id: String,
    timestamp: u64,
    payload: String,
    header: String,
    valid: bool,
}

fn vectors() -> Vectors {
    serde_json::from_str(include_str!(
        "../../../tests/vectors/standard-webhooks.json"
    ))
    .unwrap()
}

#[test]
fn signatures_match_the_standard_webhooks_vectors() {
    let vectors = vectors();
    assert!(vectors.sign.len() >= 3);
    for vector in vectors.sign {
        let key = decode_secret(&vector.secret).unwrap();
        let signature = sign(&key, &vector.id, vector.timestamp, &vector.payload);
        assert_eq!(signature, vector.signature, "{}", vector.name);
        assert!(
            verify(
                &[key],
                &signature,
                &vector.id,
                vector.timestamp,
                &vector.payload
            ),
            "{}",
            vector.name
        );
    }
}

#[test]
fn verification_matches_the_reference_libraries_accept_and_reject_cases() {
    for vector in vectors().verify {
        let key = decode_secret(&vector.secret).unwrap();
        let verdict = verify(
            &[key],
            &vector.header,
            &vector.id,
            vector.timestamp,
            &vector.payload,
        );
        assert_eq!(verdict, vector.valid, "{}", vector.name);
    }
}

#[test]
fn two_secrets_give_two_space_separated_signatures_either_verifies() {
    let vector = &vectors().sign[0];
    let old = decode_secret(&vector.secret).unwrap();
    let new = decode_secret("whsec_ZWRnZWF1dGggc3RhbmRhcmQgd2ViaG9va3MgdmVjdG9y").unwrap();
    let header = signature_header(&[old, new], &vector.id, vector.timestamp, &vector.payload);
    let parts: Vec<&str> = header.split(' ').collect();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0], vector.signature);
    for secret in [
        vector.secret.as_str(),
        "whsec_ZWRnZWF1dGggc3RhbmRhcmQgd2ViaG9va3MgdmVjdG9y",
    ] {
        let key = decode_secret(secret).unwrap();
        assert!(verify(
            &[key],
            &header,
            &vector.id,
            vector.timestamp,
            &vector.payload
        ));
    }
    let stranger = decode_secret("whsec_QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJC").unwrap();
    assert!(!verify(
        &[stranger],
        &header,
        &vector.id,
        vector.timestamp,
        &vector.payload
    ));
}

#[test]
fn secrets_need_the_prefix_base64_and_24_to_64_bytes() {
    assert_eq!(
        decode_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").err(),
        Some(SecretError::MissingPrefix)
    );
    assert_eq!(
        decode_secret("whsec_not base64!").err(),
        Some(SecretError::NotBase64)
    );
    // 23 and 65 bytes.
    let short = alloc::format!("whsec_{}", BASE64.encode([1u8; 23]));
    let long = alloc::format!("whsec_{}", BASE64.encode([1u8; 65]));
    assert_eq!(decode_secret(&short).err(), Some(SecretError::Length));
    assert_eq!(decode_secret(&long).err(), Some(SecretError::Length));
    for bytes in [24usize, 32, 64] {
        let text = alloc::format!("whsec_{}", BASE64.encode(vec![7u8; bytes]));
        assert_eq!(decode_secret(&text).unwrap().len(), bytes);
    }
}
