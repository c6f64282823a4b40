//! The messages of account recovery: the reset link and the reset notice (a password
//! change's notice is a security notice, [`crate::flows::notices`]).
//!
//! Security considerations: links are built from `PUBLIC_ORIGIN` only, the token
//! travels in the fragment ([`crate::model::mail::link_with_fragment_token`]); notices carry
//! no token and no detail an attacker with the mailbox could use, and tell the owner
//! what to do if it was not them.

use alloc::format;

use super::token::RESET_PATH;
use crate::model::mail::{link_with_fragment_token, Mail};

/// The mail with the reset link.
pub fn reset_link(public_origin: &str, to: &str, token: &str) -> Mail {
    let link = link_with_fragment_token(public_origin, RESET_PATH, token);
    Mail {
        to: to.into(),
        subject: "Reset your password".into(),
        text: format!(
            "Someone asked to reset the password of your account. To choose a new \
             password, open this link:\n\n{link}\n\n\
             The link works once and expires in 30 minutes. If you did not ask for this, \
             you can ignore this message: your password stays as it is."
        ),
    }
}

/// The notice after a completed reset.
pub fn reset_notice(public_origin: &str, to: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: "Your password was reset".into(),
        text: format!(
            "The password of your account was just reset with a link sent to this \
             address, and every device signed in to the account was signed out.\n\n\
             If this was not you, someone can read this mailbox: secure it, then reset \
             your password again at {public_origin}."
        ),
    }
}
