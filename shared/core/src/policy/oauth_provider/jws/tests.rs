use super::*;
use crate::crypto::eddsa::EdSigningKey;
use crate::secret::Secret;

fn key() -> EdSigningKey {
    EdSigningKey::from_seed(&Secret::new(alloc::vec![7u8; 32])).unwrap()
}

#[test]
fn signs_and_reads_back_a_compact_jws() {
    let header = serde_json::json!({"alg": "EdDSA", "kid": "k", "typ": "JWT"});
    let claims = serde_json::json!({"sub": "x"});
    let token = sign_eddsa(&key(), &header, &claims);
    let read = parse(&token).unwrap();
    assert_eq!(read.header.alg, "EdDSA");
    assert_eq!(read.header.kid.as_deref(), Some("k"));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&read.payload).unwrap(),
        claims
    );
    assert!(key()
        .verifying_key()
        .verify(read.signing_input, &read.signature));
}

#[test]
fn refuses_embedded_keys_crit_and_malformed_input() {
    let claims = serde_json::json!({});
    for header in [
        serde_json::json!({"alg": "RS256", "jwk": {"kty": "RSA"}}),
        serde_json::json!({"alg": "RS256", "jku": "https://evil.example/jwks"}),
        serde_json::json!({"alg": "RS256", "x5u": "https://evil.example/cert"}),
        serde_json::json!({"alg": "RS256", "x5c": ["MII"]}),
        serde_json::json!({"alg": "EdDSA", "crit": ["exp"]}),
        serde_json::json!({"kid": "no alg"}),
    ] {
        let token = assemble(&signing_input(&header, &claims), b"sig");
        assert!(parse(&token).is_none(), "{header}");
    }
    for bad in [
        "",
        "a.b",
        "a.b.c.d",
        "!!.e30.AA",
        &"a".repeat(MAX_JWS_BYTES + 1),
    ] {
        assert!(parse(bad).is_none(), "{bad}");
    }
}
