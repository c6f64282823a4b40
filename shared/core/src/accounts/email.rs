//! Email addresses: the form accounts use, the lookup index, and the stored form.
//!
//! - **Normalised** ([`normalize`]): validated and canonical — trimmed, Unicode lower
//!   case — by [`crate::crypto::blind_index::normalize_email`], the one validator of
//!   the core. `Alice@Example.com` and `alice@example.com` are one account (what users
//!   expect, although RFC 5321 lets a server treat local parts case-sensitively).
//! - **Index** ([`email_index`]): the key that finds the account (AtomicStore shard
//!   `email/{index}`). Today the normalised address itself.
//! - **Stored** ([`StoredEmail`], [`store_email`], [`read_email`]): the address inside
//!   the user record. Today plain text.
//!
//! The planned change to a keyed blind index
//! ([`crate::crypto::blind_index::email_index`], with a lookup over every key's
//! candidate during rotation) and to an encrypted stored form
//! ([`crate::crypto::aead`]) touches only these functions: each already takes the
//! [`Config`] that holds `DATA_ENCRYPTION_KEYS`, and every caller goes through them.
//!
//! Security considerations: an address reaching a storage key or a mail API is plain
//! `local@domain` within RFC 5321's lengths; errors never echo the address.

use alloc::string::String;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::ApiError;

/// Longest email field a request may carry (checked before any processing; the
/// address itself must fit RFC 5321's 254).
pub const MAX_FIELD_CHARS: usize = 320;
/// The `detail` of an email field outside 1..=[`MAX_FIELD_CHARS`].
pub const FIELD_LENGTH: &str = "email: 1 to 320 characters";

/// Validates an address typed by a user and returns its normalised form
/// (`400 invalid_request` otherwise).
pub fn normalize(input: &str) -> Result<String, ApiError> {
    crate::crypto::blind_index::normalize_email(input)
}

/// The account lookup key of a normalised address.
pub fn email_index(_config: &Config, normalized: &str) -> String {
    normalized.into()
}

/// Whether a normalised address is one of `BOOTSTRAP_ADMIN_EMAILS` (which the
/// configuration lower-cases, as [`normalize`] does).
pub fn is_bootstrap_admin(config: &Config, normalized: &str) -> bool {
    config
        .bootstrap_admin_emails
        .iter()
        .any(|admin| *admin == normalized)
}

/// The address as kept in the user record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StoredEmail(String);

/// Turns a normalised address into its stored form.
pub fn store_email(_config: &Config, normalized: &str) -> Result<StoredEmail, ApiError> {
    Ok(StoredEmail(normalized.into()))
}

/// Reads the address back from its stored form.
pub fn read_email(_config: &Config, stored: &StoredEmail) -> Result<String, ApiError> {
    Ok(stored.0.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::testkit;

    #[test]
    fn one_account_per_address_whatever_the_case() {
        let config = testkit::config(&[]);
        let a = normalize("  Alice@Example.COM ").unwrap();
        let b = normalize("alice@example.com").unwrap();
        assert_eq!(email_index(&config, &a), email_index(&config, &b));
        let stored = store_email(&config, &a).unwrap();
        assert_eq!(read_email(&config, &stored).unwrap(), "alice@example.com");
    }

    #[test]
    fn invalid_addresses_are_a_400_without_the_value() {
        let error = normalize("not an address").unwrap_err();
        assert_eq!(error.status(), 400);
        assert!(!error.detail().unwrap_or("").contains("not an address"));
    }

    #[test]
    fn recognises_bootstrap_admins_case_insensitively() {
        let config = testkit::config(&[("BOOTSTRAP_ADMIN_EMAILS", "Root@Example.com")]);
        assert!(is_bootstrap_admin(
            &config,
            &normalize("ROOT@example.com").unwrap()
        ));
        assert!(!is_bootstrap_admin(
            &config,
            &normalize("root2@example.com").unwrap()
        ));
    }
}
