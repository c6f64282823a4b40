//! HMAC (RFC 2104) and per-purpose subkeys (HKDF-SHA256, RFC 5869) for `crypto/` and
//! `mfa/`.
//!
//! One 32-byte `DATA_ENCRYPTION_KEYS` entry serves several purposes: the data-at-rest
//! cipher, the email blind index and the recovery-code hashes. Using one key for two
//! algorithms invites cross-protocol attacks (a MAC output of one purpose accepted as a
//! value of another), so each purpose derives its own subkey with HKDF-SHA256 under a
//! distinct `info` label ([`Purpose`]).
//!
//! Security considerations:
//! - The salt and the label spelling are part of the stored-data format: changing
//!   either changes every subkey, which makes every ciphertext undecryptable and every
//!   blind index and recovery hash unmatchable. They are constants for that reason.
//! - `token::kdf` derives its subkeys (refresh successor, CSRF) from the same keyring
//!   entries with the same salt; labels must therefore be unique across both modules.
//!   Its labels are `edgeauth refresh-successor v1` and `edgeauth csrf v1`; ours below
//!   differ from them, and `purposes_have_distinct_labels` guards the list here.
//! - [`hmac`] never fails and never panics: it builds the RFC 2104 block-sized key
//!   itself (pad with zeros, or hash first when longer than a block) and uses the
//!   infallible fixed-size constructor, which is equivalent to the crate's
//!   variable-length one (a property test checks that for keys of 0–300 bytes).
//! - Subkeys and intermediate key blocks are zeroized when dropped.

use hmac::digest::{Key, KeyInit, Mac, Output};
use hmac::{EagerHash, Hmac};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use crate::config::KeyEntry;

/// The HKDF salt of every edgeauth subkey: a fixed, public domain separator (the
/// same one `token::kdf` uses, so one list of labels covers every subkey).
const SALT: &[u8] = b"edgeauth/kdf/v1";

/// A 32-byte subkey, zeroized on drop.
pub(crate) type SubKey = Zeroizing<[u8; 32]>;

/// What a subkey is for. Each purpose has its own HKDF label, so subkeys never coincide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// The XChaCha20-Poly1305 key of [`crate::crypto::aead`].
    DataAtRest,
    /// The HMAC key of the email blind index ([`crate::crypto::blind_index`]).
    EmailIndex,
    /// The HMAC key of recovery-code hashes ([`crate::mfa::recovery`]).
    RecoveryCode,
}

impl Purpose {
    /// The HKDF `info` label (part of the stored-data format: never change it).
    fn label(self) -> &'static [u8] {
        match self {
            Self::DataAtRest => b"edgeauth data-at-rest xchacha20poly1305 v1",
            Self::EmailIndex => b"edgeauth email-index v1",
            Self::RecoveryCode => b"edgeauth recovery-code v1",
        }
    }
}

/// The subkey of a keyring entry for `purpose`.
pub(crate) fn subkey(entry: &KeyEntry, purpose: Purpose) -> SubKey {
    hkdf_sha256(SALT, entry.material.expose(), purpose.label())
}

/// HKDF-SHA256 (RFC 5869) with an output of one block (32 bytes):
/// `PRK = HMAC(salt, ikm)`, `OKM = HMAC(PRK, info || 0x01)`.
pub(crate) fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8]) -> SubKey {
    let mut prk = hmac::<Sha256>(salt, &[ikm]);
    let mut okm = hmac::<Sha256>(&prk, &[info, &[1u8]]);
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&okm);
    prk.as_mut_slice().zeroize();
    okm.as_mut_slice().zeroize();
    out
}

/// HMAC-SHA256 of the concatenation of `parts` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
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
pub(crate) fn hmac<D: EagerHash>(key: &[u8], parts: &[&[u8]]) -> Output<Hmac<D>> {
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
mod tests {
    use super::*;
    use crate::util::hex;
    use alloc::vec::Vec;
    use proptest::prelude::*;
    use sha1::Sha1;
    use sha2::Sha512;

    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn hkdf_matches_rfc5869_vectors() {
        // RFC 5869 A.1–A.3; one HKDF block is the first 32 bytes of the RFC's OKM.
        // A.2's 80-byte salt is longer than a SHA-256 block, so it also exercises the
        // hashed-key path of `hmac`. Kept inline, so these tests do not depend on
        // token::kdf's copy in tests/vectors/rfc5869.json.
        let range = |from: u8, to: u8| hex(&(from..=to).collect::<Vec<u8>>());
        let (a2_ikm, a2_salt, a2_info) = (range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff));
        let cases = [
            (
                a2_ikm.as_str(),
                a2_salt.as_str(),
                a2_info.as_str(),
                "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c",
            ),
            (
                "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
                "000102030405060708090a0b0c",
                "f0f1f2f3f4f5f6f7f8f9",
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf",
            ),
            (
                "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
                "",
                "",
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d",
            ),
        ];
        for (ikm, salt, info, okm) in cases {
            assert_eq!(
                hex(&*hkdf_sha256(&unhex(salt), &unhex(ikm), &unhex(info))),
                okm
            );
        }
    }

    #[test]
    fn hmac_sha256_matches_rfc4231_long_key_case() {
        // RFC 4231 §4.7 (test case 6): a 131-byte key, longer than the block, is hashed.
        let key = [0xaau8; 131];
        let tag = hmac_sha256(
            &key,
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
        );
        assert_eq!(
            hex(&tag),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn purposes_have_distinct_labels() {
        let purposes = [
            Purpose::DataAtRest,
            Purpose::EmailIndex,
            Purpose::RecoveryCode,
        ];
        // token::kdf's labels, derived from the same keys with the same salt.
        let foreign: [&[u8]; 3] = [
            b"edgeauth refresh-successor v1",
            b"edgeauth csrf v1",
            b"edgeauth refresh-issued v1",
        ];
        for (i, a) in purposes.iter().enumerate() {
            assert!(!foreign.contains(&a.label()));
            for b in purposes.iter().skip(i + 1) {
                assert_ne!(a.label(), b.label());
            }
        }
    }

    #[test]
    fn subkeys_differ_per_purpose_and_from_the_key() {
        let ring =
            crate::config::Keyring::parse("k1:OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c", false)
                .unwrap();
        let entry = ring.active();
        let a = subkey(entry, Purpose::DataAtRest);
        let b = subkey(entry, Purpose::EmailIndex);
        let c = subkey(entry, Purpose::RecoveryCode);
        assert_ne!(*a, *b);
        assert_ne!(*b, *c);
        assert_ne!(*a, *c);
        assert_ne!(&a[..], entry.material.expose());
        assert_eq!(*a, *subkey(entry, Purpose::DataAtRest));
    }

    fn reference<D: EagerHash>(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut mac = <Hmac<D> as KeyInit>::new_from_slice(key).unwrap();
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    proptest! {
        #[test]
        fn hmac_equals_the_variable_length_constructor(
            key in proptest::collection::vec(any::<u8>(), 0..300),
            message in proptest::collection::vec(any::<u8>(), 0..200),
            split in 0usize..200,
        ) {
            let cut = split.min(message.len());
            let (head, tail) = message.split_at(cut);
            prop_assert_eq!(hmac::<Sha1>(&key, &[head, tail]).to_vec(), reference::<Sha1>(&key, &message));
            prop_assert_eq!(hmac::<Sha256>(&key, &[head, tail]).to_vec(), reference::<Sha256>(&key, &message));
            prop_assert_eq!(hmac::<Sha512>(&key, &[head, tail]).to_vec(), reference::<Sha512>(&key, &message));
        }
    }
}
