//! Erasure: `DELETE /api/me {password}` → `204` (docs/contract.md §6; GDPR Art. 17).
//!
//! Steps of the request:
//! 1. strict body; the password is checked against the stored hash
//!    ([`crate::policy::password::verify_password`]) — a stolen session alone cannot erase
//!    an account. The check is a password guess like a login's, so it passes the
//!    isolate's hashing gate and the account lockout of docs/contract.md §7 first
//!    ([`crate::flows::lockout`], keyed by the address, `429` while locked, before any
//!    hash), and a wrong password counts as a failure there, is audited as
//!    `login_failed` (`flow=account_erase`) and answers `401 invalid_credentials`;
//! 2. the last enabled admin cannot erase their account (`400`, see
//!    [`crate::model::admins`]);
//! 3. **commit**: the user record is marked — `disabled`,
//!    `erasure_requested_at_ms` and a new session epoch
//!    ([`crate::policy::session_epoch`]) — in one compare-and-swap. From here every token of
//!    the user is `401` and every login fails, whatever happens next;
//! 4. [`erase_account`] removes everything (below); `account_deleted` is audited
//!    with the user id as actor and subject — a pseudonym, no address;
//! 5. `204`, with the session cookies cleared and `Clear-Site-Data`.
//!
//! If step 4 fails part-way (a store outage), the answer is `503`, the account stays
//! locked by step 3, and the retention sweep ([`super::retention`]) finishes the
//! erasure: it completes every marked account it meets.
//!
//! [`erase_account`] removes, in this order (each step idempotent, so a retry or the
//! sweep resumes anywhere):
//! - documents the user owns (and their sharees' index entries), and the user's
//!   shares on others' documents;
//! - pending single-use tokens ([`crate::model::pending`]): email-verification and
//!   password-reset tokens, open MFA login challenges and passkey ceremonies;
//! - passkeys ([`crate::model::passkey::erase_all`]): each credential id's index entry
//!   (outside the user's shard), then the record;
//! - every other record in the user's shard: sessions (tombstones included),
//!   consents, document index, token pointers;
//! - for the address, under every data key's blind index: the lockout state
//!   ([`crate::flows::lockout::forget`]) and the email index entry that points to the user
//!   (so the address can register again);
//! - the live rate-limit counters derived from the account: its API counter and its
//!   address's reset-mail cap ([`crate::flows::ratelimit::forget_account`]);
//! - the user record itself, then the directory entry.
//!
//! What stays: audit events that name the user id (subject or actor). They hold no
//! address (by construction, [`crate::model::audit`]), and the id, once the profile is gone,
//! links to nothing — a pseudonym. They expire with `AUDIT_RETENTION_DAYS`. Also,
//! briefly, what a request makes *while* the erasure runs or after it (a counter
//! incremented concurrently): expiry ends it, as the retention table says
//! (`docs/api.md` §7).
//!
//! Security considerations: the email index entry is released by compare-and-swap
//! on the user id, so an address that was meanwhile registered again by someone else
//! is never released; the profile goes last but one, so the address (encrypted in
//! the profile) is gone only when nothing else of the account can still point to it.

use alloc::vec::Vec;

use crate::config::Config;
use crate::ctx::Services;
use crate::env::Clock;
use crate::error::{ApiError, Internal};
use crate::flows::{lockout, ratelimit};
use crate::model::email;
use crate::model::pending;
use crate::model::user::{self, UserRecord, PROFILE};
use crate::store::{AtomicKey, AtomicStore};

/// The field of the user record that marks an erasure in progress.
pub const ERASURE_MARK: &str = "erasure_requested_at_ms";
const ATTEMPTS: usize = 6;

/// Whether the user record is marked for erasure.
pub fn is_marked(user: &UserRecord) -> bool {
    user.other.contains_key(ERASURE_MARK)
}

async fn delete_exact(atomic: &impl AtomicStore, key: AtomicKey<'_>) -> Result<(), ApiError> {
    for _ in 0..ATTEMPTS {
        let Some(current) = atomic.get(key).await? else {
            return Ok(());
        };
        if atomic
            .compare_and_swap(key, Some(&current), None, None)
            .await?
        {
            return Ok(());
        }
    }
    Err(ApiError::Unavailable(Internal("erasure contended")))
}

/// Erases everything held about `user_id` except their pseudonymous audit events
/// (see the module docs). Idempotent; safe to call for an erased user.
pub async fn erase_account<S: Services>(
    services: &S,
    config: &Config,
    user_id: &str,
) -> Result<(), ApiError> {
    let atomic = services.atomic();
    if !user::is_id(user_id) {
        return Ok(());
    }
    crate::flows::documents::erase_documents(atomic, user_id).await?;
    pending::erase_all(atomic, user_id).await?;
    // The credential index lives outside the user's shard: release it while the
    // passkey records still say which entries are ours.
    crate::model::passkey::erase_all(atomic, user_id).await?;

    let shard = user::shard(user_id);
    for (name, _) in atomic.list(&shard, "").await? {
        if name != PROFILE {
            delete_exact(atomic, AtomicKey::new(&shard, &name)).await?;
        }
    }

    let now_ms = services.clock().now_ms();
    let mut indexes = Vec::new();
    let profile = user::load(atomic, user_id).await?;
    if let Some(user) = &profile {
        let address = user.email_address(config)?;
        indexes = email::email_index_candidates(config, &address);
        for index in &indexes {
            // Keyed by the address, which only the profile still gives: everything
            // keyed by it goes before the profile does (a retry or the sweep finds
            // the profile and resumes here).
            lockout::forget(atomic, index).await?;
            user::release_index(atomic, index, user_id).await?;
        }
        // The linked provider accounts' index entries: only the profile lists them,
        // so they go before it too; the provider accounts can then sign up afresh.
        for index in crate::model::identity::indexes(&user.identities) {
            crate::model::identity::release(atomic, &index, user_id).await?;
        }
    }
    // Counters derived from the account: its API counter, its address's reset-mail cap.
    ratelimit::forget_account(atomic, config, user_id, &indexes, now_ms).await?;
    if profile.is_some() {
        delete_exact(atomic, AtomicKey::new(&shard, PROFILE)).await?;
    }
    user::directory_remove(services.records(), user_id).await?;
    Ok(())
}

