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
mod tests {
    use super::*;

    #[test]
    fn fullwidth_letters_fold_to_ascii() {
        assert_eq!(normalize("ｐａｓｓｗｏｒｄ１２３"), "password123");
    }

    #[test]
    fn decomposed_and_precomposed_accents_agree() {
        assert_eq!(normalize("cafe\u{301}"), normalize("caf\u{e9}"));
        assert_eq!(normalize("cafe\u{301}"), "caf\u{e9}");
    }

    #[test]
    fn ligatures_expand() {
        assert_eq!(normalize("\u{FB03}"), "ffi");
    }

    #[test]
    fn ascii_is_returned_unchanged() {
        assert_eq!(
            normalize("Tr0ub4dor&3 with spaces"),
            "Tr0ub4dor&3 with spaces"
        );
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        for input in ["ｐａｓｓ", "\u{2126}hm", "x\u{2075}", "e\u{301}\u{301}"] {
            let once = normalize(input);
            assert_eq!(normalize(&once), once);
        }
    }
}
