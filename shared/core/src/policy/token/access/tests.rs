//! Access-token issuance and the attacks verification must refuse.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use serde_json::json;

use crate::config::Config;
use crate::crypto::eddsa::EdSigningKey;
use crate::encoding::{b64url, b64url_decode};
use crate::env::fake::SeededRandom;
use crate::policy::token::access::{issue, Grant, TokenError, LEEWAY_SECS};
use crate::policy::token::jwks;
use crate::secret::Secret;
use crate::testkit::full_check as verify;
use crate::testkit::{self, ORIGIN, START_MS};

const USER: &str = "0123456789abcdef0123456789abcdef";
const SESSION: &str = "fedcba9876543210fedcba9876543210";
const FAR_FUTURE_SECS: u64 = 4_000_000_000;

fn grant(roles: &[String]) -> Grant<'_> {
    Grant {
        user_id: USER,
        session_id: SESSION,
        roles,
        session_ends_at_secs: FAR_FUTURE_SECS,
    }
}

fn token_at(config: &Config, now_ms: u64) -> String {
    let roles = vec!["user".to_string()];
    issue(config, &SeededRandom::new(1), now_ms, grant(&roles))
        .unwrap()
        .token
}

fn seed_of(config: &Config, kid: &str) -> Secret {
    config.jwt_signing_keys.get(kid).unwrap().material.clone()
}

/// Signs arbitrary header and claims JSON with an Ed25519 seed.
fn sign_raw(header: &serde_json::Value, claims: &serde_json::Value, seed: &Secret) -> String {
    let input = alloc::format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let signature = EdSigningKey::from_seed(seed)
        .unwrap()
        .sign(input.as_bytes());
    alloc::format!("{input}.{}", b64url(&signature))
}

fn header() -> serde_json::Value {
    json!({"alg": "EdDSA", "typ": "at+jwt", "kid": "sig-2"})
}

fn claims(now_secs: u64) -> serde_json::Value {
    json!({
        "iss": ORIGIN, "aud": ORIGIN, "sub": USER, "sid": SESSION, "roles": ["user"],
        "iat": now_secs, "exp": now_secs + 900, "jti": "abc"
    })
}

fn parts(token: &str) -> Vec<String> {
    token.split('.').map(String::from).collect()
}

#[test]
fn issued_token_verifies_with_its_claims() {
    let config = testkit::config(&[]);
    let roles = vec!["user".to_string(), "admin".to_string()];
    let issued = issue(&config, &SeededRandom::new(1), START_MS, grant(&roles)).unwrap();
    assert_eq!(issued.expires_at_secs, START_MS / 1000 + 900);
    assert_eq!(issued.expires_in_secs, 900);
    let verified = verify(&config, &issued.token, START_MS).unwrap();
    assert_eq!(verified.user_id, USER);
    assert_eq!(verified.session_id, SESSION);
    assert_eq!(verified.roles, roles);
    assert_eq!(verified.expires_at_secs, issued.expires_at_secs);
    assert_eq!(verified.token_id.len(), 22);

    let header: serde_json::Value =
        serde_json::from_slice(&b64url_decode(&parts(&issued.token)[0]).unwrap()).unwrap();
    assert_eq!(
        header,
        json!({"alg": "EdDSA", "kid": "sig-2", "typ": "at+jwt"})
    );
    let claims: serde_json::Value =
        serde_json::from_slice(&b64url_decode(&parts(&issued.token)[1]).unwrap()).unwrap();
    assert_eq!(claims["iss"], ORIGIN);
    assert_eq!(claims["aud"], ORIGIN);
    assert_eq!(claims["iat"], START_MS / 1000);
}

#[test]
fn expiry_never_passes_the_end_of_the_session() {
    let config = testkit::config(&[]);
    let roles = vec!["user".to_string()];
    let now_secs = START_MS / 1000;
    let mut capped = grant(&roles);
    capped.session_ends_at_secs = now_secs + 100;
    let issued = issue(&config, &SeededRandom::new(1), START_MS, capped).unwrap();
    assert_eq!(issued.expires_at_secs, now_secs + 100);
    capped.session_ends_at_secs = now_secs;
    assert!(issue(&config, &SeededRandom::new(1), START_MS, capped).is_err());
}

