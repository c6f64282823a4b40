use super::*;
use alloc::collections::BTreeMap;

struct MapVars(BTreeMap<&'static str, &'static str>);

impl Vars for MapVars {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).map(|v| v.to_string())
    }
}

const KEY: &str = "prod-1:OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c";

fn production() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([
        ("ENVIRONMENT", "production"),
        ("PUBLIC_ORIGIN", "https://app.example.com"),
        ("ALLOWED_ORIGINS", "https://www.example.com"),
        ("JWT_SIGNING_KEYS", KEY),
        ("DATA_ENCRYPTION_KEYS", KEY),
        ("MAIL_TRANSPORT", "http"),
        ("MAIL_HTTP_URL", "https://mail.example.com/send"),
        ("MAIL_HTTP_TOKEN", "t"),
    ])
}

#[test]
fn parses_a_production_config_with_defaults() {
    let config = Config::from_vars(&MapVars(production())).unwrap();
    assert_eq!(config.environment, Environment::Production);
    assert!(config.require_email_verification);
    assert_eq!(config.audit_retention_days, 365);
    assert_eq!(config.client_ip_header, "CF-Connecting-IP");
    assert_eq!(config.password_hash, PasswordHashParams::OWASP_DEFAULT);
    assert_eq!(config.rate_limits, RateLimits::default());
}

#[test]
fn missing_secret_outside_development_is_an_error() {
    let mut vars = production();
    vars.remove("JWT_SIGNING_KEYS");
    assert_eq!(
        Config::from_vars(&MapVars(vars)).unwrap_err(),
        ConfigError::Missing("JWT_SIGNING_KEYS")
    );
}

#[test]
fn development_falls_back_to_marked_development_keys() {
    let vars = BTreeMap::from([
        ("ENVIRONMENT", "development"),
        ("PUBLIC_ORIGIN", "http://127.0.0.1:8787"),
    ]);
    let config = Config::from_vars(&MapVars(vars)).unwrap();
    assert!(config.jwt_signing_keys.active().id.starts_with("dev-"));
    assert_eq!(config.mail_transport, MailTransport::Console);
}

#[test]
fn refuses_insecure_combinations() {
    for (name, value) in [
        ("ALLOWED_ORIGINS", "*"),
        ("ALLOWED_ORIGINS", "https://*.example.com"),
        ("PUBLIC_ORIGIN", "http://app.example.com"),
        ("JWT_SIGNING_KEYS", keys::DEVELOPMENT_JWT_SIGNING_KEYS),
        ("PASSWORD_HASH_MEMORY_KIB", "4096"),
        ("PASSWORD_MIN_LENGTH", "6"),
    ] {
        let mut vars = production();
        vars.insert(name, value);
        assert!(
            matches!(
                Config::from_vars(&MapVars(vars)),
                Err(ConfigError::Insecure(_))
            ),
            "{name}={value} accepted"
        );
    }
}

#[test]
fn refuses_malformed_values() {
    for (name, value) in [
        ("ENVIRONMENT", "prod"),
        ("ALLOWED_ORIGINS", "https://ok.example/path"),
        ("JWT_SIGNING_KEYS", "k:notbase64!"),
        ("REQUIRE_EMAIL_VERIFICATION", "maybe"),
        ("RATE_LIMIT_LOGIN_PER_IP", "20"),
        ("RATE_LIMIT_SESSIONS_PER_USER", "120/0"),
        ("REQUEST_LOG", "Errors"),
        ("REQUEST_LOG", "none"),
    ] {
        let mut vars = production();
        vars.insert(name, value);
        assert!(
            matches!(
                Config::from_vars(&MapVars(vars)),
                Err(ConfigError::Malformed(_))
            ),
            "{name}={value} accepted"
        );
    }
}

#[test]
fn request_log_is_all_unless_set_to_errors() {
    let config = Config::from_vars(&MapVars(production())).unwrap();
    assert_eq!(config.request_log, RequestLog::All);
    let mut vars = production();
    vars.insert("REQUEST_LOG", "errors");
    let config = Config::from_vars(&MapVars(vars)).unwrap();
    assert_eq!(config.request_log, RequestLog::Errors);
    assert!(!config.request_log.logs(204) && config.request_log.logs(400));
}

