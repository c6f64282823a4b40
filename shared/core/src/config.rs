//! Configuration (docs/contract.md §8), parsed and validated once per isolate.
//!
//! Adapters hand the core a [`Vars`] view of their environment (Workers `env` vars
//! and secrets, Spin variables); [`Config::from_vars`] turns it into a typed,
//! validated [`Config`] or a [`ConfigError`] naming the variable at fault.
//!
//! Security considerations:
//! - Fail closed: a missing or malformed secret is an error, which the adapter turns
//!   into `503 unavailable` for every request (with the reason in the log).
//! - Built-in development keys exist only for `ENVIRONMENT=development`; keys whose
//!   id starts with `dev-` are refused in any other environment, so a development
//!   keyring pasted into production does not boot.
//! - Unsafe combinations are refused at parse time: `*` in `ALLOWED_ORIGINS`, a
//!   non-https public origin outside development, argon2 parameters below the OWASP
//!   minimums, a minimum password length below 8.

pub mod monitoring;
pub mod oauth;
pub mod oauth_provider;
pub mod pages;
mod parse;
pub mod passkeys;

pub use crate::crypto::keys::{self, KeyEntry, Keyring};
pub use monitoring::{AlertKind, Monitoring, SentryDsn, WebhookEndpoint};
pub use oauth::{OAuthConfig, Provider, ProviderKind};
pub use oauth_provider::{OAuthProviderConfig, Registration};
pub use pages::{Brand, PagesConfig, Rgb};
pub use parse::{ConfigError, Vars};
pub use passkeys::Passkeys;

use alloc::string::String;
use alloc::vec::Vec;

use crate::secret::Secret;

/// Every variable the configuration reads (docs/contract.md §8 plus tuning knobs), so that
/// adapters whose platform reads variables asynchronously (Spin) can fetch them up
/// front, and tools (the config doctor, the local servers) share one list.
pub const VARIABLES: &[&str] = &[
    "ENVIRONMENT",
    "PUBLIC_ORIGIN",
    "ALLOWED_ORIGINS",
    "JWT_SIGNING_KEYS",
    "DATA_ENCRYPTION_KEYS",
    "PASSWORD_PEPPER",
    "MAIL_TRANSPORT",
    "MAIL_FROM",
    "MAIL_HTTP_URL",
    "MAIL_HTTP_TOKEN",
    "REQUIRE_EMAIL_VERIFICATION",
    "BOOTSTRAP_ADMIN_EMAILS",
    "AUDIT_RETENTION_DAYS",
    "CLIENT_IP_HEADER",
    "PASSWORD_HASH_MEMORY_KIB",
    "PASSWORD_HASH_ITERATIONS",
    "PASSWORD_HASH_PARALLELISM",
    "PASSWORD_MIN_LENGTH",
    "RATE_LIMIT_LOGIN_PER_IP",
    "RATE_LIMIT_REGISTER_PER_IP",
    "RATE_LIMIT_FORGOT_PER_IP",
    "RATE_LIMIT_REFRESH_PER_IP",
    "RATE_LIMIT_API_PER_USER",
    "RATE_LIMIT_SESSIONS_PER_USER",
    "LOCKOUT_FAILURES",
    "LOCKOUT_BASE_SECS",
    "LOCKOUT_MAX_SECS",
    "ACCESS_TOKEN_TTL_SECS",
    "SESSION_IDLE_TIMEOUT_SECS",
    "SESSION_ABSOLUTE_LIFETIME_SECS",
    "SESSIONS_REVOKED_BEFORE",
    "SESSION_CHECK",
    "REQUEST_LOG",
    "WEBHOOK_ENDPOINTS",
    "WEBHOOK_SECRETS",
    "WEBHOOK_MAX_ATTEMPTS",
    "WEBHOOK_RETRY_BASE_SECS",
    "WEBHOOK_RETRY_MAX_SECS",
    "ALERT_ERROR_BURST",
    "ALERT_MFA_FAILURES",
    "SENTRY_DSN",
    "METRICS_FLUSH_SECS",
    "PRODUCT_NAME",
    "BRAND_COLOR",
    "RETURN_TO_PATHS",
    "TRUSTED_PROXY_PROTO_HEADER",
    "OIDC_RSA_SIGNING_KEYS",
    "OAUTH_RESOURCES",
    "OAUTH_SCOPES",
    "OAUTH_DYNAMIC_REGISTRATION",
    "OAUTH_REGISTRATION_ALLOWLIST",
    "RATE_LIMIT_OAUTH_PROVIDER_PER_IP",
    "RATE_LIMIT_OAUTH_REGISTER_PER_IP",
    "PASSKEYS",
    "RATE_LIMIT_OAUTH_PER_IP",
    "OAUTH_PROVIDERS",
    // The presets' variables (config/oauth.rs); a generic provider's are named after
    // it: `oauth::generic_variables`.
    "OAUTH_GOOGLE_CLIENT_ID",
    "OAUTH_GOOGLE_CLIENT_SECRET",
    "OAUTH_GOOGLE_LABEL",
    "OAUTH_MICROSOFT_CLIENT_ID",
    "OAUTH_MICROSOFT_CLIENT_SECRET",
    "OAUTH_MICROSOFT_TENANT",
    "OAUTH_MICROSOFT_LABEL",
    "OAUTH_APPLE_CLIENT_ID",
    "OAUTH_APPLE_TEAM_ID",
    "OAUTH_APPLE_KEY_ID",
    "OAUTH_APPLE_PRIVATE_KEY",
    "OAUTH_APPLE_LABEL",
    "OAUTH_GITHUB_CLIENT_ID",
    "OAUTH_GITHUB_CLIENT_SECRET",
    "OAUTH_GITHUB_URL",
    "OAUTH_GITHUB_LABEL",
];

