//! The per-user session epoch: the rule that ends every session of a user, including
//! the ones being created at that moment.
//!
//! Revoking sessions one by one ends the sessions that exist when they are listed. A
//! login that checked the old password before a reset and writes its session after
//! the listing would survive it. So every flow that ends all of a user's sessions —
//! password reset and change, admin disable and "revoke sessions", `logout-all`,
//! account erasure — also moves the user's [`UserRecord::session_epoch`] on, in the
//! **same compare-and-swap** as its own change ([`advance`]), and:
//!
//! - a session records the epoch it was created under ([`SessionRecord::epoch`]) and
//!   counts only while the user's epoch has not moved past it ([`admits`]) — checked
//!   wherever a session is used: authentication of every request (the user record is
//!   read with the session in one round trip, so this costs nothing), refresh, and
//!   the session list;
//! - a login carries the epoch its password was checked under (the MFA challenge
//!   stores it) and writes its session only through a compare-and-swap on the user
//!   record that still shows that epoch
//!   ([`crate::flows::sessions::sign_in::complete_with`]); a session written just
//!   after an epoch change is born dead anyway.
//!
//! A password change keeps the caller's own session: the epoch change names it in
//! [`UserRecord::session_epoch_keeps`], and the next epoch change forgets it. Ending
//! all sessions for a flow that changes nothing else on the user is
//! [`crate::flows::sessions::epoch::end_all`].
//!
//! Security considerations: the epoch only grows (a saturating add on a `u64`), so a
//! session can never come back; records written before this field existed read as
//! epoch 0, as do their users, so nothing ends at the upgrade. A function still on an
//! older build drops a session's epoch when it rewrites the record: the session then
//! reads as epoch 0 and ends at the user's next epoch change (the safe direction).

use crate::model::session::SessionRecord;
use crate::model::user::UserRecord;

/// Whether `session` still counts under `user`'s epoch (it may also be revoked or
/// expired: see [`SessionRecord::is_live`]).
pub fn admits(user: &UserRecord, session: &SessionRecord) -> bool {
    session.epoch >= user.session_epoch
        || user.session_epoch_keeps.as_deref() == Some(session.id.as_str())
}

/// Starts a new epoch on `user` (inside the caller's compare-and-swap): every session
/// of an earlier epoch ends, except `keep`.
pub fn advance(user: &mut UserRecord, keep: Option<&str>) {
    user.session_epoch = user.session_epoch.saturating_add(1);
    user.session_epoch_keeps = keep.map(Into::into);
}

#[cfg(test)]
mod tests;
