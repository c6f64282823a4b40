//! The OAuth 2.1 / OpenID Connect provider's rules, as functions of their inputs
//! (docs/oauth-provider.md; the flows that use them are [`crate::flows::oauth_provider`]).
//!
//! - [`params`]: `application/x-www-form-urlencoded` query strings and bodies, read
//!   strictly (a repeated parameter is an error, RFC 6749 §3.1).
//! - [`redirect_uri`]: which redirect URIs a client may register, and exact matching
//!   with the loopback rule of RFC 8252 §7.3.
//! - [`pkce`]: S256 only (RFC 7636).
//! - [`scope`]: supported scopes, what the consent page says about each, and which
//!   `api` routes a scope opens.
//! - [`metadata`]: client registration metadata (RFC 7591, OIDC Registration).
//! - [`jws`]: compact JWS read and written by hand (EdDSA, and RS256 through the
//!   platform signer).
//! - [`tokens`]: access tokens issued to clients (RFC 9068, audience-bound by RFC
//!   8707) and ID tokens (OIDC Core §2).
//! - [`assertion`]: `private_key_jwt` client assertions (RFC 7523).
//! - [`error`]: the protocol's error codes and the one mapping to their answers.
//!
//! Security considerations: every rule here is exact — redirect URIs by string
//! equality (ports of loopback URIs aside), resources and scopes from configured
//! lists, PKCE S256 compared in constant time — and every refusal is a fixed code and
//! fixed text, never an echo of the input.

pub mod assertion;
pub mod error;
pub mod jws;
pub mod metadata;
pub mod params;
pub mod pkce;
pub mod redirect_uri;
pub mod scope;
pub mod tokens;
