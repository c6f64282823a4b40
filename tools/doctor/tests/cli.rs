//! The doctor as a user runs it: fixture configurations in, findings and exit code out.
#![allow(clippy::std_instead_of_core, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

// Test vectors published in the core's own tests (never deployed anywhere).
const SIGNING_KEYS: &str = "prod-sign-1:OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c";
const DATA_KEYS: &str = "prod-data-1:ZVVV4f0TrU4rsRpAWk4cLk3RkBOso06T_LSpHOxSIUU";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn doctor(dir: &str, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_edgeauth-doctor"))
        .env_clear()
        .envs(env.iter().copied())
        .arg("--root")
        .arg(fixtures().join(dir))
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8(stdout).unwrap() + &String::from_utf8(stderr).unwrap();
    (status.code().unwrap(), text)
}

fn lines_with<'a>(output: &'a str, prefix: &str) -> Vec<&'a str> {
    output
        .lines()
        .filter(|line| line.starts_with(prefix))
        .collect()
}

/// Findings of the CPU checks (`free-plan-cpu`, `cpu-limit-exceeded`, `cpu-limit-range`).
fn cpu_findings(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter(|line| line.starts_with("warning[") || line.starts_with("error["))
        .filter(|line| line.split(']').next().is_some_and(|id| id.contains("cpu")))
        .collect()
}

#[test]
fn bad_workers_config_exits_non_zero_listing_each_problem() {
    let (code, output) = doctor("bad", &["--env", "production", "--no-spin"], &[]);
    assert_eq!(code, 1, "{output}");
    for expected in [
        "error[secret-in-config] wrangler.toml [env.production] JWT_SIGNING_KEYS",
        "error[development-key] wrangler.toml [env.production] JWT_SIGNING_KEYS",
        "error[missing-secret] wrangler.toml [env.production] DATA_ENCRYPTION_KEYS",
        "error[wildcard-origin] wrangler.toml [env.production] ALLOWED_ORIGINS",
        "error[insecure-origin] wrangler.toml [env.production] PUBLIC_ORIGIN",
        "error[console-mail] wrangler.toml [env.production] MAIL_TRANSPORT",
        "error[weak-argon2] wrangler.toml [env.production] PASSWORD_HASH_MEMORY_KIB",
        "error[unverified-bootstrap-admin] wrangler.toml [env.production] BOOTSTRAP_ADMIN_EMAILS",
        "error[kill-switch-in-future] wrangler.toml [env.production] SESSIONS_REVOKED_BEFORE",
        "warning[workers-dev] wrangler.toml [env.production]",
        "warning[not-inherited] wrangler.toml [env.production] MAIL_FROM",
        "warning[spoofable-client-ip] wrangler.toml [env.production] CLIENT_IP_HEADER",
        "warning[return-to-anywhere] wrangler.toml [env.production] RETURN_TO_PATHS",
        "warning[brand-low-contrast] wrangler.toml [env.production] BRAND_COLOR",
    ] {
        assert!(
            output.lines().any(|line| line.starts_with(expected)),
            "missing `{expected}` in:\n{output}"
        );
    }
    assert!(output.contains("error(s)"));
}

#[test]
fn bad_spin_manifest_is_flagged_too() {
    let (code, output) = doctor("bad", &["--env", "production", "--spin", "spin.toml"], &[]);
    assert_eq!(code, 1, "{output}");
    for expected in [
        "error[secret-in-config] spin.toml [variables] JWT_SIGNING_KEYS",
        // The published development material under a production-looking id.
        "error[development-key] spin.toml [variables] JWT_SIGNING_KEYS",
        "error[secret-not-marked] spin.toml [variables] MAIL_HTTP_TOKEN",
        "error[null-origin] spin.toml [variables] ALLOWED_ORIGINS",
        "error[insecure-mail-url] spin.toml [variables] MAIL_HTTP_URL",
        "error[missing-secret] spin.toml [variables] DATA_ENCRYPTION_KEYS",
        "error[missing-secret] spin.toml [variables] MAIL_HTTP_TOKEN",
        "warning[short-passwords] spin.toml [variables] PASSWORD_MIN_LENGTH",
        "error[spoofable-client-ip] spin.toml [variables] CLIENT_IP_HEADER",
    ] {
        assert!(
            output.lines().any(|line| line.starts_with(expected)),
            "missing `{expected}` in:\n{output}"
        );
    }
}

