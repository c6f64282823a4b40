//! Documents with sharing: the resource the protected API guards (docs/contract.md §6).
//!
//! - [`crate::model::document`]: the record (owner, shares, content), where it lives
//!   (AtomicStore, shard `doc/{id}`), the per-user index that finds one's documents.
//! - [`crate::policy::documents`]: the object-level decision (owner / write / read /
//!   admin / nobody).
//! - [`routes`]: the handlers of `/api/documents…`; [`erase_documents`]: a user's
//!   documents and shares at account erasure.
//!
//! Limits: `title` 1–[`MAX_TITLE_CHARS`] characters, `body` 0–[`MAX_BODY_CHARS`]
//! characters (and every request body ≤ 16 KiB), at most [`MAX_SHARES`] shares per
//! document, at most [`MAX_OWNED`] documents per owner (a soft limit: concurrent
//! creations can pass it by a few).
//!
//! Security considerations:
//! - Every handler runs after the route's permission gate
//!   ([`crate::policy::rbac::Permission::DocumentsUse`]) and then decides on the object
//!   ([`crate::policy::documents::decide`]): no access is `404`, never `403`.
//! - Content is plain text, stored as given and returned only inside JSON
//!   (`Content-Type: application/json`, `nosniff`, `default-src 'none'`), never
//!   rendered by this service; clients must treat it as text.
//! - Bodies deny unknown fields, so `owner_id`, `id`, `shares`, `created_at`… cannot be
//!   set by a request (mass assignment): such a body is `400`.
//! - Sharing names a user by id. An unknown id is `400 invalid_request`
//!   (`user_id: no such user`), checked only after the caller proved ownership of the
//!   document, so it reveals only whether an id the caller already holds exists.

pub mod routes;

#[cfg(test)]
mod tests;

use crate::error::ApiError;
use crate::model::document;
use crate::store::AtomicStore;

/// Bound on compare-and-swap retries while erasing (each loss means a concurrent
/// change to the document).
const ATTEMPTS: usize = 6;

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest body, in characters.
pub const MAX_BODY_CHARS: usize = 10_000;
/// Most shares on one document.
pub const MAX_SHARES: usize = 100;
/// Most documents one user may own.
pub const MAX_OWNED: usize = 1_000;

/// Removes the user's documents and their shares on other users' documents (account
/// erasure, [`crate::flows::gdpr::erase`]).
pub async fn erase_documents(atomic: &impl AtomicStore, user_id: &str) -> Result<(), ApiError> {
    // The user's own index entries go with the shard afterwards.
    for (document_id, _) in document::index_of(atomic, user_id).await? {
        for _ in 0..ATTEMPTS {
            let Some((mut document, raw)) = document::load_raw(atomic, &document_id).await? else {
                break;
            };
            let swapped = if document.owner_id == user_id {
                let swapped = document::swap(atomic, &document_id, Some(&raw), None).await?;
                if swapped {
                    document::remove_all_index_entries(atomic, &document).await?;
                }
                swapped
            } else if document.shares.remove(user_id).is_some() {
                document::swap(atomic, &document_id, Some(&raw), Some(&document)).await?
            } else {
                true
            };
            if swapped {
                break;
            }
        }
    }
    Ok(())
}
