//! Recent authentication: whether the signed-in user proved who they are a moment ago
//! (docs/passkeys.md §4). Adding a passkey and removing one need it, so a session
//! left open on a shared computer — or a stolen session cookie — cannot plant an
//! attacker's passkey or remove the owner's.
//!
//! A session was authenticated at the later of its creation (the sign-in itself:
//! password, password and second factor, or a passkey) and its last confirmation
//! (`reauthenticated_at_ms`, written by `POST /api/me/reauthenticate` with the password
//! or a passkey assertion). It is recent for [`WINDOW_MS`] (5 minutes) after that.
//! A refresh does not count: it proves possession of the refresh token, not of a
//! credential.
//!
//! Security considerations: pure; the instant comes from the session record as stored
//! (read with the user on every authenticated request), never from the client. A
//! clock going backwards cannot extend the window beyond `WINDOW_MS` after the
//! recorded instant.

use crate::model::session::SessionRecord;

/// How long an authentication counts as recent: 5 minutes.
pub const WINDOW_MS: u64 = 5 * 60 * 1000;

/// When the session's user last authenticated (Unix ms).
pub fn authenticated_at_ms(session: &SessionRecord) -> u64 {
    session
        .reauthenticated_at_ms
        .unwrap_or(0)
        .max(session.created_at_ms)
}

/// Whether the session's user authenticated within [`WINDOW_MS`] before `now_ms`.
pub fn is_recent(session: &SessionRecord, now_ms: u64) -> bool {
    now_ms.saturating_sub(authenticated_at_ms(session)) <= WINDOW_MS
}

#[cfg(test)]
mod tests;