/// Variables that hold secrets (set with `wrangler secret put`; `secret = true` in Spin).
pub const SECRET_VARIABLES: &[&str] = &[
    "JWT_SIGNING_KEYS",
    "DATA_ENCRYPTION_KEYS",
    "PASSWORD_PEPPER",
    "MAIL_HTTP_TOKEN",
    "OIDC_RSA_SIGNING_KEYS",
    "OAUTH_GOOGLE_CLIENT_SECRET",
    "OAUTH_MICROSOFT_CLIENT_SECRET",
    "OAUTH_APPLE_PRIVATE_KEY",
    "OAUTH_GITHUB_CLIENT_SECRET",
    "WEBHOOK_SECRETS",
    "SENTRY_DSN",
];

/// The deployment environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Local development: loopback http allowed, development keys allowed.
    Development,
    /// Pre-production.
    Staging,
    /// Production.
    Production,
}

impl Environment {
    /// The variable's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Staging => "staging",
            Self::Production => "production",
        }
    }
}

/// How mail leaves the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// Log each message (development).
    Console,
    /// POST `{"from","to","subject","text"}` to `url` with `Authorization: Bearer token`.
    Http {
        /// Endpoint of the transactional-mail API.
        url: String,
        /// Bearer token (secret).
        token: Secret,
    },
    /// No mail leaves: a function that sends none ([`Needs::NoSecrets`]); a mail queued
    /// anyway is logged as not sent, never printed.
    Disabled,
}

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordHashParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Iterations.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl PasswordHashParams {
    /// OWASP's first recommendation: m=19456 KiB (19 MiB), t=2, p=1.
    pub const OWASP_DEFAULT: Self = Self {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };

    /// The OWASP Password Storage Cheat Sheet / ASVS 5.0 appendix C equivalent
    /// argon2id settings (memory KiB, iterations); anything at least as strong as
    /// one of these rows is accepted.
    pub const MINIMUMS: &'static [(u32, u32)] = &[
        (47_104, 1),
        (19_456, 2),
        (12_288, 3),
        (9_216, 4),
        (7_168, 5),
    ];

    /// Whether these parameters meet at least one row of [`Self::MINIMUMS`].
    pub fn meets_minimums(&self) -> bool {
        self.parallelism >= 1
            && Self::MINIMUMS.iter().any(|&(memory, iterations)| {
                self.memory_kib >= memory && self.iterations >= iterations
            })
    }
}

/// A fixed-window rate limit: `limit` events per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Events allowed in one window.
    pub limit: u32,
    /// Window length in seconds.
    pub window_secs: u32,
}

