//! The monitoring part of the configuration: security webhooks (endpoints, their
//! `whsec_` secrets, which alerts each receives, the retry schedule), the alert
//! thresholds, the error tracker's DSN and the metrics flush interval
//! (docs/monitoring.md; docs/contract.md §8).
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `WEBHOOK_ENDPOINTS` | none | `name=url[|alert,alert…]`, `;`-separated; no list: every alert |
//! | `WEBHOOK_SECRETS` (secret) | — | `name=whsec_…[ whsec_…]`, `;`-separated: one or two per endpoint |
//! | `WEBHOOK_MAX_ATTEMPTS` | `8` | deliveries tried before one is recorded as failed (1–50) |
//! | `WEBHOOK_RETRY_BASE_SECS`, `WEBHOOK_RETRY_MAX_SECS` | `30`, `3600` | backoff: base × 2^(n−1), capped (max ≤ 43200) |
//! | `ALERT_ERROR_BURST` | `10/60` | `N/SECONDS`: N `5xx` answers within a window raise `errors.burst` |
//! | `ALERT_MFA_FAILURES` | `3` | wrong codes on one MFA token that raise `mfa.failures_exceeded` (1–3) |
//! | `SENTRY_DSN` (secret) | unset | Sentry-compatible DSN; unset: error reports go to the log |
//! | `METRICS_FLUSH_SECS` | `60` | how often an isolate flushes its aggregated metrics (1–3600) |
//!
//! Security considerations: an endpoint must be `https://` (plain `http://` only in
//! development) and must not be the service's own origin (a webhook to ourselves
//! would be a request loop carrying alerts to a route that does not expect them);
//! every endpoint needs a secret, and a secret outside 24–64 bytes is refused, so an
//! alert is never sent unsigned.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::parse::{ConfigError, Vars};
use super::{Environment, RateLimit};
use crate::crypto::webhook;
use crate::secret::Secret;

/// The alerts edgeauth raises (their Standard Webhooks `type`s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AlertKind {
    /// Failed logins locked an address (`lockout` audit event).
    LockoutEngaged,
    /// A used refresh token came back; its session was revoked.
    RefreshReuseDetected,
    /// Wrong codes on one MFA token reached `ALERT_MFA_FAILURES` (the password was right).
    MfaFailuresExceeded,
    /// An admin changed someone's roles (or a bootstrap address became admin).
    RoleChanged,
    /// An admin disabled a user.
    UserDisabled,
    /// The kill switch was pulled: every session revoked.
    KillSwitchPulled,
    /// The active signing key (first of `JWT_SIGNING_KEYS`) changed.
    SigningKeyRotated,
    /// An admin ran a page of the data-key sweep (not a dry run).
    DataKeysSwept,
    /// `5xx` answers reached `ALERT_ERROR_BURST` within its window.
    ErrorBurst,
    /// A sign-in from a device (or country) the account had not used before.
    NewDeviceSignIn,
    /// A user followed a notice's "this wasn't me" link.
    CompromiseReported,
}

impl AlertKind {
    /// Every alert, in documentation order.
    pub const ALL: &'static [Self] = &[
        Self::LockoutEngaged,
        Self::RefreshReuseDetected,
        Self::MfaFailuresExceeded,
        Self::RoleChanged,
        Self::UserDisabled,
        Self::KillSwitchPulled,
        Self::SigningKeyRotated,
        Self::DataKeysSwept,
        Self::ErrorBurst,
        Self::NewDeviceSignIn,
        Self::CompromiseReported,
    ];

    /// The webhook `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LockoutEngaged => "lockout.engaged",
            Self::RefreshReuseDetected => "session.refresh_reuse_detected",
            Self::MfaFailuresExceeded => "mfa.failures_exceeded",
            Self::RoleChanged => "user.role_changed",
            Self::UserDisabled => "user.disabled",
            Self::KillSwitchPulled => "sessions.kill_switch_pulled",
            Self::SigningKeyRotated => "keys.signing_rotated",
            Self::DataKeysSwept => "keys.data_swept",
            Self::ErrorBurst => "errors.burst",
            Self::NewDeviceSignIn => "sign_in.new_device",
            Self::CompromiseReported => "account.compromise_reported",
        }
    }

    /// The alert of a webhook `type`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|kind| kind.as_str() == name)
    }
}

/// One receiver of security webhooks.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEndpoint {
    /// Its name in `WEBHOOK_ENDPOINTS` / `WEBHOOK_SECRETS` (`[a-z0-9_-]`, ≤ 32).
    pub name: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// The alerts it receives; `None`: all.
    pub alerts: Option<Vec<AlertKind>>,
    /// One secret, or two during a rotation (each delivery is signed with both).
    pub secrets: Vec<Secret>,
}

impl WebhookEndpoint {
    /// Whether this endpoint receives `kind`.
    pub fn wants(&self, kind: AlertKind) -> bool {
        self.alerts
            .as_ref()
            .is_none_or(|alerts| alerts.contains(&kind))
    }
}

