//! The policy for new passwords (docs/contract.md §7): register, reset and change.
//!
//! Rules, checked in this order on the NFKC form (the form that is hashed), each with
//! its own static `detail` in a `400 weak_password` problem:
//! 1. at least `min_length` characters (Unicode scalar values), where `min_length`
//!    comes from configuration and is never taken below 8 → [`TOO_SHORT`];
//! 2. at most 256 characters → [`TOO_LONG`];
//! 3. does not contain the email's local part, compared case-insensitively, when the
//!    local part has at least 3 characters; for a sub-addressed `name+tag@…` the
//!    `name` part alone counts too → [`CONTAINS_EMAIL`];
//! 4. is not on the bundled common/breached list → [`TOO_COMMON`].
//!
//! No composition rules (digits, symbols) and no periodic expiry: NIST SP 800-63B
//! §5.1.1.2 advises against both; length and a blocklist are what it asks for.
//!
//! Security considerations:
//! - The list is stored lower-cased, and the lower-cased password is what is looked
//!   up: `Password1`, `PASSWORD1` and `password1` are all refused. Checking the password
//!   as typed as well would add nothing (every member is lower-case) but false
//!   positives, so it is not done.
//! - The list holds only entries of 8 or more characters: anything shorter already
//!   fails rule 1, whose minimum is never below 8.
//! - `detail` strings are static and never echo the password or the email.
//! - Intermediate copies of the password are zeroized.

use alloc::string::String;
use core::mem;
use zeroize::Zeroizing;

use super::filter;
use super::normalize::normalize;
use crate::error::{ApiError, Internal};

/// The longest password accepted, in characters after NFKC (the same number bounds
/// the password fields as typed, [`crate::policy::fields`]).
pub const MAX_PASSWORD_CHARS: usize = crate::policy::fields::MAX_PASSWORD_CHARS;
/// The configured minimum length is never taken below this.
pub const MIN_PASSWORD_CHARS_FLOOR: usize = 8;
/// Local parts shorter than this are not searched for (too many accidental matches).
const MIN_LOCAL_PART_CHARS: usize = 3;

/// `detail` when the password is shorter than the configured minimum.
pub const TOO_SHORT: &str = "password is too short";
/// `detail` when the password is longer than [`MAX_PASSWORD_CHARS`].
pub const TOO_LONG: &str = "password is too long";
/// `detail` when the password contains the email's local part.
pub const CONTAINS_EMAIL: &str = "password contains the email address";
/// `detail` when the password is on the common-password list.
pub const TOO_COMMON: &str = "password is too common";

/// Checks a new password against the policy. `Ok` carries the NFKC-normalised
/// password — the form to hash (passing the raw one to
/// [`hash_password`](super::hash_password) gives the same result, since it normalises
/// too). `Err` is `ApiError::WeakPassword` naming the first rule broken, or
/// `ApiError::Internal` if the embedded list is unreadable (fail closed).
pub fn check_policy(password: &str, email: &str, min_length: usize) -> Result<String, ApiError> {
    let mut normalized = Zeroizing::new(normalize(password));
    let characters = normalized.chars().count();
    let minimum = min_length.clamp(MIN_PASSWORD_CHARS_FLOOR, MAX_PASSWORD_CHARS);
    if characters < minimum {
        return Err(ApiError::WeakPassword(TOO_SHORT));
    }
    if characters > MAX_PASSWORD_CHARS {
        return Err(ApiError::WeakPassword(TOO_LONG));
    }
    let folded = Zeroizing::new(normalized.to_lowercase());
    if contains_local_part(&folded, email) {
        return Err(ApiError::WeakPassword(CONTAINS_EMAIL));
    }
    if is_common_folded(&folded)? {
        return Err(ApiError::WeakPassword(TOO_COMMON));
    }
    Ok(mem::take(&mut *normalized))
}

/// Whether `password` (NFKC-normalised and lower-cased here) is on the bundled
/// common-password list. Subject to the filter's false-positive rate (~0.2 %), never
/// to false negatives. `Err(ApiError::Internal)` if the embedded list is unreadable.
pub fn is_common(password: &str) -> Result<bool, ApiError> {
    let normalized = Zeroizing::new(normalize(password));
    let folded = Zeroizing::new(normalized.to_lowercase());
    is_common_folded(&folded)
}

fn is_common_folded(folded: &str) -> Result<bool, ApiError> {
    let filter = filter::embedded()
        .map_err(|_| ApiError::Internal(Internal("common-password filter is malformed")))?;
    Ok(filter.contains(folded.as_bytes()))
}

/// Whether the lower-cased password contains the email's local part (or, for
/// `name+tag@…`, the `name`), when that part has at least 3 characters.
fn contains_local_part(folded_password: &str, email: &str) -> bool {
    let local = email
        .rsplit_once('@')
        .map_or(email, |(local, _domain)| local);
    let local = Zeroizing::new(normalize(local).to_lowercase());
    let base = local.split_once('+').map(|(base, _tag)| base);
    let found = [Some(local.as_str()), base]
        .into_iter()
        .flatten()
        .filter(|part| part.chars().count() >= MIN_LOCAL_PART_CHARS)
        .any(|part| folded_password.contains(part));
    found
}

#[cfg(test)]
mod tests;
