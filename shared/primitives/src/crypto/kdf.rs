//! HMAC (RFC 2104), per-purpose subkeys (HKDF-SHA256, RFC 5869), framed MACs and
//! SHA-256: every key derivation of edgeauth, with its labels in one list.
//!
//! One 32-byte `DATA_ENCRYPTION_KEYS` entry serves several purposes: the data-at-rest
//! cipher, the email blind index, recovery-code hashes, refresh-token successors and
//! issue tags, CSRF tokens and listing cursors. Using one key for two algorithms
//! invites cross-protocol attacks (a MAC output of one purpose accepted as a value of
//! another), so each purpose derives its own subkey with HKDF-SHA256 under a distinct
//! `info` label ([`Purpose`]). The subkeys are derived once, when a keyring is parsed
//! ([`super::keys::KeyEntry::subkey`]).
//!
//! Security considerations:
//! - The salt and the label spelling are part of the stored-data and token formats:
//!   changing either changes every subkey, which makes every ciphertext undecryptable,
//!   every blind index and recovery hash unmatchable and every CSRF token, refresh
//!   successor and cursor invalid. They are constants for that reason, and
//!   [`Purpose::ALL`] is the one list the distinct-label test checks.
//! - [`hmac()`] never fails and never panics: it builds the RFC 2104 block-sized key
//!   itself (pad with zeros, or hash first when longer than a block) and uses the
//!   infallible fixed-size constructor, which is equivalent to the crate's
//!   variable-length one (a property test checks that for keys of 0–300 bytes).
//! - [`mac`] length-prefixes every part, so `("ab", "c")` and `("a", "bc")` never
//!   collide — a session id, a generation and a previous secret cannot be shifted
//!   into one another. MAC comparisons are constant-time in the callers
//!   ([`crate::secret::constant_time_eq`]).
//! - Subkeys and intermediate key blocks are zeroized when dropped.

use alloc::vec::Vec;
use hmac::digest::{Key, KeyInit, Mac, Output};
use hmac::{EagerHash, Hmac};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

/// The HKDF salt of every edgeauth subkey: a fixed, public domain separator.
pub const SALT: &[u8] = b"edgeauth/kdf/v1";

/// A 32-byte subkey, zeroized on drop.
pub type SubKey = Zeroizing<[u8; 32]>;

/// What a subkey is for. Each purpose has its own HKDF label, so subkeys never coincide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The XChaCha20-Poly1305 key of [`super::aead`].
    DataAtRest,
    /// The HMAC key of the email blind index ([`super::blind_index`]).
    EmailIndex,
    /// The HMAC key of recovery-code hashes (the core's `mfa::recovery`).
    RecoveryCode,
    /// Deriving a refresh token's successor (the core's session rotation).
    RefreshSuccessor,
    /// The session-bound CSRF token.
    Csrf,
    /// Sealing listing cursors (the core's paging).
    ListingCursor,
    /// The issue tag that marks a refresh secret as handed out for its session (the
    /// core's refresh token).
    RefreshIssued,
}

impl Purpose {
    /// Every purpose, in the order [`super::keys::KeyEntry`] keeps their subkeys.
    pub const ALL: [Self; 7] = [
        Self::DataAtRest,
        Self::EmailIndex,
        Self::RecoveryCode,
        Self::RefreshSuccessor,
        Self::Csrf,
        Self::ListingCursor,
        Self::RefreshIssued,
    ];

    /// The HKDF `info` label (part of the stored formats: never change it).
    pub fn label(self) -> &'static [u8] {
        match self {
            Self::DataAtRest => b"edgeauth data-at-rest xchacha20poly1305 v1",
            Self::EmailIndex => b"edgeauth email-index v1",
            Self::RecoveryCode => b"edgeauth recovery-code v1",
            Self::RefreshSuccessor => b"edgeauth refresh-successor v1",
            Self::Csrf => b"edgeauth csrf v1",
            Self::ListingCursor => b"edgeauth listing-cursor v1",
            Self::RefreshIssued => b"edgeauth refresh-issued v1",
        }
    }

    /// This purpose's position in [`Self::ALL`].
    pub fn index(self) -> usize {
        match self {
            Self::DataAtRest => 0,
            Self::EmailIndex => 1,
            Self::RecoveryCode => 2,
            Self::RefreshSuccessor => 3,
            Self::Csrf => 4,
            Self::ListingCursor => 5,
            Self::RefreshIssued => 6,
        }
    }
}

/// Derives the subkey of `material` (a keyring entry's 32 bytes) for `purpose`.
pub fn derive(material: &[u8], purpose: Purpose) -> SubKey {
    hkdf_sha256(SALT, material, purpose.label())
}

/// HMAC-SHA256 under `key` of the length-prefixed `parts` (each preceded by its
/// length as a big-endian `u64`), so part boundaries are unambiguous.
pub fn mac(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut framed: Vec<u8> = Vec::new();
    for part in parts {
        framed.extend_from_slice(&(part.len() as u64).to_be_bytes());
        framed.extend_from_slice(part);
    }
    let out = hmac_sha256(key, &[&framed]);
    framed.zeroize();
    out
}

/// SHA-256 of `bytes` (for storing high-entropy tokens as hashes).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// HKDF-SHA256 (RFC 5869) with an output of one block (32 bytes):
/// `PRK = HMAC(salt, ikm)`, `OKM = HMAC(PRK, info || 0x01)`.
pub fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8]) -> SubKey {
    let mut prk = hmac::<Sha256>(salt, &[ikm]);
    let mut okm = hmac::<Sha256>(&prk, &[info, &[1u8]]);
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&okm);
    prk.as_mut_slice().zeroize();
    okm.as_mut_slice().zeroize();
    out
}

/// HMAC-SHA256 of the concatenation of `parts` under `key`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut tag = hmac::<Sha256>(key, parts);
    let mut out = [0u8; 32];
    out.copy_from_slice(&tag);
    tag.as_mut_slice().zeroize();
    out
}

/// HMAC of the concatenation of `parts` under `key`, with any hash of the SHA family.
///
/// RFC 2104 §2: a key longer than the hash's block is replaced by its hash, and the
/// key is then padded with zeros to one block. Doing that here lets us use the
/// fixed-size (infallible) constructor instead of `new_from_slice`, whose error arm
/// cannot happen for HMAC but would otherwise need a panic or an error path.
pub fn hmac<D: EagerHash>(key: &[u8], parts: &[&[u8]]) -> Output<Hmac<D>> {
    let mut block = Key::<Hmac<D>>::default();
    if key.len() > block.len() {
        let mut hashed = D::digest(key);
        copy_prefix(&mut block, &hashed);
        hashed.as_mut_slice().zeroize();
    } else {
        copy_prefix(&mut block, key);
    }
    let mut mac = <Hmac<D> as KeyInit>::new(&block);
    block.as_mut_slice().zeroize();
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes()
}

/// Copies `source` into the start of `target` (as much as fits; the rest stays zero).
fn copy_prefix(target: &mut [u8], source: &[u8]) {
    for (dst, src) in target.iter_mut().zip(source) {
        *dst = *src;
    }
}

#[cfg(test)]
mod tests;
