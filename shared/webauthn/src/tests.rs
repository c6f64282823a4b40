//! Crate-level tests: recorded and specification ceremonies (`tests/vectors/*.json`, sources
//! in `tests/vectors/README.md`) through the two flows, one named test per refusal, and
//! properties over arbitrary input.

mod support;

#[cfg(feature = "software")]
mod authentication;
mod properties;
mod registration;