/// How failed deliveries are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookRetry {
    /// Attempts (the first included) before a delivery is recorded as failed.
    pub max_attempts: u32,
    /// The wait after the first failed attempt, in seconds.
    pub base_secs: u32,
    /// The longest wait, in seconds.
    pub max_secs: u32,
}

impl Default for WebhookRetry {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base_secs: 30,
            max_secs: 3_600,
        }
    }
}

impl WebhookRetry {
    /// The wait before attempt `failed + 1`, after `failed` (≥ 1) failed attempts:
    /// `base × 2^(failed−1)`, at most `max_secs`.
    pub fn delay_secs(&self, failed: u32) -> u32 {
        let doublings = failed.saturating_sub(1).min(31);
        self.base_secs
            .saturating_mul(1u32 << doublings)
            .min(self.max_secs)
    }
}

/// Where the Sentry envelope endpoint of a DSN is, and its public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentryDsn {
    /// `https://host[:port][/prefix]/api/<project>/envelope/`.
    pub envelope_url: String,
    /// The DSN's public key (`sentry_key`).
    pub public_key: String,
    /// The DSN as configured (the envelope header names it).
    pub dsn: String,
}

/// The monitoring configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Monitoring {
    /// `WEBHOOK_ENDPOINTS` with their `WEBHOOK_SECRETS`.
    pub webhooks: Vec<WebhookEndpoint>,
    /// `WEBHOOK_MAX_ATTEMPTS`, `WEBHOOK_RETRY_BASE_SECS`, `WEBHOOK_RETRY_MAX_SECS`.
    pub retry: WebhookRetry,
    /// `ALERT_ERROR_BURST`.
    pub error_burst: RateLimit,
    /// `ALERT_MFA_FAILURES`.
    pub mfa_failures: u32,
    /// `SENTRY_DSN`.
    pub sentry: Option<SentryDsn>,
    /// `METRICS_FLUSH_SECS`.
    pub metrics_flush_secs: u32,
}

impl Default for Monitoring {
    fn default() -> Self {
        Self {
            webhooks: Vec::new(),
            retry: WebhookRetry::default(),
            error_burst: RateLimit {
                limit: 10,
                window_secs: 60,
            },
            mfa_failures: 3,
            sentry: None,
            metrics_flush_secs: 60,
        }
    }
}

impl Monitoring {
    /// The endpoint named `name`.
    pub fn endpoint(&self, name: &str) -> Option<&WebhookEndpoint> {
        self.webhooks.iter().find(|endpoint| endpoint.name == name)
    }
}

/// The scheme, host and port of `url` (its origin), lower-cased; `None` when it is
/// not an absolute http(s) URL.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') || authority.contains(' ') {
        return None;
    }
    Some(alloc::format!(
        "{scheme}://{}",
        authority.to_ascii_lowercase()
    ))
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Checks a webhook or error-tracking URL: absolute, `https` (or `http` in
/// development), not the service's own origin.
fn check_url(
    url: &str,
    name: &'static str,
    environment: Environment,
    public_origin: &str,
) -> Result<(), ConfigError> {
    let origin = origin_of(url).ok_or(ConfigError::Malformed(name))?;
    let development = environment == Environment::Development;
    if !(origin.starts_with("https://") || development && origin.starts_with("http://")) {
        return Err(ConfigError::Insecure(name));
    }
    if origin == public_origin.to_ascii_lowercase() {
        return Err(ConfigError::Insecure(name));
    }
    Ok(())
}

fn endpoints(
    vars: &impl Vars,
    environment: Environment,
    public_origin: &str,
) -> Result<Vec<WebhookEndpoint>, ConfigError> {
    const NAME: &str = "WEBHOOK_ENDPOINTS";
    const SECRETS: &str = "WEBHOOK_SECRETS";
    let mut out: Vec<WebhookEndpoint> = Vec::new();
    for entry in super::parse::get(vars, NAME).unwrap_or_default().split(';') {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        let (name, rest) = entry.split_once('=').ok_or(ConfigError::Malformed(NAME))?;
        let name = name.trim();
        let (url, list) = match rest.split_once('|') {
            Some((url, list)) => (url.trim(), Some(list)),
            None => (rest.trim(), None),
        };
        if !valid_name(name) || out.iter().any(|endpoint| endpoint.name == name) {
            return Err(ConfigError::Malformed(NAME));
        }
        check_url(url, NAME, environment, public_origin)?;
        let alerts = match list {
            None => None,
            Some(list) => {
                let mut alerts = Vec::new();
                for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                    alerts.push(AlertKind::parse(item).ok_or(ConfigError::Malformed(NAME))?);
                }
                if alerts.is_empty() {
                    return Err(ConfigError::Malformed(NAME));
                }
                Some(alerts)
            }
        };
        out.push(WebhookEndpoint {
            name: name.to_string(),
            url: url.to_string(),
            alerts,
            secrets: Vec::new(),
        });
    }
    for entry in super::parse::get(vars, SECRETS)
        .unwrap_or_default()
        .split(';')
    {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        let (name, secrets) = entry
            .split_once('=')
            .ok_or(ConfigError::Malformed(SECRETS))?;
        // Secrets of an endpoint not configured are an error, not silently unused:
        // it is a typo in one of the two variables.
        let endpoint = out
            .iter_mut()
            .find(|endpoint| endpoint.name == name.trim())
            .ok_or(ConfigError::Malformed(SECRETS))?;
        if !endpoint.secrets.is_empty() {
            return Err(ConfigError::Malformed(SECRETS));
        }
        for text in secrets.split_whitespace() {
            let secret =
                webhook::decode_secret(text).map_err(|_| ConfigError::Malformed(SECRETS))?;
            endpoint.secrets.push(secret);
        }
        if endpoint.secrets.is_empty() || endpoint.secrets.len() > webhook::MAX_SECRETS {
            return Err(ConfigError::Malformed(SECRETS));
        }
    }
    if out.iter().any(|endpoint| endpoint.secrets.is_empty()) {
        return Err(ConfigError::Missing(SECRETS));
    }
    Ok(out)
}

