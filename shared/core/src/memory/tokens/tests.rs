//! The per-isolate token memory: a remembered token gets the answer a full check
//! would give — same claims, same time rules — and nothing the configuration stopped
//! vouching for survives in it.

use alloc::string::{String, ToString};
use alloc::vec;
use proptest::prelude::*;
use serde_json::json;

use crate::config::keys::Keyring;
use crate::config::Config;
use crate::crypto::eddsa::EdSigningKey;
use crate::crypto::signature::{Algorithm, SignatureCheck, SignatureVerifier, SoftwareVerifier};
use crate::encoding::b64url;
use crate::env::fake::SeededRandom;
use crate::memory::tokens::{TokenCache, CAPACITY};
use crate::policy::token::access::{
    issue, verify, Grant, NoMemory, TokenError, VerifiedAccessToken, LEEWAY_SECS,
};
use crate::secret::Secret;
use crate::testkit::{self, ORIGIN, START_MS};

const TTL_MS: u64 = 900_000;
const ANOTHER_SIG_2: &str = "sig-2:k5JhX7UNo5Sl2-n44KZYiCZk0ae6D1qk0c2_Pa7gb5E";

fn token(config: &Config, seed: u64, now_ms: u64) -> String {
    let roles = vec!["user".to_string()];
    let grant = Grant {
        user_id: "0123456789abcdef0123456789abcdef",
        session_id: "fedcba9876543210fedcba9876543210",
        roles: &roles,
        session_ends_at_secs: 4_000_000_000,
    };
    issue(config, &SeededRandom::new(seed), now_ms, grant)
        .unwrap()
        .token
}

/// The full check: a memory that remembers nothing, the software verifier.
fn full(config: &Config, token: &str, now_ms: u64) -> Result<VerifiedAccessToken, TokenError> {
    pollster::block_on(verify(config, &NoMemory, &SoftwareVerifier, token, now_ms))
}

/// The check with an isolate's memory.
fn remembered(
    config: &Config,
    memory: &TokenCache,
    token: &str,
    now_ms: u64,
) -> Result<VerifiedAccessToken, TokenError> {
    pollster::block_on(verify(config, memory, &SoftwareVerifier, token, now_ms))
}

fn ring(text: &str) -> Keyring {
    Keyring::parse_signing(text, false).unwrap()
}

#[test]
fn a_repeated_token_is_answered_from_memory_with_the_same_claims() {
    let config = testkit::config(&[]);
    let memory = TokenCache::default();
    let token = token(&config, 1, START_MS);
    assert!(memory.is_empty());
    let first = remembered(&config, &memory, &token, START_MS).unwrap();
    assert_eq!(memory.len(), 1);
    let again = remembered(&config, &memory, &token, START_MS + 1_000).unwrap();
    assert_eq!(memory.len(), 1);
    assert_eq!(first, again);
    assert_eq!(again, full(&config, &token, START_MS).unwrap());
}

#[test]
fn a_remembered_token_still_expires_after_the_same_leeway() {
    let config = testkit::config(&[]);
    let memory = TokenCache::default();
    let token = token(&config, 1, START_MS);
    remembered(&config, &memory, &token, START_MS).unwrap();
    let exp_ms = START_MS + TTL_MS;
    assert!(remembered(&config, &memory, &token, exp_ms + LEEWAY_SECS * 1000).is_ok());
    assert_eq!(
        remembered(&config, &memory, &token, exp_ms + (LEEWAY_SECS + 1) * 1000),
        Err(TokenError::Expired)
    );
    assert_eq!(
        full(&config, &token, exp_ms + (LEEWAY_SECS + 1) * 1000),
        Err(TokenError::Expired)
    );
}

#[test]
fn a_remembered_token_is_refused_before_its_nbf_and_iat_like_a_fresh_one() {
    let config = testkit::config(&[]);
    let memory = TokenCache::default();
    let seed = config
        .jwt_signing_keys
        .get("sig-2")
        .unwrap()
        .material
        .clone();
    let later = START_MS / 1000 + 600;
    let claims = json!({
        "iss": ORIGIN, "aud": ORIGIN, "sub": "u", "sid": "s", "roles": ["user"],
        "iat": later, "nbf": later, "exp": later + 900, "jti": "j"
    });
    let header = json!({"alg": "EdDSA", "typ": "at+jwt", "kid": "sig-2"});
    let input = alloc::format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let signature = EdSigningKey::from_seed(&seed)
        .unwrap()
        .sign(input.as_bytes());
    let token = alloc::format!("{input}.{}", b64url(&signature));
    // Remembered once valid, then asked about an earlier moment (a clock step back).
    remembered(&config, &memory, &token, later * 1000).unwrap();
    assert_eq!(memory.len(), 1);
    assert_eq!(
        remembered(&config, &memory, &token, START_MS),
        Err(TokenError::NotYetValid)
    );
    assert_eq!(
        full(&config, &token, START_MS),
        Err(TokenError::NotYetValid)
    );
}

