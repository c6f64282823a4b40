//! Parsing and validation of the §8 variables.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use super::keys::{self, Keyring, KeyringError};
use super::oauth_provider::OAuthProviderConfig;
#[cfg(any(test, feature = "oauth-provider"))]
use super::oauth_provider::{OAuthError, OAuthVars};
use super::pages::PagesError;
use super::{
    Config, Environment, MailTransport, Monitoring, PasswordHashParams, RateLimit, RateLimits,
    RequestLog, SessionCheck, SessionTimes,
};
#[cfg(any(test, feature = "oauth-provider"))]
use crate::crypto::rsa::{RsaKeyring, RsaKeyringError};
use crate::secret::Secret;

/// Read access to the platform's variables and secrets, by their §8 names.
pub trait Vars {
    /// The value of `name`, or `None` when unset.
    fn var(&self, name: &str) -> Option<String>;
}

/// Why the configuration was refused. Names the variable; never quotes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required variable or secret is not set.
    Missing(&'static str),
    /// A variable is set but cannot be parsed.
    Malformed(&'static str),
    /// A variable parses but is unsafe (dev key outside development, `*` origin, …).
    Insecure(&'static str),
    /// What stands in for an unread secret could not be made (the random source failed;
    /// [`super::Needs::NoSecrets`]).
    Unavailable(&'static str),
}

impl ConfigError {
    /// The variable at fault.
    pub fn variable(&self) -> &'static str {
        match self {
            Self::Missing(name)
            | Self::Malformed(name)
            | Self::Insecure(name)
            | Self::Unavailable(name) => name,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(name) => write!(f, "{name} is not set"),
            Self::Malformed(name) => write!(f, "{name} is malformed"),
            Self::Insecure(name) => write!(f, "{name} is not allowed in this environment"),
            Self::Unavailable(name) => {
                write!(
                    f,
                    "{name}: no random source for this function's unused keys"
                )
            }
        }
    }
}

/// `MAIL_FROM` when unset.
const DEFAULT_MAIL_FROM: &str = "edgeauth <no-reply@localhost>";

pub(super) fn get(vars: &impl Vars, name: &str) -> Option<String> {
    vars.var(name)
        .map(|value| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

pub(super) fn number<T: FromStr>(
    vars: &impl Vars,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match get(vars, name) {
        None => Ok(default),
        Some(text) => text.parse().map_err(|_| ConfigError::Malformed(name)),
    }
}

fn boolean(vars: &impl Vars, name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match get(vars, name).as_deref() {
        None => Ok(default),
        Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(_) => Err(ConfigError::Malformed(name)),
    }
}

/// Validates an origin: `scheme://host[:port]`, no path, query, fragment or userinfo.
pub(crate) fn is_valid_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    if scheme != "https" && scheme != "http" {
        return false;
    }
    !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', '*', ' '])
        && rest.bytes().all(|b| b.is_ascii_graphic())
}

fn keyring(
    vars: &impl Vars,
    name: &'static str,
    development_default: &str,
    environment: Environment,
    parse: fn(&str, bool) -> Result<Keyring, KeyringError>,
) -> Result<Keyring, ConfigError> {
    let development = environment == Environment::Development;
    let text = match get(vars, name) {
        Some(text) => text,
        None if development => development_default.to_string(),
        None => return Err(ConfigError::Missing(name)),
    };
    parse(&text, development).map_err(|error| match error {
        KeyringError::DevelopmentKey => ConfigError::Insecure(name),
        KeyringError::Malformed | KeyringError::BadKeyMaterial | KeyringError::DuplicateId => {
            ConfigError::Malformed(name)
        }
    })
}

pub(super) fn rate_limit(
    vars: &impl Vars,
    name: &'static str,
    default: RateLimit,
) -> Result<RateLimit, ConfigError> {
    // `N/SECONDS`, e.g. `20/60`.
    match get(vars, name) {
        None => Ok(default),
        Some(text) => {
            let (limit, window) = text.split_once('/').ok_or(ConfigError::Malformed(name))?;
            let limit: u32 = limit
                .trim()
                .parse()
                .map_err(|_| ConfigError::Malformed(name))?;
            let window_secs: u32 = window
                .trim()
                .parse()
                .map_err(|_| ConfigError::Malformed(name))?;
            if limit == 0 || window_secs == 0 {
                return Err(ConfigError::Malformed(name));
            }
            Ok(RateLimit { limit, window_secs })
        }
    }
}

/// The key rings, the pepper and the mail settings (transport, sender).
pub(super) type Secrets = (Keyring, Keyring, Option<Secret>, MailTransport, String);

/// The secrets and the mail settings, read from `vars`.
pub(super) fn secrets(vars: &impl Vars, environment: Environment) -> Result<Secrets, ConfigError> {
    let development = environment == Environment::Development;
    let jwt_signing_keys = keyring(
        vars,
        "JWT_SIGNING_KEYS",
        keys::DEVELOPMENT_JWT_SIGNING_KEYS,
        environment,
        Keyring::parse_signing,
    )?;
    let data_encryption_keys = keyring(
        vars,
        "DATA_ENCRYPTION_KEYS",
        keys::DEVELOPMENT_DATA_ENCRYPTION_KEYS,
        environment,
        Keyring::parse,
    )?;

    let password_pepper = match get(vars, "PASSWORD_PEPPER") {
        None => None,
        Some(pepper) if pepper.len() < 16 => return Err(ConfigError::Malformed("PASSWORD_PEPPER")),
        Some(pepper) => Some(Secret::new(pepper.into_bytes())),
    };

    let mail_transport = match get(vars, "MAIL_TRANSPORT").as_deref() {
        None if development => MailTransport::Console,
        None => return Err(ConfigError::Missing("MAIL_TRANSPORT")),
        Some("console") => MailTransport::Console,
        Some("http") => {
            let url = get(vars, "MAIL_HTTP_URL").ok_or(ConfigError::Missing("MAIL_HTTP_URL"))?;
            if !(url.starts_with("https://") || development && url.starts_with("http://")) {
                return Err(ConfigError::Insecure("MAIL_HTTP_URL"));
            }
            let token =
                get(vars, "MAIL_HTTP_TOKEN").ok_or(ConfigError::Missing("MAIL_HTTP_TOKEN"))?;
            MailTransport::Http {
                url,
                token: Secret::new(token.into_bytes()),
            }
        }
        Some(_) => return Err(ConfigError::Malformed("MAIL_TRANSPORT")),
    };
    let mail_from = get(vars, "MAIL_FROM").unwrap_or_else(|| DEFAULT_MAIL_FROM.into());

    Ok((
        jwt_signing_keys,
        data_encryption_keys,
        password_pepper,
        mail_transport,
        mail_from,
    ))
}

/// In place of [`secrets`] for [`super::Needs::NoSecrets`]: nothing is read, the key
/// rings are made from `seed` (64 random bytes) and mail is disabled.
pub(super) fn inert_secrets(seed: &Secret) -> Result<Secrets, ConfigError> {
    let (signing, data) = seed.expose().split_at(32.min(seed.expose().len()));
    Ok((
        inert_ring(
            "unset-signing",
            signing,
            Keyring::parse_signing,
            "JWT_SIGNING_KEYS",
        )?,
        inert_ring("unset-data", data, Keyring::parse, "DATA_ENCRYPTION_KEYS")?,
        None,
        MailTransport::Disabled,
        String::from(DEFAULT_MAIL_FROM),
    ))
}

/// A ring of one fresh key from 32 bytes of `seed` (for [`super::Needs::NoSecrets`]).
fn inert_ring(
    id: &str,
    material: &[u8],
    parse: fn(&str, bool) -> Result<Keyring, KeyringError>,
    name: &'static str,
) -> Result<Keyring, ConfigError> {
    let text =
        Secret::new(alloc::format!("{id}:{}", crate::encoding::b64url(material)).into_bytes());
    let text = core::str::from_utf8(text.expose()).map_err(|_| ConfigError::Unavailable(name))?;
    parse(text, false).map_err(|_| ConfigError::Unavailable(name))
}

/// Parses the variables; `secrets_of` gives the secrets and the mail settings
/// ([`secrets`], or [`inert_secrets`] for [`super::Needs::NoSecrets`]). A closure
/// rather than a value, so a function links only the one it uses.
pub(super) fn parse<V: Vars>(
    vars: &V,
    secrets_of: impl FnOnce(&V, Environment) -> Result<Secrets, ConfigError>,
) -> Result<Config, ConfigError> {
    let environment = match get(vars, "ENVIRONMENT").as_deref() {
        Some("development") => Environment::Development,
        Some("staging") => Environment::Staging,
        Some("production") => Environment::Production,
        None => return Err(ConfigError::Missing("ENVIRONMENT")),
        Some(_) => return Err(ConfigError::Malformed("ENVIRONMENT")),
    };
    let development = environment == Environment::Development;

    let public_origin = get(vars, "PUBLIC_ORIGIN").ok_or(ConfigError::Missing("PUBLIC_ORIGIN"))?;
    let public_origin = public_origin.trim_end_matches('/').to_string();
    if !is_valid_origin(&public_origin) {
        return Err(ConfigError::Malformed("PUBLIC_ORIGIN"));
    }
    if !development && !public_origin.starts_with("https://") {
        return Err(ConfigError::Insecure("PUBLIC_ORIGIN"));
    }

    let mut allowed_origins = Vec::new();
    for origin in get(vars, "ALLOWED_ORIGINS").unwrap_or_default().split(',') {
        let origin = origin.trim().trim_end_matches('/');
        if origin.is_empty() {
            continue;
        }
        if origin.contains('*') || origin == "null" {
            return Err(ConfigError::Insecure("ALLOWED_ORIGINS"));
        }
        if !is_valid_origin(origin) {
            return Err(ConfigError::Malformed("ALLOWED_ORIGINS"));
        }
        allowed_origins.push(origin.to_string());
    }

    let (jwt_signing_keys, data_encryption_keys, password_pepper, mail_transport, mail_from) =
        secrets_of(vars, environment)?;

    let bootstrap_admin_emails = get(vars, "BOOTSTRAP_ADMIN_EMAILS")
        .unwrap_or_default()
        .split(',')
        .map(|email| email.trim().to_lowercase())
        .filter(|email| !email.is_empty())
        .collect();

    let audit_retention_days = number(vars, "AUDIT_RETENTION_DAYS", 365u32)?;
    if audit_retention_days == 0 {
        return Err(ConfigError::Malformed("AUDIT_RETENTION_DAYS"));
    }

    let client_ip_header =
        get(vars, "CLIENT_IP_HEADER").unwrap_or_else(|| "CF-Connecting-IP".to_string());

    let password_hash = PasswordHashParams {
        memory_kib: number(
            vars,
            "PASSWORD_HASH_MEMORY_KIB",
            PasswordHashParams::OWASP_DEFAULT.memory_kib,
        )?,
        iterations: number(
            vars,
            "PASSWORD_HASH_ITERATIONS",
            PasswordHashParams::OWASP_DEFAULT.iterations,
        )?,
        parallelism: number(
            vars,
            "PASSWORD_HASH_PARALLELISM",
            PasswordHashParams::OWASP_DEFAULT.parallelism,
        )?,
    };
    if !password_hash.meets_minimums() {
        return Err(ConfigError::Insecure("PASSWORD_HASH_MEMORY_KIB"));
    }
    if password_hash.memory_kib > 262_144
        || password_hash.iterations > 16
        || password_hash.parallelism > 8
    {
        return Err(ConfigError::Malformed("PASSWORD_HASH_MEMORY_KIB"));
    }

    let password_min_length = number(vars, "PASSWORD_MIN_LENGTH", 12usize)?;
    if !(8..=256).contains(&password_min_length) {
        return Err(ConfigError::Insecure("PASSWORD_MIN_LENGTH"));
    }

    let defaults = RateLimits::default();
    let rate_limits = RateLimits {
        login_per_ip: rate_limit(vars, "RATE_LIMIT_LOGIN_PER_IP", defaults.login_per_ip)?,
        register_per_ip: rate_limit(vars, "RATE_LIMIT_REGISTER_PER_IP", defaults.register_per_ip)?,
        forgot_per_ip: rate_limit(vars, "RATE_LIMIT_FORGOT_PER_IP", defaults.forgot_per_ip)?,
        refresh_per_ip: rate_limit(vars, "RATE_LIMIT_REFRESH_PER_IP", defaults.refresh_per_ip)?,
        api_per_user: rate_limit(vars, "RATE_LIMIT_API_PER_USER", defaults.api_per_user)?,
        sessions_per_user: rate_limit(
            vars,
            "RATE_LIMIT_SESSIONS_PER_USER",
            defaults.sessions_per_user,
        )?,
        oauth_per_ip: rate_limit(vars, "RATE_LIMIT_OAUTH_PER_IP", defaults.oauth_per_ip)?,
        lockout_failures: rate_limit(vars, "LOCKOUT_FAILURES", defaults.lockout_failures)?,
        lockout_base_secs: number(vars, "LOCKOUT_BASE_SECS", defaults.lockout_base_secs)?,
        lockout_max_secs: number(vars, "LOCKOUT_MAX_SECS", defaults.lockout_max_secs)?,
    };
    if rate_limits.lockout_base_secs == 0
        || rate_limits.lockout_max_secs < rate_limits.lockout_base_secs
    {
        return Err(ConfigError::Malformed("LOCKOUT_BASE_SECS"));
    }

    let default_times = SessionTimes::default();
    let sessions = SessionTimes {
        access_ttl_secs: number(vars, "ACCESS_TOKEN_TTL_SECS", default_times.access_ttl_secs)?,
        idle_timeout_secs: number(
            vars,
            "SESSION_IDLE_TIMEOUT_SECS",
            default_times.idle_timeout_secs,
        )?,
        absolute_lifetime_secs: number(
            vars,
            "SESSION_ABSOLUTE_LIFETIME_SECS",
            default_times.absolute_lifetime_secs,
        )?,
    };
    if !(60..=3_600).contains(&sessions.access_ttl_secs) {
        return Err(ConfigError::Insecure("ACCESS_TOKEN_TTL_SECS"));
    }
    if sessions.idle_timeout_secs == 0
        || sessions.absolute_lifetime_secs < sessions.idle_timeout_secs
    {
        return Err(ConfigError::Malformed("SESSION_IDLE_TIMEOUT_SECS"));
    }

    let sessions_revoked_before = number(vars, "SESSIONS_REVOKED_BEFORE", 0u64)?;
    let session_check = match get(vars, "SESSION_CHECK") {
        None => SessionCheck::default(),
        Some(text) => SessionCheck::parse(&text).ok_or(ConfigError::Malformed("SESSION_CHECK"))?,
    };
    let request_log = match get(vars, "REQUEST_LOG") {
        None => RequestLog::default(),
        Some(text) => RequestLog::parse(&text).ok_or(ConfigError::Malformed("REQUEST_LOG"))?,
    };

    // A header name (RFC 9110 token); the value is read per request.
    let trusted_proxy_proto_header = get(vars, "TRUSTED_PROXY_PROTO_HEADER");
    if trusted_proxy_proto_header.as_deref().is_some_and(|name| {
        !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
    }) {
        return Err(ConfigError::Malformed("TRUSTED_PROXY_PROTO_HEADER"));
    }

    let pages = super::pages::parse(
        get(vars, "PRODUCT_NAME"),
        get(vars, "BRAND_COLOR"),
        get(vars, "RETURN_TO_PATHS"),
    )
    .map_err(|error| match error {
        PagesError::ProductName => ConfigError::Malformed("PRODUCT_NAME"),
        PagesError::BrandColor => ConfigError::Malformed("BRAND_COLOR"),
        PagesError::ReturnToPaths => ConfigError::Insecure("RETURN_TO_PATHS"),
    })?;

    // Only the builds that use them read the provider's variables (feature `oauth-provider`);
    // elsewhere they keep their defaults and their parser is not linked.
    #[cfg(any(test, feature = "oauth-provider"))]
    let oauth_provider = oauth_provider(vars, &public_origin, environment, &jwt_signing_keys)?;
    #[cfg(not(any(test, feature = "oauth-provider")))]
    let oauth_provider = OAuthProviderConfig::default();
    let passkeys = match get(vars, "PASSKEYS") {
        None => None,
        Some(_) => Some(boolean(vars, "PASSKEYS", true)?),
    };
    let passkeys = super::passkeys::parse(&public_origin, passkeys)
        .map_err(|_| ConfigError::Insecure("PASSKEYS"))?;

    Ok(Config {
        environment,
        public_origin,
        allowed_origins,
        jwt_signing_keys,
        data_encryption_keys,
        password_pepper,
        mail_transport,
        mail_from,
        require_email_verification: boolean(vars, "REQUIRE_EMAIL_VERIFICATION", true)?,
        bootstrap_admin_emails,
        audit_retention_days,
        client_ip_header,
        password_hash,
        password_min_length,
        rate_limits,
        sessions,
        sessions_revoked_before,
        session_check,
        request_log,
        pages,
        trusted_proxy_proto_header,
        oauth_provider,
        passkeys,
        // Parsed next, by `Config::from_vars` (config::oauth and config::monitoring,
        // which use this module's errors and variable access).
        oauth: Default::default(),
        monitoring: Monitoring::default(),
    })
}

/// The provider's variables (config::oauth_provider).
#[cfg(any(test, feature = "oauth-provider"))]
fn oauth_provider(
    vars: &impl Vars,
    public_origin: &str,
    environment: Environment,
    jwt_signing_keys: &Keyring,
) -> Result<OAuthProviderConfig, ConfigError> {
    let development = environment == Environment::Development;
    let defaults = OAuthProviderConfig::default();
    let name = "OIDC_RSA_SIGNING_KEYS";
    let rsa_signing_keys = match get(vars, name) {
        None => None,
        Some(text) => {
            let ring = RsaKeyring::parse(&text, development).map_err(|error| match error {
                RsaKeyringError::DevelopmentKey => ConfigError::Insecure(name),
                _ => ConfigError::Malformed(name),
            })?;
            // Both rings are published in one JWKS, where a `kid` names one key.
            if ring
                .iter()
                .any(|key| jwt_signing_keys.get(&key.id).is_some())
            {
                return Err(ConfigError::Malformed(name));
            }
            Some(ring)
        }
    };
    let mut config = OAuthProviderConfig {
        rsa_signing_keys,
        per_ip: rate_limit(vars, "RATE_LIMIT_OAUTH_PROVIDER_PER_IP", defaults.per_ip)?,
        register_per_ip: rate_limit(
            vars,
            "RATE_LIMIT_OAUTH_REGISTER_PER_IP",
            defaults.register_per_ip,
        )?,
        ..defaults
    };
    super::oauth_provider::parse(
        OAuthVars {
            resources: get(vars, "OAUTH_RESOURCES"),
            scopes: get(vars, "OAUTH_SCOPES"),
            registration: get(vars, "OAUTH_DYNAMIC_REGISTRATION"),
            allowlist: get(vars, "OAUTH_REGISTRATION_ALLOWLIST"),
        },
        public_origin,
        development,
        &mut config,
    )
    .map_err(|error| match error {
        OAuthError::Resources => ConfigError::Insecure("OAUTH_RESOURCES"),
        OAuthError::Scopes => ConfigError::Malformed("OAUTH_SCOPES"),
        OAuthError::Registration => ConfigError::Malformed("OAUTH_DYNAMIC_REGISTRATION"),
        OAuthError::Allowlist => ConfigError::Malformed("OAUTH_REGISTRATION_ALLOWLIST"),
    })?;
    Ok(config)
}

#[cfg(test)]
mod tests;
