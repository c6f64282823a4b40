//! # edgeauth-primitives
//!
//! The bottom layer of edgeauth: what every part of the core builds on and that
//! decides nothing about authentication itself.
//!
//! - [`encoding`]: hex, base64url, percent-decoding, RFC 3339 times.
//! - [`secret`]: [`Secret`], bytes with a redacted `Debug`, constant-time equality,
//!   zeroized on drop.
//! - [`mod@env`]: the environment the core is handed rather than reaching for — a
//!   [`Clock`], a [`Random`] source — and their fakes.
//! - [`crypto`]: HMAC/HKDF with one list of derivation purposes ([`crypto::kdf`]),
//!   keyrings whose derived keys are computed once at parse ([`crypto::keys`]),
//!   Ed25519 signing ([`crypto::eddsa`]), the one [`SignatureVerifier`] for EdDSA,
//!   ES256 and RS256 ([`crypto::signature`]), JWK parsing ([`crypto::jwk`]), the
//!   data-at-rest cipher, the email blind index and the rotation helpers.
//! - [`outbound`]: the [`outbound::OutboundHttp`] trait through which the core makes
//!   its few outbound requests (OpenID providers), sans-IO like the stores.
//! - [`store`]: the [`RecordStore`] and [`AtomicStore`] traits every runtime
//!   implements, the in-memory store and the contract suite they all pass.
//!
//! It is its own crate so that the compiler keeps the dependency direction: nothing
//! here can name the configuration, a policy or a flow (`docs/ARCHITECTURE.md`,
//! "Layers").
//!
//! ## Security considerations
//! - `#![forbid(unsafe_code)]`, `#![no_std]` + `alloc`; `unwrap`, `expect`, `panic!`
//!   and slice indexing are denied outside tests.
//! - No ambient time or randomness (`clippy.toml` bans them): both are parameters.
//! - Key material stays in [`Secret`]s; derived keys are zeroized on drop.
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod crypto;
pub mod encoding;
pub mod env;
pub mod outbound;
pub mod secret;
pub mod store;

// The curated public interface.
pub use crypto::jwk::{parse_jwk, parse_jwks, Jwk, JwkError};
pub use crypto::keys::{KeyEntry, Keyring, KeyringError};
#[cfg(feature = "software-signatures")]
pub use crypto::signature::SoftwareVerifier;
pub use crypto::signature::{Algorithm, SignatureCheck, SignatureVerifier, SoftwareEd25519};
pub use crypto::CryptoError;
pub use env::{Clock, Random, RandomError};
pub use outbound::{OutboundError, OutboundHttp, OutboundRequest, OutboundResponse};
pub use secret::Secret;
pub use store::{AtomicKey, AtomicStore, RecordStore, StoreError};