#[test]
fn spin_client_address_must_be_the_peer_unless_a_proxy_overwrites_the_header() {
    let env = [
        ("SPIN_VARIABLE_JWT_SIGNING_KEYS", SIGNING_KEYS),
        ("SPIN_VARIABLE_DATA_ENCRYPTION_KEYS", DATA_KEYS),
        ("SPIN_VARIABLE_MAIL_HTTP_TOKEN", "mail-api-token"),
    ];
    let spin = ["--env", "production", "--spin", "spin.toml"];
    let spoofable = "error[spoofable-client-ip] spin.toml [variables] CLIENT_IP_HEADER";
    for header in ["CF-Connecting-IP", "X-Forwarded-For", "X-Real-IP"] {
        let with = [
            env.as_slice(),
            &[("SPIN_VARIABLE_CLIENT_IP_HEADER", header)],
        ]
        .concat();
        let (code, output) = doctor("good", &spin, &with);
        assert_eq!(code, 1, "{header}: {output}");
        assert_eq!(lines_with(&output, spoofable).len(), 1, "{output}");
        // Behind a proxy that overwrites the header, the operator says so.
        let trusted = [spin.as_slice(), &["--trusted-proxy-header", header]].concat();
        let (code, output) = doctor("good", &trusted, &with);
        assert_eq!(code, 0, "{header}: {output}");
    }
    // Unset means spin-client-addr, the peer address Spin sets itself.
    let (code, output) = doctor("good", &spin, &env);
    assert_eq!(code, 0, "{output}");
    let peer = [
        env.as_slice(),
        &[("SPIN_VARIABLE_CLIENT_IP_HEADER", "spin-client-addr")],
    ]
    .concat();
    assert_eq!(doctor("good", &spin, &peer).0, 0);
}

#[test]
fn committed_spin_manifest_reads_the_peer_address() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new(env!("CARGO_BIN_EXE_edgeauth-doctor"))
        .env_clear()
        .arg("--root")
        .arg(&root)
        .args([
            "--env",
            "production",
            "--spin",
            "spin.toml",
            "--assume-secrets-set",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("spin.toml [variables]"), "{text}");
    assert!(!text.contains("spoofable-client-ip"), "{text}");
}

#[test]
fn findings_never_print_secret_values() {
    let (_, output) = doctor("bad", &["--env", "production"], &[]);
    assert!(
        !output.contains("7rpAkmsWGjVxwmG0gHkb4PsVjAMLiezd_Ys3xF3wobQ"),
        "{output}"
    );
}

#[test]
fn good_config_with_secrets_from_the_environment_passes() {
    let env = [
        ("JWT_SIGNING_KEYS", SIGNING_KEYS),
        ("DATA_ENCRYPTION_KEYS", DATA_KEYS),
        ("MAIL_HTTP_TOKEN", "mail-api-token"),
    ];
    for environment in ["production", "staging"] {
        let (code, output) = doctor("good", &["--env", environment], &env);
        assert_eq!(code, 0, "{output}");
        assert!(lines_with(&output, "error").is_empty(), "{output}");
        assert!(output.contains("0 error(s), 0 warning(s)"), "{output}");
    }
}

#[test]
fn spin_secrets_are_read_from_spin_variable_environment() {
    let env = [
        ("SPIN_VARIABLE_JWT_SIGNING_KEYS", SIGNING_KEYS),
        ("SPIN_VARIABLE_DATA_ENCRYPTION_KEYS", DATA_KEYS),
        ("SPIN_VARIABLE_MAIL_HTTP_TOKEN", "mail-api-token"),
    ];
    let (code, output) = doctor(
        "good",
        &["--env", "production", "--spin", "spin.toml"],
        &env,
    );
    assert_eq!(code, 0, "{output}");
}

#[test]
fn missing_secrets_fail_unless_assumed_set() {
    let (code, output) = doctor("good", &["--env", "production"], &[]);
    assert_eq!(code, 1, "{output}");
    assert_eq!(
        lines_with(&output, "error[missing-secret] wrangler.toml").len(),
        3,
        "{output}"
    );
    assert!(output.contains("npx wrangler secret put JWT_SIGNING_KEYS --env production"));

    let (code, output) = doctor(
        "good",
        &["--env", "production", "--assume-secrets-set"],
        &[],
    );
    assert_eq!(code, 0, "{output}");
}

