//! The checks: the core's parser first-hand, then the stricter rules it cannot apply.

use edgeauth_core::config::keys::{
    DEVELOPMENT_DATA_ENCRYPTION_KEYS, DEVELOPMENT_JWT_SIGNING_KEYS, DEVELOPMENT_KEY_PREFIX,
};
use edgeauth_core::config::{Needs, PasswordHashParams, Rgb};
use edgeauth_core::{Config, Vars};

use crate::cpu::{self, Budget, CostModel};
use crate::finding::{Finding, Severity};
use crate::outbound;
use crate::sources::{Origin, Platform, Resolved, Value};
use crate::Options;

/// A placeholder for a secret assumed to be in the secret store: a well-formed
/// keyring entry whose id is not a development id (32 zero bytes, never deployed).
const ASSUMED_KEYRING: &str = "assumed-by-doctor:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// 32 zero bytes in base64: the secret assumed for each webhook endpoint.
const ASSUMED_WEBHOOK_SECRET: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

struct ResolvedVars<'a>(&'a Resolved);

/// The random source of the core's verdict on a configuration without secrets
/// ([`Needs::NoSecrets`]): the keys it makes are thrown away with the verdict, so
/// any bytes do.
struct Discarded;

impl edgeauth_core::env::Random for Discarded {
    fn fill(&self, buf: &mut [u8]) -> Result<(), edgeauth_core::env::RandomError> {
        buf.fill(0x5a);
        Ok(())
    }
}

/// What the deployed function needs of the configuration: a Workers config that
/// deploys the `pages` function reads no secret and no mail setting (the core's
/// `Needs::NoSecrets`); a Spin manifest configures every component at once.
fn needs(resolved: &Resolved) -> Needs {
    let pages = resolved.platform == Platform::Workers
        && resolved
            .main
            .as_deref()
            .is_some_and(|main| main.contains("build/workers/pages/"));
    if pages {
        Needs::NoSecrets
    } else {
        Needs::Everything
    }
}

impl Vars for ResolvedVars<'_> {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).map(String::from)
    }
}

/// Checks one resolved target; returns every finding (loading findings included).
pub fn check(mut resolved: Resolved, options: &Options) -> Vec<Finding> {
    let environment = options.environment.as_str();
    let development = environment == "development";
    let mut findings = std::mem::take(&mut resolved.findings);
    let mut push = |finding: Finding| findings.push(finding);

    // ENVIRONMENT: Spin has no environment sections, so the variable decides; on
    // Workers the section must say what it is.
    match resolved.get("ENVIRONMENT") {
        None if resolved.platform == Platform::Spin => {
            resolved.vars.insert(
                "ENVIRONMENT".into(),
                Value {
                    text: environment.into(),
                    origin: Origin::Assumed,
                },
            );
        }
        Some(value) if value != environment => push(resolved.finding(
            Severity::Error,
            "environment-mismatch",
            Some("ENVIRONMENT"),
            format!("does not say `{environment}`, the environment being checked"),
        )),
        _ => {}
    }

    let needs = needs(&resolved);
    if needs == Needs::Everything {
        missing_secrets(&mut resolved, options, &mut push);
    }
    if !development {
        development_keys(&resolved, &mut push);
    }
    origins(&resolved, development, &mut push);
    if needs == Needs::Everything {
        mail(&resolved, development, &mut push);
        mail_origin(&resolved, development, &mut push);
        monitoring(&resolved, development, &mut push);
    }
    // Names the components itself (pages sends nothing and is never named).
    crate::delivery::check(&resolved, development, &mut push);
    proxy_scheme(&resolved, development, &mut push);
    password_hashing(&resolved, &mut push);
    if !development {
        cpu_budget(&resolved, &mut push);
    }
    accounts(&resolved, development, &mut push);
    kill_switch(&resolved, options.now_secs, &mut push);
    session_check(&resolved, &mut push);
    pages(&resolved, &mut push);
    oauth_providers(&mut resolved, development, options, &mut push);
    client_ip(&resolved, development, options, &mut push);

    // Last, the core's own verdict, unless a finding above already names its variable.
    if let Err(error) = Config::for_needs(&ResolvedVars(&resolved), needs, &Discarded) {
        let variable = error.variable();
        let already = findings.iter().any(|finding| {
            finding.severity == Severity::Error && finding.variable.as_deref() == Some(variable)
        });
        if !already {
            findings.push(resolved.finding(
                Severity::Error,
                "refused-by-core",
                Some(variable),
                format!(
                    "the core refuses this configuration ({error}); every request would be \
                     answered 503 unavailable"
                ),
            ));
        }
    }
    findings
}

