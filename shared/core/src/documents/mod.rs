//! Documents with sharing: the resource the protected API guards (docs/contract.md §6).
//!
//! - [`record`]: the record (owner, shares, content), where it lives (AtomicStore,
//!   shard `doc/{id}`), the per-user index that finds one's documents.
//! - [`access`]: the object-level decision (owner / write / read / admin / nobody).
//! - [`routes`]: the handlers of `/api/documents…`.
//!
//! Limits: `title` 1–[`MAX_TITLE_CHARS`] characters, `body` 0–[`MAX_BODY_CHARS`]
//! characters (and every request body ≤ 16 KiB), at most [`MAX_SHARES`] shares per
//! document, at most [`MAX_OWNED`] documents per owner (a soft limit: concurrent
//! creations can pass it by a few).
//!
//! Security considerations:
//! - Every handler runs after the route's permission gate
//!   ([`crate::rbac::Permission::DocumentsUse`]) and then decides on the object
//!   ([`access::decide`]): no access is `404`, never `403`.
//! - Content is plain text, stored as given and returned only inside JSON
//!   (`Content-Type: application/json`, `nosniff`, `default-src 'none'`), never
//!   rendered by this service; clients must treat it as text.
//! - Bodies deny unknown fields, so `owner_id`, `id`, `shares`, `created_at`… cannot be
//!   set by a request (mass assignment): such a body is `400`.
//! - Sharing names a user by id. An unknown id is `400 invalid_request`
//!   (`user_id: no such user`), checked only after the caller proved ownership of the
//!   document, so it reveals only whether an id the caller already holds exists.

pub mod access;
pub mod record;
pub mod routes;

#[cfg(test)]
mod tests;

pub use record::{DocumentRecord, ShareLevel};

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest body, in characters.
pub const MAX_BODY_CHARS: usize = 10_000;
/// Most shares on one document.
pub const MAX_SHARES: usize = 100;
/// Most documents one user may own.
pub const MAX_OWNED: usize = 1_000;