/// The rate limits and lockout policy of docs/contract.md §7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Per IP: login attempts.
    pub login_per_ip: RateLimit,
    /// Per IP: registrations.
    pub register_per_ip: RateLimit,
    /// Per IP: forgot-password requests.
    pub forgot_per_ip: RateLimit,
    /// Per IP: refreshes.
    pub refresh_per_ip: RateLimit,
    /// Per user: API requests.
    pub api_per_user: RateLimit,
    /// Per user: the `refresh` function's authenticated session routes.
    pub sessions_per_user: RateLimit,
    /// Per IP: social sign-in starts and callbacks (`RATE_LIMIT_OAUTH_PER_IP`).
    pub oauth_per_ip: RateLimit,
    /// Per email: failed logins before a lock.
    pub lockout_failures: RateLimit,
    /// First lock duration in seconds (doubles on repeat).
    pub lockout_base_secs: u32,
    /// Cap on the lock duration in seconds.
    pub lockout_max_secs: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_per_ip: RateLimit {
                limit: 20,
                window_secs: 60,
            },
            register_per_ip: RateLimit {
                limit: 5,
                window_secs: 3_600,
            },
            forgot_per_ip: RateLimit {
                limit: 5,
                window_secs: 3_600,
            },
            refresh_per_ip: RateLimit {
                limit: 60,
                window_secs: 60,
            },
            api_per_user: RateLimit {
                limit: 600,
                window_secs: 60,
            },
            sessions_per_user: RateLimit {
                limit: 120,
                window_secs: 60,
            },
            oauth_per_ip: RateLimit {
                limit: 30,
                window_secs: 60,
            },
            lockout_failures: RateLimit {
                limit: 5,
                window_secs: 900,
            },
            lockout_base_secs: 900,
            lockout_max_secs: 86_400,
        }
    }
}

/// Session and token lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimes {
    /// Access token lifetime (default 15 min).
    pub access_ttl_secs: u64,
    /// Idle timeout: a session not refreshed for this long ends (default 7 days).
    pub idle_timeout_secs: u64,
    /// Absolute lifetime of a session (default 30 days).
    pub absolute_lifetime_secs: u64,
}

impl Default for SessionTimes {
    fn default() -> Self {
        Self {
            access_ttl_secs: 900,
            idle_timeout_secs: 7 * 86_400,
            absolute_lifetime_secs: 30 * 86_400,
        }
    }
}

/// `SESSION_CHECK` (docs/sessions.md §5): how an authenticated request learns that
/// its session is live, and how a per-user limit counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionCheck {
    /// `cached` (the default): a read-only request (`GET`, `HEAD`) may use the session
    /// and user records this isolate read for the same session less than 5 s before
    /// (the isolate memory's revocation bound), with every rule re-checked on them;
    /// requests with other methods read them now. Per-user limits count in blocks
    /// reserved atomically (the isolate memory's leases). A revocation applies
    /// everywhere within 5 s.
    #[default]
    Cached,
    /// `strict`: every authenticated request reads the session and the user, and
    /// every per-user limit increments its counter: a revocation applies to the next
    /// request everywhere, at two store round trips per request.
    Strict,
}

impl SessionCheck {
    /// The variable's spelling (`cached`, `strict`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cached => "cached",
            Self::Strict => "strict",
        }
    }

    /// The mode spelled `text` (exactly, lower case), if any.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Cached, Self::Strict]
            .into_iter()
            .find(|mode| mode.as_str() == text)
    }
}

/// `REQUEST_LOG` (docs/logging.md §2): which requests get a request line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestLog {
    /// `all` (the default): every request the core serves.
    #[default]
    All,
    /// `errors`: only answers of `400` and above. A successful request leaves only the
    /// platform's own record (Workers' invocation log: method, URL, status, duration)
    /// and its audit events; for deployments where a line per request costs too much
    /// (Workers Logs bills per line; `console.log` of an object is a fifth of a
    /// protected read's CPU time, docs/benchmarks.md).
    Errors,
}

impl RequestLog {
    /// The variable's spelling (`all`, `errors`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Errors => "errors",
        }
    }

    /// The setting spelled `text` (exactly, lower case), if any.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::All, Self::Errors]
            .into_iter()
            .find(|setting| setting.as_str() == text)
    }

    /// Whether a request answered `status` gets its line.
    pub fn logs(self, status: u16) -> bool {
        match self {
            Self::All => true,
            Self::Errors => status >= 400,
        }
    }
}

