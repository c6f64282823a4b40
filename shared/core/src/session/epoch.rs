//! The per-user session epoch: ending every session of a user, including the ones
//! being created at that moment.
//!
//! Revoking sessions one by one ([`super::revoke::revoke_all`]) ends the sessions
//! that exist when it lists them. A login that checked the old password before a
//! reset and writes its session after the listing would survive it. So every flow
//! that ends all of a user's sessions — password reset and change, admin disable and
//! "revoke sessions", `logout-all`, account erasure — also moves the user's
//! [`UserRecord::session_epoch`] on, in the **same compare-and-swap** as its own
//! change ([`advance`]), and:
//!
//! - a session records the epoch it was created under ([`SessionRecord::epoch`]) and
//!   counts only while the user's epoch has not moved past it ([`admits`]) —
//!   checked wherever a session is used: authentication of every request (the user
//!   record is read with the session in one round trip, so this costs nothing),
//!   refresh, and the session list;
//! - a login carries the epoch its password was checked under (the MFA challenge
//!   stores it) and writes its session only through a compare-and-swap on the user
//!   record that still shows that epoch (`accounts::login::complete_with`); a
//!   session written just after an epoch change is born dead anyway.
//!
//! A password change keeps the caller's own session: the epoch change names it in
//! [`UserRecord::session_epoch_keeps`], and the next epoch change forgets it.
//!
//! Security considerations: the epoch only grows (a saturating add on a `u64`), so a
//! session can never come back; records written before this field existed read as
//! epoch 0, as do their users, so nothing ends at the upgrade. A function still on an
//! older build drops a session's epoch when it rewrites the record: the session then
//! reads as epoch 0 and ends at the user's next epoch change (the safe direction).

use super::record::SessionRecord;
use super::revoke;
use crate::accounts::user::{self, UserRecord};
use crate::app::{Ctx, Services};
use crate::error::ApiError;

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

/// Ends every session of `user_id` for a flow that changes nothing else on the user
/// (`logout-all`, the admin's "revoke sessions"): a new epoch by compare-and-swap,
/// then every listed session marked revoked. Returns how many were revoked.
pub async fn end_all<S: Services>(ctx: &Ctx<'_, S>, user_id: &str) -> Result<usize, ApiError> {
    user::update(ctx, user_id, |stored| {
        advance(stored, None);
        true
    })
    .await?;
    revoke::revoke_all(ctx, user_id, None).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::testkit::{self, TestEnv};

    fn session(env: &TestEnv, user: &UserRecord) -> SessionRecord {
        let client = testkit::sign_in(env, &user.id, "token");
        testkit::stored_session(env, &user.id, &client.session_id)
    }

    #[test]
    fn a_session_counts_only_until_the_epoch_moves_past_it() {
        let env = TestEnv::new();
        let mut user = testkit::seed_user(&env, "eph@example.com", true);
        let old = session(&env, &user);
        assert_eq!(old.epoch, 0);
        assert!(admits(&user, &old));
        advance(&mut user, None);
        assert_eq!(user.session_epoch, 1);
        assert!(!admits(&user, &old));
        testkit::edit_user(&env, &user.id, |stored| *stored = user.clone());
        let new = session(&env, &user);
        assert_eq!(new.epoch, 1);
        assert!(admits(&user, &new));
    }

    #[test]
    fn an_epoch_change_keeps_only_the_named_session_until_the_next_one() {
        let env = TestEnv::new();
        let mut user = testkit::seed_user(&env, "kep@example.com", true);
        let (kept, other) = (session(&env, &user), session(&env, &user));
        advance(&mut user, Some(&kept.id));
        assert!(admits(&user, &kept));
        assert!(!admits(&user, &other));
        advance(&mut user, Some(&kept.id));
        assert!(admits(&user, &kept), "kept again by the next change");
        advance(&mut user, None);
        assert!(!admits(&user, &kept));
    }

    #[test]
    fn records_without_the_field_read_as_epoch_zero() {
        let env = TestEnv::new();
        let user = testkit::seed_user(&env, "old@example.com", true);
        let stored = session(&env, &user);
        let mut json: serde_json::Value = serde_json::to_value(&stored).unwrap();
        json.as_object_mut().unwrap().remove("epoch");
        let legacy: SessionRecord = serde_json::from_value(json).unwrap();
        assert_eq!(legacy.epoch, 0);
        let text = serde_json::to_string(&user).unwrap();
        assert!(!text.contains("session_epoch"), "{text}");
    }
}
