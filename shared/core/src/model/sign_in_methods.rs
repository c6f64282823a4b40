//! How many ways a user can sign in: the one count behind "the last sign-in method
//! cannot be removed" (docs/passkeys.md §4).
//!
//! A sign-in method is a way to start a session without help: a password that is set,
//! each registered passkey, and (with social login) each linked identity. A flow that
//! removes a method counts first and refuses to remove the last one; the email reset
//! stays available as recovery whatever the count (it sets a password), so the rule
//! keeps users from locking themselves out by accident, not from recovering.
//!
//! **Concurrent removals.** A removal first marks the passkey it removes
//! (`removing_since_ms`, a compare-and-swap on that record), then counts the methods
//! *other than every marked passkey*, and goes on only if one is left; otherwise it
//! unmarks and refuses. Of two removals racing for a user's last two passkeys, the
//! later counter sees both marked and refuses (possibly both refuse, and one retry
//! succeeds): never both succeed. A flow that unlinks another kind of method (a social
//! identity) must follow the same protocol.
//!
//! Security considerations: the count is read from the records as stored (the user
//! record and the user's shard), never from the client.

use crate::error::ApiError;
use crate::model::passkey;
use crate::model::user::UserRecord;
use crate::store::AtomicStore;

/// A user's sign-in methods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignInMethods {
    /// A password is set.
    pub password: bool,
    /// Registered passkeys.
    pub passkeys: usize,
}

impl SignInMethods {
    /// How many methods there are.
    pub fn count(&self) -> usize {
        usize::from(self.password).saturating_add(self.passkeys)
    }

    /// The methods of `user`, given how many passkeys they have.
    pub fn of(user: &UserRecord, passkeys: usize) -> Self {
        Self {
            password: !user.password_hash.is_empty(),
            passkeys,
        }
    }
}

/// Reads the sign-in methods of `user` (its passkeys from the store), leaving out
/// passkeys a removal marked at `now_ms`.
pub async fn count(
    atomic: &impl AtomicStore,
    user: &UserRecord,
    now_ms: u64,
) -> Result<SignInMethods, ApiError> {
    let passkeys = passkey::list(atomic, &user.id)
        .await?
        .iter()
        .filter(|(passkey, _)| !passkey.being_removed(now_ms))
        .count();
    Ok(SignInMethods::of(user, passkeys))
}

#[cfg(test)]
mod tests;
