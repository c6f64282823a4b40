//! Per-isolate memory of the work access tokens repeat: tokens whose signature and
//! static claims already verified. (The keys expanded from `JWT_SIGNING_KEYS` seeds
//! are computed once, when the configuration is parsed.)
//!
//! A client sends the same access token with every request until it expires (15 min
//! by default), and a Worker isolate serves many requests; checking the Ed25519
//! signature again each time is most of the CPU a protected request costs
//! (docs/benchmarks.md). The cache is part of the isolate's [`super::IsolateMemory`] —
//! kept as long as the isolate on Workers; on Spin (one instance per request) it
//! simply starts empty each time. [`crate::policy::token::verify`] decides what is remembered
//! and checks it again ([`crate::policy::token::TokenMemory`]); this module only keeps it.
//!
//! Security considerations:
//! - **Only what cannot change is remembered**: the signature, `alg`/`typ`/`crit`,
//!   `kid`, `iss` and `aud` — facts of the token bytes and the key. Time claims are
//!   checked again on every hit (`exp`, `iat`, `nbf`, same leeway as the full check),
//!   and revocation is not this module's business: [`crate::flows::auth`] reads the session
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

use super::bounded::Bounded;
use crate::policy::token::access::{Remembered, TokenMemory};

/// How many verified tokens one isolate remembers.
pub const CAPACITY: usize = 256;

/// The token checks' per-isolate memory (a field of [`super::IsolateMemory`]).
#[derive(Debug)]
pub struct TokenCache {
    verified: Bounded<[u8; 32], Remembered>,
}

impl Default for TokenCache {
    fn default() -> Self {
        Self {
            verified: Bounded::new(CAPACITY),
        }
    }
}

impl TokenMemory for TokenCache {
    fn recall(&self, digest: &[u8; 32]) -> Option<Remembered> {
        self.verified.get(digest)
    }

    fn remember(&self, entry: Remembered) {
        self.verified.insert(entry.digest, entry);
    }

    fn forget(&self, digest: &[u8; 32]) {
        self.verified.remove(digest);
    }
}

impl TokenCache {
    /// How many verified tokens are remembered (tests and the benchmark).
    pub fn len(&self) -> usize {
        self.verified.len()
    }

    /// Whether no verified token is remembered.
    pub fn is_empty(&self) -> bool {
        self.verified.is_empty()
    }
}

#[cfg(test)]
mod tests;
