//! Mails that tell an account's owner their second factor changed (turning it off is a
//! security notice with a "this wasn't me" link, [`crate::flows::notices`]).
//!
//! Why: a stolen session can turn TOTP on for an account that had none (only
//! changing or removing an active factor needs the password), which would lock the
//! owner out; a recovery code used by someone else is a takeover in progress. The
//! owner hears of each at once and can react (reset the password, contact support).
//!
//! Security considerations: the mails carry no code, secret or link with a token —
//! nothing that acts on the account.

use alloc::format;

use crate::model::mail::Mail;

/// TOTP was turned on.
pub fn enabled(public_origin: &str, to: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: "Two-factor authentication was turned on".into(),
        text: format!(
            "Two-factor authentication with an authenticator app was turned on for your \
             account at {public_origin}. From now on, signing in asks for a code from the \
             app after your password.\n\n\
             If this was not you, someone else is signed in to your account: reset your \
             password at {public_origin} and contact support."
        ),
    }
}

/// A recovery code was used to sign in; `left` codes remain.
pub fn recovery_code_used(public_origin: &str, to: &str, left: usize) -> Mail {
    Mail {
        to: to.into(),
        subject: "A recovery code was used to sign in".into(),
        text: format!(
            "Someone signed in to your account at {public_origin} with one of your \
             recovery codes. {left} unused codes remain.\n\n\
             If this was not you, reset your password at {public_origin} at once. To get \
             a new set of codes, turn two-factor authentication off and on again."
        ),
    }
}
