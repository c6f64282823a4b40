use super::*;
use crate::testkit::config;
use crate::ConfigError;
use alloc::collections::BTreeMap;

fn parse_with(vars: &[(&str, &str)], development: bool) -> Result<OAuthConfig, ConfigError> {
    let map: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (String::from(*k), String::from(*v)))
        .collect();
    parse(&|name| map.get(name).cloned(), development)
}

const APPLE_KEY: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgcpWSAK1ZYpIFmFXMDTn3vhelVejpk40d6D9QpnGsKpahRANCAASKc1Vw8JHDNtGvQFrEeeIkvayJsP9KZgoJYL62uveaZ1hQNKpI9amttogmlwP/bcq6PYk27s/fZssfgr3LqNn+";

#[test]
fn no_providers_unless_listed() {
    assert_eq!(parse_with(&[], false).unwrap(), OAuthConfig::default());
    assert!(config(&[]).oauth.providers.is_empty());
}

#[test]
fn reads_the_presets_and_a_generic_provider() {
    let oauth = parse_with(
        &[
            ("OAUTH_PROVIDERS", "google, github,microsoft,apple,acme"),
            ("OAUTH_GOOGLE_CLIENT_ID", "g-id"),
            ("OAUTH_GOOGLE_CLIENT_SECRET", "g-secret"),
            ("OAUTH_GITHUB_CLIENT_ID", "gh-id"),
            ("OAUTH_GITHUB_CLIENT_SECRET", "gh-secret"),
            ("OAUTH_MICROSOFT_CLIENT_ID", "ms-id"),
            ("OAUTH_MICROSOFT_CLIENT_SECRET", "ms-secret"),
            ("OAUTH_MICROSOFT_TENANT", "Organizations"),
            ("OAUTH_APPLE_CLIENT_ID", "com.example.web"),
            ("OAUTH_APPLE_TEAM_ID", "TEAM123456"),
            ("OAUTH_APPLE_KEY_ID", "KEY1234567"),
            ("OAUTH_APPLE_PRIVATE_KEY", APPLE_KEY),
            ("OAUTH_ACME_CLIENT_ID", "acme-id"),
            ("OAUTH_ACME_CLIENT_SECRET", "acme-secret"),
            ("OAUTH_ACME_ISSUER", "https://id.acme.example"),
            ("OAUTH_ACME_LABEL", "Acme SSO"),
        ],
        false,
    )
    .unwrap();
    let ids: Vec<&str> = oauth.providers.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["google", "github", "microsoft", "apple", "acme"]);
    let google = oauth.provider("google").unwrap();
    assert_eq!(
        google.issuer().as_deref(),
        Some("https://accounts.google.com")
    );
    assert_eq!(google.label, "Google");
    assert_eq!(google.scopes(), "openid email profile");
    assert_eq!(
        google.redirect_uri("https://app.example.com"),
        "https://app.example.com/auth/oauth/google/callback"
    );
    let github = oauth.provider("github").unwrap();
    assert_eq!(github.label, "GitHub");
    assert_eq!(
        github.kind,
        ProviderKind::GitHub {
            web: "https://github.com".into(),
            api: "https://api.github.com".into()
        }
    );
    assert_eq!(github.issuer(), None);
    let microsoft = oauth.provider("microsoft").unwrap();
    assert_eq!(
        microsoft.issuer().as_deref(),
        Some("https://login.microsoftonline.com/organizations/v2.0")
    );
    let apple = oauth.provider("apple").unwrap();
    assert!(apple.form_post());
    assert!(apple.client_secret.is_none());
    assert_eq!(apple.scopes(), "openid name email");
    let acme = oauth.provider("acme").unwrap();
    assert_eq!(acme.label, "Acme SSO");
    assert_eq!(
        acme.kind,
        ProviderKind::Oidc {
            issuer: "https://id.acme.example".into()
        }
    );
    // Secrets stay redacted in debug output.
    assert!(!alloc::format!("{:?}", oauth).contains("g-secret"));
}

