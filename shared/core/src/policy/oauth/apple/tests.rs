use super::*;
use crate::encoding::b64url_decode;

#[test]
fn the_client_secret_claims_are_bound_to_our_team_client_and_apple() {
    let input = signing_input("TEAM123456", "KEY1234567", "com.example.web", 1_767_225_600);
    let (header, claims) = input.split_once('.').unwrap();
    let header: serde_json::Value =
        serde_json::from_slice(&b64url_decode(header).unwrap()).unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&b64url_decode(claims).unwrap()).unwrap();
    assert_eq!(
        header,
        serde_json::json!({"alg": "ES256", "kid": "KEY1234567"})
    );
    assert_eq!(
        claims,
        serde_json::json!({
            "iss": "TEAM123456", "iat": 1_767_225_600u64, "exp": 1_767_225_600u64 + LIFETIME_SECS,
            "aud": "https://appleid.apple.com", "sub": "com.example.web",
        })
    );
}

#[test]
fn the_client_secret_is_an_es256_jwt_that_verifies_under_the_teams_public_key() {
    use crate::crypto::signature::{
        Algorithm, SignatureCheck, SignatureVerifier, SoftwareVerifier,
    };
    // The test key of primitives' es256 tests: its PKCS#8 PEM and public SPKI.
    let pem = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgcpWSAK1ZYpIFmFXM\nDTn3vhelVejpk40d6D9QpnGsKpahRANCAASKc1Vw8JHDNtGvQFrEeeIkvayJsP9K\nZgoJYL62uveaZ1hQNKpI9amttogmlwP/bcq6PYk27s/fZssfgr3LqNn+\n-----END PRIVATE KEY-----\n";
    let spki = b64url_decode("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEinNVcPCRwzbRr0BaxHniJL2sibD_SmYKCWC-trr3mmdYUDSqSPWprbaIJpcD_23Kuj2JNu7P32bLH4K9y6jZ_g").unwrap();
    let scalar = crate::crypto::es256::p256_scalar_from_pkcs8(pem.as_bytes()).unwrap();
    let secret = client_secret(
        "TEAM123456",
        "KEY1234567",
        "com.example.web",
        scalar.expose(),
        1_767_225_600,
    )
    .unwrap();
    let (input, signature) = secret.rsplit_once('.').unwrap();
    let signature = b64url_decode(signature).unwrap();
    let valid = pollster::block_on(SoftwareVerifier.verify(&SignatureCheck {
        algorithm: Algorithm::Es256,
        public_key_spki: &spki,
        message: input.as_bytes(),
        signature: &signature,
    }));
    assert!(valid);
    let jws = super::super::jws::parse(&secret).unwrap();
    assert_eq!(jws.kid.as_deref(), Some("KEY1234567"));
}