/// The header per-address rate limits trust. Workers: only `CF-Connecting-IP` is set
/// by the edge. Spin passes every request header through from the client, except
/// `spin-client-addr`, which it sets from the socket (the adapter's default): any
/// other header is an error unless a proxy that overwrites it fronts every request
/// (`--trusted-proxy-header`).
fn client_ip(
    resolved: &Resolved,
    development: bool,
    options: &Options,
    push: &mut impl FnMut(Finding),
) {
    let header = resolved.get("CLIENT_IP_HEADER");
    match resolved.platform {
        Platform::Workers => {
            if let Some(header) = header.filter(|_| !development) {
                if !header.eq_ignore_ascii_case("CF-Connecting-IP") {
                    push(resolved.finding(
                        Severity::Warning,
                        "spoofable-client-ip",
                        Some("CLIENT_IP_HEADER"),
                        "on Workers only CF-Connecting-IP is set by the edge; any other header \
                         can be sent by clients to dodge per-IP rate limits"
                            .into(),
                    ));
                }
            }
        }
        Platform::Spin => {
            let header = header.unwrap_or("spin-client-addr");
            let trusted = options
                .trusted_proxy_header
                .as_deref()
                .is_some_and(|trusted| trusted.eq_ignore_ascii_case(header));
            if !header.eq_ignore_ascii_case("spin-client-addr") && !trusted {
                push(
                    resolved.finding(
                        if development {
                            Severity::Warning
                        } else {
                            Severity::Error
                        },
                        "spoofable-client-ip",
                        Some("CLIENT_IP_HEADER"),
                        "Spin passes this header through from the client, who can send any \
                     address and escape every per-address limit; leave it unset (Spin's \
                     peer address, spin-client-addr) or, behind a proxy that overwrites it on \
                     every request, name it with --trusted-proxy-header"
                            .into(),
                    ),
                );
            }
        }
    }
}

fn missing_secrets(resolved: &mut Resolved, options: &Options, push: &mut impl FnMut(Finding)) {
    if options.environment == "development" {
        return; // the core falls back to the marked development keys
    }
    let mut required = vec!["JWT_SIGNING_KEYS", "DATA_ENCRYPTION_KEYS"];
    if resolved.get("MAIL_TRANSPORT") == Some("http") {
        required.push("MAIL_HTTP_TOKEN");
    }
    if resolved.get("WEBHOOK_ENDPOINTS").is_some() {
        required.push("WEBHOOK_SECRETS");
    }
    for name in required {
        if resolved.get(name).is_some() {
            continue;
        }
        if options.assume_secrets_set {
            let assumed_webhook_secrets;
            let text = match name {
                "MAIL_HTTP_TOKEN" => "assumed-by-doctor",
                // One well-formed secret per endpoint (32 zero bytes, never deployed).
                "WEBHOOK_SECRETS" => {
                    assumed_webhook_secrets = webhook_endpoint_names(resolved)
                        .iter()
                        .map(|name| format!("{name}=whsec_{ASSUMED_WEBHOOK_SECRET}"))
                        .collect::<Vec<_>>()
                        .join(";");
                    assumed_webhook_secrets.as_str()
                }
                _ => ASSUMED_KEYRING,
            };
            resolved.vars.insert(
                name.into(),
                Value {
                    text: text.into(),
                    origin: Origin::Assumed,
                },
            );
        } else {
            let hint = resolved.secret_hint.replace("NAME", name);
            push(resolved.finding(
                Severity::Error,
                "missing-secret",
                Some(name),
                format!(
                    "not set: {hint} (export it to check it here, or pass \
                     --assume-secrets-set when it is already in the secret store)"
                ),
            ));
        }
    }
}