#[test]
fn the_environment_overrides_file_values() {
    let env = [
        ("JWT_SIGNING_KEYS", SIGNING_KEYS),
        ("DATA_ENCRYPTION_KEYS", DATA_KEYS),
        ("MAIL_HTTP_TOKEN", "t"),
        ("ALLOWED_ORIGINS", "*"),
    ];
    let (code, output) = doctor("good", &["--env", "production", "--no-spin"], &env);
    assert_eq!(code, 1, "{output}");
    assert_eq!(
        lines_with(&output, "error[wildcard-origin]").len(),
        1,
        "{output}"
    );
    // And --ignore-process-env puts the file back in charge.
    let (code, _) = doctor(
        "good",
        &[
            "--env",
            "production",
            "--no-spin",
            "--ignore-process-env",
            "--assume-secrets-set",
        ],
        &env,
    );
    assert_eq!(code, 0);
}

#[test]
fn the_core_parser_has_the_last_word() {
    // Nothing in the doctor's own rules covers a malformed rate limit: the core does.
    let env = [("RATE_LIMIT_LOGIN_PER_IP", "twenty")];
    let (code, output) = doctor(
        "good",
        &["--env", "production", "--no-spin", "--assume-secrets-set"],
        &env,
    );
    assert_eq!(code, 1, "{output}");
    assert!(
        output.lines().any(|line| line.starts_with(
            "error[refused-by-core] wrangler.toml [env.production] RATE_LIMIT_LOGIN_PER_IP"
        )),
        "{output}"
    );
}

#[test]
fn session_check_strict_is_named_with_its_cost_and_an_unknown_mode_refused() {
    let base = [
        ("JWT_SIGNING_KEYS", SIGNING_KEYS),
        ("DATA_ENCRYPTION_KEYS", DATA_KEYS),
        ("MAIL_HTTP_TOKEN", "t"),
    ];
    let run = |mode: &str| {
        let env: Vec<(&str, &str)> = base
            .iter()
            .copied()
            .chain([("SESSION_CHECK", mode)])
            .collect();
        doctor("good", &["--env", "production", "--no-spin"], &env)
    };
    let (code, output) = run("strict");
    assert_eq!(code, 0, "{output}");
    assert_eq!(
        lines_with(
            &output,
            "warning[session-check-strict] wrangler.toml [env.production]"
        )
        .len(),
        1,
        "{output}"
    );
    let (code, output) = run("cached");
    assert_eq!(code, 0, "{output}");
    assert!(!output.contains("session-check"), "{output}");
    let (code, output) = run("sometimes");
    assert_eq!(code, 1, "{output}");
    assert!(
        output.lines().any(|line| line.starts_with(
            "error[session-check-unknown] wrangler.toml [env.production] SESSION_CHECK"
        )),
        "{output}"
    );
    assert!(
        !output.contains("refused-by-core"),
        "one finding for one problem: {output}"
    );
}

#[test]
fn environment_sections_must_exist_and_match() {
    let (code, output) = doctor("bad", &["--env", "staging", "--no-spin"], &[]);
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("error[missing-environment] wrangler.toml [env.staging]"));

    let env = [("ENVIRONMENT", "staging")];
    let (code, output) = doctor(
        "good",
        &["--env", "production", "--no-spin", "--assume-secrets-set"],
        &env,
    );
    assert_eq!(code, 1);
    assert!(output.contains("error[environment-mismatch]"), "{output}");
}