#[test]
fn errors_name_the_variable_but_not_the_value() {
    let mut vars = production();
    vars.insert("JWT_SIGNING_KEYS", "k:supersecretvalue");
    let error = Config::from_vars(&MapVars(vars)).unwrap_err();
    let text = alloc::format!("{error}");
    assert!(text.contains("JWT_SIGNING_KEYS"));
    assert!(!text.contains("supersecretvalue"));
}

#[test]
fn the_pages_variables_are_parsed_and_named_in_errors() {
    let mut vars = production();
    vars.insert("PRODUCT_NAME", "Acme");
    vars.insert("BRAND_COLOR", "#ffeb3b");
    vars.insert("RETURN_TO_PATHS", "/account,/example/");
    let config = Config::from_vars(&MapVars(vars)).unwrap();
    assert_eq!(config.pages.product_name, "Acme");
    assert_eq!(config.pages.brand.color.hex(), "#ffeb3b");
    assert_eq!(config.pages.return_to_paths, ["/account", "/example/"]);

    for (name, value, expected) in [
        (
            "PRODUCT_NAME",
            "a\nb",
            ConfigError::Malformed("PRODUCT_NAME"),
        ),
        ("BRAND_COLOR", "red", ConfigError::Malformed("BRAND_COLOR")),
        (
            "RETURN_TO_PATHS",
            "/account,//evil.example",
            ConfigError::Insecure("RETURN_TO_PATHS"),
        ),
    ] {
        let mut vars = production();
        vars.insert(name, value);
        assert_eq!(
            Config::from_vars(&MapVars(vars)),
            Err(expected),
            "{name}={value}"
        );
    }
}

/// The hosted pages' configuration (`Needs::NoSecrets`): no secret and no mail
/// setting is read — missing or malformed alike — while everything else is refused as
/// strictly as for the other functions; the key rings are fresh random keys nobody
/// knows, and mail is disabled.
#[test]
fn a_configuration_without_secrets_reads_none_and_holds_unknown_keys() {
    use crate::config::Needs;
    use crate::env::fake::SeededRandom;
    let mut vars = production();
    for name in [
        "JWT_SIGNING_KEYS",
        "DATA_ENCRYPTION_KEYS",
        "MAIL_HTTP_TOKEN",
    ] {
        vars.remove(name);
    }
    assert!(Config::from_vars(&MapVars(vars.clone())).is_err());
    let first = Config::for_needs(
        &MapVars(vars.clone()),
        Needs::NoSecrets,
        &SeededRandom::new(1),
    )
    .unwrap();
    let second = Config::for_needs(
        &MapVars(vars.clone()),
        Needs::NoSecrets,
        &SeededRandom::new(2),
    )
    .unwrap();
    assert!(first.jwt_signing_keys.active().id.starts_with("unset-"));
    assert_ne!(
        first.jwt_signing_keys.active().public_key(),
        second.jwt_signing_keys.active().public_key(),
        "drawn afresh, never a fixed key"
    );
    assert_eq!(first.mail_transport, MailTransport::Disabled);
    assert!(first.password_pepper.is_none());

    vars.insert("JWT_SIGNING_KEYS", "not a key ring");
    vars.insert("PASSWORD_PEPPER", "short");
    vars.insert("MAIL_TRANSPORT", "carrier-pigeon");
    assert!(Config::for_needs(
        &MapVars(vars.clone()),
        Needs::NoSecrets,
        &SeededRandom::new(3)
    )
    .is_ok());

    vars.insert("PUBLIC_ORIGIN", "http://app.example.com");
    assert_eq!(
        Config::for_needs(&MapVars(vars), Needs::NoSecrets, &SeededRandom::new(4)).unwrap_err(),
        ConfigError::Insecure("PUBLIC_ORIGIN")
    );
}

