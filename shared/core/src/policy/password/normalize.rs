//! Unicode NFKC normalisation of passwords (docs/contract.md §7; NIST SP 800-63B §5.1.1.2).
//!
//! Why NFKC rather than NFC: compatibility forms typed by different keyboards and
//! input methods (fullwidth Latin, ligatures, superscripts, the Ohm sign for Omega)
//! fold into one spelling, so the same password typed on a phone and on a desktop
//! hashes the same, and length rules count what is hashed.
//!
//! Security considerations: NFKC is idempotent, so normalising again (the policy
//! first, then [`super::hash_password`]) changes nothing. Lengths change under NFKC
//! (one `ﬃ` becomes three letters, a decomposed `é` becomes one), which is why the
//! policy counts characters only after this step. The Unicode version is the one of
//! the `unicode-normalization` crate in `Cargo.lock`; characters unassigned in it pass
//! through unchanged.

use alloc::borrow::ToOwned;
use alloc::string::String;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// The NFKC normal form of `password`, the form that is checked, hashed and verified.
pub fn normalize(password: &str) -> String {
    // Plain ASCII (most passwords) is already NFKC: skip the decomposition buffers.
    if is_nfkc_quick(password.chars()) == IsNormalized::Yes {
        return password.to_owned();
    }
    password.nfkc().collect()
}

#[cfg(test)]
mod tests;