#[test]
fn development_config_with_marked_keys_passes_in_development() {
    let (code, output) = doctor("good", &["--env", "development", "--no-spin"], &[]);
    assert_eq!(code, 0, "{output}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(doctor("good", &["--env", "prod"], &[]).0, 2);
    assert_eq!(doctor("good", &["--frobnicate"], &[]).0, 2);
    assert_eq!(doctor("empty-dir-that-does-not-exist", &[], &[]).0, 2);
}

#[test]
fn committed_workers_config_passes_for_production_with_secrets_in_the_store() {
    // The repository's own wrangler files, as CI checks them before deploying.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new(env!("CARGO_BIN_EXE_edgeauth-doctor"))
        .env_clear()
        .arg("--root")
        .arg(&root)
        .args(["--env", "production", "--no-spin", "--assume-secrets-set"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("wrangler.toml [env.production]"), "{text}");
    // Every function sets [limits] cpu_ms above what its routes cost (README, "CPU time
    // per request"), so no CPU finding.
    assert!(cpu_findings(&text).is_empty(), "{text}");
}

#[test]
fn a_password_function_without_cpu_ms_is_flagged_as_needing_the_paid_plan() {
    let (code, output) = doctor(
        "cpu",
        &[
            "--env",
            "production",
            "--wrangler",
            "login-no-limit.toml",
            "--assume-secrets-set",
        ],
        &[],
    );
    assert_eq!(code, 0, "a warning, not an error: {output}");
    let found = lines_with(
        &output,
        "warning[free-plan-cpu] login-no-limit.toml [env.production] PASSWORD_HASH_MEMORY_KIB",
    );
    assert_eq!(found.len(), 1, "{output}");
    assert!(found[0].contains("Paid plan"), "{output}");
}

#[test]
fn argon2_settings_raised_past_the_cpu_limit_are_flagged() {
    let run = |environment: &str| {
        doctor(
            "cpu",
            &[
                "--env",
                environment,
                "--wrangler",
                "login-tight-limit.toml",
                "--assume-secrets-set",
            ],
            &[],
        )
    };
    // Staging: the default settings, within the inherited cpu_ms = 250.
    let (code, output) = run("staging");
    assert_eq!(code, 0, "{output}");
    assert!(cpu_findings(&output).is_empty(), "{output}");
    // Production: m=65536 t=4, about four times the work.
    let (code, output) = run("production");
    assert_eq!(code, 0, "{output}");
    let found = lines_with(
        &output,
        "warning[cpu-limit-exceeded] login-tight-limit.toml [env.production]",
    );
    assert_eq!(found.len(), 1, "{output}");
    assert!(found[0].contains("cpu_ms = 250"), "{output}");
}

#[test]
fn reusing_key_material_across_purposes_is_a_warning() {
    let same = "prod-1:OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c";
    let env = [
        ("JWT_SIGNING_KEYS", same),
        ("DATA_ENCRYPTION_KEYS", same),
        ("MAIL_HTTP_TOKEN", "t"),
    ];
    let (code, output) = doctor("good", &["--env", "production", "--no-spin"], &env);
    assert_eq!(code, 0, "{output}");
    assert!(
        output.contains("warning[key-reuse] wrangler.toml [env.production]"),
        "{output}"
    );
}

#[test]
fn webhook_and_error_tracking_urls_must_be_https_and_not_the_service_itself() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let base = [
        ("JWT_SIGNING_KEYS", SIGNING_KEYS),
        ("DATA_ENCRYPTION_KEYS", DATA_KEYS),
        ("MAIL_HTTP_TOKEN", "mail-api-token"),
    ];
    let run = |extra: &[(&str, &str)]| {
        let env: Vec<(&str, &str)> = base.iter().chain(extra).copied().collect();
        doctor("good", &["--env", "production", "--no-spin"], &env)
    };
    let good_secrets = format!("siem={secret};self={secret}");
    let (code, output) = run(&[
        (
            "WEBHOOK_ENDPOINTS",
            "siem=http://siem.example.net/hook;self=https://auth.example.com/api/hook",
        ),
        ("WEBHOOK_SECRETS", &good_secrets),
        ("SENTRY_DSN", "https://key@AUTH.example.com/1"),
    ]);
    assert_eq!(code, 1, "{output}");
    for expected in [
        "error[insecure-monitoring-url] wrangler.toml [env.production] WEBHOOK_ENDPOINTS: endpoint `siem`",
        "error[monitoring-to-self] wrangler.toml [env.production] WEBHOOK_ENDPOINTS: endpoint `self`",
        "error[monitoring-to-self] wrangler.toml [env.production] SENTRY_DSN",
    ] {
        assert!(output.contains(expected), "{expected} in\n{output}");
    }

    let (code, output) = run(&[
        ("WEBHOOK_ENDPOINTS", "siem=https://siem.example.net/hook"),
        (
            "WEBHOOK_SECRETS",
            "siem=whsec_c2hvcnQ= MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ),
    ]);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("secret 1 of endpoint `siem` is not 24 to 64 bytes"),
        "{output}"
    );
    assert!(
        output.contains("secret 2 of endpoint `siem` does not start with `whsec_`"),
        "{output}"
    );
    assert!(
        !output.contains("c2hvcnQ") && !output.contains("MfKQ9r8"),
        "no secret printed"
    );

    let (code, output) = run(&[
        ("WEBHOOK_ENDPOINTS", "siem=https://siem.example.net/hook"),
        ("WEBHOOK_SECRETS", &format!("siem={secret}")),
        ("SENTRY_DSN", "https://key@o1.ingest.example.io/42"),
    ]);
    assert_eq!(code, 0, "{output}");
}

#[test]
fn webhook_secrets_are_required_with_endpoints_unless_assumed_set() {
    let env = [
        ("JWT_SIGNING_KEYS", SIGNING_KEYS),
        ("DATA_ENCRYPTION_KEYS", DATA_KEYS),
        ("MAIL_HTTP_TOKEN", "mail-api-token"),
        ("WEBHOOK_ENDPOINTS", "siem=https://siem.example.net/hook"),
    ];
    let (code, output) = doctor("good", &["--env", "production", "--no-spin"], &env);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("error[missing-secret] wrangler.toml [env.production] WEBHOOK_SECRETS"),
        "{output}"
    );
    let (code, output) = doctor(
        "good",
        &["--env", "production", "--no-spin", "--assume-secrets-set"],
        &env,
    );
    assert_eq!(code, 0, "{output}");
}

