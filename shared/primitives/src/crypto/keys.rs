//! Keyrings: `JWT_SIGNING_KEYS` and `DATA_ENCRYPTION_KEYS`.
//!
//! Format: comma-separated `key_id:base64url(32 bytes)` entries; the first entry
//! is the active key (signs / encrypts), every entry verifies / decrypts. For
//! signing keys the 32 bytes are an Ed25519 seed. Key ids are public (they appear
//! as the JWT `kid`), so they must not encode anything secret.
//!
//! Derived keys are computed once, at parse: every entry's per-purpose subkeys
//! ([`KeyEntry::subkey`], HKDF under the labels of [`super::kdf::Purpose`]) and, for a
//! signing ring ([`Keyring::parse_signing`]), the expanded Ed25519 key and its public
//! half, raw and as the SubjectPublicKeyInfo a [`super::signature::SignatureCheck`]
//! carries. A configuration parsed once per isolate therefore never derives a key on a
//! request path; the keys live exactly as long as the material they come from.
//!
//! Security considerations: key material is held in [`Secret`], derived keys in
//! zeroizing buffers (the Ed25519 secret key is wiped by `ed25519-compact`), and
//! `Debug` shows ids only; duplicate ids and keys of the wrong length are refused;
//! ids starting with [`DEVELOPMENT_KEY_PREFIX`] are development keys and only
//! accepted with `ENVIRONMENT=development`.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::eddsa::EdSigningKey;
use super::kdf::{self, Purpose, SubKey};
use super::signature::spki;
use crate::secret::Secret;

/// Key ids with this prefix are development keys.
pub const DEVELOPMENT_KEY_PREFIX: &str = "dev-";

/// DEVELOPMENT ONLY — published in the source, refused outside development.
pub const DEVELOPMENT_JWT_SIGNING_KEYS: &str =
    "dev-sign-1:7rpAkmsWGjVxwmG0gHkb4PsVjAMLiezd_Ys3xF3wobQ";
/// DEVELOPMENT ONLY — published in the source, refused outside development.
pub const DEVELOPMENT_DATA_ENCRYPTION_KEYS: &str =
    "dev-data-1:qHMKllDMn1NVFNL_Acb7sKILIFz9nBuOi8ncSknWMRE";

/// One key of a keyring.
#[derive(Clone)]
pub struct KeyEntry {
    /// Public key id.
    pub id: String,
    /// 32 bytes of key material.
    pub material: Secret,
    /// SHA-256 of `material`, computed once at parse: per-isolate caches compare it to
    /// tell whether an id still holds the same key, without hashing the secret again on
    /// every request.
    pub fingerprint: [u8; 32],
    /// The subkey of every [`Purpose`], in [`Purpose::ALL`] order.
    subkeys: [SubKey; Purpose::ALL.len()],
    /// Signing rings only: the expanded Ed25519 key of the seed and its public half.
    ed25519: Option<(EdSigningKey, [u8; 32])>,
    /// Signing rings only: the public half as a SubjectPublicKeyInfo.
    spki: Option<[u8; 44]>,
}

impl KeyEntry {
    fn new(id: String, bytes: Vec<u8>, signing: bool) -> Self {
        let material = Secret::new(bytes);
        let ed25519 = signing
            .then(|| EdSigningKey::from_seed(&material))
            .flatten()
            .map(|key| {
                let public = key.verifying_key().to_bytes();
                (key, public)
            });
        Self {
            id,
            spki: ed25519.as_ref().map(|(_, public)| spki::ed25519(public)),
            fingerprint: Sha256::digest(material.expose()).into(),
            subkeys: Purpose::ALL.map(|purpose| kdf::derive(material.expose(), purpose)),
            ed25519,
            material,
        }
    }

    /// The subkey of this entry for `purpose` (derived at parse).
    pub fn subkey(&self, purpose: Purpose) -> &[u8; 32] {
        // `index` is a position in `Purpose::ALL`, the array's own length.
        match self.subkeys.get(purpose.index()) {
            Some(subkey) => subkey,
            None => unreachable_purpose(),
        }
    }

    /// The expanded Ed25519 signing key (entries of a signing ring, expanded at parse).
    pub fn signing_key(&self) -> Option<&EdSigningKey> {
        self.ed25519.as_ref().map(|(key, _)| key)
    }