/// Marks the user for erasure (`disabled`, [`ERASURE_MARK`]) — the commit point —
/// if `condition` holds on the record as stored. Returns whether the user is marked.
pub async fn mark_if<S: Services>(
    services: &S,
    user_id: &str,
    now_ms: u64,
    condition: impl Fn(&UserRecord) -> bool,
) -> Result<bool, ApiError> {
    let atomic = services.atomic();
    let shard = user::shard(user_id);
    for _ in 0..ATTEMPTS {
        let Some((mut user, raw)) = user::load_raw(atomic, user_id).await? else {
            return Ok(false);
        };
        if is_marked(&user) && user.disabled {
            return Ok(true);
        }
        if !condition(&user) {
            return Ok(false);
        }
        user.disabled = true;
        // Ends every session in the commit swap, a login in flight's included.
        crate::policy::session_epoch::advance(&mut user, None);
        user.other
            .insert(ERASURE_MARK.into(), serde_json::Value::from(now_ms));
        let new = serde_json::to_string(&user)
            .map_err(|_| ApiError::Internal(Internal("user record encoding")))?;
        if atomic
            .compare_and_swap(
                AtomicKey::new(&shard, PROFILE),
                Some(&raw),
                Some(&new),
                None,
            )
            .await?
        {
            return Ok(true);
        }
    }
    Err(ApiError::Unavailable(Internal(
        "user record update contended",
    )))
}

#[cfg(feature = "password")]
mod route {
    use alloc::string::String;
    use serde::Deserialize;
    use zeroize::Zeroize;

    use super::*;
    use crate::ctx::Ctx;
    use crate::flows::lockout::{self, Account};
    use crate::flows::sessions::delivery;
    use crate::http::{body, Response};
    use crate::model::admins;
    use crate::model::audit::AuditKind;
    use crate::model::principal::Principal;
    use crate::model::user::ROLE_ADMIN;
    use crate::policy::fields::{self, PasswordField};
    use crate::policy::password;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct EraseBody {
        password: String,
    }

    impl Drop for EraseBody {
        fn drop(&mut self) {
            self.password.zeroize();
        }
    }

    impl core::fmt::Debug for EraseBody {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("EraseBody([REDACTED])")
        }
    }

    /// `DELETE /api/me {password}` → `204` (see the module docs).
    pub async fn handle<S: Services>(
        ctx: &Ctx<'_, S>,
        principal: &Principal,
    ) -> Result<Response, ApiError> {
        let request: EraseBody = body::parse_json(ctx.request)?;
        fields::password(&request.password, PasswordField::Password)?;
        let user_id = principal.user_id();
        let config = ctx.config;
        let address = principal.user.email_address(config)?;
        let hashing = ctx.memory.hashing.admit()?;
        let attempt = lockout::admit(ctx, &email::email_index(config, &address)).await?;
        let verification = ctx.timed_hash(|| {
            password::verify_password(
                &request.password,
                &principal.user.password_hash,
                &config.password_hash,
                config.password_pepper.as_ref(),
            )
        });
        drop(hashing);
        if !verification.is_valid() {
            let account = Account {
                user_id,
                address: &address,
            };
            attempt.failed(ctx, Some(account)).await?;
            ctx.audit(
                AuditKind::LoginFailed,
                Some(user_id),
                Some(user_id),
                &[("reason", "wrong_password"), ("flow", "account_erase")],
            )?;
            return Err(ApiError::InvalidCredentials);
        }
        attempt.succeeded(ctx).await?;
        let atomic = ctx.services.atomic();
        if principal.has_role(ROLE_ADMIN) {
            admins::remove_guarded(atomic, ctx.services.records(), user_id)
                .await
                .map_err(|error| match error {
                    ApiError::InvalidRequest(_) => ApiError::InvalidRequest(
                        "the last administrator cannot delete their account",
                    ),
                    other => other,
                })?;
        }
        if !mark_if(ctx.services, user_id, ctx.now_ms, |_| true).await? {
            return Err(ApiError::Unauthenticated);
        }
        erase_account(ctx.services, config, user_id).await?;
        ctx.audit(
            AuditKind::AccountDeleted,
            Some(user_id),
            Some(user_id),
            &[("reason", "user_request")],
        )?;
        Ok(delivery::logged_out())
    }
}

#[cfg(feature = "password")]
pub use route::handle;
