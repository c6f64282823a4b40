//! The guard's configuration: where edgeauth is, what a token must say, which pages
//! may send cookie writes, and the session-check mode.
//!
//! | variable (Spin: lower case) | required | default | meaning |
//! |---|---|---|---|
//! | `EDGEAUTH_ORIGIN` | yes | — | edgeauth's `PUBLIC_ORIGIN`: the tokens' issuer |
//! | `EDGEAUTH_AUDIENCE` | no | `EDGEAUTH_ORIGIN` | the `aud` a token must carry (an audience-bound token for this API) |
//! | `EDGEAUTH_URL` | no | `EDGEAUTH_ORIGIN` | where to reach edgeauth when there is no service binding |
//! | `EDGEAUTH_ALLOWED_ORIGINS` | no | none | pages besides `EDGEAUTH_ORIGIN` whose cookie writes pass the `Origin` rule |
//! | `SESSION_CHECK` | no | `cached` | `cached` or `strict`, as edgeauth's (docs/sessions.md §5) |
//!
//! Security considerations: validated at construction — origins are `https://` (plain
//! `http://` only for a loopback host, as edgeauth allows in development), exact, with
//! no path or wildcard; an unknown `SESSION_CHECK` is refused rather than guessed.

use edgeauth_core::config::{ConfigError, SessionCheck, Vars};

/// The variables [`GuardConfig::from_vars`] reads.
pub const VARIABLES: &[&str] = &[
    "EDGEAUTH_ORIGIN",
    "EDGEAUTH_AUDIENCE",
    "EDGEAUTH_URL",
    "EDGEAUTH_ALLOWED_ORIGINS",
    "SESSION_CHECK",
];

/// A validated guard configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardConfig {
    /// edgeauth's `PUBLIC_ORIGIN`: the required `iss`.
    pub issuer: String,
    /// The required `aud`.
    pub audience: String,
    /// Base URL of edgeauth's routes for plain `fetch` (no service binding).
    pub base_url: String,
    /// Origins besides `issuer` allowed by the CSRF `Origin` rule.
    pub allowed_origins: Vec<String>,
    /// `cached` or `strict`.
    pub session_check: SessionCheck,
}

fn get(vars: &impl Vars, name: &str) -> Option<String> {
    vars.var(name)
        .map(|value| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

/// `https://host[:port]`, or `http://` for a loopback host; no path, query, fragment,
/// user info or wildcard.
fn is_origin(text: &str) -> bool {
    let (secure, rest) = match text.split_once("://") {
        Some(("https", rest)) => (true, rest),
        Some(("http", rest)) => (false, rest),
        _ => return false,
    };
    let host = rest
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(rest, |(host, _)| host);
    let loopback = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
    !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', '*', ' '])
        && rest.bytes().all(|b| b.is_ascii_graphic())
        && (secure || loopback)
}

impl GuardConfig {
    /// A configuration for tokens of the edgeauth at `origin` (its `PUBLIC_ORIGIN`),
    /// with the defaults of the module table.
    pub fn new(origin: &str) -> Result<Self, ConfigError> {
        if !is_origin(origin) {
            return Err(ConfigError::Insecure("EDGEAUTH_ORIGIN"));
        }
        Ok(Self {
            issuer: origin.to_string(),
            audience: origin.to_string(),
            base_url: origin.to_string(),
            allowed_origins: Vec::new(),
            session_check: SessionCheck::default(),
        })
    }

    /// Reads the variables of the module table.
    pub fn from_vars(vars: &impl Vars) -> Result<Self, ConfigError> {
        let origin = get(vars, "EDGEAUTH_ORIGIN").ok_or(ConfigError::Missing("EDGEAUTH_ORIGIN"))?;
        let mut config = Self::new(&origin)?;
        if let Some(audience) = get(vars, "EDGEAUTH_AUDIENCE") {
            config.audience = audience;
        }
        if let Some(url) = get(vars, "EDGEAUTH_URL") {
            if !is_origin(&url) {
                return Err(ConfigError::Insecure("EDGEAUTH_URL"));
            }
            config.base_url = url;
        }
        if let Some(list) = get(vars, "EDGEAUTH_ALLOWED_ORIGINS") {
            for origin in list.split(',').map(str::trim).filter(|o| !o.is_empty()) {
                if !is_origin(origin) {
                    return Err(ConfigError::Insecure("EDGEAUTH_ALLOWED_ORIGINS"));
                }
                config.allowed_origins.push(origin.to_string());
            }
        }
        if let Some(mode) = get(vars, "SESSION_CHECK") {
            config.session_check =
                SessionCheck::parse(&mode).ok_or(ConfigError::Malformed("SESSION_CHECK"))?;
        }
        Ok(config)
    }

    /// Whether a cookie write's `Origin` may be `origin`: edgeauth's own (the pages on
    /// the same zone) or one listed, exactly.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        origin == self.issuer || self.allowed_origins.iter().any(|allowed| allowed == origin)
    }
}

#[cfg(test)]
mod tests;
