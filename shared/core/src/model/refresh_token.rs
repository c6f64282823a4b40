//! Refresh tokens: format, hashing, and deterministic successors.
//!
//! Format: `{user_id}.{session_id}.{secret}` — two 128-bit ids in hex (they locate the
//! session record: shard `user/{user_id}`, name `session/{session_id}`) and a 256-bit
//! secret in base64url. The ids are not secret (the session id is in every access
//! token and in `GET /auth/sessions`); the secret is. Clients treat the whole string
//! as opaque.
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
//! storing a secret (the alternative, storing the successor encrypted, keeps
//! decryptable token material at rest). Without `K` a successor is unpredictable
//! (HMAC is a PRF), and knowing a successor reveals nothing about its predecessor.
//!
//! Security considerations: parsing is strict (exact lengths and alphabets) so
//! malformed input never reaches the store; hashes are compared in constant time;
//! the token type redacts itself in `Debug`.

use alloc::string::String;
use core::fmt;

use crate::config::Config;
use crate::crypto::kdf::{self, Purpose};
use crate::encoding;
use crate::model::user;
use crate::secret::{constant_time_eq, Secret};

/// Bytes of a refresh secret (256 bits).
pub const SECRET_BYTES: usize = 32;

/// A parsed refresh token.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken {
    /// The owner's id.
    pub user_id: String,
    /// The session's id.
    pub session_id: String,
    secret: Secret,
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshToken")
            .field("user_id", &self.user_id)
            .field("session_id", &self.session_id)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

impl RefreshToken {
    /// A token from its parts (the secret must be [`SECRET_BYTES`] long).
    pub fn new(user_id: &str, session_id: &str, secret: Secret) -> Self {
        Self {
            user_id: user_id.into(),
            session_id: session_id.into(),
            secret,
        }
    }

    /// Parses the wire form; `None` for anything not exactly of our shape.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() > 128 {
            return None;
        }
        let mut parts = text.split('.');
        let (user_id, session_id, secret) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !user::is_id(user_id) || !user::is_id(session_id) {
            return None;
        }
        let secret = encoding::b64url_decode(secret).filter(|bytes| bytes.len() == SECRET_BYTES)?;
        Some(Self::new(user_id, session_id, Secret::new(secret)))
    }

    /// The wire form (goes into a cookie or a JSON body, never a log).
    pub fn encode(&self) -> String {
        alloc::format!(
            "{}.{}.{}",
            self.user_id,
            self.session_id,
            encoding::b64url(self.secret.expose())
        )
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
    /// the session moves to `generation`), under data key `key_id`. `None` when that
    /// key is no longer configured.
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
        Some(Self::new(
            &self.user_id,
            &self.session_id,
            Secret::new(next.to_vec()),
        ))
    }
}

#[cfg(test)]
mod tests;