/// Sign-in providers (docs/social-login.md): every listed provider's variables present
/// (its secrets in the secret store, or assumed there with `--assume-secrets-set`), a
/// generic issuer and GitHub's URL `https://` without wildcard (plain `http://` only to
/// a loopback host in development), and a redirect URI that is https.
fn oauth_providers(
    resolved: &mut Resolved,
    development: bool,
    options: &Options,
    push: &mut impl FnMut(Finding),
) {
    let Some(list) = resolved.get("OAUTH_PROVIDERS").map(String::from) else {
        return;
    };
    let origin = resolved.get("PUBLIC_ORIGIN").unwrap_or("").to_string();
    for name in list
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let upper = name.to_ascii_uppercase();
        let var = |suffix: &str| format!("OAUTH_{upper}_{suffix}");
        let mut required: Vec<(String, bool)> = vec![(var("CLIENT_ID"), false)];
        match name {
            "apple" => {
                required.push((var("TEAM_ID"), false));
                required.push((var("KEY_ID"), false));
                required.push((var("PRIVATE_KEY"), true));
            }
            "google" | "microsoft" | "github" => required.push((var("CLIENT_SECRET"), true)),
            _ => {
                required.push((var("CLIENT_SECRET"), true));
                required.push((var("ISSUER"), false));
            }
        }
        for (variable, secret) in required {
            if resolved.get(&variable).is_some() {
                continue;
            }
            if secret && (options.assume_secrets_set || development) {
                if options.assume_secrets_set {
                    let text = if variable.ends_with("PRIVATE_KEY") {
                        // A well-formed P-256 PKCS#8 key (scalar 0x0101…01) nobody deploys.
                        "MEECAQAwEwYHKoZIzj0CAQYIKoZIzj0DAQcEJzAlAgEBBCABAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=="
                    } else {
                        "assumed-by-doctor"
                    };
                    resolved.vars.insert(
                        variable.clone(),
                        Value {
                            text: text.into(),
                            origin: Origin::Assumed,
                        },
                    );
                }
                continue;
            }
            let detail = if secret {
                format!(
                    "not set for provider `{name}`: {}",
                    resolved.secret_hint.replace("NAME", &variable)
                )
            } else {
                format!("not set for provider `{name}` (OAUTH_PROVIDERS lists it)")
            };
            push(resolved.finding(
                Severity::Error,
                if secret {
                    "missing-secret"
                } else {
                    "missing-variable"
                },
                Some(&variable),
                detail,
            ));
        }
        for variable in [var("ISSUER"), var("URL")] {
            let Some(url) = resolved.get(&variable) else {
                continue;
            };
            let host = url
                .split("://")
                .nth(1)
                .unwrap_or("")
                .split(['/', ':'])
                .next()
                .unwrap_or("");
            let loopback = host == "localhost" || host.starts_with("127.") || host == "[::1]";
            let problem = if url.contains('*') {
                Some("contains a wildcard: a provider is one exact URL")
            } else if url.starts_with("https://")
                || (url.starts_with("http://") && development && loopback)
            {
                None
            } else {
                Some("is not https: codes, tokens and the client secret would travel in clear (plain http only to a loopback host in development)")
            };
            if let Some(problem) = problem {
                push(resolved.finding(
                    Severity::Error,
                    "insecure-provider-url",
                    Some(&variable),
                    problem.into(),
                ));
            }
        }
        if !development && !origin.starts_with("https://") {
            push(resolved.finding(
                Severity::Error,
                "insecure-redirect-uri",
                Some("PUBLIC_ORIGIN"),
                format!(
                    "the redirect URI {origin}/auth/oauth/{name}/callback is not https:                      providers send the authorization code there"
                ),
            ));
        }
    }
}

