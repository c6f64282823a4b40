//! Per-isolate memory of the work access tokens repeat: tokens whose signature and
//! static claims already verified. (The keys expanded from `JWT_SIGNING_KEYS` seeds
//! are computed once, when the configuration is parsed.)
//!
//! A client sends the same access token with every request until it expires (15 min
//! by default), and a Worker isolate serves many requests; checking the Ed25519
//! signature again each time is most of the CPU a protected request costs
//! (docs/benchmarks.md). The cache lives in [`crate::Config`] — parsed once per isolate
//! on Workers, so it lives exactly as long as the configuration it depends on; on Spin
//! (one instance per request) it simply starts empty each time.
//!
//! Security considerations:
//! - **Only what cannot change is remembered**: the signature, `alg`/`typ`/`crit`,
//!   `kid`, `iss` and `aud` — facts of the token bytes and the key. Time claims are
//!   checked again on every hit (`exp`, `iat`, `nbf`, same leeway as the full check),
//!   and revocation is not this module's business: [`crate::auth`] reads the session
//!   and the user on every request, hit or miss.
//! - A hit also requires the configuration to still vouch for the token: the same
//!   `PUBLIC_ORIGIN` and the same key material under the token's `kid` (compared by
//!   SHA-256 digest), so a key removed from the ring ends its tokens here as well.
//! - Entries are keyed by the SHA-256 of the token: the cache holds no bearer token,
//!   and a token that differs in any byte is a miss that goes through the full check.
//!   Refusals are never remembered: a bad token costs the full check every time.
//! - Bounded: [`CAPACITY`] tokens (oldest evicted first). A client holding many
//!   valid tokens can only evict entries (a slower next request), never make a
//!   refused token pass.
//! - `RefCell` borrows are tried, never assumed: a busy cell is treated as a miss.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use sha2::{Digest, Sha256};

use super::access::VerifiedAccessToken;

/// How many verified tokens one isolate remembers.
pub const CAPACITY: usize = 256;

/// The token checks' per-isolate memory (a field of [`crate::Config`]).
#[derive(Default)]
pub struct TokenCache {
    inner: RefCell<Inner>,
}

#[derive(Default)]
struct Inner {
    verified: Vec<Remembered>,
    /// Where the next entry goes once `verified` is full (oldest first).
    next: usize,
}

/// A verified token and what a hit must check again.
#[derive(Clone)]
pub(crate) struct Remembered {
    /// SHA-256 of the compact token.
    pub(crate) digest: [u8; 32],
    /// `PUBLIC_ORIGIN` it was verified against.
    pub(crate) origin: String,
    /// Its `kid`, and the SHA-256 of that key's material.
    pub(crate) kid: String,
    pub(crate) material: [u8; 32],
    /// `iat` and `nbf` (Unix seconds); `exp` is `token.expires_at_secs`.
    pub(crate) issued_at_secs: u64,
    pub(crate) not_before_secs: Option<u64>,
    pub(crate) token: VerifiedAccessToken,
}

impl core::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let tokens = self
            .inner
            .try_borrow()
            .map(|inner| inner.verified.len())
            .unwrap_or_default();
        f.debug_struct("TokenCache")
            .field("verified_tokens", &tokens)
            .finish()
    }
}

/// A copy of a configuration starts with an empty memory: what the original verified
/// under its settings says nothing about the copy's (tests change copies).
impl Clone for TokenCache {
    fn clone(&self) -> Self {
        Self::default()
    }
}

/// SHA-256 of `bytes`.
pub(crate) fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

impl TokenCache {
    /// The remembered verification of the token with SHA-256 `token_digest`, if any.
    pub(crate) fn find(&self, token_digest: &[u8; 32]) -> Option<Remembered> {
        let inner = self.inner.try_borrow().ok()?;
        inner
            .verified
            .iter()
            .find(|entry| &entry.digest == token_digest)
            .cloned()
    }

    /// Forgets the token with SHA-256 `token_digest` (its configuration changed).
    pub(crate) fn forget(&self, token_digest: &[u8; 32]) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.verified.retain(|entry| &entry.digest != token_digest);
        }
    }

    /// Remembers a verification, evicting the oldest when full.
    pub(crate) fn remember(&self, entry: Remembered) {
        let Ok(mut inner) = self.inner.try_borrow_mut() else {
            return;
        };
        if inner
            .verified
            .iter()
            .any(|known| known.digest == entry.digest)
        {
            return;
        }
        if inner.verified.len() < CAPACITY {
            inner.verified.push(entry);
            return;
        }
        let at = inner.next % CAPACITY;
        if let Some(slot) = inner.verified.get_mut(at) {
            *slot = entry;
        }
        inner.next = (at + 1) % CAPACITY;
    }

    /// How many verified tokens are remembered (tests and the benchmark).
    pub fn len(&self) -> usize {
        self.inner
            .try_borrow()
            .map(|inner| inner.verified.len())
            .unwrap_or(0)
    }

    /// Whether no verified token is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
