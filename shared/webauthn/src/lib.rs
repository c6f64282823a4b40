#![doc = include_str!("../README.md")]
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

pub mod attestation;
pub mod authentication;
pub mod authenticator_data;
mod cbor;
pub mod client_data;
pub mod cose;
pub mod error;
pub mod registration;
pub mod relying_party;
pub mod signature;

#[cfg(test)]
mod tests;

// The curated public interface.
pub use attestation::{parse_attestation_object, AttestationObject, AttestationPolicy};
pub use authentication::{
    verify_authentication, AuthenticationExpectations, AuthenticationOutcome,
    AuthenticationResponse, CounterPolicy, CounterStatus, StoredCredential,
};
pub use authenticator_data::{parse_authenticator_data, AuthenticatorData, Flags};
pub use cbor::{MAX_DEPTH as MAX_CBOR_DEPTH, MAX_ITEMS as MAX_CBOR_ITEMS};
pub use client_data::{parse_client_data, ClientData};
pub use cose::PublicKey;
pub use error::{Error, Malformed, Part};
pub use registration::{
    verify_registration, RegisteredCredential, RegistrationExpectations, RegistrationResponse,
};
pub use relying_party::{RelyingParty, UserVerification};
pub use signature::{ecdsa_der_to_raw, Algorithm, SignatureCheck, SignatureVerifier};