fn key_material(entry: &str) -> Option<(&str, &str)> {
    let (id, material) = entry.trim().split_once(':')?;
    Some((id.trim(), material.trim().trim_end_matches('=')))
}

fn development_keys(resolved: &Resolved, push: &mut impl FnMut(Finding)) {
    let published: Vec<&str> = [
        DEVELOPMENT_JWT_SIGNING_KEYS,
        DEVELOPMENT_DATA_ENCRYPTION_KEYS,
    ]
    .iter()
    .flat_map(|ring| ring.split(','))
    .filter_map(key_material)
    .map(|(_, material)| material)
    .collect();
    let mut materials = Vec::new();
    for name in ["JWT_SIGNING_KEYS", "DATA_ENCRYPTION_KEYS"] {
        // Placeholders for assumed secrets are not real keys: nothing to compare.
        let Some(ring) = resolved
            .vars
            .get(name)
            .filter(|value| value.origin != Origin::Assumed)
            .map(|value| value.text.as_str())
        else {
            continue;
        };
        for (id, material) in ring.split(',').filter_map(key_material) {
            if id.starts_with(DEVELOPMENT_KEY_PREFIX) {
                push(resolved.finding(
                    Severity::Error,
                    "development-key",
                    Some(name),
                    format!(
                        "holds a development key (id `{id}`); generate real keys for this \
                         environment"
                    ),
                ));
            } else if published.contains(&material) {
                push(resolved.finding(
                    Severity::Error,
                    "development-key",
                    Some(name),
                    format!(
                        "key `{id}` is the development key material published in the \
                         repository under another id; generate a new key"
                    ),
                ));
            }
            materials.push((name, material));
        }
    }
    let reused = materials.iter().any(|(name, material)| {
        materials
            .iter()
            .any(|(other, again)| other != name && again == material)
    });
    if reused {
        push(resolved.finding(
            Severity::Warning,
            "key-reuse",
            Some("DATA_ENCRYPTION_KEYS"),
            "shares key material with JWT_SIGNING_KEYS; use independent keys per purpose".into(),
        ));
    }
}

fn origins(resolved: &Resolved, development: bool, push: &mut impl FnMut(Finding)) {
    if let Some(list) = resolved.get("ALLOWED_ORIGINS") {
        let origins: Vec<&str> = list.split(',').map(str::trim).collect();
        if origins.iter().any(|origin| origin.contains('*')) {
            push(resolved.finding(
                Severity::Error,
                "wildcard-origin",
                Some("ALLOWED_ORIGINS"),
                "contains `*`: credentialed CORS needs exact origins; list each one".into(),
            ));
        }
        if origins.contains(&"null") {
            push(resolved.finding(
                Severity::Error,
                "null-origin",
                Some("ALLOWED_ORIGINS"),
                "contains `null` (sandboxed frames, file:// pages): never allow it".into(),
            ));
        }
        if !development && origins.iter().any(|origin| origin.starts_with("http://")) {
            push(resolved.finding(
                Severity::Warning,
                "insecure-origin",
                Some("ALLOWED_ORIGINS"),
                "lists a plain-http origin: anyone on its network path can act as it".into(),
            ));
        }
    }
    if let Some(origin) = resolved.get("PUBLIC_ORIGIN") {
        if !development && !origin.starts_with("https://") {
            push(resolved.finding(
                Severity::Error,
                "insecure-origin",
                Some("PUBLIC_ORIGIN"),
                "is not https: tokens, cookies and mail links need TLS outside development".into(),
            ));
        }
    }
}

