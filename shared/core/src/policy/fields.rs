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
//!   field. The policy (`crate::policy::password::check_policy`, feature
//!   `password-policy`) still judges new passwords after this (`400 weak_password`).
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
    crate::model::email::normalize(input)
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
mod tests;