#[test]
fn removing_the_key_from_the_ring_ends_remembered_tokens_too() {
    let mut config = testkit::config(&[]);
    let memory = TokenCache::default();
    let token = token(&config, 1, START_MS);
    remembered(&config, &memory, &token, START_MS).unwrap();
    config.jwt_signing_keys = ring("sig-3:k5JhX7UNo5Sl2-n44KZYiCZk0ae6D1qk0c2_Pa7gb5E");
    assert_eq!(
        remembered(&config, &memory, &token, START_MS),
        Err(TokenError::UnknownKey)
    );
    assert!(memory.is_empty());
}

#[test]
fn new_material_under_the_same_kid_is_never_mistaken_for_the_old_key() {
    let mut config = testkit::config(&[]);
    let memory = TokenCache::default();
    let token = token(&config, 1, START_MS);
    // The old sig-2 key is expanded and the token remembered...
    remembered(&config, &memory, &token, START_MS).unwrap();
    // ...then sig-2 names other material: neither memory may vouch for the token.
    config.jwt_signing_keys = ring(ANOTHER_SIG_2);
    assert_eq!(
        remembered(&config, &memory, &token, START_MS),
        Err(TokenError::BadSignature)
    );
    assert_eq!(
        full(&config, &token, START_MS),
        Err(TokenError::BadSignature)
    );
    // Tokens signed now are signed with the new material, and verify.
    let fresh = crate::policy::token::access::issue(
        &config,
        &SeededRandom::new(2),
        START_MS,
        Grant {
            user_id: "u",
            session_id: "s",
            roles: &[],
            session_ends_at_secs: 4_000_000_000,
        },
    )
    .unwrap();
    let new_key = EdSigningKey::from_seed(&Secret::new(
        crate::encoding::b64url_decode("k5JhX7UNo5Sl2-n44KZYiCZk0ae6D1qk0c2_Pa7gb5E").unwrap(),
    ))
    .unwrap();
    let signature =
        crate::encoding::b64url_decode(fresh.token.rsplit('.').next().unwrap()).unwrap();
    let input = &fresh.token[..fresh.token.rfind('.').unwrap()];
    assert!(new_key.verifying_key().verify(input.as_bytes(), &signature));
}

#[test]
fn another_public_origin_ends_remembered_tokens() {
    let mut config = testkit::config(&[]);
    let memory = TokenCache::default();
    let token = token(&config, 1, START_MS);
    remembered(&config, &memory, &token, START_MS).unwrap();
    config.public_origin = "https://other.example.com".into();
    assert_eq!(
        remembered(&config, &memory, &token, START_MS),
        Err(TokenError::WrongIssuer)
    );
}

#[test]
fn refusals_are_never_remembered() {
    let config = testkit::config(&[]);
    let memory = TokenCache::default();
    let token = token(&config, 1, START_MS);
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for _ in 0..2 {
        assert!(remembered(&config, &memory, &tampered, START_MS).is_err());
    }
    assert_eq!(
        remembered(&config, &memory, &token, START_MS + 2 * TTL_MS),
        Err(TokenError::Expired)
    );
    assert!(memory.is_empty());
}

#[test]
fn memory_is_bounded_and_evicted_tokens_still_verify() {
    let config = testkit::config(&[]);
    let memory = TokenCache::default();
    let tokens: alloc::vec::Vec<String> = (0..CAPACITY as u64 + 3)
        .map(|seed| token(&config, seed + 10, START_MS))
        .collect();
    for token in &tokens {
        remembered(&config, &memory, token, START_MS).unwrap();
    }
    assert_eq!(memory.len(), CAPACITY);
    // The first ones were evicted: they take the full check, and pass it.
    assert!(remembered(&config, &memory, &tokens[0], START_MS).is_ok());
    assert_eq!(memory.len(), CAPACITY);
}

#[test]
fn the_memory_is_the_isolate_s_and_the_configuration_a_plain_value() {
    let config = testkit::config(&[]);
    let memory = TokenCache::default();
    let token = token(&config, 1, START_MS);
    remembered(&config, &memory, &token, START_MS).unwrap();
    assert_eq!(memory.len(), 1);
    assert!(
        TokenCache::default().is_empty(),
        "a new isolate remembers nothing"
    );
    assert_eq!(
        config.clone(),
        config,
        "a copy of the configuration equals it"
    );
}

