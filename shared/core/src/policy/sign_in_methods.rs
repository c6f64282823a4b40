//! What a user can sign in with, counted in one place: the rule that the last sign-in
//! method cannot be removed (docs/social-login.md) reads it.
//!
//! A method is: a password (set at registration or through the reset flow), each
//! linked provider account, and — when passkeys land — each passkey. Turning TOTP on or
//! off changes no count: a second factor signs nobody in alone.
//!
//! Security considerations: the count is taken from the user record inside the same
//! compare-and-swap that removes a method, so two concurrent removals cannot both see
//! "one left" and leave none.

use crate::model::user::UserRecord;

/// The sign-in methods of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInMethods {
    /// A password is set.
    pub password: bool,
    /// Linked provider accounts.
    pub identities: usize,
}

impl SignInMethods {
    /// The methods of `user`.
    pub fn of(user: &UserRecord) -> Self {
        Self {
            password: user.has_password(),
            identities: user.identities.len(),
        }
    }

    /// How many methods there are.
    pub fn count(self) -> usize {
        usize::from(self.password) + self.identities
    }
}

/// Whether `user` may lose one sign-in method (another would remain).
pub fn may_remove_one(user: &UserRecord) -> bool {
    SignInMethods::of(user).count() > 1
}

#[cfg(test)]
mod tests;
