//! Tokens the core signs and the keys behind them: EdDSA access tokens (JWT), the
//! public key set (JWKS), and the subkeys every other MAC in the core is keyed with.
//!
//! - [`access`]: issue and verify access tokens (docs/contract.md §4).
//! - [`jwks`]: `GET /.well-known/jwks.json`.
//! - [`eddsa`]: the Ed25519 algorithm plugged into `jwt-compact`.
//! - [`cache`]: the per-isolate memory of derived public keys and verified tokens.
//! - [`kdf`]: purpose-specific subkeys (HKDF-SHA256), framed HMACs, SHA-256.
//!
//! Security considerations: the signing keys are the `JWT_SIGNING_KEYS` ring (the
//! first signs, all verify); a key is used for JWT signatures only — MACs elsewhere
//! (CSRF tokens, refresh-token successors) use subkeys of `DATA_ENCRYPTION_KEYS`
//! entries derived per purpose. See `docs/sessions.md` for the rotation procedure.

pub mod access;
pub mod cache;
pub mod eddsa;
pub mod jwks;
pub mod kdf;

#[cfg(test)]
mod access_tests;
#[cfg(test)]
mod cache_tests;

pub use access::{
    issue, verify, verify_cached, verify_cached_with, Grant, IssuedAccessToken, TokenError,
    VerifiedAccessToken,
};
pub use cache::TokenCache;
pub use eddsa::SoftwareEd25519;
