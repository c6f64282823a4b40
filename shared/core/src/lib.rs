//! # edgeauth-core
//!
//! The part of edgeauth that *decides*. It takes a request's parts, a validated
//! [`Config`] and a set of injected services (a [`Clock`], a [`Random`] source, a
//! [`RecordStore`] and an [`AtomicStore`]) and returns an [`Outcome`]: the response,
//! plus the effects an adapter must carry out (audit events to persist, mails to
//! send, one log line to print).
//!
//! It performs no IO of its own, reads no ambient clock and draws no ambient
//! randomness — the same code runs under Cloudflare Workers, Spin, and native tests,
//! and every time-dependent rule can be tested with a fake clock.
//!
//! ## Security considerations
//! - `#![forbid(unsafe_code)]`, `#![no_std]` + `alloc`; `unwrap`, `expect`, `panic!`
//!   and slice indexing are denied outside tests, so untrusted input cannot abort an
//!   isolate.
//! - There is exactly one mapping from a core error to an HTTP status and problem
//!   body ([`ApiError`]); internal errors never reach a response.
//! - Secrets live in [`Secret`] wrappers with redacted `Debug`, zeroized on drop.
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

pub mod accounts;
pub mod admin;
pub mod app;
pub mod audit;
pub mod audit_log;
pub mod audit_query;
pub mod auth;
pub mod config;
pub mod documents;
pub mod error;
pub mod functions;
pub mod gdpr;
pub mod http;
pub mod lockout;
pub mod log;
pub mod mail;
pub mod memory;
pub mod mfa;
pub mod net;
pub mod paging;
#[cfg(feature = "password")]
pub mod password;
pub mod ratelimit;
pub mod rbac;
pub mod session;
pub mod token;

// The primitives (crate `edgeauth-primitives`), re-exported under the names the core
// and the adapters use: `crate::store`, `crate::secret`, … name that crate's modules.
pub use edgeauth_primitives::{crypto, encoding, env, secret, store};

// The curated public interface.
pub use app::{Function, Outcome, Services};
pub use config::{Config, ConfigError, Environment, Vars};
pub use env::{Clock, Random, RandomError};
pub use error::ApiError;
pub use http::{Method, Request, Response};
pub use secret::Secret;
pub use store::{AtomicStore, RecordStore, StoreError};