fn mail(resolved: &Resolved, development: bool, push: &mut impl FnMut(Finding)) {
    let transport = resolved.get("MAIL_TRANSPORT");
    if !development && (transport == Some("console") || transport.is_none()) {
        push(
            resolved.finding(
                Severity::Error,
                "console-mail",
                Some("MAIL_TRANSPORT"),
                "is not `http` outside development: verification and reset mails (with their \
             tokens) would go to the log instead of the user"
                    .into(),
            ),
        );
    }
    if transport == Some("http") {
        match resolved.get("MAIL_HTTP_URL") {
            Some(url) if url.starts_with("https://") => {}
            Some(url) if development && url.starts_with("http://") => {}
            Some(_) => push(resolved.finding(
                Severity::Error,
                "insecure-mail-url",
                Some("MAIL_HTTP_URL"),
                "is not https: the mail API token and the mails would travel in clear".into(),
            )),
            None => push(resolved.finding(
                Severity::Error,
                "missing-variable",
                Some("MAIL_HTTP_URL"),
                "not set while MAIL_TRANSPORT=http".into(),
            )),
        }
    }
}

/// Spin only lets mail go to `allowed_outbound_hosts`, which the manifest fills from
/// the `mail_origin` variable: a `MAIL_HTTP_URL` it does not admit is refused on every
/// mail (verification and reset links never arrive). Checked with Spin's rules for an
/// outbound host (`scheme://host[:port]`; `*` for a scheme, a host, or a port; `*.`
/// suffixes; `a..b` port ranges; the scheme's port when omitted).
fn mail_origin(resolved: &Resolved, development: bool, push: &mut impl FnMut(Finding)) {
    if resolved.platform != Platform::Spin || resolved.get("MAIL_TRANSPORT") != Some("http") {
        return;
    }
    let (Some(allowed), Some(url)) = (resolved.get("MAIL_ORIGIN"), resolved.get("MAIL_HTTP_URL"))
    else {
        return;
    };
    if outbound::admits(&[allowed.to_string()], url) {
        return;
    }
    let verdict = "does not admit MAIL_HTTP_URL's origin (or is not an outbound host Spin \
                   accepts, scheme://host[:port]): Spin refuses every mail";
    push(resolved.finding(
        if development {
            Severity::Warning
        } else {
            Severity::Error
        },
        "mail-origin",
        Some("MAIL_ORIGIN"),
        format!(
            "{verdict}; set the Spin variable mail_origin to MAIL_HTTP_URL's \
             scheme://host[:port]"
        ),
    ));
}

/// The scheme behind a TLS-terminating proxy. Spin builds the request URL from its
/// own listener, so behind a load balancer or ingress it says `http` and every
/// request is redirected to https, in a loop, unless `TRUSTED_PROXY_PROTO_HEADER`
/// names the header the proxy sets (or Spin terminates TLS itself). On Workers the
/// scheme is Cloudflare's, and a header the client can send would let it skip the
/// redirect: the setting is not for Workers.
fn proxy_scheme(resolved: &Resolved, development: bool, push: &mut impl FnMut(Finding)) {
    let header = resolved.get("TRUSTED_PROXY_PROTO_HEADER");
    match resolved.platform {
        Platform::Spin => {
            let https = resolved
                .get("PUBLIC_ORIGIN")
                .is_some_and(|origin| origin.starts_with("https://"));
            if header.is_none() && https && !development {
                push(
                    resolved.finding(
                        Severity::Warning,
                        "spin-scheme-behind-proxy",
                        Some("TRUSTED_PROXY_PROTO_HEADER"),
                        "not set: Spin reports the scheme of its own listener, so behind a \
                     TLS-terminating proxy (load balancer, ingress, SpinKube) every request is \
                     redirected to https in a loop; set it to the header the proxy sets (e.g. \
                     X-Forwarded-Proto), or terminate TLS in Spin (spin up --tls-cert)"
                            .into(),
                    ),
                );
            }
        }
        Platform::Workers => {
            if header.is_some() && !development {
                push(
                    resolved.finding(
                        Severity::Warning,
                        "spoofable-scheme",
                        Some("TRUSTED_PROXY_PROTO_HEADER"),
                        "is set on Workers, where Cloudflare reports the scheme itself: a client \
                     sending this header over plain http would skip the redirect to https; \
                     leave it unset"
                            .into(),
                    ),
                );
            }
        }
    }
}

