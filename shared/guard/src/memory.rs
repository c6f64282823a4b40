//! What one isolate of a guarded Worker remembers between requests: verified tokens
//! (edgeauth's own [`TokenCache`]), the key set, and session answers. A Spin
//! component builds a fresh one per request.
//!
//! Security considerations: as edgeauth's isolate memory — bounded (the token and
//! answer caches replace their oldest entries), a busy cell is a miss, nothing held is
//! a bearer token or a key (token digests, public keys, ids and roles). A session
//! answer is used only until `valid_until_ms`, which [`crate::Guard`] sets to the
//! revocation bound after the moment edgeauth read the records it answered from.

use core::cell::RefCell;
use std::rc::Rc;

use edgeauth_core::memory::bounded::Bounded;
use edgeauth_core::memory::TokenCache;

use crate::keys::KeySet;

/// Session answers one isolate keeps.
pub(crate) const CAPACITY: usize = 256;

/// A session answer: what edgeauth said and until when it may be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checked {
    pub(crate) roles: Vec<String>,
    pub(crate) email_verified: bool,
    /// When edgeauth read the records (guard clock, Unix ms; an upper bound).
    pub(crate) checked_at_ms: u64,
    /// Used only before this instant (guard clock, Unix ms).
    pub(crate) valid_until_ms: u64,
}

/// The guard's per-isolate memory.
#[derive(Debug)]
pub struct GuardMemory {
    pub(crate) tokens: TokenCache,
    keys: RefCell<Option<Rc<KeySet>>>,
    checks: Bounded<(String, String), Checked>,
}

impl Default for GuardMemory {
    fn default() -> Self {
        Self::new()
    }
}

impl GuardMemory {
    /// An empty memory (a new isolate, a Spin instance, a test).
    pub fn new() -> Self {
        Self {
            tokens: TokenCache::default(),
            keys: RefCell::new(None),
            checks: Bounded::new(CAPACITY),
        }
    }

    /// The key set last fetched, if any.
    pub fn key_set(&self) -> Option<Rc<KeySet>> {
        self.keys.try_borrow().ok().and_then(|keys| keys.clone())
    }

    pub(crate) fn keep_key_set(&self, set: KeySet) -> Rc<KeySet> {
        let set = Rc::new(set);
        if let Ok(mut keys) = self.keys.try_borrow_mut() {
            *keys = Some(set.clone());
        }
        set
    }

    /// The answer for `user_id`'s session `session_id`, if still usable at `now_ms`.
    pub(crate) fn recall(&self, user_id: &str, session_id: &str, now_ms: u64) -> Option<Checked> {
        self.checks
            .get(&(user_id.to_string(), session_id.to_string()))
            .filter(|checked| now_ms >= checked.checked_at_ms && now_ms < checked.valid_until_ms)
    }

    pub(crate) fn remember(&self, user_id: &str, session_id: &str, checked: Checked) {
        self.checks
            .insert((user_id.to_string(), session_id.to_string()), checked);
    }

    /// How many session answers are kept.
    pub fn answers(&self) -> usize {
        self.checks.len()
    }
}
