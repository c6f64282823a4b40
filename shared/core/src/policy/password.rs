//! Passwords (docs/contract.md §7): argon2id hashing in PHC format, verification of argon2 and
//! legacy bcrypt hashes with rehash detection, a dummy verification for unknown
//! accounts, NFKC normalisation and (feature `password-policy`) the new-password
//! policy with the bundled common-password filter. The full design, with the list's
//! sources and measurements, is in `docs/passwords.md`.
//!
//! Features: `password` compiles hashing and verification (login, reset and api);
//! `password-policy` adds [`check_policy`] and the ~150 KiB embedded filter (login and
//! reset only, so the api function stays small).
//!
//! # Security considerations
//! - **One normal form.** Every entry point NFKC-normalises the password itself
//!   ([`normalize`]), so a caller cannot forget: a password typed as fullwidth
//!   `ｐａｓｓ` on one device and `pass` on another hashes and verifies the same, and
//!   the policy counts characters of what is actually hashed.
//! - **Salt from the injected [`Random`](crate::Random)**, 16 bytes, never an ambient
//!   OS source; a failing source makes [`hash_password`] fail closed (`503`).
//! - **Pepper** (`PASSWORD_PEPPER`): argon2's *secret* input (keyed hashing, RFC 9106
//!   §3.1 "K"), so a stolen store without the pepper cannot be cracked offline. Keyed
//!   hashes carry the PHC parameter `keyid=cGVwcGVy` (the bytes `pepper`): a marker,
//!   deliberately not a fingerprint of the pepper, which would let a thief test pepper
//!   guesses cheaply. A keyed hash verifies only with the pepper; removing or changing
//!   `PASSWORD_PEPPER` invalidates every keyed hash (users must reset). Unkeyed hashes
//!   made before a pepper was configured still verify and report `needs_rehash`, so
//!   introducing a pepper upgrades users on their next login instead of locking them out.
//! - **Rehash on any difference.** [`Verification::Valid::needs_rehash`] is true when the
//!   stored hash is not argon2id v19 with exactly the configured m/t/p, a 32-byte tag,
//!   a 16-byte salt and the configured keying — weaker parameters, but also stronger
//!   ones, as libsodium's `crypto_pwhash_str_needs_rehash` does: after an operator
//!   changes the parameters every login converges to them, which keeps the cost of a
//!   real verification equal to [`dummy_verify`]'s.
//! - **Bounded work for stored strings.** A stored argon2 hash whose parameters exceed
//!   the limits configuration accepts (m ≤ 262,144 KiB, t ≤ 16, p ≤ 8) or a bcrypt hash
//!   with cost above 16 is `Invalid` without hashing, so a corrupt or planted record
//!   cannot make an isolate allocate gigabytes or spin for minutes.
//! - **Never a panic, one answer.** Unknown, malformed or truncated hash strings are
//!   [`Verification::Invalid`], exactly like a wrong password; tags are compared in
//!   constant time (`subtle`).
//! - **Timing.** [`dummy_verify`] costs one argon2id hash with the configured
//!   parameters, as a real verification of a current hash does. Accounts whose hash
//!   is still legacy bcrypt or has other parameters take a different time until their
//!   owner's next login upgrades them; that residual difference is documented in
//!   `docs/passwords.md`.
//! - **Secrets in memory.** Normalised copies, tag buffers and argon2's working memory
//!   (allocated by this module, since the crate does not wipe its own) are zeroized
//!   after use.

mod argon2id;
mod bcrypt;
#[cfg(feature = "password-policy")]
mod filter;
mod normalize;
#[cfg(feature = "password-policy")]
mod policy;
#[cfg(test)]
mod tests;

/// Longest password field accepted for verification (the policy caps new passwords
/// at 256 characters; imported legacy hashes may predate it).
pub const MAX_PASSWORD_FIELD_CHARS: usize = 1024;

pub use normalize::normalize;
#[cfg(feature = "password-policy")]
pub use policy::{
    check_policy, is_common, CONTAINS_EMAIL, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS_FLOOR,
    TOO_COMMON, TOO_LONG, TOO_SHORT,
};

use alloc::string::String;
use zeroize::Zeroizing;

use crate::config::PasswordHashParams;
use crate::error::ApiError;
use crate::secret::Secret;

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Verification {
    /// Wrong password, or a stored string that is not a hash this module accepts.
    Invalid,
    /// The password matches.
    Valid {
        /// The stored hash should be replaced by [`hash_password`]'s output now, while
        /// the plaintext is at hand (legacy bcrypt, other argon2 parameters/variant/
        /// version, or keying that differs from the configured pepper).
        needs_rehash: bool,
    },
}

impl Verification {
    /// True for [`Verification::Valid`], whatever `needs_rehash` says.
    pub fn is_valid(self) -> bool {
        matches!(self, Self::Valid { .. })
    }
}

/// Hashes `password` (NFKC-normalised first) with argon2id v19 and the given
/// parameters, a fresh 16-byte salt from `random`, and the pepper as argon2's secret
/// when one is configured. Returns the PHC string to store, e.g.
/// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<tag>`.
///
/// Errors: the random source failed or the pepper is empty → `ApiError::Unavailable`
/// (fail closed); parameters argon2 rejects → `ApiError::Internal`. The parameters are
/// not checked against the OWASP minimums here: [`crate::Config`] does that once.
pub fn hash_password(
    password: &str,
    params: &PasswordHashParams,
    pepper: Option<&Secret>,
    random: &impl crate::Random,
) -> Result<String, ApiError> {
    let normalized = Zeroizing::new(normalize(password));
    argon2id::hash(normalized.as_bytes(), params, pepper, random)
}

/// Checks `password` (raw, as the user typed it: it is NFKC-normalised here) against
/// a stored hash: argon2id/argon2i/argon2d PHC strings, and legacy bcrypt
/// (`$2a$`/`$2b$`/`$2y$`, which always reports `needs_rehash`). Anything else is
/// [`Verification::Invalid`]. See the module docs for when `needs_rehash` is set.
pub fn verify_password(
    password: &str,
    stored: &str,
    params: &PasswordHashParams,
    pepper: Option<&Secret>,
) -> Verification {
    let normalized = Zeroizing::new(normalize(password));
    if bcrypt::looks_like_bcrypt(stored) {
        // bcrypt hashes come from another system, which may not have normalised: try
        // the normal form first, then the bytes as typed when they differ. The pepper
        // is not used: those hashes were made without it.
        let mut valid = bcrypt::verify(normalized.as_bytes(), stored);
        if !valid && normalized.as_str() != password {
            valid = bcrypt::verify(password.as_bytes(), stored);
        }
        return if valid {
            Verification::Valid { needs_rehash: true }
        } else {
            Verification::Invalid
        };
    }
    argon2id::verify(normalized.as_bytes(), stored, params, pepper)
}

/// Spends what [`verify_password`] spends on a current hash — one argon2id hash of
/// the normalised password with the configured parameters and pepper, and a
/// constant-time comparison — and discards the result. Call it when the email is
/// unknown (or the account cannot log in) so that the response time does not reveal
/// whether an account exists. Nothing secret is precomputed: the salt is a public
/// constant and the work happens per call.
pub fn dummy_verify(password: &str, params: &PasswordHashParams, pepper: Option<&Secret>) {
    let normalized = Zeroizing::new(normalize(password));
    argon2id::dummy(normalized.as_bytes(), params, pepper);
}
