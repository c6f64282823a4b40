//! Access tokens the core signs and checks: EdDSA JWTs and the public key set (JWKS).
//!
//! - [`access`]: issue and verify access tokens (docs/contract.md §4); [`verify`] is the one
//!   entry point, with the isolate's [`TokenMemory`] and the platform's signature
//!   verifier as parameters.
//! - [`jwks`]: `GET /.well-known/jwks.json`.
//!
//! The Ed25519 algorithm plugged into `jwt-compact` is [`crate::crypto::eddsa`]; the
//! keys are expanded once, when the configuration is parsed
//! ([`crate::crypto::keys::KeyEntry::signing_key`]); the memory of verified tokens is
//! [`crate::memory::tokens`].
//!
//! Security considerations: the signing keys are the `JWT_SIGNING_KEYS` ring (the
//! first signs, all verify); a key is used for JWT signatures only — MACs elsewhere
//! (CSRF tokens, refresh-token successors) use subkeys of `DATA_ENCRYPTION_KEYS`
//! entries derived per purpose. See `docs/sessions.md` for the rotation procedure.

pub mod access;
pub mod jwks;

pub use access::{
    check_times, issue, names_a_client, verify, verify_with, Grant, IssuedAccessToken, NoMemory,
    Remembered, Times, TokenError, TokenKeys, TokenMemory, VerificationKey, VerifiedAccessToken,
};