#[test]
fn oversized_input_is_refused_before_any_hashing() {
    let config = testkit::config(&[]);
    let memory = TokenCache::default();
    let huge = "a".repeat(crate::policy::token::access::MAX_TOKEN_BYTES + 1);
    assert_eq!(
        remembered(&config, &memory, &huge, START_MS),
        Err(TokenError::Malformed)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// At any moment around the token's life, the remembered answer is the full one.
    #[test]
    fn remembered_and_full_checks_agree_at_every_moment(offset_secs in -1200i64..2000) {
        let config = testkit::config(&[]);
        let memory = TokenCache::default();
        let token = token(&config, 1, START_MS);
        remembered(&config, &memory, &token, START_MS).unwrap();
        let now_ms = (START_MS as i64 + offset_secs * 1000) as u64;
        prop_assert_eq!(remembered(&config, &memory, &token, now_ms), full(&config, &token, now_ms));
    }
}

/// One question put to a verifier: algorithm, public key, message, signature.
type Question = (Algorithm, alloc::vec::Vec<u8>, String, alloc::vec::Vec<u8>);

/// A platform verifier that records what it is asked and answers as told.
struct Recording {
    answer: bool,
    calls: core::cell::RefCell<alloc::vec::Vec<Question>>,
}

impl SignatureVerifier for Recording {
    async fn verify(&self, check: &SignatureCheck<'_>) -> bool {
        self.calls.borrow_mut().push((
            check.algorithm,
            check.public_key_spki.to_vec(),
            String::from_utf8(check.message.to_vec()).unwrap(),
            check.signature.to_vec(),
        ));
        self.answer
    }
}

/// `verify` hands the platform verifier exactly an EdDSA check of the JWS signing
/// input, the signature and our public key's SPKI; its "no" is `BadSignature` and is
/// not remembered; a
/// remembered token does not ask it again; and steps 1–4 refuse before it is asked.
#[test]
fn the_platform_verifier_decides_step_5_only() {
    let config = testkit::config(&[]);
    let memory = TokenCache::default();
    let token = token(&config, 1, START_MS);
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let key = config.jwt_signing_keys.active();
    let public = key.public_key_spki().unwrap().to_vec();

    let refusing = Recording {
        answer: false,
        calls: Default::default(),
    };
    let refused = pollster::block_on(verify(&config, &memory, &refusing, &token, START_MS));
    assert_eq!(refused, Err(TokenError::BadSignature));
    assert!(memory.is_empty(), "a refusal is not remembered");
    let calls = refusing.calls.borrow();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, Algorithm::EdDsa);
    assert_eq!(calls[0].1, public);
    assert_eq!(calls[0].2, signed);
    assert_eq!(b64url(&calls[0].3), signature);

    let accepting = Recording {
        answer: true,
        calls: Default::default(),
    };
    let first = pollster::block_on(verify(&config, &memory, &accepting, &token, START_MS)).unwrap();
    assert_eq!(first, full(&config, &token, START_MS).unwrap());
    pollster::block_on(verify(
        &config,
        &memory,
        &accepting,
        &token,
        START_MS + 1_000,
    ))
    .unwrap();
    assert_eq!(
        accepting.calls.borrow().len(),
        1,
        "the second is answered from memory"
    );

    // Steps 1–4 come first: an `alg: none` token never reaches the verifier.
    let none = alloc::format!(
        "{}.{}.",
        b64url(br#"{"alg":"none","typ":"at+jwt"}"#),
        signed.split('.').nth(1).unwrap()
    );
    let asked = Recording {
        answer: true,
        calls: Default::default(),
    };
    assert_eq!(
        pollster::block_on(verify(&config, &memory, &asked, &none, START_MS)),
        Err(TokenError::UnsupportedAlgorithm)
    );
    assert!(asked.calls.borrow().is_empty());

    // The reference verifier agrees with `verify` on a tampered signature.
    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    assert!(!pollster::block_on(SoftwareVerifier.verify(
        &SignatureCheck {
            algorithm: Algorithm::EdDsa,
            public_key_spki: &public,
            message: signed.as_bytes(),
            signature: &[0u8; 63],
        }
    )));
    assert_eq!(
        pollster::block_on(verify(
            &testkit::config(&[]),
            &NoMemory,
            &SoftwareVerifier,
            &tampered,
            START_MS
        ))
        .is_err(),
        full(&config, &tampered, START_MS).is_err()
    );
}
