//! # edgeauth-guard
//!
//! Protect your own routes with edgeauth sessions, from a workers-rs handler or a Spin
//! component, with the security semantics of edgeauth's own `api` function
//! (docs/guard.md):
//!
//! 1. the access token — `Authorization: Bearer`, else the `__Host-access` cookie — is
//!    verified by edgeauth's own check ([`edgeauth_core::policy::token::verify_with`]:
//!    `EdDSA` only, `at+jwt`, no `crit`, known `kid`, signature, issuer, the configured
//!    audience, times with 30 s leeway) against the key set edgeauth publishes at
//!    `/.well-known/jwks.json`, fetched and kept for its `max-age`, fetched again when a
//!    token names a key it has not seen (key rollover);
//! 2. a cookie request with an unsafe method passes edgeauth's CSRF rule: the `Origin`
//!    and the double submit here ([`edgeauth_core::policy::csrf::check_request`]), the
//!    binding of the token to the session by edgeauth (which holds the keys);
//! 3. the session is checked by edgeauth (`/auth/introspect`, over a service binding
//!    or HTTPS): live, user enabled, epoch, kill switch; the roles are the stored
//!    ones. Under `SESSION_CHECK=cached` (default) a read-only request may use an
//!    answer for what is left of the 5 s revocation bound (the answer's own age
//!    counted); a write, and every request under `strict`, asks now;
//! 4. roles and permissions: [`Principal::require_role`], [`Principal::require`]
//!    (edgeauth's RBAC table).
//!
//! Refusals are edgeauth's own problem bodies ([`edgeauth_core::ApiError`]): `401
//! unauthenticated`, `403 forbidden` / `csrf_failed`, `429` (the introspection spends
//! the caller's API budget), `503` when edgeauth cannot be asked — never a pass.
//!
//! The decisions are sans-IO ([`Guard::authenticate`] over an [`Upstream`], a clock
//! and a signature verifier); [`workers`] and [`spin`] are the thin runtime adapters
//! (chosen by the compilation target).
//!
//! Security considerations: the guard holds no secret and binds no store of
//! edgeauth's. What it keeps per isolate is bounded ([`GuardMemory`]): verified token
//! digests, the public key set, and session answers for at most the revocation bound.
//! On Spin, where an instance serves one request, nothing is kept and every request
//! asks edgeauth.

mod check;
mod config;
pub mod keys;
mod memory;
mod principal;
mod upstream;

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
pub mod spin;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub mod workers;

pub use check::Guard;
pub use config::{GuardConfig, VARIABLES};
pub use edgeauth_core::config::SessionCheck;
pub use edgeauth_core::error::Internal;
pub use edgeauth_core::policy::rbac::Permission;
pub use edgeauth_core::ApiError;
pub use keys::KeySet;
pub use memory::GuardMemory;
pub use principal::{Principal, Via};
pub use upstream::{Answer, Call, Upstream, UpstreamError, MAX_ANSWER_BYTES};

/// The longest a session answer is used: edgeauth's revocation bound.
pub const REVOCATION_BOUND_MS: u64 = edgeauth_core::memory::REVOCATION_BOUND_MS;

#[cfg(test)]
mod tests;
