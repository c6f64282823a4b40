//! # edgeauth-core
//!
//! The part of edgeauth that *decides*. It takes a request's parts, a validated
//! [`Config`] (values only), the isolate's [`memory::IsolateMemory`] and a set of
//! injected services (a [`Clock`], a [`Random`] source, a [`RecordStore`], an
//! [`AtomicStore`] and a signature verifier), serves the request from the function's
//! route table ([`app::route`]) and returns an [`Outcome`]: the response, plus the
//! effects to carry out (audit events to persist, mails to send, one log line), which
//! [`app::carry_out`] does over the adapter's transport.
//!
//! Modules are layered, each naming only its own layer and those below
//! (docs/ARCHITECTURE.md, "Layers"): [`config`] → [`method`], [`error`], [`http`],
//! [`model`] → [`policy`] → [`memory`] → [`ctx`] → [`flows`] → [`app`], [`functions`];
//! the bottom layer is the crate `edgeauth-primitives`, re-exported here as
//! [`crypto`], [`encoding`], [`mod@env`], [`secret`] and [`store`].
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

// Layers, bottom first (docs/ARCHITECTURE.md, "Layers"; `cargo xtask deps` checks
// that every module names only its own layer and those below):
// primitives (crate edgeauth-primitives) → config → method, error, http, model → policy →
// memory → ctx → flows → app, functions.
pub mod config;

pub mod error;
pub mod http;
pub mod method;
pub mod model;

pub mod policy;

pub mod memory;

pub mod ctx;

pub mod flows;

pub mod app;
pub mod functions;

#[cfg(test)]
pub(crate) mod testkit;

// The primitives (crate `edgeauth-primitives`), re-exported under the names the core
// and the adapters use: `crate::store`, `crate::secret`, … name that crate's modules.
pub use edgeauth_primitives::{crypto, encoding, env, outbound, secret, store};

// The curated public interface.
pub use app::{Function, Outcome};
pub use config::{Config, ConfigError, Environment, Vars};
pub use ctx::{Ctx, Services};
pub use env::{Clock, Random, RandomError};
pub use error::ApiError;
pub use http::{Method, Request, Response};
pub use secret::Secret;
pub use store::{AtomicStore, RecordStore, StoreError};
