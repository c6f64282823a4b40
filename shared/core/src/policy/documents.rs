//! The object-level decision: may this caller do this to this document?
//!
//! | caller | `GET` | `PUT` | `DELETE`, shares |
//! |---|---|---|---|
//! | owner | allow | allow | allow |
//! | `write` share | allow | allow | 403 |
//! | `read` share | allow | 403 | 403 |
//! | admin (no share) | allow (audited) | 403 | 403 |
//! | anyone else | 404 | 404 | 404 |
//!
//! A caller who cannot see a document gets `404 not_found`, exactly as for an id that
//! does not exist, so existence is never revealed (docs/contract.md §6). A caller who *can* see
//! it (a sharee, an admin) but may not do this particular thing gets
//! `403 forbidden`: the document's existence is already known to them, and 403 tells
//! a client the truth about why the request failed.
//!
//! Security considerations: a pure function of the stored record, the caller's id
//! and one role permission ([`crate::policy::rbac::Permission::DocumentsReadAny`]); the
//! table above is tested row by row and by property (every non-owner is refused
//! `DELETE`; nobody without a share or the admin permission learns anything).

use crate::error::ApiError;
use crate::model::document::{DocumentRecord, ShareLevel};

/// The caller's own relation to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// No relation.
    None,
    /// A `read` share.
    Read,
    /// A `write` share.
    Write,
    /// The owner.
    Owner,
}

/// What the caller wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `GET`.
    Read,
    /// `PUT`.
    Update,
    /// `DELETE`.
    Delete,
    /// Add or remove shares.
    Share,
}

/// The outcome of the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Allowed through the caller's own relation.
    Allow,
    /// Allowed only through the admin's read-any permission (audit it).
    AllowAsAdmin,
    /// The caller can see the document but may not do this: `403`.
    Forbidden,
    /// The caller cannot see the document: `404`, as if it did not exist.
    NotFound,
}

impl Decision {
    /// `Ok` for the two allowing outcomes, else the error to answer with.
    pub fn into_result(self) -> Result<Decision, ApiError> {
        match self {
            Self::Allow | Self::AllowAsAdmin => Ok(self),
            Self::Forbidden => Err(ApiError::Forbidden),
            Self::NotFound => Err(ApiError::NotFound),
        }
    }
}

/// The relation of `user_id` to `document`.
pub fn level(document: &DocumentRecord, user_id: &str) -> Level {
    if document.owner_id == user_id {
        return Level::Owner;
    }
    match document.shares.get(user_id) {
        Some(ShareLevel::Write) => Level::Write,
        Some(ShareLevel::Read) => Level::Read,
        None => Level::None,
    }
}

/// Decides `action` on `document` for `user_id`; `read_any` is the caller's
/// [`crate::policy::rbac::Permission::DocumentsReadAny`].
pub fn decide(
    document: &DocumentRecord,
    user_id: &str,
    read_any: bool,
    action: Action,
) -> Decision {
    let level = level(document, user_id);
    let allowed = match action {
        Action::Read => level >= Level::Read,
        Action::Update => level >= Level::Write,
        Action::Delete | Action::Share => level == Level::Owner,
    };
    if allowed {
        Decision::Allow
    } else if action == Action::Read && read_any {
        Decision::AllowAsAdmin
    } else if level > Level::None || read_any {
        Decision::Forbidden
    } else {
        Decision::NotFound
    }
}

#[cfg(test)]
mod tests;