#[test]
fn ttl_follows_access_token_ttl_secs() {
    let config = testkit::config(&[("ACCESS_TOKEN_TTL_SECS", "300")]);
    let roles = vec![];
    let issued = issue(&config, &SeededRandom::new(1), START_MS, grant(&roles)).unwrap();
    assert_eq!(issued.expires_in_secs, 300);
}

#[test]
fn rejects_alg_none() {
    let config = testkit::config(&[]);
    let now = START_MS / 1000;
    for alg in ["none", "None", "NONE"] {
        let head = json!({"alg": alg, "typ": "at+jwt", "kid": "sig-2"});
        let unsigned = alloc::format!(
            "{}.{}.",
            b64url(head.to_string().as_bytes()),
            b64url(claims(now).to_string().as_bytes())
        );
        assert_eq!(
            verify(&config, &unsigned, START_MS),
            Err(TokenError::UnsupportedAlgorithm),
            "{alg}"
        );
    }
}

#[test]
fn rejects_hs256_keyed_with_the_public_key() {
    use crate::crypto::kdf::hmac_sha256;
    let config = testkit::config(&[]);
    let public = EdSigningKey::from_seed(&seed_of(&config, "sig-2"))
        .unwrap()
        .verifying_key()
        .to_bytes();
    let published = jwks::key_set(&config).unwrap().keys[0].x.clone();
    let head = json!({"alg": "HS256", "typ": "at+jwt", "kid": "sig-2"});
    let input = alloc::format!(
        "{}.{}",
        b64url(head.to_string().as_bytes()),
        b64url(claims(START_MS / 1000).to_string().as_bytes())
    );
    // The classic confusion: HMAC keyed with the raw public key, or with its JWK text.
    for key in [public.to_vec(), published.into_bytes()] {
        let tag = hmac_sha256(&key, &[input.as_bytes()]);
        let forged = alloc::format!("{input}.{}", b64url(&tag));
        assert_eq!(
            verify(&config, &forged, START_MS),
            Err(TokenError::UnsupportedAlgorithm)
        );
    }
}

#[test]
fn rejects_other_algorithms_even_with_a_valid_ed25519_signature() {
    let config = testkit::config(&[]);
    let head = json!({"alg": "Ed25519", "typ": "at+jwt", "kid": "sig-2"});
    let token = sign_raw(&head, &claims(START_MS / 1000), &seed_of(&config, "sig-2"));
    assert_eq!(
        verify(&config, &token, START_MS),
        Err(TokenError::UnsupportedAlgorithm)
    );
}

