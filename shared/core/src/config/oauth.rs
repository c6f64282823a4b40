//! Sign-in providers (docs/contract.md §8, docs/social-login.md): `OAUTH_PROVIDERS` names
//! the enabled ones, and each reads its own `OAUTH_<NAME>_…` variables.
//!
//! | name | kind | variables besides `OAUTH_<NAME>_CLIENT_ID` |
//! |---|---|---|
//! | `google` | OpenID Connect, issuer `https://accounts.google.com` | `_CLIENT_SECRET` |
//! | `microsoft` | OpenID Connect (Entra ID), `_TENANT` (default `common`) | `_CLIENT_SECRET`, `_TENANT` |
//! | `apple` | OpenID Connect, issuer `https://appleid.apple.com`, `form_post` | `_TEAM_ID`, `_KEY_ID`, `_PRIVATE_KEY` (the client secret is a JWT signed with it) |
//! | `github` | OAuth 2.0 (no ID token): the user and emails APIs | `_CLIENT_SECRET`, optional `_URL` (GitHub Enterprise Server) |
//! | any other name | generic OpenID Connect: discovery from `_ISSUER` | `_CLIENT_SECRET`, `_ISSUER`, optional `_LABEL` |
//!
//! Names are `[a-z][a-z0-9]{0,23}`; the variables use the name in upper case
//! (`OAUTH_ACME_ISSUER`). Every provider may set `OAUTH_<NAME>_LABEL`, the text after
//! "Continue with".
//!
//! Security considerations: client secrets and the Apple key are [`Secret`]s (redacted,
//! zeroized) and secret variables ([`is_secret`]); issuers and provider URLs must be
//! `https://` — plain `http://` only with `ENVIRONMENT=development` and a loopback host
//! (a provider run locally for tests); a URL with a query, fragment or user info is
//! refused; the Apple key must be a P-256 PKCS#8 key. A listed provider with a missing
//! or malformed variable refuses the whole configuration (`503` and the variable in
//! the log), never a silently disabled button. A function that reads no secret (the
//! hosted pages, [`super::Needs::NoSecrets`]) reads the providers' names, client ids
//! and labels for its buttons but no client secret and no Apple key: they are left
//! empty there, so a token request made with them anyway would be refused (an empty
//! client secret, a key that cannot sign).

use alloc::string::String;
#[cfg(any(feature = "oauth", test))]
use alloc::string::ToString;
use alloc::vec::Vec;

use super::ConfigError;
use crate::secret::Secret;

/// Most providers one deployment lists.
pub const MAX_PROVIDERS: usize = 16;
/// Longest provider name.
pub const MAX_NAME_LEN: usize = 24;

/// The preset names ([`ProviderKind`] other than [`ProviderKind::Oidc`]).
pub const PRESETS: &[&str] = &["google", "microsoft", "apple", "github"];

/// The suffixes of a generic provider's variables.
const GENERIC_SUFFIXES: &[&str] = &["CLIENT_ID", "CLIENT_SECRET", "ISSUER", "LABEL"];

/// Whether the variable `name` holds a secret: every `OAUTH_*_CLIENT_SECRET`, and the
/// Apple private key.
pub fn is_secret(name: &str) -> bool {
    name.starts_with("OAUTH_")
        && (name.ends_with("_CLIENT_SECRET") || name == "OAUTH_APPLE_PRIVATE_KEY")
}

/// The variables of the generic providers that `OAUTH_PROVIDERS` (`providers`) lists,
/// beyond the presets' (listed in [`crate::config::VARIABLES`]): what an adapter that reads variables up front (Spin)
/// fetches once it has read `OAUTH_PROVIDERS`. Names that are not valid provider
/// names are skipped (the parser refuses them).
pub fn generic_variables(providers: &str) -> Vec<String> {
    let mut names = Vec::new();
    for name in providers.split(',').map(str::trim) {
        if is_name(name) && !PRESETS.contains(&name) {
            let upper = name.to_ascii_uppercase();
            for suffix in GENERIC_SUFFIXES {
                names.push(alloc::format!("OAUTH_{upper}_{suffix}"));
            }
        }
    }
    names
}

