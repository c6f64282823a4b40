//! Refresh tokens: format, hashing, deterministic successors, and the issue tag.
//!
//! Format: `{user_id}.{session_id}.{secret}.{tag}` — two 128-bit ids in hex (they
//! locate the session record: shard `user/{user_id}`, name `session/{session_id}`), a
//! 256-bit secret and a 128-bit tag, both base64url. The ids are not secret (the
//! session id is in every access token, in `GET /auth/sessions` and in the audit log);
//! the secret is. Clients treat the whole string as opaque. Tokens issued before the
//! tag existed have no fourth part and still parse ([`Provenance::Untagged`]).
//!
//! Storage: only `SHA-256(secret)` is stored, never the secret. A plain hash (no key)
//! is enough because the secret is 256 uniformly random (or pseudo-random) bits:
//! nothing can be brute-forced from the hash.
//!
//! Successors are derived, not drawn at random:
//! `secret[g+1] = HMAC(K, session_id ‖ (g+1) ‖ secret[g])` (framed, see
//! [`kdf::mac`]) with `K` the refresh-successor subkey of the active
//! `DATA_ENCRYPTION_KEYS` entry, whose id the session record keeps. Any request that
//! holds `secret[g]` can therefore recompute the *same* `secret[g+1]` — that is how a
//! retry within the grace window gets the identical successor without the server
//! storing a secret. Without `K` a successor is unpredictable (HMAC is a PRF), and
//! knowing a successor reveals nothing about its predecessor.
//!
//! The **tag** is `HMAC(K_issued, user_id ‖ session_id ‖ secret)` truncated to 128
//! bits, under the refresh-issued subkey of the key that derived the secret (the
//! active key for a session's first secret). Only this service can compute it, and it
//! computes it only for secrets it hands out for that session, so a valid tag proves
//! that the secret belongs to the session's chain — which is what lets rotation tell
//! a replayed old token (reuse: the session is revoked) from a forged one (a plain
//! `401` that changes nothing), without storing the history of the chain
//! (`docs/sessions.md` §4).
//!
//! Security considerations: parsing is strict (exact lengths and alphabets) so
//! malformed input never reaches the store; hashes and tags are compared in constant
//! time, tags under every key of the ring without an early exit; the token type
//! redacts itself in `Debug`.

use alloc::string::String;
use core::fmt;

use crate::config::Config;
use crate::crypto::kdf::{self, Purpose};
use crate::crypto::keys::KeyEntry;
use crate::encoding;
use crate::model::user;
use crate::secret::{constant_time_eq, Secret};

/// Bytes of a refresh secret (256 bits).
pub const SECRET_BYTES: usize = 32;
/// Bytes of the issue tag (128 bits: a forger must guess it, online, per request).
pub const TAG_BYTES: usize = 16;
/// Longest wire form accepted (ours are 132 characters).
const MAX_TEXT_CHARS: usize = 160;

/// A parsed refresh token.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken {
    /// The owner's id.
    pub user_id: String,
    /// The session's id.
    pub session_id: String,
    secret: Secret,
    tag: Option<[u8; TAG_BYTES]>,
}

/// Whether a presented token was issued by this service for its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// Its tag verifies under a key of the ring: the secret is one of the session's.
    Issued,
    /// A token from before tags (no fourth part): only a stored hash can vouch for it.
    Untagged,
    /// Its tag verifies under no key: not ours (or its key has left the ring).
    Forged,
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshToken")
            .field("user_id", &self.user_id)
            .field("session_id", &self.session_id)
            .field("secret", &"[REDACTED]")
            .field("tagged", &self.tag.is_some())
            .finish()
    }
}

impl RefreshToken {
    /// An untagged token from its parts (the secret must be [`SECRET_BYTES`] long);
    /// [`Self::issue`] makes the tagged tokens this service hands out.
    pub fn new(user_id: &str, session_id: &str, secret: Secret) -> Self {
        Self {
            user_id: user_id.into(),
            session_id: session_id.into(),
            secret,
            tag: None,
        }
    }