#[test]
fn rejects_tampered_claims_and_signatures() {
    let config = testkit::config(&[]);
    let token = token_at(&config, START_MS);
    let p = parts(&token);
    let mut forged_claims = claims(START_MS / 1000);
    forged_claims["roles"] = json!(["user", "admin"]);
    let tampered = alloc::format!(
        "{}.{}.{}",
        p[0],
        b64url(forged_claims.to_string().as_bytes()),
        p[2]
    );
    assert_eq!(
        verify(&config, &tampered, START_MS),
        Err(TokenError::BadSignature)
    );

    let mut signature = b64url_decode(&p[2]).unwrap();
    signature[0] ^= 0x80;
    let flipped = alloc::format!("{}.{}.{}", p[0], p[1], b64url(&signature));
    assert_eq!(
        verify(&config, &flipped, START_MS),
        Err(TokenError::BadSignature)
    );

    let truncated = alloc::format!("{}.{}.{}", p[0], p[1], b64url(&signature[..63]));
    assert_eq!(
        verify(&config, &truncated, START_MS),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn rejects_a_signature_by_another_key_under_our_kid() {
    let config = testkit::config(&[]);
    let stranger = Secret::new(vec![42u8; 32]);
    let token = sign_raw(&header(), &claims(START_MS / 1000), &stranger);
    assert_eq!(
        verify(&config, &token, START_MS),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn rejects_unknown_or_missing_kid() {
    let config = testkit::config(&[]);
    let seed = seed_of(&config, "sig-2");
    let mut head = header();
    head["kid"] = json!("sig-9");
    let token = sign_raw(&head, &claims(START_MS / 1000), &seed);
    assert_eq!(
        verify(&config, &token, START_MS),
        Err(TokenError::UnknownKey)
    );
    head.as_object_mut().unwrap().remove("kid");
    let token = sign_raw(&head, &claims(START_MS / 1000), &seed);
    assert_eq!(
        verify(&config, &token, START_MS),
        Err(TokenError::UnknownKey)
    );
}

#[test]
fn removing_a_key_ends_its_tokens_and_keeping_it_keeps_them() {
    let config = testkit::config(&[]);
    let token = token_at(&config, START_MS);
    // sig-2 signed it; a ring that still lists sig-2 second keeps verifying it.
    let rotated = testkit::config(&[(
        "JWT_SIGNING_KEYS",
        "sig-3:k5JhX7UNo5Sl2-n44KZYiCZk0ae6D1qk0c2_Pa7gb5E,\
         sig-2:ZVVV4f0TrU4rsRpAWk4cLk3RkBOso06T_LSpHOxSIUU",
    )]);
    assert!(verify(&rotated, &token, START_MS).is_ok());
    let removed = testkit::config(&[(
        "JWT_SIGNING_KEYS",
        "sig-3:k5JhX7UNo5Sl2-n44KZYiCZk0ae6D1qk0c2_Pa7gb5E",
    )]);
    assert_eq!(
        verify(&removed, &token, START_MS),
        Err(TokenError::UnknownKey)
    );
}

#[test]
fn rejects_wrong_issuer_or_audience() {
    let config = testkit::config(&[]);
    let seed = seed_of(&config, "sig-2");
    let now = START_MS / 1000;
    let mut c = claims(now);
    c["iss"] = json!("https://evil.example");
    assert_eq!(
        verify(&config, &sign_raw(&header(), &c, &seed), START_MS),
        Err(TokenError::WrongIssuer)
    );
    let mut c = claims(now);
    c["aud"] = json!("https://other.example.com");
    assert_eq!(
        verify(&config, &sign_raw(&header(), &c, &seed), START_MS),
        Err(TokenError::WrongAudience)
    );
    // An audience array, even one containing us, is not what we issue.
    let mut c = claims(now);
    c["aud"] = json!([ORIGIN]);
    assert_eq!(
        verify(&config, &sign_raw(&header(), &c, &seed), START_MS),
        Err(TokenError::Malformed)
    );
    // A token issued by a deployment with another public origin, same keys.
    let other = testkit::config(&[("PUBLIC_ORIGIN", "https://other.example.com")]);
    assert_eq!(
        verify(&config, &token_at(&other, START_MS), START_MS),
        Err(TokenError::WrongIssuer)
    );
}

#[test]
fn expiry_allows_only_the_leeway() {
    let config = testkit::config(&[]);
    let token = token_at(&config, START_MS);
    let exp_ms = START_MS + 900_000;
    assert!(verify(&config, &token, exp_ms + (LEEWAY_SECS - 1) * 1000).is_ok());
    assert_eq!(
        verify(&config, &token, exp_ms + (LEEWAY_SECS + 1) * 1000),
        Err(TokenError::Expired)
    );
}

#[test]
fn rejects_tokens_not_yet_valid_or_without_time_claims() {
    let config = testkit::config(&[]);
    let future = token_at(&config, START_MS + 120_000);
    assert_eq!(
        verify(&config, &future, START_MS),
        Err(TokenError::NotYetValid)
    );

    let seed = seed_of(&config, "sig-2");
    let now = START_MS / 1000;
    let mut c = claims(now);
    c["nbf"] = json!(now + 300);
    assert_eq!(
        verify(&config, &sign_raw(&header(), &c, &seed), START_MS),
        Err(TokenError::NotYetValid)
    );
    let mut c = claims(now);
    c.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        verify(&config, &sign_raw(&header(), &c, &seed), START_MS),
        Err(TokenError::Expired)
    );
    let mut c = claims(now);
    c.as_object_mut().unwrap().remove("iat");
    assert_eq!(
        verify(&config, &sign_raw(&header(), &c, &seed), START_MS),
        Err(TokenError::NotYetValid)
    );
}

#[test]
fn rejects_other_token_types_and_critical_headers() {
    let config = testkit::config(&[]);
    let seed = seed_of(&config, "sig-2");
    let c = claims(START_MS / 1000);
    for head in [
        json!({"alg": "EdDSA", "kid": "sig-2"}),
        json!({"alg": "EdDSA", "kid": "sig-2", "typ": "JWT"}),
        json!({"alg": "EdDSA", "kid": "sig-2", "typ": "mfa+jwt"}),
        json!({"alg": "EdDSA", "kid": "sig-2", "typ": "at+jwt", "crit": ["exp"]}),
    ] {
        assert_eq!(
            verify(&config, &sign_raw(&head, &c, &seed), START_MS),
            Err(TokenError::WrongType),
            "{head}"
        );
    }
    let accepted = json!({"alg": "EdDSA", "kid": "sig-2", "typ": "application/AT+JWT"});
    assert!(verify(&config, &sign_raw(&accepted, &c, &seed), START_MS).is_ok());
}

#[test]
fn rejects_malformed_input_without_panicking() {
    let config = testkit::config(&[]);
    let huge = "a".repeat(5000);
    for bad in ["", "abc", "a.b", "a.b.c.d", "!!.??.**", huge.as_str()] {
        assert_eq!(
            verify(&config, bad, START_MS),
            Err(TokenError::Malformed),
            "{bad:.20}"
        );
    }
}

#[test]
fn jwks_publishes_every_public_key_and_nothing_secret() {
    let config = testkit::config(&[]);
    let set = jwks::key_set(&config).unwrap();
    let kids: Vec<&str> = set.keys.iter().map(|k| k.kid.as_str()).collect();
    assert_eq!(kids, ["sig-2", "sig-1"]);
    for key in &set.keys {
        let expected = EdSigningKey::from_seed(&seed_of(&config, &key.kid))
            .unwrap()
            .verifying_key()
            .to_bytes();
        assert_eq!(b64url_decode(&key.x).unwrap(), expected);
    }
    let text = serde_json::to_string(&set).unwrap();
    assert!(!text.contains("\"d\""));
    for entry in config.jwt_signing_keys.iter() {
        assert!(!text.contains(&b64url(entry.material.expose())));
    }
    let first = serde_json::to_value(&set.keys[0]).unwrap();
    assert_eq!(first["kty"], "OKP");
    assert_eq!(first["crv"], "Ed25519");
    assert_eq!(first["alg"], "EdDSA");
    assert_eq!(first["use"], "sig");
}

#[test]
fn naming_a_client_is_read_from_the_claims_without_any_check() {
    use crate::policy::token::access::names_a_client;
    let config = testkit::config(&[]);
    let session = token_at(&config, START_MS);
    assert!(!names_a_client(&session));
    let seed = seed_of(&config, &config.jwt_signing_keys.active().id);
    let mut with_client = claims(START_MS / 1000);
    with_client["client_id"] = json!("00112233445566778899aabbccddeeff");
    assert!(names_a_client(&sign_raw(&header(), &with_client, &seed)));
    // Unverified on purpose: a forged signature still names a client (it only routes).
    let forged = alloc::format!(
        "{}.AAAA",
        parts(&sign_raw(&header(), &with_client, &seed))[..2].join(".")
    );
    assert!(names_a_client(&forged));
    assert!(!names_a_client("not-a-jwt"));
    assert!(!names_a_client("a.!!!.c"));
}
