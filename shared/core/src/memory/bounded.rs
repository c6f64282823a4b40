//! The container the per-isolate caches share: at most `capacity` entries, the
//! oldest replaced first, borrows tried rather than assumed.
//!
//! Security considerations: the bound is what keeps a client who sends many distinct
//! keys (tokens, addresses) from growing an isolate's memory; such a client only
//! evicts entries, which costs a later request a recomputation. A `RefCell` that is
//! busy (a re-entrant call) reads as a miss and drops the write: the caller then does
//! the full work, never panics.

use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

/// A bounded map with first-in, first-out replacement.
pub struct Bounded<K, V> {
    entries: RefCell<Vec<(K, V)>>,
    /// The slot the next entry replaces once full.
    next: Cell<usize>,
    capacity: usize,
}

impl<K: PartialEq, V: Clone> Bounded<K, V> {
    /// An empty map holding at most `capacity` entries.
    pub const fn new(capacity: usize) -> Self {
        Self {
            entries: RefCell::new(Vec::new()),
            next: Cell::new(0),
            capacity,
        }
    }

    /// The value under `key`, if remembered.
    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.try_borrow().ok()?;
        entries
            .iter()
            .find(|(stored, _)| stored == key)
            .map(|(_, value)| value.clone())
    }

    /// Remembers `value` under `key`: replaces the key's entry, else fills a free
    /// slot, else replaces the oldest entry.
    pub fn insert(&self, key: K, value: V) {
        let Ok(mut entries) = self.entries.try_borrow_mut() else {
            return;
        };
        if let Some(entry) = entries.iter_mut().find(|(stored, _)| *stored == key) {
            entry.1 = value;
        } else if entries.len() < self.capacity {
            entries.push((key, value));
        } else if self.capacity > 0 {
            let slot = self.next.get() % self.capacity;
            if let Some(entry) = entries.get_mut(slot) {
                *entry = (key, value);
            }
            self.next.set((slot + 1) % self.capacity);
        }
    }

    /// Forgets `key`.
    pub fn remove(&self, key: &K) {
        self.remove_where(|stored| stored == key);
    }

    /// Forgets every entry whose key `matches`. A busy map is retried by nobody: the
    /// caches that use this (revocations seen by this isolate) state their bound
    /// without it.
    pub fn remove_where(&self, matches: impl Fn(&K) -> bool) {
        if let Ok(mut entries) = self.entries.try_borrow_mut() {
            entries.retain(|(stored, _)| !matches(stored));
        }
    }

    /// Changes the value under `key` in place (`None`: not remembered, or the map is
    /// busy); what `change` returns.
    pub fn update<R>(&self, key: &K, change: impl FnOnce(&mut V) -> R) -> Option<R> {
        let mut entries = self.entries.try_borrow_mut().ok()?;
        entries
            .iter_mut()
            .find(|(stored, _)| stored == key)
            .map(|(_, value)| change(value))
    }

    /// How many entries are remembered (a busy map reads as empty).
    pub fn len(&self) -> usize {
        self.entries.try_borrow().map(|e| e.len()).unwrap_or(0)
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Counts only: entries may hold user ids.
impl<K, V> core::fmt::Debug for Bounded<K, V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let len = self.entries.try_borrow().map(|e| e.len()).unwrap_or(0);
        f.debug_struct("Bounded")
            .field("entries", &len)
            .field("capacity", &self.capacity)
            .finish()
    }
}

#[cfg(test)]
mod tests;
