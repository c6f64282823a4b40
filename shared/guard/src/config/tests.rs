use super::*;
use crate::tests::vars;

#[test]
fn the_origin_is_required_and_the_rest_defaults_to_it() {
    assert_eq!(
        GuardConfig::from_vars(&vars(&[])),
        Err(ConfigError::Missing("EDGEAUTH_ORIGIN"))
    );
    let config =
        GuardConfig::from_vars(&vars(&[("EDGEAUTH_ORIGIN", "https://auth.example.com")])).unwrap();
    assert_eq!(config.audience, "https://auth.example.com");
    assert_eq!(config.base_url, "https://auth.example.com");
    assert_eq!(config.session_check, SessionCheck::Cached);
    assert!(config.origin_allowed("https://auth.example.com"));
    assert!(!config.origin_allowed("https://auth.example.com.evil.net"));
}

#[test]
fn unsafe_or_malformed_values_are_refused() {
    for (name, value) in [
        ("EDGEAUTH_ORIGIN", "http://auth.example.com"),
        ("EDGEAUTH_ORIGIN", "https://auth.example.com/path"),
        ("EDGEAUTH_ORIGIN", "https://*.example.com"),
        ("EDGEAUTH_URL", "http://10.0.0.1:8787"),
        ("EDGEAUTH_ALLOWED_ORIGINS", "https://a.example.com,*"),
        ("SESSION_CHECK", "sometimes"),
    ] {
        let mut pairs = vec![("EDGEAUTH_ORIGIN", "https://auth.example.com")];
        pairs.retain(|(n, _)| *n != name);
        pairs.push((name, value));
        assert!(
            GuardConfig::from_vars(&vars(&pairs)).is_err(),
            "{name}={value}"
        );
    }
}

#[test]
fn loopback_http_is_allowed_for_local_development() {
    let config = GuardConfig::from_vars(&vars(&[
        ("EDGEAUTH_ORIGIN", "http://127.0.0.1:8787"),
        ("EDGEAUTH_URL", "http://127.0.0.1:41234"),
        ("SESSION_CHECK", "strict"),
    ]))
    .unwrap();
    assert_eq!(config.base_url, "http://127.0.0.1:41234");
    assert_eq!(config.session_check, SessionCheck::Strict);
}
