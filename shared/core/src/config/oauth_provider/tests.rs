use super::*;
use crate::config::{ConfigError, RateLimit};
use crate::testkit::{self, try_config};

#[test]
fn the_provider_is_quiet_by_default() {
    let config = testkit::config(&[]);
    assert_eq!(config.oauth_provider, OAuthProviderConfig::default());
    assert_eq!(config.oauth_provider.registration, Registration::Off);
    assert!(config.oauth_provider.rsa_signing_keys.is_none());
}

#[test]
fn resources_must_be_https_uris_other_than_the_public_origin() {
    let ok = testkit::config(&[(
        "OAUTH_RESOURCES",
        "https://mcp.example.com/mcp, https://api.example.net",
    )]);
    assert_eq!(
        ok.oauth_provider.resources,
        ["https://mcp.example.com/mcp", "https://api.example.net"]
    );
    for bad in [
        "https://app.example.com",
        "https://app.example.com/",
        "http://mcp.example.com/mcp",
        "http://127.0.0.1:9000/mcp",
        "https://mcp.example.com/mcp#x",
        "https://mcp.example.com/mcp?tenant=1",
        "mcp.example.com",
        "urn:example:resource",
        "https://user@mcp.example.com/",
    ] {
        assert_eq!(
            try_config(&[("OAUTH_RESOURCES", bad)]),
            Err(ConfigError::Insecure("OAUTH_RESOURCES")),
            "{bad}"
        );
    }
}

#[test]
fn loopback_resources_are_a_development_convenience() {
    let dev = testkit::config(&[
        ("ENVIRONMENT", "development"),
        ("OAUTH_RESOURCES", "http://127.0.0.1:9000/mcp"),
    ]);
    assert_eq!(dev.oauth_provider.resources, ["http://127.0.0.1:9000/mcp"]);
}

#[test]
fn scopes_are_plain_tokens() {
    let ok = testkit::config(&[("OAUTH_SCOPES", "mcp:tools, files.read")]);
    assert_eq!(ok.oauth_provider.scopes, ["mcp:tools", "files.read"]);
    for bad in ["two words", "quote\"", "é"] {
        assert_eq!(
            try_config(&[("OAUTH_SCOPES", bad)]),
            Err(ConfigError::Malformed("OAUTH_SCOPES")),
            "{bad}"
        );
    }
}

#[test]
fn registration_is_off_open_or_an_allowlist_of_origins() {
    let open = testkit::config(&[("OAUTH_DYNAMIC_REGISTRATION", "open")]);
    assert_eq!(open.oauth_provider.registration, Registration::Open);
    let listed = testkit::config(&[
        ("OAUTH_DYNAMIC_REGISTRATION", "allowlist"),
        (
            "OAUTH_REGISTRATION_ALLOWLIST",
            "https://claude.ai, loopback, https://app.example.org:8443/",
        ),
    ]);
    assert_eq!(
        listed.oauth_provider.registration,
        Registration::Allowlist {
            origins: alloc::vec![
                "https://claude.ai".into(),
                "https://app.example.org:8443".into()
            ],
            loopback: true,
        }
    );
    assert_eq!(
        try_config(&[("OAUTH_DYNAMIC_REGISTRATION", "allowlist")]),
        Err(ConfigError::Malformed("OAUTH_REGISTRATION_ALLOWLIST"))
    );
    for bad in [
        "http://app.example.org",
        "https://app.example.org/cb",
        "*.example.org",
    ] {
        assert_eq!(
            try_config(&[
                ("OAUTH_DYNAMIC_REGISTRATION", "allowlist"),
                ("OAUTH_REGISTRATION_ALLOWLIST", bad)
            ]),
            Err(ConfigError::Malformed("OAUTH_REGISTRATION_ALLOWLIST")),
            "{bad}"
        );
    }
    assert_eq!(
        try_config(&[("OAUTH_DYNAMIC_REGISTRATION", "yes")]),
        Err(ConfigError::Malformed("OAUTH_DYNAMIC_REGISTRATION"))
    );
}

#[test]
fn the_rsa_ring_follows_the_rules_of_the_other_keyrings() {
    let keys = testkit::rsa_keys();
    let config = testkit::config(&[("OIDC_RSA_SIGNING_KEYS", &keys)]);
    let ring = config.oauth_provider.rsa_signing_keys.unwrap();
    assert_eq!(ring.active().unwrap().id, "rsa-a");
    let dev = keys.replace("rsa-a:", "dev-rsa:");
    assert_eq!(
        try_config(&[("OIDC_RSA_SIGNING_KEYS", &dev)]),
        Err(ConfigError::Insecure("OIDC_RSA_SIGNING_KEYS"))
    );
    // `sig-2` is a kid of the test JWT_SIGNING_KEYS: one JWKS cannot hold both.
    let clash = keys.replace("rsa-a:", "sig-2:");
    assert_eq!(
        try_config(&[("OIDC_RSA_SIGNING_KEYS", &clash)]),
        Err(ConfigError::Malformed("OIDC_RSA_SIGNING_KEYS"))
    );
    assert_eq!(
        try_config(&[("OIDC_RSA_SIGNING_KEYS", "rsa-a:AAAA")]),
        Err(ConfigError::Malformed("OIDC_RSA_SIGNING_KEYS"))
    );
}

#[test]
fn rate_limits_are_configurable() {
    let config = testkit::config(&[
        ("RATE_LIMIT_OAUTH_PROVIDER_PER_IP", "30/60"),
        ("RATE_LIMIT_OAUTH_REGISTER_PER_IP", "2/600"),
    ]);
    assert_eq!(
        config.oauth_provider.per_ip,
        RateLimit {
            limit: 30,
            window_secs: 60
        }
    );
    assert_eq!(
        config.oauth_provider.register_per_ip,
        RateLimit {
            limit: 2,
            window_secs: 600
        }
    );
}

#[test]
fn loopback_hosts_are_the_ip_literals_and_localhost() {
    for host in ["127.0.0.1", "127.1.2.3", "[::1]", "localhost"] {
        assert!(is_loopback_host(host), "{host}");
    }
    for host in [
        "127.0.0.1.evil.com",
        "128.0.0.1",
        "localhost.evil.com",
        "[::2]",
        "127.0.0",
        "",
    ] {
        assert!(!is_loopback_host(host), "{host}");
    }
}