const SPIN_SECRETS: [(&str, &str); 3] = [
    ("SPIN_VARIABLE_JWT_SIGNING_KEYS", SIGNING_KEYS),
    ("SPIN_VARIABLE_DATA_ENCRYPTION_KEYS", DATA_KEYS),
    ("SPIN_VARIABLE_MAIL_HTTP_TOKEN", "mail-api-token"),
];

#[test]
fn spin_mail_origin_must_admit_the_mail_url() {
    let spin = ["--env", "production", "--spin", "spin.toml"];
    let finding = "error[mail-origin] spin.toml [variables] MAIL_ORIGIN";
    for (origin, admitted) in [
        ("https://mail.example.com", true),
        ("https://*:443", true),
        ("https://*.example.com", true),
        ("http://127.0.0.1:9000", false),
        ("https://mail.example.com:8443", false),
        ("https://other.example", false),
    ] {
        let env = [
            SPIN_SECRETS.as_slice(),
            &[("SPIN_VARIABLE_MAIL_ORIGIN", origin)],
        ]
        .concat();
        let (code, output) = doctor("good", &spin, &env);
        assert_eq!(
            lines_with(&output, finding).is_empty(),
            admitted,
            "{origin}: {output}"
        );
        assert_eq!(code, if admitted { 0 } else { 1 }, "{origin}: {output}");
    }
}