/// The validated configuration of one isolate: values only, no interior mutability.
/// What an isolate remembers between requests is [`crate::memory::IsolateMemory`],
/// handed to the core next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `ENVIRONMENT`.
    pub environment: Environment,
    /// `PUBLIC_ORIGIN`, e.g. `https://app.example.com` (no trailing slash).
    pub public_origin: String,
    /// `ALLOWED_ORIGINS`: exact origins allowed for CORS and CSRF.
    pub allowed_origins: Vec<String>,
    /// `JWT_SIGNING_KEYS`: the first key signs, all verify.
    pub jwt_signing_keys: Keyring,
    /// `DATA_ENCRYPTION_KEYS`: the first key encrypts, all decrypt.
    pub data_encryption_keys: Keyring,
    /// `PASSWORD_PEPPER`, optional.
    pub password_pepper: Option<Secret>,
    /// `MAIL_TRANSPORT` and friends.
    pub mail_transport: MailTransport,
    /// `MAIL_FROM`.
    pub mail_from: String,
    /// `REQUIRE_EMAIL_VERIFICATION` (default true).
    pub require_email_verification: bool,
    /// `BOOTSTRAP_ADMIN_EMAILS`, normalised to lower case.
    pub bootstrap_admin_emails: Vec<String>,
    /// `AUDIT_RETENTION_DAYS` (default 365).
    pub audit_retention_days: u32,
    /// `CLIENT_IP_HEADER`: default `CF-Connecting-IP`, which Cloudflare sets; the
    /// Spin adapter's default is `spin-client-addr`, the runtime's peer address.
    pub client_ip_header: String,
    /// `PASSWORD_HASH_MEMORY_KIB` / `_ITERATIONS` / `_PARALLELISM`.
    pub password_hash: PasswordHashParams,
    /// `PASSWORD_MIN_LENGTH` (default 12, never below 8).
    pub password_min_length: usize,
    /// Rate limits and lockout (`RATE_LIMIT_*`, `LOCKOUT_*`).
    pub rate_limits: RateLimits,
    /// Token and session lifetimes (`ACCESS_TOKEN_TTL_SECS`, `SESSION_*`).
    pub sessions: SessionTimes,
    /// `SESSIONS_REVOKED_BEFORE`: emergency kill switch; sessions created before this
    /// Unix time (seconds) are invalid. `0` when unset.
    pub sessions_revoked_before: u64,
    /// `SESSION_CHECK`: whether read-only requests may reuse a session check of the
    /// last few seconds (docs/sessions.md §5).
    pub session_check: SessionCheck,
    /// `REQUEST_LOG`: which requests get a request line.
    pub request_log: RequestLog,
    /// Webhooks, alert thresholds, error tracking, metrics ([`monitoring`]).
    pub monitoring: Monitoring,
    /// The hosted pages' settings (`PRODUCT_NAME`, `BRAND_COLOR`, `RETURN_TO_PATHS`).
    pub pages: PagesConfig,
    /// `TRUSTED_PROXY_PROTO_HEADER`: the header whose value (`http`/`https`) a
    /// TLS-terminating proxy in front of every request sets, taken as the request's
    /// scheme for the HTTPS rule ([`crate::policy::https_redirect`]). `None` (the
    /// default): the platform's scheme.
    pub trusted_proxy_proto_header: Option<String>,
    /// The OAuth / OpenID Connect provider's settings (`OIDC_RSA_SIGNING_KEYS`,
    /// `OAUTH_RESOURCES`, `OAUTH_SCOPES`, `OAUTH_DYNAMIC_REGISTRATION`,
    /// `OAUTH_REGISTRATION_ALLOWLIST`, `RATE_LIMIT_OAUTH_PROVIDER_PER_IP`,
    /// `RATE_LIMIT_OAUTH_REGISTER_PER_IP`).
    pub oauth_provider: OAuthProviderConfig,
    /// `PASSKEYS` (default on where `PUBLIC_ORIGIN` allows): the relying party of
    /// passkey ceremonies, or `None` when passkeys are off (their routes answer `404`).
    pub passkeys: Option<Passkeys>,
    /// Social sign-in providers (`OAUTH_PROVIDERS`, `OAUTH_<NAME>_…`).
    pub oauth: OAuthConfig,
}

