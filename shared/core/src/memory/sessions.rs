//! Per-isolate memory of session checks: the session and user records an
//! authenticated request read, reused by the same session's read-only requests for at
//! most [`MAX_AGE_MS`] (`SESSION_CHECK=cached`, the default; docs/sessions.md §5).
//!
//! Reading both records is a Durable Object round trip on Workers — in production a
//! call to the one location that holds the user's shard, however far away the
//! caller is. A client that makes several API calls a second would pay that distance
//! on each; with this memory it pays it once per [`MAX_AGE_MS`] per isolate.
//!
//! Security considerations:
//! - **The bound.** A snapshot is used only while `now − read_at < MAX_AGE_MS`, with
//!   `read_at` the time the request that read it *started* (the read itself happened
//!   later, so the snapshot is at least as recent as that). A logout, revocation,
//!   disable, role change or epoch move written at time `R` is therefore seen by
//!   every isolate for every request that starts at `R + MAX_AGE_MS` or later. The
//!   kill switch has the same bound ([`super::kill_switch`]).
//! - **What is not reused.** The records only: the time rules (session end, token
//!   expiry), the kill-switch cut-off, the epoch rule and the user's state are
//!   re-checked on every hit ([`crate::flows::auth`]). Only requests with a safe
//!   method (`GET`, `HEAD`) use a snapshot; a request that can change something reads
//!   the records now. `SESSION_CHECK=strict` turns the memory off.
//! - Only snapshots that passed every check are remembered, so a refused credential
//!   costs a store read every time, as before.
//! - An isolate that itself revokes a session (or every session of a user, or changes
//!   a user) forgets the snapshots concerned at once ([`SessionCache::forget_session`],
//!   [`SessionCache::forget_user`]); other isolates rely on the bound.
//! - Bounded ([`CAPACITY`], oldest replaced first): many sessions only evict entries
//!   (a store read for the next request), never keep one past the bound. Entries hold
//!   user records as stored: the password hash (argon2id) and ciphertexts — no bearer
//!   token, no key.

use alloc::string::String;

use super::bounded::Bounded;
use crate::model::session::SessionRecord;
use crate::model::user::UserRecord;

/// How long a snapshot may be used: the stated revocation bound.
pub const MAX_AGE_MS: u64 = super::REVOCATION_BOUND_MS;
/// How many sessions one isolate remembers.
pub const CAPACITY: usize = 256;

/// The records of one session check, and when the request that read them started.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The session record as read.
    pub session: SessionRecord,
    /// The user record as read.
    pub user: UserRecord,
    /// When the request that read them started (Unix ms).
    pub read_at_ms: u64,
}

/// The memory (a field of [`super::IsolateMemory`]), keyed by user and session id.
#[derive(Debug)]
pub struct SessionCache {
    snapshots: Bounded<(String, String), Snapshot>,
}

impl Default for SessionCache {
    fn default() -> Self {
        Self {
            snapshots: Bounded::new(CAPACITY),
        }
    }
}

fn key(user_id: &str, session_id: &str) -> (String, String) {
    (String::from(user_id), String::from(session_id))
}

impl SessionCache {
    /// The snapshot of `user_id`'s session `session_id`, if one was read less than
    /// [`MAX_AGE_MS`] before `now_ms` (a clock that went back reads as a miss).
    pub fn recall(&self, user_id: &str, session_id: &str, now_ms: u64) -> Option<Snapshot> {
        let snapshot = self.snapshots.get(&key(user_id, session_id))?;
        let fresh = now_ms >= snapshot.read_at_ms && now_ms - snapshot.read_at_ms < MAX_AGE_MS;
        fresh.then_some(snapshot)
    }

    /// Remembers a snapshot that passed every check.
    pub fn remember(&self, snapshot: Snapshot) {
        let key = key(&snapshot.user.id, &snapshot.session.id);
        self.snapshots.insert(key, snapshot);
    }

    /// Forgets one session (this isolate revoked it).
    pub fn forget_session(&self, user_id: &str, session_id: &str) {
        self.snapshots.remove(&key(user_id, session_id));
    }

    /// Forgets every session of a user (this isolate changed the user or ended all
    /// of their sessions).
    pub fn forget_user(&self, user_id: &str) {
        self.snapshots.remove_where(|(user, _)| user == user_id);
    }

    /// Forgets every snapshot (this isolate passed on a request that may have changed
    /// any user: a password route forwarded to another function).
    pub fn clear(&self) {
        self.snapshots.remove_where(|_| true);
    }

    /// How many snapshots are kept.
    pub fn len(&self) -> usize {
        self.snapshots.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.snapshots.is_empty()
    }
}

#[cfg(test)]
mod tests;
