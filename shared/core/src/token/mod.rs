//! Tokens the core signs and the keys behind them: EdDSA access tokens (JWT), the
//! public key set (JWKS), and the subkeys every other MAC in the core is keyed with.
//!
//! - [`access`]: issue and verify access tokens (API.md §4).
//! - [`jwks`]: `GET /.well-known/jwks.json`.
//! - [`cache`]: the per-isolate memory of verified tokens.
//!
//! The Ed25519 algorithm plugged into `jwt-compact` is [`crate::crypto::eddsa`]; the
//! keys are expanded once, when the configuration is parsed
//! ([`crate::crypto::keys::KeyEntry::signing_key`]).
//!
//! Security considerations: the signing keys are the `JWT_SIGNING_KEYS` ring (the
//! first signs, all verify); a key is used for JWT signatures only — MACs elsewhere
//! (CSRF tokens, refresh-token successors) use subkeys of `DATA_ENCRYPTION_KEYS`
//! entries derived per purpose. See `docs/sessions.md` for the rotation procedure.

pub mod access;
pub mod cache;
pub mod jwks;

#[cfg(test)]
mod access_tests;
#[cfg(test)]
mod cache_tests;

pub use crate::crypto::eddsa::SoftwareEd25519;
pub use access::{
    issue, verify, verify_cached, verify_cached_with, Grant, IssuedAccessToken, TokenError,
    VerifiedAccessToken,
};
pub use cache::TokenCache;
