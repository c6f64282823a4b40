//! Data-protection rights and retention (docs/contract.md §6; GDPR Art. 7, 15, 17, 20, 5(1)(e)).
//!
//! - [`export`]: `GET /api/me/export` — everything held about the caller, as an
//!   attachment.
//! - [`erase`]: `DELETE /api/me {password}` — erasure after password
//!   re-authentication (the route needs the core's `password` feature).
//! - [`consents`]: `GET`/`PUT /api/me/consents` — per-purpose consent with version
//!   and time; withdrawal as easy as granting; every change audited.
//! - [`crate::model::pending`]: pointers from an account to its pending single-use tokens, so
//!   erasure removes them too.
//! - [`retention`]: the scheduled sweep for the retention rules store expiries
//!   cannot express (unverified accounts, interrupted erasures, stale directory
//!   entries).
//!
//! The retention policy for every record kind is the table in `docs/api.md`.
//!
//! Security considerations: each route is for the authenticated caller's own data
//! only (no id in the path); audit events keep the user id as a pseudonym and never
//! an address, so they may outlive the account for `AUDIT_RETENTION_DAYS` without
//! identifying anyone directly.

pub mod consents;
pub mod erase;
pub mod export;
pub mod retention;

#[cfg(test)]
mod tests;