#[test]
fn refuses_missing_variables_bad_names_and_insecure_issuers() {
    fn acme(issuer: &str) -> alloc::vec::Vec<(&str, &str)> {
        alloc::vec![
            ("OAUTH_PROVIDERS", "acme"),
            ("OAUTH_ACME_CLIENT_ID", "id"),
            ("OAUTH_ACME_CLIENT_SECRET", "secret"),
            ("OAUTH_ACME_ISSUER", issuer),
        ]
    }
    type Case<'a> = (alloc::vec::Vec<(&'a str, &'a str)>, bool, ConfigError);
    let cases: alloc::vec::Vec<Case<'_>> = alloc::vec![
        (
            alloc::vec![("OAUTH_PROVIDERS", "Acme")],
            false,
            ConfigError::Malformed("OAUTH_PROVIDERS")
        ),
        (
            alloc::vec![("OAUTH_PROVIDERS", "ac-me")],
            false,
            ConfigError::Malformed("OAUTH_PROVIDERS")
        ),
        (
            alloc::vec![("OAUTH_PROVIDERS", "acme,acme")],
            false,
            ConfigError::Missing("OAUTH_<NAME>_CLIENT_ID")
        ),
        (
            alloc::vec![("OAUTH_PROVIDERS", "google")],
            false,
            ConfigError::Missing("OAUTH_GOOGLE_CLIENT_ID")
        ),
        (
            alloc::vec![
                ("OAUTH_PROVIDERS", "google"),
                ("OAUTH_GOOGLE_CLIENT_ID", "x")
            ],
            false,
            ConfigError::Missing("OAUTH_GOOGLE_CLIENT_SECRET")
        ),
        (
            acme("http://id.acme.example"),
            false,
            ConfigError::Insecure("OAUTH_<NAME>_ISSUER")
        ),
        (
            acme("http://127.0.0.1:9000"),
            false,
            ConfigError::Insecure("OAUTH_<NAME>_ISSUER")
        ),
        (
            acme("http://id.acme.example"),
            true,
            ConfigError::Insecure("OAUTH_<NAME>_ISSUER")
        ),
        (
            acme("https://id.acme.example/?x=1"),
            false,
            ConfigError::Insecure("OAUTH_<NAME>_ISSUER")
        ),
        (
            acme("https://user@id.acme.example"),
            false,
            ConfigError::Insecure("OAUTH_<NAME>_ISSUER")
        ),
        (
            acme("ftp://id.acme.example"),
            false,
            ConfigError::Insecure("OAUTH_<NAME>_ISSUER")
        ),
        (
            alloc::vec![
                ("OAUTH_PROVIDERS", "apple"),
                ("OAUTH_APPLE_CLIENT_ID", "x"),
                ("OAUTH_APPLE_TEAM_ID", "TEAM123456"),
                ("OAUTH_APPLE_KEY_ID", "KEY1234567"),
                ("OAUTH_APPLE_PRIVATE_KEY", "not a key")
            ],
            false,
            ConfigError::Malformed("OAUTH_APPLE_PRIVATE_KEY")
        ),
        (
            alloc::vec![
                ("OAUTH_PROVIDERS", "apple"),
                ("OAUTH_APPLE_CLIENT_ID", "x"),
                ("OAUTH_APPLE_TEAM_ID", "short"),
                ("OAUTH_APPLE_KEY_ID", "KEY1234567"),
                ("OAUTH_APPLE_PRIVATE_KEY", APPLE_KEY)
            ],
            false,
            ConfigError::Malformed("OAUTH_APPLE_TEAM_ID")
        ),
        (
            alloc::vec![
                ("OAUTH_PROVIDERS", "github"),
                ("OAUTH_GITHUB_CLIENT_ID", "x"),
                ("OAUTH_GITHUB_CLIENT_SECRET", "y"),
                ("OAUTH_GITHUB_URL", "http://ghe.example.com")
            ],
            false,
            ConfigError::Insecure("OAUTH_GITHUB_URL")
        ),
    ];
    for (vars, development, error) in cases {
        assert_eq!(parse_with(&vars, development), Err(error), "{vars:?}");
    }
    // Duplicates are refused too (after the first entry parsed).
    let mut twice = acme("https://id.acme.example");
    twice[0] = ("OAUTH_PROVIDERS", "acme,acme");
    assert_eq!(
        parse_with(&twice, false),
        Err(ConfigError::Malformed("OAUTH_PROVIDERS"))
    );
}

#[test]
fn plain_http_is_allowed_for_loopback_providers_in_development_only() {
    let vars = [
        ("OAUTH_PROVIDERS", "acme,github"),
        ("OAUTH_ACME_CLIENT_ID", "id"),
        ("OAUTH_ACME_CLIENT_SECRET", "secret"),
        ("OAUTH_ACME_ISSUER", "http://127.0.0.1:9000"),
        ("OAUTH_GITHUB_CLIENT_ID", "id"),
        ("OAUTH_GITHUB_CLIENT_SECRET", "secret"),
        ("OAUTH_GITHUB_URL", "http://localhost:9001/"),
    ];
    let oauth = parse_with(&vars, true).unwrap();
    assert_eq!(
        oauth.provider("github").unwrap().kind,
        ProviderKind::GitHub {
            web: "http://localhost:9001".into(),
            api: "http://localhost:9001/api/v3".into()
        }
    );
    assert!(parse_with(&vars, false).is_err());
}

#[test]
fn secret_variables_and_generic_names_are_derived_from_the_list() {
    assert!(is_secret("OAUTH_ACME_CLIENT_SECRET"));
    assert!(is_secret("OAUTH_APPLE_PRIVATE_KEY"));
    assert!(!is_secret("OAUTH_ACME_CLIENT_ID"));
    assert_eq!(
        generic_variables("google, acme,Bad,okta2"),
        [
            "OAUTH_ACME_CLIENT_ID",
            "OAUTH_ACME_CLIENT_SECRET",
            "OAUTH_ACME_ISSUER",
            "OAUTH_ACME_LABEL",
            "OAUTH_OKTA2_CLIENT_ID",
            "OAUTH_OKTA2_CLIENT_SECRET",
            "OAUTH_OKTA2_ISSUER",
            "OAUTH_OKTA2_LABEL",
        ]
    );
    for name in crate::config::SECRET_VARIABLES {
        assert!(crate::config::VARIABLES.contains(name), "{name}");
    }
}