/// What kind of provider, with its own settings.
#[derive(Debug, Clone, PartialEq)]
pub enum ProviderKind {
    /// Generic OpenID Connect: discovery at `{issuer}/.well-known/openid-configuration`.
    Oidc {
        /// The issuer URL (exactly as the provider's `iss` claim).
        issuer: String,
    },
    /// Google (OpenID Connect).
    Google,
    /// Microsoft Entra ID (OpenID Connect, v2.0 endpoints).
    Microsoft {
        /// `common`, `organizations`, `consumers`, or a tenant id or domain.
        tenant: String,
    },
    /// Sign in with Apple (OpenID Connect; `response_mode=form_post`).
    Apple {
        /// The Apple developer team id (the client secret's `iss`).
        team_id: String,
        /// The key id of the private key (the client secret's `kid`).
        key_id: String,
        /// The P-256 private scalar of the key (signs the client secret).
        private_key: Secret,
    },
    /// GitHub (OAuth 2.0, no OpenID Connect).
    GitHub {
        /// Where users authorize: `https://github.com` (or a GitHub Enterprise Server).
        web: String,
        /// The REST API: `https://api.github.com` (or `{web}/api/v3`).
        api: String,
    },
}

/// One configured provider.
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    /// The name in `OAUTH_PROVIDERS`: the path segment of its routes.
    pub id: String,
    /// What the sign-in button says after "Continue with ".
    pub label: String,
    /// The client id registered with the provider.
    pub client_id: String,
    /// The client secret (none for Apple, whose secret is minted from its key).
    pub client_secret: Option<Secret>,
    /// The provider's kind and settings.
    pub kind: ProviderKind,
}

/// Microsoft's issuer host.
pub const MICROSOFT_LOGIN: &str = "https://login.microsoftonline.com";
/// Google's issuer.
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";
/// Apple's issuer.
pub const APPLE_ISSUER: &str = "https://appleid.apple.com";

impl Provider {
    /// The issuer whose discovery document describes the provider (`None` for GitHub).
    /// For Microsoft's multi-tenant values this is the tenant-independent form; the ID
    /// token's issuer is checked against the discovered template (`policy::oauth::entra`).
    pub fn issuer(&self) -> Option<String> {
        match &self.kind {
            ProviderKind::Oidc { issuer } => Some(issuer.clone()),
            ProviderKind::Google => Some(GOOGLE_ISSUER.into()),
            ProviderKind::Microsoft { tenant } => {
                Some(alloc::format!("{MICROSOFT_LOGIN}/{tenant}/v2.0"))
            }
            ProviderKind::Apple { .. } => Some(APPLE_ISSUER.into()),
            ProviderKind::GitHub { .. } => None,
        }
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> &'static str {
        match self.kind {
            ProviderKind::GitHub { .. } => "read:user user:email",
            ProviderKind::Apple { .. } => "openid name email",
            _ => "openid email profile",
        }
    }

    /// Whether the provider answers with a form POST (`response_mode=form_post`).
    pub fn form_post(&self) -> bool {
        matches!(self.kind, ProviderKind::Apple { .. })
    }

    /// The exact redirect URI registered with the provider.
    pub fn redirect_uri(&self, public_origin: &str) -> String {
        alloc::format!("{public_origin}/auth/oauth/{}/callback", self.id)
    }
}

/// The providers of one deployment, in `OAUTH_PROVIDERS` order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OAuthConfig {
    /// The enabled providers.
    pub providers: Vec<Provider>,
}

impl OAuthConfig {
    /// The provider named `id`, if enabled.
    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|provider| provider.id == id)
    }
}

fn is_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && name.len() <= MAX_NAME_LEN
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Whether `host` is a loopback name or address (`localhost`, `*.localhost`,
/// `127.0.0.0/8`, `[::1]`).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    // 127.0.0.0/8 as four decimal octets (no address parser: a few bytes matter in
    // the size-limited `api` Worker, which parses this configuration too).
    let loopback_v4 = host.strip_prefix("127.").is_some_and(|rest| {
        let octets: alloc::vec::Vec<&str> = rest.split('.').collect();
        octets.len() == 3
            && octets.iter().all(|octet| {
                !octet.is_empty()
                    && octet.len() <= 3
                    && octet.bytes().all(|b| b.is_ascii_digit())
                    && octet.parse::<u16>().is_ok_and(|n| n <= 255)
            })
    });
    host == "localhost" || host.ends_with(".localhost") || host == "[::1]" || loopback_v4
}

