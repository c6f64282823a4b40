//! The session subkeys (refresh-token successors, CSRF tokens), framed MACs, SHA-256.
//!
//! The primitives — HKDF-SHA256 (RFC 5869) and HMAC-SHA256 — are
//! [`crate::crypto::kdf`]'s; this module adds the purposes the session code needs.
//! A key of `DATA_ENCRYPTION_KEYS` is never used directly: each purpose derives its
//! own subkey under a distinct label with the same salt as `crypto::kdf`, whose test
//! `purposes_have_distinct_labels` checks our labels against its own. So a CSRF token
//! can never be replayed as a refresh-token successor, or as an email index.
//!
//! Security considerations:
//! - Subkeys are [`Secret`]s (redacted, zeroized on drop).
//! - [`mac`] length-prefixes every part, so `("ab", "c")` and `("a", "bc")` never
//!   collide — a session id, a generation and a previous secret cannot be shifted
//!   into one another.
//! - MAC comparisons are constant-time in the callers
//!   ([`crate::secret::constant_time_eq`]).

use alloc::vec::Vec;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::crypto::kdf::{hkdf_sha256, hmac_sha256};
use crate::secret::Secret;

/// The HKDF salt of every edgeauth subkey (the one `crypto::kdf` uses too).
const SALT: &[u8] = b"edgeauth/kdf/v1";

/// What a session subkey is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Purpose {
    /// Deriving a refresh token's successor.
    RefreshSuccessor,
    /// The session-bound CSRF token.
    Csrf,
    /// The tag that marks a refresh secret as issued for its session.
    RefreshIssued,
}

impl Purpose {
    /// The HKDF `info` label (part of the token formats: never change it).
    fn label(self) -> &'static [u8] {
        match self {
            Self::RefreshSuccessor => b"edgeauth refresh-successor v1",
            Self::Csrf => b"edgeauth csrf v1",
            Self::RefreshIssued => b"edgeauth refresh-issued v1",
        }
    }
}

/// The subkey of `key` (a keyring entry's material) for `purpose`.
pub fn subkey(key: &Secret, purpose: Purpose) -> Secret {
    Secret::new(hkdf_sha256(SALT, key.expose(), purpose.label()).to_vec())
}

/// HMAC-SHA256 under `key` of the length-prefixed `parts` (each preceded by its
/// length as a big-endian `u64`), so part boundaries are unambiguous.
pub fn mac(key: &Secret, parts: &[&[u8]]) -> [u8; 32] {
    let mut framed: Vec<u8> = Vec::new();
    for part in parts {
        framed.extend_from_slice(&(part.len() as u64).to_be_bytes());
        framed.extend_from_slice(part);
    }
    let out = hmac_sha256(key.expose(), &[&framed]);
    framed.zeroize();
    out
}

/// SHA-256 of `bytes` (for storing high-entropy tokens as hashes).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&Sha256::digest(bytes));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::hex;
    use alloc::vec;

    #[test]
    fn purposes_yield_different_subkeys() {
        let key = Secret::new(vec![7u8; 32]);
        let a = subkey(&key, Purpose::Csrf);
        let b = subkey(&key, Purpose::RefreshSuccessor);
        let c = subkey(&key, Purpose::RefreshIssued);
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_ne!(b, c);
        assert_ne!(a.expose(), key.expose());
        assert_eq!(a.len(), 32);
        assert_eq!(a, subkey(&key, Purpose::Csrf));
    }

    #[test]
    fn subkeys_are_hkdf_with_the_shared_salt_and_our_label() {
        let key = Secret::new(vec![7u8; 32]);
        let expected = hkdf_sha256(b"edgeauth/kdf/v1", key.expose(), b"edgeauth csrf v1");
        assert_eq!(subkey(&key, Purpose::Csrf).expose(), &expected[..]);
    }

    #[test]
    fn mac_frames_parts_so_boundaries_cannot_shift() {
        let key = Secret::new(vec![1u8; 32]);
        assert_ne!(mac(&key, &[b"ab", b"c"]), mac(&key, &[b"a", b"bc"]));
        assert_ne!(mac(&key, &[b"abc"]), mac(&key, &[b"abc", b""]));
        assert_eq!(mac(&key, &[b"ab", b"c"]), mac(&key, &[b"ab", b"c"]));
    }

    #[test]
    fn sha256_matches_the_empty_string_digest() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