    /// The token this service hands out for `secret`: tagged under `key` (the key
    /// that derived the secret; the active key for a session's first one).
    pub fn issue(key: &KeyEntry, user_id: &str, session_id: &str, secret: Secret) -> Self {
        let mut token = Self::new(user_id, session_id, secret);
        token.tag = Some(token.tag_under(key));
        token
    }

    fn tag_under(&self, key: &KeyEntry) -> [u8; TAG_BYTES] {
        let mac = kdf::mac(
            key.subkey(Purpose::RefreshIssued),
            &[
                self.user_id.as_bytes(),
                self.session_id.as_bytes(),
                self.secret.expose(),
            ],
        );
        let mut tag = [0u8; TAG_BYTES];
        for (out, byte) in tag.iter_mut().zip(mac.iter()) {
            *out = *byte;
        }
        tag
    }

    /// Parses the wire form; `None` for anything not exactly of our shape.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() > MAX_TEXT_CHARS {
            return None;
        }
        let mut parts = text.split('.');
        let (user_id, session_id, secret) = (parts.next()?, parts.next()?, parts.next()?);
        let tag = parts.next();
        if parts.next().is_some() || !user::is_id(user_id) || !user::is_id(session_id) {
            return None;
        }
        let secret = encoding::b64url_decode(secret).filter(|bytes| bytes.len() == SECRET_BYTES)?;
        let mut token = Self::new(user_id, session_id, Secret::new(secret));
        if let Some(tag) = tag {
            let bytes = encoding::b64url_decode(tag)?;
            token.tag = Some(<[u8; TAG_BYTES]>::try_from(bytes.as_slice()).ok()?);
        }
        Some(token)
    }

    /// The wire form (goes into a cookie or a JSON body, never a log).
    pub fn encode(&self) -> String {
        let mut text = alloc::format!(
            "{}.{}.{}",
            self.user_id,
            self.session_id,
            encoding::b64url(self.secret.expose())
        );
        if let Some(tag) = &self.tag {
            text.push('.');
            text.push_str(&encoding::b64url(tag));
        }
        text
    }

    /// Whether this service issued the token for its session: the tag is checked
    /// under every data key (constant-time, no early exit, so the time does not tell
    /// which key matched).
    pub fn provenance(&self, config: &Config) -> Provenance {
        let Some(tag) = &self.tag else {
            return Provenance::Untagged;
        };
        let mut issued = false;
        for key in config.data_encryption_keys.iter() {
            issued |= constant_time_eq(&self.tag_under(key), tag);
        }
        if issued {
            Provenance::Issued
        } else {
            Provenance::Forged
        }
    }

    /// The stored form of the secret: SHA-256, hex.
    pub fn secret_hash(&self) -> String {
        encoding::hex(&kdf::sha256(self.secret.expose()))
    }

    /// Whether the secret's hash equals `stored_hash` (constant-time).
    pub fn matches(&self, stored_hash: &str) -> bool {
        constant_time_eq(self.secret_hash().as_bytes(), stored_hash.as_bytes())
    }

    /// The successor of generation `generation` (the token that replaces this one when
    /// the session moves to `generation`), derived and tagged under data key `key_id`.
    /// `None` when that key is no longer configured.
    pub fn successor(&self, config: &Config, key_id: &str, generation: u64) -> Option<Self> {
        let entry = config.data_encryption_keys.get(key_id)?;
        let next = kdf::mac(
            entry.subkey(Purpose::RefreshSuccessor),
            &[
                self.session_id.as_bytes(),
                &generation.to_be_bytes(),
                self.secret.expose(),
            ],
        );
        Some(Self::issue(
            entry,
            &self.user_id,
            &self.session_id,
            Secret::new(next.to_vec()),
        ))
    }
}

#[cfg(test)]
mod tests;