/// Whether `url` may be a provider URL: `https://host[:port][/path]` without query,
/// fragment or user info; `http://` only to a loopback host in development.
pub(crate) fn is_provider_url(url: &str, development: bool) -> bool {
    let (scheme, rest) = match url.split_once("://") {
        Some(parts) => parts,
        None => return false,
    };
    let authority = rest.split('/').next().unwrap_or("");
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    };
    let plain = url.bytes().all(|b| b.is_ascii_graphic())
        && !url.contains(['?', '#', '@', '\\'])
        && !host.is_empty()
        && url.len() <= 512;
    plain
        && match scheme {
            "https" => true,
            "http" => development && is_loopback_host(host),
            _ => false,
        }
}

#[cfg(any(feature = "oauth", test))]
/// A text value: 1 to `max` printable characters, no control characters.
fn text(value: &str, max: usize) -> bool {
    !value.is_empty() && value.chars().count() <= max && !value.chars().any(char::is_control)
}

#[cfg(any(feature = "oauth", test))]
/// The default label: the name with its first letter in upper case.
fn default_label(id: &str) -> String {
    let mut chars = id.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// The Apple key's private scalar. Only the function that signs with it (`login`,
/// feature `apple`) reads the PKCS#8 structure and refuses a malformed key; the others
/// keep the text, which they never use (the bytes of parsing it are kept out of the
/// size-limited `api` Worker).
#[cfg(all(any(feature = "oauth", test), any(feature = "apple", test)))]
fn apple_key(pem: &str) -> Result<Secret, ConfigError> {
    crate::crypto::es256::p256_scalar_from_pkcs8(pem.as_bytes())
        .ok_or(ConfigError::Malformed("OAUTH_APPLE_PRIVATE_KEY"))
}

#[cfg(all(feature = "oauth", not(any(feature = "apple", test))))]
fn apple_key(pem: &str) -> Result<Secret, ConfigError> {
    Ok(Secret::new(pem.as_bytes().to_vec()))
}

/// Reads the providers. `get` returns a variable's trimmed, non-empty value.
///
/// Without the core's `oauth` feature (the functions that use no provider) nothing is
/// read and no provider is configured.
#[cfg(not(any(feature = "oauth", test)))]
pub(crate) fn parse(
    _get: &dyn Fn(&str) -> Option<String>,
    _development: bool,
    _secrets: bool,
) -> Result<OAuthConfig, ConfigError> {
    Ok(OAuthConfig::default())
}

/// Reads the providers (see above); with `secrets` false, not their secrets.
#[cfg(any(feature = "oauth", test))]
pub(crate) fn parse(
    get: &dyn Fn(&str) -> Option<String>,
    development: bool,
    secrets: bool,
) -> Result<OAuthConfig, ConfigError> {
    let Some(list) = get("OAUTH_PROVIDERS") else {
        return Ok(OAuthConfig::default());
    };
    let mut providers: Vec<Provider> = Vec::new();
    for id in list.split(',').map(str::trim).filter(|id| !id.is_empty()) {
        if !is_name(id) || providers.iter().any(|known| known.id == id) {
            return Err(ConfigError::Malformed("OAUTH_PROVIDERS"));
        }
        if providers.len() == MAX_PROVIDERS {
            return Err(ConfigError::Malformed("OAUTH_PROVIDERS"));
        }
        providers.push(provider(get, id, development, secrets)?);
    }
    Ok(OAuthConfig { providers })
}

#[cfg(any(feature = "oauth", test))]
/// The variable names of a preset (`&'static` for [`ConfigError`]) or, for a generic
/// provider, the placeholder names the log shows.
struct Names {
    client_id: &'static str,
    client_secret: &'static str,
    label: &'static str,
}

#[cfg(any(feature = "oauth", test))]
fn names(id: &str) -> Names {
    match id {
        "google" => Names {
            client_id: "OAUTH_GOOGLE_CLIENT_ID",
            client_secret: "OAUTH_GOOGLE_CLIENT_SECRET",
            label: "OAUTH_GOOGLE_LABEL",
        },
        "microsoft" => Names {
            client_id: "OAUTH_MICROSOFT_CLIENT_ID",
            client_secret: "OAUTH_MICROSOFT_CLIENT_SECRET",
            label: "OAUTH_MICROSOFT_LABEL",
        },
        "apple" => Names {
            client_id: "OAUTH_APPLE_CLIENT_ID",
            client_secret: "OAUTH_APPLE_PRIVATE_KEY",
            label: "OAUTH_APPLE_LABEL",
        },
        "github" => Names {
            client_id: "OAUTH_GITHUB_CLIENT_ID",
            client_secret: "OAUTH_GITHUB_CLIENT_SECRET",
            label: "OAUTH_GITHUB_LABEL",
        },
        _ => Names {
            client_id: "OAUTH_<NAME>_CLIENT_ID",
            client_secret: "OAUTH_<NAME>_CLIENT_SECRET",
            label: "OAUTH_<NAME>_LABEL",
        },
    }
}

#[cfg(any(feature = "oauth", test))]
fn provider(
    get: &dyn Fn(&str) -> Option<String>,
    id: &str,
    development: bool,
    secrets: bool,
) -> Result<Provider, ConfigError> {
    let upper = id.to_ascii_uppercase();
    let var = |suffix: &str| get(&alloc::format!("OAUTH_{upper}_{suffix}"));
    let names = names(id);
    let client_id = var("CLIENT_ID").ok_or(ConfigError::Missing(names.client_id))?;
    if client_id.len() > 256 || !client_id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ConfigError::Malformed(names.client_id));
    }
    let label = match var("LABEL") {
        Some(label) if text(&label, 64) => label,
        Some(_) => return Err(ConfigError::Malformed(names.label)),
        None => match id {
            "github" => "GitHub".into(),
            _ => default_label(id),
        },
    };
    let secret = |name: &'static str| -> Result<Secret, ConfigError> {
        if !secrets {
            return Ok(Secret::new(Vec::new()));
        }
        let value = var("CLIENT_SECRET").ok_or(ConfigError::Missing(name))?;
        if value.len() > 1024 {
            return Err(ConfigError::Malformed(name));
        }
        Ok(Secret::new(value.into_bytes()))
    };
    let (kind, client_secret) = match id {
        "google" => (ProviderKind::Google, Some(secret(names.client_secret)?)),
        "microsoft" => {
            let tenant = var("TENANT").unwrap_or_else(|| "common".into());
            let valid = !tenant.is_empty()
                && tenant.len() <= 64
                && tenant
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            if !valid {
                return Err(ConfigError::Malformed("OAUTH_MICROSOFT_TENANT"));
            }
            (
                ProviderKind::Microsoft {
                    tenant: tenant.to_ascii_lowercase(),
                },
                Some(secret(names.client_secret)?),
            )
        }
        "apple" => {
            let ten = |value: Option<String>, name: &'static str| match value {
                Some(value)
                    if value.len() == 10 && value.bytes().all(|b| b.is_ascii_alphanumeric()) =>
                {
                    Ok(value)
                }
                Some(_) => Err(ConfigError::Malformed(name)),
                None => Err(ConfigError::Missing(name)),
            };
            let team_id = ten(var("TEAM_ID"), "OAUTH_APPLE_TEAM_ID")?;
            let key_id = ten(var("KEY_ID"), "OAUTH_APPLE_KEY_ID")?;
            let private_key = if secrets {
                // An env variable may carry the PEM's line breaks as `\n`.
                let pem = var("PRIVATE_KEY")
                    .ok_or(ConfigError::Missing("OAUTH_APPLE_PRIVATE_KEY"))?
                    .replace("\\n", "\n");
                apple_key(&pem)?
            } else {
                Secret::new(Vec::new())
            };
            (
                ProviderKind::Apple {
                    team_id,
                    key_id,
                    private_key,
                },
                None,
            )
        }
        "github" => {
            let web = var("URL")
                .map(|url| url.trim_end_matches('/').to_string())
                .unwrap_or_else(|| "https://github.com".into());
            if !is_provider_url(&web, development)
                || web
                    .split("://")
                    .nth(1)
                    .is_some_and(|rest| rest.contains('/'))
            {
                return Err(ConfigError::Insecure("OAUTH_GITHUB_URL"));
            }
            let api = if web == "https://github.com" {
                "https://api.github.com".into()
            } else {
                alloc::format!("{web}/api/v3")
            };
            (
                ProviderKind::GitHub { web, api },
                Some(secret(names.client_secret)?),
            )
        }
        _ => {
            let issuer = var("ISSUER").ok_or(ConfigError::Missing("OAUTH_<NAME>_ISSUER"))?;
            if !is_provider_url(&issuer, development) {
                return Err(ConfigError::Insecure("OAUTH_<NAME>_ISSUER"));
            }
            (
                ProviderKind::Oidc { issuer },
                Some(secret(names.client_secret)?),
            )
        }
    };
    Ok(Provider {
        id: id.into(),
        label,
        client_id,
        client_secret,
        kind,
    })
}

#[cfg(test)]
mod tests;
