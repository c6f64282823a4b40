//! The input rules of the email and password fields, one definition for every route
//! that takes them (docs/contract.md §2: over-long strings and malformed input are `400
//! invalid_request`): register, login, forgot, reset, change, `DELETE /api/me` and
//! `DELETE /api/me/mfa/totp`. `docs/openapi.yaml` states the same rules as
//! `maxLength` and `pattern`.
//!
//! - **Email** ([`email`]): 1 to [`MAX_EMAIL_CHARS`] characters, no control character,
//!   and the address syntax of [`crate::crypto::blind_index::normalize_email`] (one
//!   `@`, a local part of at most 64 bytes, a domain without empty labels, at most 254
//!   bytes once trimmed and lower-cased). Returns the normalised address.
//! - **Password** ([`password`]): 1 to [`MAX_PASSWORD_CHARS`] characters — the
//!   policy's maximum, so no password the policy could accept is refused here — and
//!   no control character (`U+0000`–`U+001F`, `U+007F`–`U+009F`): a NUL truncates in
//!   C-based hashers and terminals, and no keyboard types the others into a password
//!   field. The policy ([`crate::password::check_policy`]) still judges new
//!   passwords after this (`400 weak_password`).
//!
//! Security considerations: the rules look at the input alone, so a `400` says
//! nothing about accounts — login can refuse a malformed address before it looks
//! anything up and still reveal nothing (an address that breaks them cannot have an
//! account). Flows apply them right after parsing the body, before any hash and any
//! store access of the flow (authenticated routes authenticate first), so malformed
//! requests cost no hash and spend no rate-limit or lockout budget. The `detail` names
//! the field and the rule, never the value.

use alloc::string::String;

use crate::error::ApiError;
use crate::http::body;

/// Longest email field, in characters (RFC 5321's path limit, 254).
pub const MAX_EMAIL_CHARS: usize = crate::crypto::blind_index::MAX_EMAIL_LEN;
/// Longest password field, in characters: the password policy's maximum.
pub const MAX_PASSWORD_CHARS: usize = 256;

const EMAIL_DETAIL: &str = "email: 1 to 254 characters, no control characters";

/// A password field of a request body, named in the `detail` of its `400`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordField {
    /// `password` (register, login, reset, erase, TOTP disable).
    Password,
    /// `current_password` (change).
    Current,
    /// `new_password` (change).
    New,
}

impl PasswordField {
    fn detail(self) -> &'static str {
        match self {
            Self::Password => "password: 1 to 256 characters, no control characters",
            Self::Current => "current_password: 1 to 256 characters, no control characters",
            Self::New => "new_password: 1 to 256 characters, no control characters",
        }
    }
}

/// Validates an email field and returns the normalised address (`400
/// invalid_request` otherwise).
pub fn email(input: &str) -> Result<String, ApiError> {
    body::check_length(input, 1, MAX_EMAIL_CHARS, EMAIL_DETAIL)?;
    if input.chars().any(char::is_control) {
        return Err(ApiError::InvalidRequest(EMAIL_DETAIL));
    }
    crate::crypto::blind_index::normalize_email(input)
}

/// Validates a password field (`400 invalid_request` naming `field` otherwise).
pub fn password(input: &str, field: PasswordField) -> Result<(), ApiError> {
    body::check_length(input, 1, MAX_PASSWORD_CHARS, field.detail())?;
    if input.chars().any(char::is_control) {
        return Err(ApiError::InvalidRequest(field.detail()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    fn refused(result: Result<(), ApiError>) -> bool {
        matches!(result, Err(ApiError::InvalidRequest(_)))
    }

    #[test]
    fn passwords_up_to_the_policy_maximum_pass() {
        assert!(password("x", PasswordField::Password).is_ok());
        assert!(password(&"é".repeat(256), PasswordField::Password).is_ok());
        assert!(password("tab-free, space ok", PasswordField::New).is_ok());
        assert!(refused(password(&"x".repeat(257), PasswordField::Password)));
        assert!(refused(password(
            &"x".repeat(1000),
            PasswordField::Password
        )));
        assert!(refused(password("", PasswordField::Current)));
    }

    #[test]
    fn passwords_with_control_characters_are_refused() {
        for control in [
            '\u{0}', '\u{7}', '\t', '\n', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}',
        ] {
            let value = format!("correct horse{control}battery");
            assert!(
                refused(password(&value, PasswordField::Password)),
                "{:?}",
                control
            );
        }
    }

    #[test]
    fn details_name_the_field_never_the_value() {
        let Err(ApiError::InvalidRequest(detail)) =
            password("secret\u{0}value", PasswordField::Current)
        else {
            panic!("refused");
        };
        assert!(detail.starts_with("current_password:"));
        assert!(!detail.contains("secret"));
    }

    #[test]
    fn emails_are_checked_for_length_controls_and_syntax() {
        assert_eq!(email(" Alice@Example.com ").unwrap(), "alice@example.com");
        let longest = format!("{}@{}.com", "a".repeat(64), "b".repeat(185));
        assert_eq!(longest.len(), 254);
        assert!(email(&longest).is_ok());
        for bad in [
            String::new(),
            format!("{}@{}.com", "a".repeat(64), "b".repeat(186)),
            "alice@example.com\u{0}".into(),
            "ali\u{0}ce@example.com".into(),
            "\talice@example.com".into(),
            "alice@exa\u{85}mple.com".into(),
            "not-an-address".into(),
            "a@b@c".into(),
            "a".repeat(1000),
        ] {
            assert!(
                matches!(email(&bad), Err(ApiError::InvalidRequest(_))),
                "{bad:?}"
            );
        }
    }
}