/// The names of `WEBHOOK_ENDPOINTS`' entries.
fn webhook_endpoint_names(resolved: &Resolved) -> Vec<String> {
    resolved
        .get("WEBHOOK_ENDPOINTS")
        .unwrap_or_default()
        .split(';')
        .filter_map(|entry| entry.split_once('='))
        .map(|(name, _)| name.trim().to_string())
        .collect()
}

/// `scheme://host[:port]` of a URL, lower-cased (userinfo dropped).
fn url_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}").to_ascii_lowercase())
}

/// Security webhooks and error tracking (docs/monitoring.md): every endpoint https
/// (outside development) and not the service's own origin, every secret a
/// `whsec_` of 24–64 bytes. Values are never printed.
fn monitoring(resolved: &Resolved, development: bool, push: &mut impl FnMut(Finding)) {
    let own = resolved.get("PUBLIC_ORIGIN").and_then(url_origin);
    let check_url = |variable: &str, what: &str, url: &str, push: &mut dyn FnMut(Finding)| {
        let origin = url_origin(url);
        if origin.is_none() {
            push(resolved.finding(
                Severity::Error,
                "malformed-url",
                Some(variable),
                format!("{what} is not an absolute URL"),
            ));
            return;
        }
        if !development && !url.trim().starts_with("https://") {
            push(resolved.finding(
                Severity::Error,
                "insecure-monitoring-url",
                Some(variable),
                format!("{what} is not https: alerts and reports would travel in clear"),
            ));
        }
        if origin.is_some() && origin == own {
            push(resolved.finding(
                Severity::Error,
                "monitoring-to-self",
                Some(variable),
                format!(
                    "{what} is the service's own origin (PUBLIC_ORIGIN): alerts would loop back \
                     into edgeauth instead of reaching a receiver"
                ),
            ));
        }
    };
    if let Some(endpoints) = resolved.get("WEBHOOK_ENDPOINTS") {
        for entry in endpoints
            .split(';')
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let Some((name, rest)) = entry.split_once('=') else {
                continue; // the core's verdict names the malformed variable
            };
            let url = rest.split('|').next().unwrap_or_default();
            let what = format!("endpoint `{}`", name.trim());
            check_url("WEBHOOK_ENDPOINTS", &what, url, push);
        }
    }
    let secrets = resolved
        .vars
        .get("WEBHOOK_SECRETS")
        .filter(|value| value.origin != Origin::Assumed)
        .map(|value| value.text.as_str());
    for entry in secrets.unwrap_or_default().split(';').map(str::trim) {
        let Some((name, list)) = entry.split_once('=') else {
            continue;
        };
        let count = list.split_whitespace().count();
        for (position, secret) in list.split_whitespace().enumerate() {
            if let Err(error) = edgeauth_core::crypto::webhook::decode_secret(secret) {
                let reason = match error {
                    edgeauth_core::crypto::webhook::SecretError::MissingPrefix => {
                        "does not start with `whsec_`"
                    }
                    edgeauth_core::crypto::webhook::SecretError::NotBase64 => {
                        "is not base64 after `whsec_`"
                    }
                    _ => "is not 24 to 64 bytes long (Standard Webhooks); generate 32 random bytes",
                };
                push(resolved.finding(
                    Severity::Error,
                    "webhook-secret",
                    Some("WEBHOOK_SECRETS"),
                    format!(
                        "secret {} of endpoint `{}` {reason}",
                        position + 1,
                        name.trim()
                    ),
                ));
            }
        }
        if count > 2 {
            push(resolved.finding(
                Severity::Error,
                "webhook-secret",
                Some("WEBHOOK_SECRETS"),
                format!(
                    "endpoint `{}` has {count} secrets: one, or two during a rotation",
                    name.trim()
                ),
            ));
        }
    }
    if let Some(dsn) = resolved.get("SENTRY_DSN") {
        check_url("SENTRY_DSN", "the DSN", dsn, push);
    }
}

