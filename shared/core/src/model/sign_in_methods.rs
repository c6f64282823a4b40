//! How many ways a user can sign in: the one count behind "the last sign-in method
//! cannot be removed" (docs/passkeys.md §4, docs/social-login.md).
//!
//! A sign-in method is a way to start a session without help: a password that is set,
//! each registered passkey, and each linked provider account (social sign-in). A flow
//! that removes a method counts first and refuses to remove the last one; the email
//! reset stays available as recovery whatever the count (it sets a password), so the
//! rule keeps users from locking themselves out by accident, not from recovering.
//! Turning TOTP on or off changes no count: a second factor signs nobody in alone.
//!
//! **Concurrent removals.** A removal first marks the method it removes (a passkey's
//! `removing_since_ms`, by a compare-and-swap on that record; a linked identity's, by
//! one on the user record), then counts the methods *other than every marked one*,
//! reading the user record and the passkeys afresh, and goes on only if one is left;
//! otherwise it unmarks and refuses. Of two removals racing for a user's last two
//! methods — of either kind — the later marker's count sees the earlier mark and
//! refuses (possibly both refuse, and one retry succeeds): never both succeed. A mark
//! older than [`passkey::REMOVAL_MARK_MS`] (a removal that died half-way) no longer
//! counts.
//!
//! Security considerations: the count is read from the records as stored (the user
//! record and the user's shard), never from the client or a copy read earlier in the
//! request.

use crate::error::ApiError;
use crate::model::passkey;
use crate::model::user::{self, UserRecord};
use crate::store::AtomicStore;

/// A user's sign-in methods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignInMethods {
    /// A password is set.
    pub password: bool,
    /// Registered passkeys.
    pub passkeys: usize,
    /// Linked provider accounts.
    pub identities: usize,
}

impl SignInMethods {
    /// How many methods there are.
    pub fn count(&self) -> usize {
        usize::from(self.password)
            .saturating_add(self.passkeys)
            .saturating_add(self.identities)
    }

    /// The methods of `user`, given how many passkeys they have, leaving out linked
    /// identities a removal marked at `now_ms`.
    pub fn of(user: &UserRecord, passkeys: usize, now_ms: u64) -> Self {
        Self {
            password: user.has_password(),
            passkeys,
            identities: user
                .identities
                .iter()
                .filter(|link| !link.being_removed(now_ms))
                .count(),
        }
    }
}

/// How many of `user_id`'s passkeys count at `now_ms` (those no removal marked).
pub async fn passkeys(
    atomic: &impl AtomicStore,
    user_id: &str,
    now_ms: u64,
) -> Result<usize, ApiError> {
    Ok(passkey::list(atomic, user_id)
        .await?
        .iter()
        .filter(|(passkey, _)| !passkey.being_removed(now_ms))
        .count())
}

/// Reads the sign-in methods of `user_id` as stored (the user record and its
/// passkeys), leaving out every method a removal marked at `now_ms`; `None` when the
/// user does not exist.
pub async fn count(
    atomic: &impl AtomicStore,
    user_id: &str,
    now_ms: u64,
) -> Result<Option<SignInMethods>, ApiError> {
    let Some(user) = user::load(atomic, user_id).await? else {
        return Ok(None);
    };
    let passkeys = passkeys(atomic, user_id, now_ms).await?;
    Ok(Some(SignInMethods::of(&user, passkeys, now_ms)))
}

#[cfg(test)]
mod tests;