#[test]
fn spin_in_production_without_a_trusted_proxy_scheme_header_is_warned_about() {
    let spin = ["--env", "production", "--spin", "spin.toml"];
    let warning =
        "warning[spin-scheme-behind-proxy] spin.toml [variables] TRUSTED_PROXY_PROTO_HEADER";
    // The good fixture sets it.
    let (code, output) = doctor("good", &spin, &SPIN_SECRETS);
    assert_eq!(code, 0, "{output}");
    assert!(lines_with(&output, warning).is_empty(), "{output}");
    // The committed manifest leaves it unset (off by default): a warning, not an error.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new(env!("CARGO_BIN_EXE_edgeauth-doctor"))
        .env_clear()
        .envs([
            ("SPIN_VARIABLE_PUBLIC_ORIGIN", "https://auth.example.com"),
            ("SPIN_VARIABLE_MAIL_TRANSPORT", "http"),
            (
                "SPIN_VARIABLE_MAIL_HTTP_URL",
                "https://api.mail.example/send",
            ),
        ])
        .arg("--root")
        .arg(&root)
        .args([
            "--env",
            "production",
            "--spin",
            "spin.toml",
            "--assume-secrets-set",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(lines_with(&text, warning).len(), 1, "{text}");
}

#[test]
fn a_trusted_proxy_scheme_header_on_workers_is_warned_about() {
    let env = [
        ("JWT_SIGNING_KEYS", SIGNING_KEYS),
        ("DATA_ENCRYPTION_KEYS", DATA_KEYS),
        ("MAIL_HTTP_TOKEN", "mail-api-token"),
        ("TRUSTED_PROXY_PROTO_HEADER", "X-Forwarded-Proto"),
    ];
    let (code, output) = doctor("good", &["--env", "production", "--no-spin"], &env);
    assert_eq!(code, 0, "{output}");
    assert_eq!(
        lines_with(
            &output,
            "warning[spoofable-scheme] wrangler.toml [env.production] TRUSTED_PROXY_PROTO_HEADER"
        )
        .len(),
        1,
        "{output}"
    );
}

#[test]
fn the_committed_pages_worker_needs_no_secret() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new(env!("CARGO_BIN_EXE_edgeauth-doctor"))
        .env_clear()
        .arg("--root")
        .arg(&root)
        .args([
            "--env",
            "production",
            "--wrangler",
            "functions/pages/wrangler.toml",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(!text.contains("missing-secret"), "{text}");
    assert!(!text.contains("refused-by-core"), "{text}");
    // Every other function does need them.
    let output = Command::new(env!("CARGO_BIN_EXE_edgeauth-doctor"))
        .env_clear()
        .arg("--root")
        .arg(&root)
        .args([
            "--env",
            "production",
            "--wrangler",
            "functions/refresh/wrangler.toml",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("error[missing-secret]"), "{text}");
}

#[test]
fn webhook_endpoints_need_the_queue_producer_on_each_sender_and_its_consumer_on_refresh() {
    let endpoints = [("WEBHOOK_ENDPOINTS", "siem=https://siem.example.net/hook")];
    let args = ["--env", "production", "--no-spin", "--assume-secrets-set"];
    let (code, output) = doctor("queues", &args, &endpoints);
    assert_eq!(code, 1, "{output}");
    let queue_findings: Vec<&str> = output
        .lines()
        .filter(|line| line.starts_with("error[webhook-"))
        .collect();
    assert_eq!(
        queue_findings.len(),
        3,
        "api, login and refresh; pages sends nothing:\n{output}"
    );
    for expected in [
        "error[webhook-queue-missing] wrangler.toml [env.production] WEBHOOK_ENDPOINTS",
        "error[webhook-consumer-missing] functions/refresh/wrangler.toml [env.production] WEBHOOK_ENDPOINTS: refresh delivers the security webhooks but does not consume its Queue `edgeauth-webhooks-production`",
        "error[webhook-queue-unconsumed] functions/login/wrangler.toml [env.production] WEBHOOK_ENDPOINTS: the `WEBHOOKS` binding sends to Queue `edgeauth-webhooks-elsewhere`",
    ] {
        assert!(
            output.lines().any(|line| line.starts_with(expected)),
            "missing `{expected}` in:\n{output}"
        );
    }
    assert!(!output.contains("error[webhook-queue-missing] functions/pages"));
    // Staging has every binding; and without endpoints nothing is required.
    let staging = ["--env", "staging", "--no-spin", "--assume-secrets-set"];
    let (code, output) = doctor("queues", &staging, &endpoints);
    assert!(!output.contains("[webhook-"), "{output}");
    assert_eq!(code, 0, "{output}");
    let (_, output) = doctor("queues", &args, &[]);
    assert!(!output.contains("[webhook-"), "{output}");
}

#[test]
fn committed_workers_configs_deliver_webhooks_through_the_queue_when_endpoints_are_set() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    for environment in ["staging", "production"] {
        let output = Command::new(env!("CARGO_BIN_EXE_edgeauth-doctor"))
            .env_clear()
            .env("WEBHOOK_ENDPOINTS", "siem=https://siem.example.net/hook")
            .arg("--root")
            .arg(&root)
            .args(["--env", environment, "--no-spin", "--assume-secrets-set"])
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        assert_eq!(output.status.code(), Some(0), "{text}");
        assert!(!text.contains("[webhook-"), "{text}");
    }
}

#[test]
fn spin_components_must_be_allowed_to_reach_the_webhook_endpoints_and_the_dsn() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let run = |environment: &str, env: &[(&str, &str)]| {
        let output = Command::new(env!("CARGO_BIN_EXE_edgeauth-doctor"))
            .env_clear()
            .envs(env.iter().copied())
            .arg("--root")
            .arg(&root)
            .args([
                "--env",
                environment,
                "--spin",
                "spin.toml",
                "--assume-secrets-set",
            ])
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let denied = |text: &str, variable: &str| {
        text.lines()
            .filter(|line| {
                line.contains("[outbound-host-denied] spin.toml [variables]")
                    && line.contains(&format!(" {variable}: "))
            })
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let endpoint = (
        "SPIN_VARIABLE_WEBHOOK_ENDPOINTS",
        "siem=https://siem.example.net/hook",
    );
    let dsn = (
        "SPIN_VARIABLE_SENTRY_DSN",
        "https://key@o1.ingest.example.io/42",
    );
    // The committed defaults (any https host on 443) admit both.
    let text = run("production", &[endpoint, dsn]);
    assert!(!text.contains("outbound-host-denied"), "{text}");
    // Narrowed to other hosts (the mail origin too: its default admits any https host):
    // every sending component is named, the pages never.
    let mail = ("SPIN_VARIABLE_MAIL_ORIGIN", "https://mail.example.net");
    let text = run(
        "production",
        &[
            endpoint,
            dsn,
            mail,
            ("SPIN_VARIABLE_WEBHOOK_ORIGIN", "https://pager.example.net"),
            ("SPIN_VARIABLE_SENTRY_ORIGIN", "https://sentry.example.net"),
        ],
    );
    let webhook = denied(&text, "webhook_origin");
    assert_eq!(webhook.len(), 1, "{text}");
    assert!(
        webhook[0].starts_with("error[outbound-host-denied]"),
        "{text}"
    );
    assert!(
        webhook[0].contains("endpoint `siem` of WEBHOOK_ENDPOINTS is not admitted by the allowed_outbound_hosts of api, login, oauth, refresh, reset"),
        "{text}"
    );
    assert!(!webhook[0].contains("siem.example.net"), "no URL printed");
    assert_eq!(denied(&text, "sentry_origin").len(), 1, "{text}");
    assert!(!text.contains("ingest.example.io"), "no DSN printed");
    // A receiver on a matching origin passes; a plain-http one on the default does not
    // (in development a warning).
    let text = run(
        "production",
        &[
            endpoint,
            mail,
            ("SPIN_VARIABLE_WEBHOOK_ORIGIN", "https://siem.example.net"),
        ],
    );
    assert!(denied(&text, "webhook_origin").is_empty(), "{text}");
    let local = (
        "SPIN_VARIABLE_WEBHOOK_ENDPOINTS",
        "dev=http://127.0.0.1:9000/hook",
    );
    let text = run("development", &[local]);
    let webhook = denied(&text, "webhook_origin");
    assert_eq!(webhook.len(), 1, "{text}");
    assert!(
        webhook[0].starts_with("warning[outbound-host-denied]"),
        "{text}"
    );
    let text = run(
        "development",
        &[
            local,
            ("SPIN_VARIABLE_WEBHOOK_ORIGIN", "http://127.0.0.1:9000"),
        ],
    );
    assert!(denied(&text, "webhook_origin").is_empty(), "{text}");
}

#[test]
fn sign_in_providers_are_checked_variable_by_variable() {
    let env = [
        ("JWT_SIGNING_KEYS", SIGNING_KEYS),
        ("DATA_ENCRYPTION_KEYS", DATA_KEYS),
        ("MAIL_HTTP_TOKEN", "token"),
    ];
    let (code, output) = doctor("oauth", &["--env", "production", "--no-spin"], &env);
    assert_eq!(code, 1, "{output}");
    for expected in [
        "error[insecure-provider-url] wrangler.toml [env.production] OAUTH_ACME_ISSUER",
        "error[missing-secret] wrangler.toml [env.production] OAUTH_ACME_CLIENT_SECRET",
        "error[insecure-provider-url] wrangler.toml [env.production] OAUTH_OKTA_ISSUER",
        "error[secret-in-config] wrangler.toml [env.production] OAUTH_OKTA_CLIENT_SECRET",
        "error[missing-secret] wrangler.toml [env.production] OAUTH_GITHUB_CLIENT_SECRET",
        "error[missing-variable] wrangler.toml [env.production] OAUTH_APPLE_TEAM_ID",
        "error[missing-variable] wrangler.toml [env.production] OAUTH_APPLE_KEY_ID",
        "error[missing-secret] wrangler.toml [env.production] OAUTH_APPLE_PRIVATE_KEY",
    ] {
        assert!(
            output.lines().any(|line| line.starts_with(expected)),
            "missing `{expected}` in:\n{output}"
        );
    }
    // Secrets assumed in the store: only the URL and placement problems remain.
    let (_, output) = doctor(
        "oauth",
        &["--env", "production", "--no-spin", "--assume-secrets-set"],
        &env,
    );
    assert!(!output.contains("missing-secret"), "{output}");
    assert!(output.contains("error[insecure-provider-url]"), "{output}");
}