/// What a function without secrets ([`Needs::NoSecrets`]) does not read: the secrets,
/// the mail settings, and the webhook endpoints (whose secrets it does not have). A
/// generic sign-in provider's client secret (`OAUTH_<NAME>_CLIENT_SECRET`,
/// [`oauth::is_secret`]) is not read either.
pub const NOT_READ_WITHOUT_SECRETS: &[&str] = &[
    "JWT_SIGNING_KEYS",
    "DATA_ENCRYPTION_KEYS",
    "PASSWORD_PEPPER",
    "MAIL_HTTP_TOKEN",
    "OIDC_RSA_SIGNING_KEYS",
    "WEBHOOK_SECRETS",
    "SENTRY_DSN",
    "MAIL_TRANSPORT",
    "MAIL_FROM",
    "MAIL_HTTP_URL",
    "WEBHOOK_ENDPOINTS",
    "OAUTH_GOOGLE_CLIENT_SECRET",
    "OAUTH_MICROSOFT_CLIENT_SECRET",
    "OAUTH_APPLE_PRIVATE_KEY",
    "OAUTH_GITHUB_CLIENT_SECRET",
];

/// `vars` with [`NOT_READ_WITHOUT_SECRETS`] unset.
struct WithoutSecrets<'a, V>(&'a V);

impl<V: Vars> Vars for WithoutSecrets<'_, V> {
    fn var(&self, name: &str) -> Option<String> {
        if NOT_READ_WITHOUT_SECRETS.contains(&name) || oauth::is_secret(name) {
            None
        } else {
            self.0.var(name)
        }
    }
}

/// What a function needs of the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Every setting, the secrets included (every function that signs, encrypts,
    /// hashes or mails).
    Everything,
    /// Every setting but the secrets (`JWT_SIGNING_KEYS`, `DATA_ENCRYPTION_KEYS`,
    /// `PASSWORD_PEPPER`, `MAIL_HTTP_TOKEN`, `OIDC_RSA_SIGNING_KEYS`, the sign-in
    /// providers' secrets) and the mail transport: a function that
    /// signs, verifies, encrypts and mails nothing — the hosted pages. Those variables
    /// are not read at all, so such a function deploys without them; what it does read
    /// is validated as strictly (fail closed). See [`Config::for_needs`].
    NoSecrets,
}

impl Config {
    /// Parses and validates the configuration from the platform's variables.
    pub fn from_vars(vars: &impl Vars) -> Result<Self, ConfigError> {
        let mut config = parse::parse(vars, parse::secrets)?;
        config.oauth = oauth::parse(
            &|name| parse::get(vars, name),
            config.is_development(),
            true,
        )?;
        config.monitoring = monitoring::parse(vars, config.environment, &config.public_origin)?;
        Ok(config)
    }

    /// The configuration a function with these [`Needs`] runs with. With
    /// [`Needs::NoSecrets`] none of [`NOT_READ_WITHOUT_SECRETS`] is read: the key rings
    /// hold fresh random keys drawn from `random` (ids `unset-…`), known to nobody and
    /// never published, mail is [`MailTransport::Disabled`], and monitoring has no
    /// webhook endpoint and no error tracker (reports go to the log): should such a
    /// function ever sign, verify or encrypt after all, the result is refused
    /// everywhere (fail closed) rather than made with a key anyone knows. A random
    /// source that fails refuses the configuration.
    ///
    /// Always inlined: called with a constant `needs` (`Function::NEEDS`), a function
    /// then links the one parser it uses, not both.
    #[inline(always)]
    pub fn for_needs(
        vars: &impl Vars,
        needs: Needs,
        random: &impl crate::env::Random,
    ) -> Result<Self, ConfigError> {
        match needs {
            Needs::Everything => Self::from_vars(vars),
            Needs::NoSecrets => {
                let seed = Secret::new(
                    crate::env::random_array::<64>(random)
                        .map_err(|_| ConfigError::Unavailable("JWT_SIGNING_KEYS"))?
                        .to_vec(),
                );
                let vars = WithoutSecrets(vars);
                let mut config = parse::parse(&vars, |_, _| parse::inert_secrets(&seed))?;
                // The providers' names, client ids and labels, not their secrets.
                config.oauth = oauth::parse(
                    &|name| parse::get(&vars, name),
                    config.is_development(),
                    false,
                )?;
                config.monitoring =
                    monitoring::parse(&vars, config.environment, &config.public_origin)?;
                Ok(config)
            }
        }
    }

    /// Whether plain-http loopback development is in effect for this public origin.
    pub fn is_development(&self) -> bool {
        self.environment == Environment::Development
    }
}
