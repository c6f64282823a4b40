//! Per-isolate memory of sign-in providers: their discovery documents and key sets, so
//! that a social sign-in does not fetch both every time (on Workers; a Spin instance
//! starts empty each request and fetches).
//!
//! | what | kept for | refetched early |
//! |---|---|---|
//! | metadata ([`crate::policy::oauth::discovery::Metadata`]) | [`METADATA_TTL_MS`] | never: it names endpoints, not keys |
//! | key set (the provider's JWKS) | [`KEYS_TTL_MS`] | when an ID token names a key id the set lacks (key rollover), at most once per [`REFETCH_INTERVAL_MS`] per provider |
//!
//! Security considerations: bounded ([`CAPACITY`] providers, oldest first); what is
//! kept is public (endpoints, public keys) and was checked when fetched; a lifetime
//! bounds how long a key the provider removed still verifies; an unknown key id cannot
//! make the isolate fetch more than once per interval, so a misbehaving provider cannot
//! turn sign-ins into a flood of key fetches. A busy cell reads as a miss.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use super::bounded::Bounded;
use crate::crypto::jwk::Jwk;
use crate::policy::oauth::discovery::Metadata;

/// Providers remembered (as many as a deployment may list).
pub const CAPACITY: usize = crate::config::oauth::MAX_PROVIDERS;
/// How long a discovery document is used.
pub const METADATA_TTL_MS: u64 = 60 * 60 * 1000;
/// How long a key set is used.
pub const KEYS_TTL_MS: u64 = 10 * 60 * 1000;
/// The shortest time between two key-set fetches of one provider for an unknown key id.
pub const REFETCH_INTERVAL_MS: u64 = 10 * 1000;

/// A key set as fetched.
#[derive(Debug, Clone)]
pub struct KeySet {
    /// The usable keys.
    pub keys: Rc<Vec<Jwk>>,
    /// When it was fetched (Unix ms).
    pub fetched_at_ms: u64,
}

/// The providers' memory (a field of [`super::IsolateMemory`]).
#[derive(Debug)]
pub struct OidcMemory {
    metadata: Bounded<String, (Rc<Metadata>, u64)>,
    keys: Bounded<String, KeySet>,
}

impl Default for OidcMemory {
    fn default() -> Self {
        Self {
            metadata: Bounded::new(CAPACITY),
            keys: Bounded::new(CAPACITY),
        }
    }
}

impl OidcMemory {
    /// `provider`'s metadata, if fetched less than [`METADATA_TTL_MS`] ago.
    pub fn metadata(&self, provider: &str, now_ms: u64) -> Option<Rc<Metadata>> {
        let key = String::from(provider);
        match self.metadata.get(&key) {
            Some((metadata, at)) if now_ms.saturating_sub(at) < METADATA_TTL_MS => Some(metadata),
            _ => None,
        }
    }

    /// Remembers `provider`'s metadata, fetched at `now_ms`.
    pub fn remember_metadata(&self, provider: &str, metadata: Rc<Metadata>, now_ms: u64) {
        self.metadata.insert(provider.into(), (metadata, now_ms));
    }

    /// `provider`'s key set, if fetched less than [`KEYS_TTL_MS`] ago.
    pub fn keys(&self, provider: &str, now_ms: u64) -> Option<KeySet> {
        self.keys
            .get(&String::from(provider))
            .filter(|set| now_ms.saturating_sub(set.fetched_at_ms) < KEYS_TTL_MS)
    }

    /// Whether an unknown key id may refetch `provider`'s key set now: the set was
    /// fetched at least [`REFETCH_INTERVAL_MS`] ago (or is not remembered).
    pub fn may_refetch_keys(&self, provider: &str, now_ms: u64) -> bool {
        self.keys
            .get(&String::from(provider))
            .is_none_or(|set| now_ms.saturating_sub(set.fetched_at_ms) >= REFETCH_INTERVAL_MS)
    }

    /// Remembers `provider`'s key set, fetched at `now_ms`.
    pub fn remember_keys(&self, provider: &str, keys: Vec<Jwk>, now_ms: u64) -> KeySet {
        let set = KeySet {
            keys: Rc::new(keys),
            fetched_at_ms: now_ms,
        };
        self.keys.insert(provider.into(), set.clone());
        set
    }
}

#[cfg(test)]
mod tests;