/// The provider's RSA signing keys are a secret too: the pages neither read nor need
/// them, while the functions that read the secrets refuse a malformed ring.
#[test]
fn a_configuration_without_secrets_reads_no_rsa_signing_key() {
    use crate::config::Needs;
    use crate::env::fake::SeededRandom;
    let mut vars = production();
    vars.insert("OIDC_RSA_SIGNING_KEYS", "not a key ring");
    assert_eq!(
        Config::from_vars(&MapVars(vars.clone())).unwrap_err(),
        ConfigError::Malformed("OIDC_RSA_SIGNING_KEYS")
    );
    let config =
        Config::for_needs(&MapVars(vars), Needs::NoSecrets, &SeededRandom::new(5)).unwrap();
    assert!(config.oauth_provider.rsa_signing_keys.is_none());
}

/// The pages show the sign-in providers' buttons without their secrets: a listed
/// provider's client secret or Apple key is neither read nor required there, while the
/// functions that sign in with it still refuse the configuration without them.
#[test]
fn a_configuration_without_secrets_lists_the_providers_without_their_secrets() {
    use crate::config::Needs;
    use crate::env::fake::SeededRandom;
    let mut vars = production();
    vars.remove("JWT_SIGNING_KEYS");
    vars.remove("DATA_ENCRYPTION_KEYS");
    vars.remove("MAIL_HTTP_TOKEN");
    vars.insert("OAUTH_PROVIDERS", "google,apple,acme");
    vars.insert("OAUTH_GOOGLE_CLIENT_ID", "g-id");
    vars.insert("OAUTH_APPLE_CLIENT_ID", "com.example.web");
    vars.insert("OAUTH_APPLE_TEAM_ID", "TEAM123456");
    vars.insert("OAUTH_APPLE_KEY_ID", "KEY1234567");
    vars.insert("OAUTH_ACME_CLIENT_ID", "acme-id");
    vars.insert("OAUTH_ACME_ISSUER", "https://id.acme.example");
    vars.insert("OAUTH_ACME_LABEL", "Acme ID");
    let pages = Config::for_needs(
        &MapVars(vars.clone()),
        Needs::NoSecrets,
        &SeededRandom::new(5),
    )
    .unwrap();
    let labels: Vec<&str> = pages
        .oauth
        .providers
        .iter()
        .map(|p| p.label.as_str())
        .collect();
    assert_eq!(labels, ["Google", "Apple", "Acme ID"]);
    // Present or not, a malformed secret is not even looked at.
    vars.insert("OAUTH_GOOGLE_CLIENT_SECRET", "g-secret");
    vars.insert("OAUTH_ACME_CLIENT_SECRET", "acme-secret");
    vars.insert("OAUTH_APPLE_PRIVATE_KEY", "not a key");
    let pages = Config::for_needs(
        &MapVars(vars.clone()),
        Needs::NoSecrets,
        &SeededRandom::new(6),
    )
    .unwrap();
    for provider in &pages.oauth.providers {
        assert!(
            provider
                .client_secret
                .as_ref()
                .is_none_or(|s| s.expose().is_empty()),
            "{} secret read",
            provider.id
        );
        if let crate::config::oauth::ProviderKind::Apple { private_key, .. } = &provider.kind {
            assert!(private_key.expose().is_empty());
        }
    }
    vars.insert("JWT_SIGNING_KEYS", KEY);
    vars.insert("DATA_ENCRYPTION_KEYS", KEY);
    vars.insert("MAIL_HTTP_TOKEN", "t");
    assert_eq!(
        Config::from_vars(&MapVars(vars)).unwrap_err(),
        ConfigError::Malformed("OAUTH_APPLE_PRIVATE_KEY")
    );
}

#[test]
fn the_trusted_proxy_proto_header_is_off_by_default_and_a_header_name() {
    assert_eq!(
        Config::from_vars(&MapVars(production()))
            .unwrap()
            .trusted_proxy_proto_header,
        None
    );
    let mut vars = production();
    vars.insert("TRUSTED_PROXY_PROTO_HEADER", "X-Forwarded-Proto");
    assert_eq!(
        Config::from_vars(&MapVars(vars.clone()))
            .unwrap()
            .trusted_proxy_proto_header
            .as_deref(),
        Some("X-Forwarded-Proto")
    );
    vars.insert("TRUSTED_PROXY_PROTO_HEADER", "X-Forwarded-Proto: https");
    assert_eq!(
        Config::from_vars(&MapVars(vars)).unwrap_err(),
        ConfigError::Malformed("TRUSTED_PROXY_PROTO_HEADER")
    );
}
