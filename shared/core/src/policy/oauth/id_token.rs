//! The claims of an ID token, checked per OpenID Connect Core 1.0 §3.1.3.7 once its
//! signature verified ([`super::jws`], the flow's key lookup).
//!
//! In order, each failure a [`ClaimsError`]:
//! 1. the payload is a JSON object with `iss`, `sub`, `aud`, `exp`, `iat` of the right
//!    types (`sub`: 1–255 printable ASCII characters);
//! 2. `iss` is the provider's issuer exactly ([`IssuerRule::Exact`]), or Entra's template
//!    filled with the token's `tid` ([`IssuerRule::Entra`], [`super::entra`]);
//! 3. `aud` is our client id — a string, or an array holding only it: a token also
//!    meant for another client is refused (§3.1.3.7 item 3);
//! 4. `azp`, when present, is our client id (items 4–5);
//! 5. `exp` is not passed and `iat` not in the future, with [`LEEWAY_SECS`]; `iat` is not
//!    older than [`MAX_AGE_SECS`] (item 10: tokens are fresh from the token endpoint);
//! 6. `nonce` equals the one sent in this flow's authorization request (item 11), so
//!    a token minted for another flow — another browser's, or an older one — is refused.
//!
//! `email_verified` may be a boolean or, as Apple sends it, the string `"true"` or
//! `"false"`; anything else reads as not verified.
//!
//! Security considerations: only the claims needed are read; the address is returned
//! as given and normalised by the caller; no claim text reaches an answer or a log.

use alloc::string::String;
use serde::Deserialize;

use super::entra;

/// Clock-skew leeway for `exp` and `iat`, in seconds.
pub const LEEWAY_SECS: u64 = 60;
/// Oldest `iat` accepted, in seconds before now.
pub const MAX_AGE_SECS: u64 = 600;
/// Longest `sub` accepted (OpenID Connect Core §2).
pub const MAX_SUBJECT_LEN: usize = 255;

/// How the issuer is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuerRule<'a> {
    /// `iss` equals this issuer.
    Exact(&'a str),
    /// Microsoft Entra: the discovered issuer (maybe a `{tenantid}` template) and the
    /// configured tenant.
    Entra {
        /// The discovered issuer.
        issuer: &'a str,
        /// The configured tenant (`common`, `organizations`, `consumers`, an id).
        tenant: &'a str,
    },
}

/// What the checks compare with.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The issuer rule.
    pub issuer: IssuerRule<'a>,
    /// Our client id at the provider.
    pub client_id: &'a str,
    /// The nonce sent with this flow's authorization request.
    pub nonce: &'a str,
    /// Now, in Unix seconds.
    pub now_secs: u64,
}

/// The claims edgeauth uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdClaims {
    /// The subject: the provider's stable id for the account.
    pub subject: String,
    /// The address, as given.
    pub email: Option<String>,
    /// Whether the provider says it verified `email`.
    pub email_verified: bool,
}

/// Why the claims were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimsError {
    /// A required claim is missing or of the wrong type, or `sub` is malformed.
    Malformed,
    /// `iss` (with `tid`) is not the provider's.
    Issuer,
    /// `aud` is not exactly our client id.
    Audience,
    /// `azp` is present and not our client id.
    AuthorizedParty,
    /// `exp` has passed.
    Expired,
    /// `iat` is in the future, or older than [`MAX_AGE_SECS`].
    IssuedAt,
    /// `nonce` is missing or not this flow's.
    Nonce,
}

impl ClaimsError {
    /// The static cause, for logs.
    pub const fn cause(self) -> &'static str {
        match self {
            Self::Malformed => "ID token: claims malformed",
            Self::Issuer => "ID token: wrong issuer",
            Self::Audience => "ID token: wrong audience",
            Self::AuthorizedParty => "ID token: wrong azp",
            Self::Expired => "ID token: expired",
            Self::IssuedAt => "ID token: iat in the future or too old",
            Self::Nonce => "ID token: nonce mismatch",
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(alloc::vec::Vec<String>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Verified {
    Bool(bool),
    Text(String),
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    aud: Audience,
    exp: u64,
    iat: u64,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<Verified>,
    #[serde(default)]
    tid: Option<String>,
}

/// Checks the claims of a verified ID token's `payload`.
pub fn check(payload: &[u8], expected: &Expected<'_>) -> Result<IdClaims, ClaimsError> {
    let claims: Claims = serde_json::from_slice(payload).map_err(|_| ClaimsError::Malformed)?;
    if claims.sub.is_empty()
        || claims.sub.len() > MAX_SUBJECT_LEN
        || !claims.sub.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ClaimsError::Malformed);
    }
    let issuer_ok = match expected.issuer {
        IssuerRule::Exact(issuer) => claims.iss == issuer,
        IssuerRule::Entra { issuer, tenant } => {
            entra::token_issuer_matches(tenant, issuer, &claims.iss, claims.tid.as_deref())
        }
    };
    if !issuer_ok {
        return Err(ClaimsError::Issuer);
    }
    let audience_ok = match &claims.aud {
        Audience::One(aud) => aud == expected.client_id,
        Audience::Many(auds) => {
            !auds.is_empty() && auds.iter().all(|aud| aud == expected.client_id)
        }
    };
    if !audience_ok {
        return Err(ClaimsError::Audience);
    }
    if claims
        .azp
        .as_deref()
        .is_some_and(|azp| azp != expected.client_id)
    {
        return Err(ClaimsError::AuthorizedParty);
    }
    if claims.exp.saturating_add(LEEWAY_SECS) <= expected.now_secs {
        return Err(ClaimsError::Expired);
    }
    if claims.iat > expected.now_secs.saturating_add(LEEWAY_SECS)
        || claims.iat.saturating_add(MAX_AGE_SECS) < expected.now_secs
    {
        return Err(ClaimsError::IssuedAt);
    }
    let nonce_ok = claims.nonce.as_deref().is_some_and(|nonce| {
        subtle::ConstantTimeEq::ct_eq(nonce.as_bytes(), expected.nonce.as_bytes()).into()
    });
    if !nonce_ok {
        return Err(ClaimsError::Nonce);
    }
    let email_verified = matches!(claims.email_verified, Some(Verified::Bool(true)))
        || matches!(&claims.email_verified, Some(Verified::Text(text)) if text == "true");
    Ok(IdClaims {
        subject: claims.sub,
        email: claims.email,
        email_verified,
    })
}

#[cfg(test)]
mod tests;
