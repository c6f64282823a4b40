use super::*;
use crate::testkit;

fn metadata(value: serde_json::Value) -> Metadata {
    serde_json::from_value(value).unwrap()
}

#[test]
fn defaults_follow_rfc_7591() {
    let config = testkit::config(&[]);
    let valid = validate(
        &config,
        metadata(serde_json::json!({"redirect_uris": ["https://app.example.org/cb"]})),
    )
    .unwrap();
    assert_eq!(valid.name, UNNAMED);
    assert_eq!(valid.auth_method, AuthMethod::ClientSecretBasic);
    assert!(!valid.refresh_tokens);
    assert_eq!(valid.id_token_alg, IdTokenAlg::EdDsa);
}

#[test]
fn an_mcp_style_public_client_registers() {
    let config = testkit::config(&[]);
    let valid = validate(
        &config,
        metadata(serde_json::json!({
            "client_name": "Inspector", "redirect_uris": ["http://localhost:6274/oauth/callback"],
            "token_endpoint_auth_method": "none", "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"], "client_uri": "https://ignored.example", "logo_uri": "https://x/y.png"
        })),
    )
    .unwrap();
    assert_eq!(valid.auth_method, AuthMethod::None);
    assert!(valid.refresh_tokens);
}

#[test]
fn implicit_password_and_other_grants_are_refused() {
    let config = testkit::config(&[]);
    for grants in [
        serde_json::json!(["implicit"]),
        serde_json::json!(["password"]),
        serde_json::json!(["authorization_code", "client_credentials"]),
        serde_json::json!(["refresh_token"]),
    ] {
        let refused = validate(
            &config,
            metadata(
                serde_json::json!({"redirect_uris": ["https://a.example/cb"], "grant_types": grants}),
            ),
        );
        assert!(
            matches!(refused, Err(OAuthError::InvalidClientMetadata(_))),
            "{grants}"
        );
    }
    let token = validate(
        &config,
        metadata(
            serde_json::json!({"redirect_uris": ["https://a.example/cb"], "response_types": ["token"]}),
        ),
    );
    assert!(matches!(token, Err(OAuthError::InvalidClientMetadata(_))));
}

#[test]
fn bad_redirect_uris_are_invalid_redirect_uri() {
    let config = testkit::config(&[]);
    for uris in [
        serde_json::json!([]),
        serde_json::json!(["javascript:alert(1)"]),
        serde_json::json!(["http://app.example.org/cb"]),
        serde_json::json!(["https://app.example.org/cb#frag"]),
    ] {
        let refused = validate(
            &config,
            metadata(serde_json::json!({"redirect_uris": uris})),
        );
        assert!(
            matches!(refused, Err(OAuthError::InvalidRedirectUri(_))),
            "{uris}"
        );
    }
}

#[test]
fn rs256_needs_the_rsa_ring_and_private_key_jwt_needs_public_keys() {
    let config = testkit::config(&[]);
    let uris = serde_json::json!(["https://a.example/cb"]);
    let rs256 = serde_json::json!({"redirect_uris": uris, "id_token_signed_response_alg": "RS256"});
    assert!(validate(&config, metadata(rs256.clone())).is_err());
    let with_ring = testkit::config(&[("OIDC_RSA_SIGNING_KEYS", &testkit::rsa_keys())]);
    assert_eq!(
        validate(&with_ring, metadata(rs256)).unwrap().id_token_alg,
        IdTokenAlg::Rs256
    );
    let jwt = |jwks: serde_json::Value| {
        serde_json::json!({"redirect_uris": uris,
        "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks})
    };
    let public = serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]});
    assert!(validate(&config, metadata(jwt(public)))
        .unwrap()
        .jwks
        .is_some());
    let private = serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}]});
    assert!(validate(&config, metadata(jwt(private))).is_err());
    let uri_only = serde_json::json!({"redirect_uris": uris, "token_endpoint_auth_method": "private_key_jwt",
        "jwks_uri": "https://a.example/jwks"});
    assert!(validate(&config, metadata(uri_only)).is_err());
}

#[test]
fn names_are_bounded_and_plain() {
    let config = testkit::config(&[]);
    let long = "x".repeat(MAX_NAME_CHARS + 1);
    for name in [long.as_str(), "line\nbreak"] {
        let refused = validate(
            &config,
            metadata(
                serde_json::json!({"redirect_uris": ["https://a.example/cb"], "client_name": name}),
            ),
        );
        assert!(refused.is_err());
    }
}
