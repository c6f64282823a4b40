//! The OAuth protocol's errors and the one mapping to their answers: a JSON body at
//! the token, revocation, introspection and registration endpoints (RFC 6749 §5.2,
//! RFC 7591 §3.2.2), `WWW-Authenticate: Bearer` at userinfo (RFC 6750 §3), and the
//! parameters of an error redirect (RFC 6749 §4.1.2.1), which
//! [`crate::flows::oauth_provider`] appends only to a validated redirect URI.
//!
//! These are not the problem documents of docs/contract.md §3: OAuth clients read
//! `error` and `error_description`. Failures that are not the client's (a store that
//! cannot be reached) stay `ApiError`s and answer as problem documents (`503`).
//!
//! Security considerations: `error_description` is fixed text chosen by the code,
//! never an echo of a parameter; `invalid_client` never says whether the client id
//! exists, the secret was wrong or the client is disabled.

use crate::http::Response;

/// An OAuth protocol error, with the fixed text that explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthError {
    /// A parameter is missing, repeated, malformed or not allowed here.
    InvalidRequest(&'static str),
    /// Client authentication failed (unknown, disabled, wrong credential or method).
    InvalidClient,
    /// The code or refresh token is invalid, expired, used, revoked, or not this
    /// client's; or the PKCE verifier or redirect URI does not match.
    InvalidGrant(&'static str),
    /// The client may not use this grant type.
    UnauthorizedClient,
    /// Not `authorization_code` or `refresh_token`.
    UnsupportedGrantType,
    /// A scope is unknown, or beyond the grant.
    InvalidScope,
    /// A resource is unknown, or beyond the grant (RFC 8707 §2).
    InvalidTarget,
    /// The user (or the provider) refused.
    AccessDenied,
    /// Only `response_type=code` is supported.
    UnsupportedResponseType,
    /// `prompt=none`, and the user is not signed in.
    LoginRequired,
    /// `prompt=none`, and consent is needed.
    ConsentRequired,
    /// The `request` parameter (request objects) is not supported.
    RequestNotSupported,
    /// The `request_uri` parameter is not supported.
    RequestUriNotSupported,
    /// Registration: a redirect URI cannot be registered.
    InvalidRedirectUri(&'static str),
    /// Registration: other metadata is invalid.
    InvalidClientMetadata(&'static str),
    /// Userinfo: the access token is missing, malformed, expired, revoked or not for it.
    InvalidToken,
    /// Userinfo: the token lacks the `openid` scope.
    InsufficientScope,
}

impl OAuthError {
    /// The `error` code.
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidTarget => "invalid_target",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::RequestNotSupported => "request_not_supported",
            Self::RequestUriNotSupported => "request_uri_not_supported",
            Self::InvalidRedirectUri(_) => "invalid_redirect_uri",
            Self::InvalidClientMetadata(_) => "invalid_client_metadata",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
        }
    }

    /// The fixed `error_description`.
    pub fn description(self) -> &'static str {
        match self {
            Self::InvalidRequest(text)
            | Self::InvalidGrant(text)
            | Self::InvalidRedirectUri(text)
            | Self::InvalidClientMetadata(text) => text,
            Self::InvalidClient => "client authentication failed",
            Self::UnauthorizedClient => "the client may not use this grant type",
            Self::UnsupportedGrantType => "grant_type must be authorization_code or refresh_token",
            Self::InvalidScope => "a requested scope is unknown or beyond the grant",
            Self::InvalidTarget => "a requested resource is unknown or beyond the grant",
            Self::AccessDenied => "the user denied the request",
            Self::UnsupportedResponseType => "response_type must be code",
            Self::LoginRequired => "the user is not signed in",
            Self::ConsentRequired => "the user has not consented",
            Self::RequestNotSupported => "request objects are not supported",
            Self::RequestUriNotSupported => "request_uri is not supported",
            Self::InvalidToken => "the access token is not valid here",
            Self::InsufficientScope => "the access token lacks the openid scope",
        }
    }

    /// The status of a JSON error answer.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidClient | Self::InvalidToken => 401,
            Self::InsufficientScope => 403,
            _ => 400,
        }
    }
}

/// The JSON error answer of the token, revocation, introspection and registration
/// endpoints. `basic`: the client tried `Authorization: Basic`, so a `401` names that
/// scheme in `WWW-Authenticate` (RFC 6749 §5.2).
pub fn json(error: OAuthError, basic: bool) -> Response {
    let mut response = Response::json(
        error.status(),
        &serde_json::json!({"error": error.code(), "error_description": error.description()}),
    );
    response.set_header("Pragma", "no-cache");
    if error == OAuthError::InvalidClient && basic {
        response.set_header("WWW-Authenticate", "Basic realm=\"edgeauth\"");
    }
    response
}

/// The answer of a resource endpoint (userinfo) to a refused bearer token.
pub fn bearer(error: OAuthError) -> Response {
    let mut response = json(error, false);
    let challenge = alloc::format!(
        "Bearer realm=\"edgeauth\", error=\"{}\", error_description=\"{}\"",
        error.code(),
        error.description()
    );
    response.set_header("WWW-Authenticate", &challenge);
    response
}

#[cfg(test)]
mod tests;