    /// The Ed25519 public key (entries of a signing ring, derived at parse).
    pub fn public_key(&self) -> Option<&[u8; 32]> {
        self.ed25519.as_ref().map(|(_, public)| public)
    }

    /// The Ed25519 public key as a DER SubjectPublicKeyInfo, what a
    /// [`super::signature::SignatureCheck`] carries (signing rings, encoded at parse).
    pub fn public_key_spki(&self) -> Option<&[u8]> {
        self.spki.as_ref().map(|spki| spki.as_slice())
    }
}

/// Entries are equal when their id and material are: everything else is derived.
impl PartialEq for KeyEntry {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.material == other.material
            && self.ed25519.is_some() == other.ed25519.is_some()
    }
}

impl Eq for KeyEntry {}

impl core::fmt::Debug for KeyEntry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyEntry")
            .field("id", &self.id)
            .field("material", &self.material)
            .finish_non_exhaustive()
    }
}

/// An ordered, non-empty set of keys; the first is active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyring {
    keys: Vec<KeyEntry>,
}

/// Why a keyring string was refused (the variable name is added by the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyringError {
    /// Empty, or an entry without `id:key`.
    Malformed,
    /// An entry's key is not 32 bytes of base64url.
    BadKeyMaterial,
    /// Two entries share an id.
    DuplicateId,
    /// A `dev-` key outside development.
    DevelopmentKey,
}

impl Keyring {
    /// Parses `id:base64url,…` (a data ring: subkeys derived, no Ed25519 expansion).
    pub fn parse(text: &str, allow_development_keys: bool) -> Result<Self, KeyringError> {
        Self::parse_as(text, allow_development_keys, false)
    }

    /// Parses a signing ring: as [`Self::parse`], and each 32-byte seed is expanded into
    /// its Ed25519 key pair once, here.
    pub fn parse_signing(text: &str, allow_development_keys: bool) -> Result<Self, KeyringError> {
        Self::parse_as(text, allow_development_keys, true)
    }

    fn parse_as(
        text: &str,
        allow_development_keys: bool,
        signing: bool,
    ) -> Result<Self, KeyringError> {
        let mut keys: Vec<KeyEntry> = Vec::new();
        for entry in text
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
        {
            let (id, material) = entry.split_once(':').ok_or(KeyringError::Malformed)?;
            let id = id.trim();
            if id.is_empty()
                || id.len() > 64
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
            {
                return Err(KeyringError::Malformed);
            }
            if id.starts_with(DEVELOPMENT_KEY_PREFIX) && !allow_development_keys {
                return Err(KeyringError::DevelopmentKey);
            }
            let bytes = URL_SAFE_NO_PAD
                .decode(material.trim().trim_end_matches('='))
                .map_err(|_| KeyringError::BadKeyMaterial)?;
            if bytes.len() != 32 {
                return Err(KeyringError::BadKeyMaterial);
            }
            if keys.iter().any(|key| key.id == id) {
                return Err(KeyringError::DuplicateId);
            }
            keys.push(KeyEntry::new(id.to_string(), bytes, signing));
        }
        if keys.is_empty() {
            return Err(KeyringError::Malformed);
        }
        Ok(Self { keys })
    }

    /// The active key (signs / encrypts).
    pub fn active(&self) -> &KeyEntry {
        // `parse` guarantees at least one key; `first` keeps this panic-free anyway.
        self.keys.first().unwrap_or_else(|| unreachable_empty())
    }

    /// Finds a key by id.
    pub fn get(&self, id: &str) -> Option<&KeyEntry> {
        self.keys.iter().find(|key| key.id == id)
    }

    /// All keys, active first.
    pub fn iter(&self) -> impl Iterator<Item = &KeyEntry> {
        self.keys.iter()
    }
}

#[cold]
#[allow(clippy::panic)]
fn unreachable_empty() -> &'static KeyEntry {
    // Unreachable: a Keyring can only be built non-empty by `parse`.
    panic!("keyring is never empty")
}

#[cold]
#[allow(clippy::panic)]
fn unreachable_purpose() -> &'static [u8; 32] {
    // Unreachable: `Purpose::index` ranges over `Purpose::ALL`, the array's length.
    panic!("every purpose has a subkey")
}

#[cfg(test)]
mod tests;
