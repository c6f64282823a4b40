use super::*;
use crate::crypto::signature::SoftwareVerifier;
use crate::env::fake::SeededRandom;
use crate::testkit::{self, START_MS};
use alloc::string::ToString;

const USER: &str = "0123456789abcdef0123456789abcdef";
const GRANT: &str = "fedcba9876543210fedcba9876543210";
const CLIENT: &str = "00112233445566778899aabbccddeeff";
const RESOURCE: &str = "https://mcp.example.com/mcp";

fn issue(config: &crate::Config, audience: &str) -> IssuedAccess {
    issue_access(
        config,
        &SeededRandom::new(1),
        START_MS,
        AccessGrant {
            user_id: USER,
            grant_id: GRANT,
            client_id: CLIENT,
            scopes: &["openid".to_string(), "documents".to_string()],
            audience,
            auth_time_secs: START_MS / 1000 - 60,
            ends_at_secs: START_MS / 1000 + 86_400,
        },
    )
    .unwrap()
}

fn verify(
    config: &crate::Config,
    token: &str,
    audience: Option<&str>,
    at: u64,
) -> Result<ClientAccess, TokenError> {
    pollster::block_on(verify_access(
        config,
        &SoftwareVerifier,
        token,
        at,
        audience,
    ))
}

#[test]
fn a_client_token_verifies_for_its_audience_only() {
    let config = testkit::config(&[]);
    let issued = issue(&config, RESOURCE);
    let facts = verify(&config, &issued.token, Some(RESOURCE), START_MS).unwrap();
    assert_eq!(facts.client_id, CLIENT);
    assert_eq!(facts.grant_id, GRANT);
    assert_eq!(facts.scopes, ["openid", "documents"]);
    assert_eq!(
        verify(
            &config,
            &issued.token,
            Some("https://other.example.com/api"),
            START_MS
        ),
        Err(TokenError::WrongAudience)
    );
    assert!(verify(&config, &issued.token, None, START_MS).is_ok());
}

#[test]
fn a_client_token_is_never_a_session_token() {
    let config = testkit::config(&[]);
    let issued = issue(&config, RESOURCE);
    assert!(testkit::full_check(&config, &issued.token, START_MS).is_err());
}

#[test]
fn a_client_token_for_our_own_origin_is_still_not_a_session_token() {
    // Even with the sessions' audience (which no resource may have), a client's token
    // lacks the `roles` a session's claims require.
    let config = testkit::config(&[]);
    let issued = issue(&config, &config.public_origin);
    assert_eq!(
        testkit::full_check(&config, &issued.token, START_MS).map(|_| ()),
        Err(TokenError::Malformed)
    );
}

#[test]
fn a_session_token_is_never_a_client_token() {
    let env = testkit::TestEnv::new();
    let user = testkit::seed_user(&env, "session@example.com", true);
    let session = testkit::sign_in(&env, &user.id, "token");
    // No `client_id`.
    assert_eq!(
        verify(&env.config, &session.access, None, START_MS),
        Err(TokenError::Malformed)
    );
}

#[test]
fn expiry_is_the_access_ttl_capped_at_the_grant() {
    let config = testkit::config(&[]);
    let issued = issue(&config, RESOURCE);
    assert_eq!(issued.expires_in_secs, 900);
    let later = START_MS + 900 * 1000 + LEEWAY_MS + 1_000;
    assert_eq!(
        verify(&config, &issued.token, None, later),
        Err(TokenError::Expired)
    );
}
const LEEWAY_MS: u64 = crate::policy::token::access::LEEWAY_SECS * 1000;

#[test]
fn tampered_and_foreign_tokens_are_refused() {
    let config = testkit::config(&[]);
    let issued = issue(&config, RESOURCE);
    let (input, _) = issued.token.rsplit_once('.').unwrap();
    let forged = alloc::format!("{input}.{}", crate::encoding::b64url(&[0u8; 64]));
    assert_eq!(
        verify(&config, &forged, None, START_MS),
        Err(TokenError::BadSignature)
    );
    let other_issuer = testkit::config(&[("PUBLIC_ORIGIN", "https://other.example.com")]);
    assert_eq!(
        verify(&other_issuer, &issued.token, None, START_MS),
        Err(TokenError::WrongIssuer)
    );
    let rotated = testkit::config(&[(
        "JWT_SIGNING_KEYS",
        "new:ZVVV4f0TrU4rsRpAWk4cLk3RkBOso06T_LSpHOxSIUU",
    )]);
    assert_eq!(
        verify(&rotated, &issued.token, None, START_MS),
        Err(TokenError::UnknownKey)
    );
}

#[test]
fn id_tokens_carry_the_oidc_claims_and_nonce_when_given() {
    let config = testkit::config(&[]);
    let (header, claims) = id_token(
        &config,
        START_MS,
        "EdDSA",
        "sig-2",
        IdTokenFacts {
            user_id: USER,
            client_id: CLIENT,
            auth_time_secs: 5,
            nonce: Some("n-1"),
        },
    );
    assert_eq!(header["typ"], "JWT");
    assert_eq!(claims["aud"], CLIENT);
    assert_eq!(claims["azp"], CLIENT);
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(claims["auth_time"], 5);
    assert_eq!(claims["iss"], testkit::ORIGIN);
}

#[test]
fn an_id_token_hint_is_read_back_but_an_access_token_is_not_one() {
    let config = testkit::config(&[]);
    let key = config.jwt_signing_keys.active();
    let (header, claims) = id_token(
        &config,
        START_MS,
        "EdDSA",
        &key.id,
        IdTokenFacts {
            user_id: USER,
            client_id: CLIENT,
            auth_time_secs: 5,
            nonce: None,
        },
    );
    let hint = jws::sign_eddsa(key.signing_key().unwrap(), &header, &claims);
    assert_eq!(
        pollster::block_on(verify_id_token_hint(&config, &SoftwareVerifier, &hint)),
        Some((USER.to_string(), CLIENT.to_string()))
    );
    let access = issue(&config, RESOURCE);
    assert_eq!(
        pollster::block_on(verify_id_token_hint(
            &config,
            &SoftwareVerifier,
            &access.token
        )),
        None
    );
}
