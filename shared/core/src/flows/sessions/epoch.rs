//! Ending every session of a user, logins in flight included, for a flow that
//! changes nothing else on the user (`logout-all`, the admin's "revoke sessions").
//!
//! The rule — a session counts only under the epoch it was created in — is
//! [`crate::policy::session_epoch`]; flows that change the user anyway (password
//! reset and change, disable, erasure) call its `advance` in their own
//! compare-and-swap and then [`super::revoke::revoke_all`].
//!
//! Security considerations: the epoch moves first, so a session written after the
//! listing of [`super::revoke::revoke_all`] is born dead; the revocation then marks
//! every listed session, so the store shows them ended too.

use super::revoke;
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::model::user;
use crate::policy::session_epoch;

/// Ends every session of `user_id`: a new epoch by compare-and-swap, then every
/// listed session marked revoked. Returns how many were revoked.
pub async fn end_all<S: Services>(ctx: &Ctx<'_, S>, user_id: &str) -> Result<usize, ApiError> {
    user::update(ctx.services.atomic(), user_id, |stored| {
        session_epoch::advance(stored, None);
        true
    })
    .await?;
    revoke::revoke_all(ctx, user_id, None).await
}

#[cfg(all(test, feature = "password-policy"))]
mod tests;