fn sentry(
    vars: &impl Vars,
    environment: Environment,
    public_origin: &str,
) -> Result<Option<SentryDsn>, ConfigError> {
    const NAME: &str = "SENTRY_DSN";
    let Some(dsn) = super::parse::get(vars, NAME) else {
        return Ok(None);
    };
    let (scheme, rest) = dsn.split_once("://").ok_or(ConfigError::Malformed(NAME))?;
    let (public_key, location) = rest.split_once('@').ok_or(ConfigError::Malformed(NAME))?;
    check_url(
        &alloc::format!("{scheme}://{location}"),
        NAME,
        environment,
        public_origin,
    )?;
    let public_key = public_key.split(':').next().unwrap_or_default();
    let (host_and_prefix, project) = location
        .trim_end_matches('/')
        .rsplit_once('/')
        .ok_or(ConfigError::Malformed(NAME))?;
    let key_ok = !public_key.is_empty() && public_key.bytes().all(|b| b.is_ascii_alphanumeric());
    let project_ok = !project.is_empty() && project.bytes().all(|b| b.is_ascii_digit());
    if !key_ok || !project_ok || host_and_prefix.is_empty() {
        return Err(ConfigError::Malformed(NAME));
    }
    Ok(Some(SentryDsn {
        envelope_url: alloc::format!("{scheme}://{host_and_prefix}/api/{project}/envelope/"),
        public_key: public_key.to_string(),
        dsn: alloc::format!("{scheme}://{public_key}@{host_and_prefix}/{project}"),
    }))
}

/// Parses the monitoring variables.
pub(super) fn parse(
    vars: &impl Vars,
    environment: Environment,
    public_origin: &str,
) -> Result<Monitoring, ConfigError> {
    use super::parse::{number, rate_limit};
    let defaults = Monitoring::default();
    let retry = WebhookRetry {
        max_attempts: number(vars, "WEBHOOK_MAX_ATTEMPTS", defaults.retry.max_attempts)?,
        base_secs: number(vars, "WEBHOOK_RETRY_BASE_SECS", defaults.retry.base_secs)?,
        max_secs: number(vars, "WEBHOOK_RETRY_MAX_SECS", defaults.retry.max_secs)?,
    };
    if !(1..=50).contains(&retry.max_attempts) {
        return Err(ConfigError::Malformed("WEBHOOK_MAX_ATTEMPTS"));
    }
    // Cloudflare Queues delay a retry by at most 12 hours.
    if retry.base_secs == 0 || retry.max_secs < retry.base_secs || retry.max_secs > 43_200 {
        return Err(ConfigError::Malformed("WEBHOOK_RETRY_BASE_SECS"));
    }
    let mfa_failures = number(vars, "ALERT_MFA_FAILURES", defaults.mfa_failures)?;
    if !(1..=3).contains(&mfa_failures) {
        return Err(ConfigError::Malformed("ALERT_MFA_FAILURES"));
    }
    let metrics_flush_secs = number(vars, "METRICS_FLUSH_SECS", defaults.metrics_flush_secs)?;
    if !(1..=3_600).contains(&metrics_flush_secs) {
        return Err(ConfigError::Malformed("METRICS_FLUSH_SECS"));
    }
    Ok(Monitoring {
        webhooks: endpoints(vars, environment, public_origin)?,
        retry,
        error_burst: rate_limit(vars, "ALERT_ERROR_BURST", defaults.error_burst)?,
        mfa_failures,
        sentry: sentry(vars, environment, public_origin)?,
        metrics_flush_secs,
    })
}

#[cfg(test)]
mod tests;
