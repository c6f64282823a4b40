use super::*;
use serde_json::{json, Value};

const ISSUER: &str = "https://idp.example.com";

fn document() -> Value {
    json!({
        "issuer": ISSUER,
        "authorization_endpoint": "https://idp.example.com/authorize",
        "token_endpoint": "https://idp.example.com/token",
        "jwks_uri": "https://keys.idp.example.com/jwks",
        "code_challenge_methods_supported": ["plain", "S256"],
    })
}

fn run(doc: &Value, development: bool) -> Result<Metadata, DiscoveryError> {
    parse(
        &serde_json::to_vec(doc).unwrap(),
        IssuerCheck::Exact(ISSUER),
        development,
    )
}

fn with(change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut doc = document();
    change(doc.as_object_mut().unwrap());
    doc
}

#[test]
fn reads_the_endpoints_of_a_valid_document() {
    let metadata = run(&document(), false).unwrap();
    assert_eq!(metadata.token_endpoint, "https://idp.example.com/token");
    assert_eq!(metadata.jwks_uri, "https://keys.idp.example.com/jwks");
    assert_eq!(metadata.token_auth, TokenAuth::Basic);
    let post_only = with(|d| {
        d.insert(
            "token_endpoint_auth_methods_supported".into(),
            json!(["client_secret_post", "private_key_jwt"]),
        );
    });
    assert_eq!(run(&post_only, false).unwrap().token_auth, TokenAuth::Post);
}

#[test]
fn refuses_another_issuer_insecure_endpoints_and_missing_s256() {
    let cases: alloc::vec::Vec<(&str, Value, DiscoveryError)> = alloc::vec![
        (
            "other issuer",
            with(|d| {
                d.insert("issuer".into(), json!("https://evil.example.com"));
            }),
            DiscoveryError::Issuer
        ),
        (
            "http token endpoint",
            with(|d| {
                d.insert(
                    "token_endpoint".into(),
                    json!("http://idp.example.com/token"),
                );
            }),
            DiscoveryError::InsecureEndpoint
        ),
        (
            "relative jwks",
            with(|d| {
                d.insert("jwks_uri".into(), json!("/jwks"));
            }),
            DiscoveryError::InsecureEndpoint
        ),
        (
            "token endpoint with a query",
            with(|d| {
                d.insert(
                    "token_endpoint".into(),
                    json!("https://idp.example.com/token?x=1"),
                );
            }),
            DiscoveryError::InsecureEndpoint
        ),
        (
            "no S256",
            with(|d| {
                d.insert("code_challenge_methods_supported".into(), json!(["plain"]));
            }),
            DiscoveryError::Unsupported
        ),
        (
            "no usable client auth",
            with(|d| {
                d.insert(
                    "token_endpoint_auth_methods_supported".into(),
                    json!(["private_key_jwt"]),
                );
            }),
            DiscoveryError::Unsupported
        ),
        (
            "no token endpoint",
            with(|d| {
                d.remove("token_endpoint");
            }),
            DiscoveryError::Malformed
        ),
    ];
    for (name, doc, error) in cases {
        assert_eq!(run(&doc, false), Err(error), "{name}");
    }
}

#[test]
fn plain_http_loopback_endpoints_only_in_development() {
    let local = json!({
        "issuer": "http://127.0.0.1:9000",
        "authorization_endpoint": "http://127.0.0.1:9000/auth",
        "token_endpoint": "http://127.0.0.1:9000/token",
        "jwks_uri": "http://127.0.0.1:9000/jwks",
    });
    let bytes = serde_json::to_vec(&local).unwrap();
    assert!(parse(&bytes, IssuerCheck::Exact("http://127.0.0.1:9000"), true).is_ok());
    assert_eq!(
        parse(&bytes, IssuerCheck::Exact("http://127.0.0.1:9000"), false),
        Err(DiscoveryError::InsecureEndpoint)
    );
    let remote = json!({
        "issuer": "http://idp.example.com",
        "authorization_endpoint": "http://idp.example.com/auth",
        "token_endpoint": "http://idp.example.com/token",
        "jwks_uri": "http://idp.example.com/jwks",
    });
    assert_eq!(
        parse(
            &serde_json::to_vec(&remote).unwrap(),
            IssuerCheck::Exact("http://idp.example.com"),
            true
        ),
        Err(DiscoveryError::InsecureEndpoint)
    );
}

#[test]
fn entra_documents_are_checked_against_the_configured_tenant() {
    let doc = json!({
        "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
        "authorization_endpoint": "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        "token_endpoint": "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        "jwks_uri": "https://login.microsoftonline.com/common/discovery/v2.0/keys",
    });
    let bytes = serde_json::to_vec(&doc).unwrap();
    assert!(parse(&bytes, IssuerCheck::Entra("common"), false).is_ok());
    assert_eq!(
        parse(
            &bytes,
            IssuerCheck::Entra("72f988bf-86f1-41af-91ab-2d7cd011db47"),
            false
        ),
        Err(DiscoveryError::Issuer)
    );
}