fn number(resolved: &Resolved, name: &str, default: u32) -> Option<u32> {
    match resolved.get(name) {
        None => Some(default),
        Some(text) => text.trim().parse().ok(),
    }
}

fn password_hashing(resolved: &Resolved, push: &mut impl FnMut(Finding)) {
    let defaults = PasswordHashParams::OWASP_DEFAULT;
    let params = (
        number(resolved, "PASSWORD_HASH_MEMORY_KIB", defaults.memory_kib),
        number(resolved, "PASSWORD_HASH_ITERATIONS", defaults.iterations),
        number(resolved, "PASSWORD_HASH_PARALLELISM", defaults.parallelism),
    );
    if let (Some(memory_kib), Some(iterations), Some(parallelism)) = params {
        let params = PasswordHashParams {
            memory_kib,
            iterations,
            parallelism,
        };
        if !params.meets_minimums() {
            push(resolved.finding(
                Severity::Error,
                "weak-argon2",
                Some("PASSWORD_HASH_MEMORY_KIB"),
                format!(
                    "argon2id m={memory_kib} KiB, t={iterations}, p={parallelism} is below the \
                     OWASP / ASVS 5.0 minimums (e.g. m=19456 t=2 p=1, or m=47104 t=1)"
                ),
            ));
        }
    }
    if let Some(length) = number(resolved, "PASSWORD_MIN_LENGTH", 12) {
        if length < 12 {
            push(resolved.finding(
                if length < 8 {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                "short-passwords",
                Some("PASSWORD_MIN_LENGTH"),
                format!("{length} is below the recommended 12 characters (never below 8)"),
            ));
        }
    }
}

/// The argon2 settings' CPU cost against the Worker's CPU limit (`cpu` module).
fn cpu_budget(resolved: &Resolved, push: &mut impl FnMut(Finding)) {
    let defaults = PasswordHashParams::OWASP_DEFAULT;
    let (Some(memory_kib), Some(iterations)) = (
        number(resolved, "PASSWORD_HASH_MEMORY_KIB", defaults.memory_kib),
        number(resolved, "PASSWORD_HASH_ITERATIONS", defaults.iterations),
    ) else {
        return; // unparsable: the core's verdict below names the variable
    };
    match CostModel::embedded() {
        Ok(model) => {
            let budget = Budget {
                memory_kib,
                iterations,
                cpu_ms: resolved.cpu_ms,
            };
            cpu::check(resolved, budget, &model, push);
        }
        Err(message) => push(resolved.finding(
            Severity::Warning,
            "cpu-model",
            None,
            format!("the CPU cost model is unreadable ({message}); CPU limits not checked"),
        )),
    }
}

fn accounts(resolved: &Resolved, development: bool, push: &mut impl FnMut(Finding)) {
    let verification_off = matches!(
        resolved.get("REQUIRE_EMAIL_VERIFICATION"),
        Some("false" | "0" | "no")
    );
    let bootstrap = resolved.get("BOOTSTRAP_ADMIN_EMAILS").is_some();
    if bootstrap && verification_off {
        push(
            resolved.finding(
                Severity::Error,
                "unverified-bootstrap-admin",
                Some("BOOTSTRAP_ADMIN_EMAILS"),
                "with REQUIRE_EMAIL_VERIFICATION=false, whoever registers one of these addresses \
             first becomes admin without proving they own it"
                    .into(),
            ),
        );
    } else if verification_off && !development {
        push(resolved.finding(
            Severity::Warning,
            "no-email-verification",
            Some("REQUIRE_EMAIL_VERIFICATION"),
            "is off: accounts can be registered for addresses their owners never confirmed".into(),
        ));
    }
}

/// The hosted pages' settings the core accepts but an operator may regret: a return
/// path of `/` (every path of the origin may end a sign-in, the API's included), and a
/// brand colour whose buttons barely stand out from one of the two themes' backgrounds
/// (under 3:1, WCAG 1.4.11; the button's text is always readable, see `config::pages`).
fn pages(resolved: &Resolved, push: &mut impl FnMut(Finding)) {
    if let Some(paths) = resolved.get("RETURN_TO_PATHS") {
        if paths.split(',').any(|entry| entry.trim() == "/") {
            push(
                resolved.finding(
                    Severity::Warning,
                    "return-to-anywhere",
                    Some("RETURN_TO_PATHS"),
                    "lists `/`: a sign-in may return to any path of the origin, the API's \
                 included; list the app's own prefixes (e.g. /account,/app/)"
                        .into(),
                ),
            );
        }
    }
    if let Some(color) = resolved
        .get("BRAND_COLOR")
        .and_then(|text| Rgb::parse_hex(text.trim()))
    {
        let light = color.contrast(&Rgb(0xff, 0xff, 0xff));
        let dark = color.contrast(&Rgb(0x12, 0x12, 0x12));
        if light < 3.0 || dark < 3.0 {
            let theme = if light < dark { "light" } else { "dark" };
            push(resolved.finding(
                Severity::Warning,
                "brand-low-contrast",
                Some("BRAND_COLOR"),
                format!(
                    "has {:.1}:1 against the {theme} theme's background (WCAG asks 3:1 for a \
                     control's shape); its buttons will be hard to make out there",
                    light.min(dark)
                ),
            ));
        }
    }
}

/// `SESSION_CHECK` (docs/sessions.md §5): `cached` (default) bounds revocation at 5 s
/// and makes no Durable Object call per request in the steady state; `strict` applies a
/// revocation to the next request at two calls per authenticated request — to the one
/// location that holds the user's object, from wherever the request is served. Said so
/// on Workers, where it is a cost; Spin checks per request in both modes.
fn session_check(resolved: &Resolved, push: &mut impl FnMut(Finding)) {
    let Some(value) = resolved.get("SESSION_CHECK") else {
        return;
    };
    match edgeauth_core::config::SessionCheck::parse(value.trim()) {
        None => push(
            resolved.finding(
                Severity::Error,
                "session-check-unknown",
                Some("SESSION_CHECK"),
                "must be `cached` (revocation within 5 s, the default) or `strict` (at the next \
             request)"
                    .into(),
            ),
        ),
        Some(edgeauth_core::config::SessionCheck::Strict)
            if resolved.platform == Platform::Workers =>
        {
            push(resolved.finding(
                Severity::Warning,
                "session-check-strict",
                Some("SESSION_CHECK"),
                "is `strict`: every authenticated request makes two Durable Object round trips \
                 to the location of the user's object (docs/benchmarks.md, latency model); \
                 `cached` bounds revocation at 5 s without them"
                    .into(),
            ));
        }
        Some(_) => {}
    }
}

fn kill_switch(resolved: &Resolved, now_secs: u64, push: &mut impl FnMut(Finding)) {
    let Some(Ok(before)) = resolved
        .get("SESSIONS_REVOKED_BEFORE")
        .map(|text| text.trim().parse::<u64>())
    else {
        return;
    };
    if before > now_secs.saturating_add(300) {
        push(
            resolved.finding(
                Severity::Error,
                "kill-switch-in-future",
                Some("SESSIONS_REVOKED_BEFORE"),
                "is in the future: every session created until then is refused, so nobody can \
             stay logged in; use the current Unix time (`date +%s`)"
                    .into(),
            ),
        );
    } else if before > 0 {
        push(resolved.finding(
            Severity::Warning,
            "kill-switch-active",
            Some("SESSIONS_REVOKED_BEFORE"),
            "is set: every session created before it is invalid (emergency revocation)".into(),
        ));
    }
}
