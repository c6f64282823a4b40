//! The one mapping from what went wrong to what the client is told.
//!
//! Every flow returns `Result<_, ApiError>`; [`ApiError::status`], [`ApiError::code`]
//! and [`ApiError::title`] are the only place where a failure becomes a status code
//! and an RFC 9457 problem body (rendered by [`crate::http::problem`]).
//!
//! Security considerations:
//! - Unknown user, wrong password and unverified email are one variant,
//!   [`ApiError::InvalidCredentials`], so neither body nor status reveals which.
//! - `detail` is a `&'static str` chosen by the code, never text derived from input,
//!   a store error or a key id — so nothing a client sent, and nothing internal, is
//!   echoed back.
//! - Internal causes travel separately ([`Internal`]) and only reach the server log.

use core::fmt;

/// Why a request failed, as the client may learn it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiError {
    /// `400 invalid_request`: validation failed; the detail may name a field.
    InvalidRequest(&'static str),
    /// `400 weak_password`: the password policy rejected the new password.
    WeakPassword(&'static str),
    /// `401 invalid_credentials`: wrong email or password (one answer for both).
    InvalidCredentials,
    /// `401 invalid_mfa`: wrong or replayed TOTP or recovery code.
    InvalidMfa,
    /// `401 unauthenticated`: missing, malformed, expired, revoked or forged token.
    Unauthenticated,
    /// `403 forbidden`: authenticated but not permitted.
    Forbidden,
    /// `403 reauthentication_required`: the action needs a recent sign-in or
    /// confirmation (`POST /api/me/reauthenticate`, [`crate::policy::reauth`]).
    ReauthenticationRequired,
    /// `403 csrf_failed`: unsafe cookie-authenticated request without CSRF proof.
    CsrfFailed,
    /// `403 cors_rejected`: preflight from an origin not on the allowlist.
    CorsRejected,
    /// `404 not_found`, also for resources the caller may not know exist.
    NotFound,
    /// `405 method_not_allowed`; the allowed methods go in `Allow`.
    MethodNotAllowed(crate::method::Methods),
    /// `413 payload_too_large`.
    PayloadTooLarge,
    /// `415 unsupported_media_type`.
    UnsupportedMediaType,
    /// `429 rate_limited`, with `Retry-After` seconds (rate limits and lockout alike).
    RateLimited {
        /// Seconds until the client may retry.
        retry_after_secs: u64,
    },
    /// `400 oauth_failed`: a social sign-in did not complete (unknown, used or foreign
    /// state; the provider refused; its answer failed validation). The detail is fixed
    /// text chosen by the code, never the provider's; the cause goes to the log.
    OAuthFailed(&'static str, Internal),
    /// `400 oauth_email_unverified`: the provider asserted no verified address, so no
    /// account is created.
    OAuthEmailUnverified,
    /// `409 oauth_account_exists`: an account with the provider's address exists; its
    /// owner must sign in with it first and link the provider (no silent linking).
    OAuthAccountExists,
    /// `502 oauth_unavailable`: the provider could not be reached, answered an error
    /// status, or sent metadata or keys that cannot be used.
    OAuthUnavailable(Internal),
    /// `500 internal`: anything unexpected; the cause is logged, never sent.
    Internal(Internal),
    /// `503 unavailable`: storage unreachable or a secret missing/malformed.
    Unavailable(Internal),
}

/// The server-side reason behind a 500 or 503: logged, never sent to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Internal(pub &'static str);

impl ApiError {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            Self::InvalidRequest(_)
            | Self::WeakPassword(_)
            | Self::OAuthFailed(..)
            | Self::OAuthEmailUnverified => 400,
            Self::OAuthAccountExists => 409,
            Self::OAuthUnavailable(_) => 502,
            Self::InvalidCredentials | Self::InvalidMfa | Self::Unauthenticated => 401,
            Self::Forbidden
            | Self::ReauthenticationRequired
            | Self::CsrfFailed
            | Self::CorsRejected => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed(_) => 405,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::RateLimited { .. } => 429,
            Self::Internal(_) => 500,
            Self::Unavailable(_) => 503,
        }
    }

    /// The stable machine-readable `code` (docs/contract.md §3).
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::WeakPassword(_) => "weak_password",
            Self::InvalidCredentials => "invalid_credentials",
            Self::InvalidMfa => "invalid_mfa",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::ReauthenticationRequired => "reauthentication_required",
            Self::CsrfFailed => "csrf_failed",
            Self::CorsRejected => "cors_rejected",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RateLimited { .. } => "rate_limited",
            Self::OAuthFailed(..) => "oauth_failed",
            Self::OAuthEmailUnverified => "oauth_email_unverified",
            Self::OAuthAccountExists => "oauth_account_exists",
            Self::OAuthUnavailable(_) => "oauth_unavailable",
            Self::Internal(_) => "internal",
            Self::Unavailable(_) => "unavailable",
        }
    }

    /// A short human-readable summary of the problem type.
    pub fn title(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "Invalid request",
            Self::WeakPassword(_) => "Password does not meet the policy",
            Self::InvalidCredentials => "Invalid email or password",
            Self::InvalidMfa => "Invalid verification code",
            Self::Unauthenticated => "Authentication required",
            Self::Forbidden => "Forbidden",
            Self::ReauthenticationRequired => "Recent authentication required",
            Self::CsrfFailed => "CSRF check failed",
            Self::CorsRejected => "Origin not allowed",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed(_) => "Method not allowed",
            Self::PayloadTooLarge => "Payload too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::RateLimited { .. } => "Too many requests",
            Self::OAuthFailed(..) => "Sign-in with the provider failed",
            Self::OAuthEmailUnverified => "The provider did not confirm an email address",
            Self::OAuthAccountExists => "An account with this email address already exists",
            Self::OAuthUnavailable(_) => "The sign-in provider is unavailable",
            Self::Internal(_) => "Internal error",
            Self::Unavailable(_) => "Service unavailable",
        }
    }

    /// The optional `detail`: static text only, never derived from input.
    pub fn detail(&self) -> Option<&'static str> {
        match self {
            Self::InvalidRequest(detail)
            | Self::WeakPassword(detail)
            | Self::OAuthFailed(detail, _) => Some(detail),
            _ => None,
        }
    }

    /// The internal cause to log for 500/503 (never sent to the client).
    pub fn internal_cause(&self) -> Option<&'static str> {
        match self {
            Self::Internal(Internal(cause))
            | Self::Unavailable(Internal(cause))
            | Self::OAuthUnavailable(Internal(cause))
            | Self::OAuthFailed(_, Internal(cause)) => Some(cause),
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::Unavailable(Internal(error.cause()))
    }
}

impl From<crate::env::RandomError> for ApiError {
    fn from(_: crate::env::RandomError) -> Self {
        Self::Unavailable(Internal("random source failed"))
    }
}

impl From<crate::crypto::CryptoError> for ApiError {
    /// Every cause is a server-side fault the client cannot fix: `503`, with the
    /// static cause in the log only.
    fn from(error: crate::crypto::CryptoError) -> Self {
        Self::Unavailable(Internal(error.cause()))
    }
}

impl From<crate::crypto::blind_index::InvalidEmail> for ApiError {
    fn from(_: crate::crypto::blind_index::InvalidEmail) -> Self {
        Self::InvalidRequest(crate::crypto::blind_index::InvalidEmail::DETAIL)
    }
}

#[cfg(test)]
mod tests;
