//! The pure rules of social sign-in (docs/social-login.md): what is sent to a provider
//! and what is accepted back, as functions of their inputs.
//!
//! - [`pkce`]: the PKCE S256 verifier and challenge (RFC 7636), always used.
//! - [`discovery`]: an OpenID provider's metadata, checked (issuer, https endpoints).
//! - [`jws`]: strict compact-JWS parsing of an ID token (no `none`, no key from the
//!   token, bounded sizes).
//! - [`id_token`]: the ID token's claims per OpenID Connect Core §3.1.3.7.
//! - [`entra`]: Microsoft Entra's multi-tenant issuer rules (`{tenantid}` and `tid`).
//! - [`apple`]: Sign in with Apple's client secret (an ES256 JWT) and its `user` form field.
//! - [`github`]: GitHub's user and emails answers, read for a verified primary address.
//!
//! Security considerations: everything a provider or the browser sends is parsed with
//! size bounds and strict types before anything else looks at it; no provider text is
//! ever put into an answer or a log line (callers map failures to fixed codes).

pub mod apple;
pub mod discovery;
pub mod entra;
pub mod github;
pub mod id_token;
pub mod jws;
pub mod pkce;

use alloc::string::String;

/// Longest answer read from a provider (discovery, keys, token, user API).
pub const MAX_PROVIDER_ANSWER_BYTES: usize = 64 * 1024;
/// Longest wait for a provider's answer, in milliseconds.
pub const PROVIDER_TIMEOUT_MS: u32 = 8_000;

/// What a provider asserted about the person who signed in: the input of the account
/// rules (`flows::oauth::accounts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    /// The provider's stable id for the account (`sub`; GitHub's numeric user id).
    pub subject: String,
    /// The address the provider asserted, normalised, if any.
    pub email: Option<String>,
    /// Whether the provider asserted that it verified `email`.
    pub email_verified: bool,
}
