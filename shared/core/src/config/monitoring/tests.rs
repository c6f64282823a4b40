use super::*;
use crate::config::Config;
use alloc::collections::BTreeMap;

struct MapVars(BTreeMap<&'static str, &'static str>);

impl Vars for MapVars {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).map(|v| v.to_string())
    }
}

const KEY: &str = "prod-1:OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c";
const SECRET: &str = "siem=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn production(extra: &[(&'static str, &'static str)]) -> MapVars {
    let mut vars = BTreeMap::from([
        ("ENVIRONMENT", "production"),
        ("PUBLIC_ORIGIN", "https://auth.example.com"),
        ("JWT_SIGNING_KEYS", KEY),
        ("DATA_ENCRYPTION_KEYS", KEY),
        ("MAIL_TRANSPORT", "http"),
        ("MAIL_HTTP_URL", "https://mail.example.com/send"),
        ("MAIL_HTTP_TOKEN", "t"),
    ]);
    vars.extend(extra.iter().copied());
    MapVars(vars)
}

fn parse(extra: &[(&'static str, &'static str)]) -> Result<Monitoring, ConfigError> {
    Config::from_vars(&production(extra)).map(|config| config.monitoring)
}

#[test]
fn without_monitoring_variables_nothing_is_sent_and_defaults_hold() {
    let monitoring = parse(&[]).unwrap();
    assert!(monitoring.webhooks.is_empty());
    assert!(monitoring.sentry.is_none());
    assert_eq!(monitoring, Monitoring::default());
}

