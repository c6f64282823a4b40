use super::*;
use crate::crypto::eddsa::EdSigningKey;
use crate::crypto::signature::SoftwareVerifier;
use crate::encoding::b64url;
use crate::secret::Secret;
use crate::testkit::{self, ORIGIN, START_MS};
use alloc::string::ToString;

const CLIENT: &str = "00112233445566778899aabbccddeeff";

fn key() -> EdSigningKey {
    EdSigningKey::from_seed(&Secret::new(alloc::vec![9u8; 32])).unwrap()
}

fn jwks() -> alloc::string::String {
    serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "c1", "alg": "EdDSA",
        "x": b64url(&key().verifying_key().to_bytes())}]})
    .to_string()
}

fn assertion(claims: serde_json::Value) -> alloc::string::String {
    jws::sign_eddsa(
        &key(),
        &serde_json::json!({"alg": "EdDSA", "kid": "c1"}),
        &claims,
    )
}

fn good_claims() -> serde_json::Value {
    serde_json::json!({"iss": CLIENT, "sub": CLIENT, "aud": alloc::format!("{ORIGIN}/oauth/token"),
        "exp": START_MS / 1000 + 60, "iat": START_MS / 1000, "jti": "j-1"})
}

fn check(assertion: &str) -> Option<Verified> {
    let config = testkit::config(&[]);
    pollster::block_on(verify(
        &config,
        &SoftwareVerifier,
        assertion,
        CLIENT,
        &jwks(),
        &alloc::format!("{ORIGIN}/oauth/token"),
        START_MS,
    ))
}

#[test]
fn a_good_assertion_verifies_with_its_jti() {
    let verified = check(&assertion(good_claims())).unwrap();
    assert_eq!(verified.jti, "j-1");
    let mut issuer_audience = good_claims();
    issuer_audience["aud"] = serde_json::json!([ORIGIN]);
    assert!(check(&assertion(issuer_audience)).is_some());
}

#[test]
fn each_broken_claim_refuses_the_assertion() {
    let cases: [(&str, serde_json::Value); 8] = [
        ("iss", serde_json::json!("ffeeddccbbaa99887766554433221100")),
        ("sub", serde_json::json!("ffeeddccbbaa99887766554433221100")),
        (
            "aud",
            serde_json::json!("https://other.example.com/oauth/token"),
        ),
        ("exp", serde_json::json!(START_MS / 1000 - 3600)),
        ("exp", serde_json::json!(START_MS / 1000 + 3600)),
        ("iat", serde_json::json!(START_MS / 1000 + 3600)),
        ("jti", serde_json::json!("")),
        ("nbf", serde_json::json!(START_MS / 1000 + 3600)),
    ];
    for (name, value) in cases {
        let mut claims = good_claims();
        claims[name] = value.clone();
        assert!(check(&assertion(claims)).is_none(), "{name} = {value}");
    }
    let mut no_exp = good_claims();
    no_exp.as_object_mut().unwrap().remove("exp");
    assert!(check(&assertion(no_exp)).is_none());
}

#[test]
fn a_signature_by_another_key_or_algorithm_is_refused() {
    let other = EdSigningKey::from_seed(&Secret::new(alloc::vec![8u8; 32])).unwrap();
    let token = jws::sign_eddsa(
        &other,
        &serde_json::json!({"alg": "EdDSA", "kid": "c1"}),
        &good_claims(),
    );
    assert!(check(&token).is_none());
    let claimed_rs256 = jws::sign_eddsa(
        &key(),
        &serde_json::json!({"alg": "RS256", "kid": "c1"}),
        &good_claims(),
    );
    assert!(check(&claimed_rs256).is_none());
    let none_alg = jws::assemble(
        &jws::signing_input(&serde_json::json!({"alg": "none"}), &good_claims()),
        b"",
    );
    assert!(check(&none_alg).is_none());
}