#[test]
fn endpoints_take_their_alert_lists_and_one_or_two_secrets() {
    let monitoring = parse(&[
        (
            "WEBHOOK_ENDPOINTS",
            "siem=https://siem.example.net/in; pager=https://pager.example.net/x|lockout.engaged, sessions.kill_switch_pulled",
        ),
        ("WEBHOOK_SECRETS", "siem=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_ZWRnZWF1dGggc3RhbmRhcmQgd2ViaG9va3MgdmVjdG9y;pager=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
    ])
    .unwrap();
    let siem = monitoring.endpoint("siem").unwrap();
    assert_eq!(siem.url, "https://siem.example.net/in");
    assert_eq!(siem.secrets.len(), 2);
    assert!(AlertKind::ALL.iter().all(|kind| siem.wants(*kind)));
    let pager = monitoring.endpoint("pager").unwrap();
    assert_eq!(pager.secrets.len(), 1);
    assert!(pager.wants(AlertKind::LockoutEngaged));
    assert!(pager.wants(AlertKind::KillSwitchPulled));
    assert!(!pager.wants(AlertKind::NewDeviceSignIn));
}

#[test]
fn an_endpoint_without_a_secret_is_refused_never_sent_unsigned() {
    assert_eq!(
        parse(&[("WEBHOOK_ENDPOINTS", "siem=https://siem.example.net/in")]).unwrap_err(),
        ConfigError::Missing("WEBHOOK_SECRETS")
    );
}

#[test]
fn webhook_urls_must_be_https_and_not_our_own_origin() {
    for url in [
        "siem=http://siem.example.net/in",
        "siem=https://auth.example.com/api/hook",
        "siem=https://AUTH.example.com/x",
    ] {
        assert_eq!(
            parse(&[("WEBHOOK_ENDPOINTS", url), ("WEBHOOK_SECRETS", SECRET)]).unwrap_err(),
            ConfigError::Insecure("WEBHOOK_ENDPOINTS"),
            "{url}"
        );
    }
    for url in [
        "siem=ftp://x.example.net",
        "siem=not a url",
        "Bad Name=https://x.example.net",
    ] {
        assert_eq!(
            parse(&[("WEBHOOK_ENDPOINTS", url), ("WEBHOOK_SECRETS", SECRET)]).unwrap_err(),
            ConfigError::Malformed("WEBHOOK_ENDPOINTS"),
            "{url}"
        );
    }
}

#[test]
fn unknown_alerts_short_or_extra_secrets_and_strays_are_malformed() {
    assert_eq!(
        parse(&[
            (
                "WEBHOOK_ENDPOINTS",
                "siem=https://siem.example.net/in|lockout.engaged,no.such_alert"
            ),
            ("WEBHOOK_SECRETS", SECRET),
        ])
        .unwrap_err(),
        ConfigError::Malformed("WEBHOOK_ENDPOINTS")
    );
    let endpoint = ("WEBHOOK_ENDPOINTS", "siem=https://siem.example.net/in");
    for secrets in [
        "siem=whsec_c2hvcnQ=",
        "siem=MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "siem=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "other=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    ] {
        assert_eq!(
            parse(&[endpoint, ("WEBHOOK_SECRETS", secrets)]).unwrap_err(),
            ConfigError::Malformed("WEBHOOK_SECRETS"),
            "{secrets}"
        );
    }
}

#[test]
fn plain_http_endpoints_are_allowed_in_development_only() {
    let vars = MapVars(BTreeMap::from([
        ("ENVIRONMENT", "development"),
        ("PUBLIC_ORIGIN", "http://127.0.0.1:8787"),
        ("WEBHOOK_ENDPOINTS", "local=http://127.0.0.1:9000/hook"),
        (
            "WEBHOOK_SECRETS",
            "local=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ),
        ("SENTRY_DSN", "http://abc123@127.0.0.1:9001/42"),
    ]));
    let monitoring = Config::from_vars(&vars).unwrap().monitoring;
    assert_eq!(monitoring.webhooks.len(), 1);
    let dsn = monitoring.sentry.unwrap();
    assert_eq!(dsn.envelope_url, "http://127.0.0.1:9001/api/42/envelope/");
    assert_eq!(dsn.public_key, "abc123");
}

#[test]
fn a_sentry_dsn_gives_its_envelope_endpoint_and_key() {
    let dsn = parse(&[(
        "SENTRY_DSN",
        "https://0123abcd@o42.ingest.example.io/prefix/7",
    )])
    .unwrap()
    .sentry
    .unwrap();
    assert_eq!(
        dsn.envelope_url,
        "https://o42.ingest.example.io/prefix/api/7/envelope/"
    );
    assert_eq!(dsn.public_key, "0123abcd");
    for bad in [
        "https://o42.ingest.example.io/7",
        "https://key@o42.ingest.example.io/",
        "https://key@o42.ingest.example.io/project",
        "http://key@o42.ingest.example.io/7",
    ] {
        assert!(parse(&[("SENTRY_DSN", bad)]).is_err(), "{bad}");
    }
}

#[test]
fn retry_backoff_doubles_from_the_base_up_to_the_cap() {
    let retry = WebhookRetry {
        max_attempts: 8,
        base_secs: 30,
        max_secs: 600,
    };
    let delays: Vec<u32> = (1..=7).map(|failed| retry.delay_secs(failed)).collect();
    assert_eq!(delays, [30, 60, 120, 240, 480, 600, 600]);
    assert_eq!(retry.delay_secs(u32::MAX), 600);
}

#[test]
fn thresholds_and_intervals_stay_in_their_ranges() {
    for (name, value) in [
        ("ALERT_MFA_FAILURES", "0"),
        ("ALERT_MFA_FAILURES", "4"),
        ("WEBHOOK_MAX_ATTEMPTS", "0"),
        ("WEBHOOK_MAX_ATTEMPTS", "51"),
        ("WEBHOOK_RETRY_BASE_SECS", "0"),
        ("WEBHOOK_RETRY_MAX_SECS", "43201"),
        ("METRICS_FLUSH_SECS", "0"),
        ("ALERT_ERROR_BURST", "10"),
    ] {
        assert!(parse(&[(name, value)]).is_err(), "{name}={value}");
    }
    let monitoring = parse(&[("ALERT_ERROR_BURST", "3/10"), ("ALERT_MFA_FAILURES", "2")]).unwrap();
    assert_eq!(monitoring.error_burst.limit, 3);
    assert_eq!(monitoring.error_burst.window_secs, 10);
    assert_eq!(monitoring.mfa_failures, 2);
}

#[test]
fn every_alert_name_parses_back() {
    for kind in AlertKind::ALL {
        assert_eq!(AlertKind::parse(kind.as_str()), Some(*kind));
    }
}
