//! Per-email lockout (docs/contract.md §7): 5 failed logins within 15 minutes lock the
//! address for 15 minutes; each repeat lock doubles, up to 24 hours (all from
//! `LOCKOUT_*`). Unknown addresses are locked exactly like known ones.
//!
//! How a flow uses it (login; the MFA step and the password change alike):
//!
//! ```text
//! let attempt = lockout::admit(ctx, &index).await?;   // 429 while locked or full
//! … one password (or code) check …
//! wrong → attempt.failed(ctx, account).await?;        // may lock: audit + notice mail
//! right → attempt.succeeded(ctx).await?;              // 429 if a lock landed meanwhile
//! ```
//!
//! [`clear`] lifts a lock after a completed password reset; [`forget`] deletes the
//! state when the account is erased. [`LoginGuard`] bundles
//! what `POST /auth/login` checks before its password check (the per-address limit,
//! the hashing gate and the admission).
//!
//! **Key.** The state lives in the AtomicStore, shard `lockout/{index}`, name
//! `state`, where `index` is the email's blind index under the active data key
//! ([`crate::model::email::email_index`]) — computed the same way whether or not
//! an account exists, so a locked unknown address and a locked real account are
//! indistinguishable: same status, same body, same `Retry-After` arithmetic. The
//! index is a keyed MAC, so the store holds no address, known or not. A data-key
//! rotation changes the index, and with it starts a fresh state (at worst one more
//! window of attempts per rotation).
//!
//! **Atomicity.** Every transition is a compare-and-swap of the whole record against
//! the text just read ([`crate::policy::lockout`] decides, this module swaps). An admission that loses
//! a race re-reads and decides again; every lost swap means another writer got in,
//! and at most `limit` admissions fit in a window, so a contender needs at most about
//! `limit` rounds. Beyond [`MAX_ROUNDS`] it answers `429` (fail closed). This is what
//! lets a parallel burst of 30 wrong passwords through to at most 5 password checks:
//! the log admits the first 5 and refuses the rest before any hash.
//!
//! **Outcomes.** Locked, or the log is full: `429 rate_limited` with `Retry-After`
//! (seconds until the lock ends, or until the oldest logged attempt leaves the
//! window). The request does no hash. A correct password during a lock gets `429`
//! too — it never reaches the password check.
//!
//! Security considerations:
//! - Attempts count *before* the hash and are refunded only on success, so in-flight
//!   attempts cannot overshoot the limit, and a success cannot forgive someone
//!   else's failures.
//! - The lock's notice mail goes to a real account only ([`Account`]), once per
//!   lock (only the request whose swap placed the lock sends it); unknown addresses
//!   get no mail but the same audit event (no subject).
//! - Store failures are `503`: the lockout never fails open.

pub mod guard;

#[cfg(all(test, feature = "password-policy"))]
mod tests;

pub use guard::LoginGuard;

use alloc::format;
use alloc::string::{String, ToString};

use crate::config::Config;
use crate::ctx::{Ctx, Services};
use crate::error::{ApiError, Internal};
use crate::model::audit::AuditKind;
use crate::model::email;
use crate::model::mail::Mail;
use crate::policy::lockout::{Admission, LockState, Policy};
use crate::policy::window::retry_after_secs;
use crate::store::{AtomicKey, AtomicStore};

/// The record's name in its shard.
const NAME: &str = "state";
/// Compare-and-swap rounds before a contended transition gives up.
pub const MAX_ROUNDS: usize = 24;

/// The real account behind an email index, for the notice mail and the audit
/// subject. Pass `None` for unknown addresses.
#[derive(Debug, Clone, Copy)]
pub struct Account<'a> {
    /// The user's id.
    pub user_id: &'a str,
    /// The user's address (normalised), where the notice goes.
    pub address: &'a str,
}

/// An admitted attempt: report how it went with [`Attempt::failed`] or
/// [`Attempt::succeeded`]. Dropping it unreported leaves it counted as a failure.
#[derive(Debug)]
#[must_use = "an attempt counts as a failure until it is reported as a success"]
pub struct Attempt {
    index: String,
    admitted_at_ms: u64,
}

/// The lockout index of an address as typed, or `None` when it is not a valid
/// address (such an address has no account and no lockout state; the flows answer
/// it as they answer any unknown address).
pub fn index_of(config: &Config, address: &str) -> Option<String> {
    let normalized = email::normalize(address).ok()?;
    Some(email::email_index(config, &normalized))
}

fn shard(index: &str) -> String {
    format!("lockout/{index}")
}

fn locked(remaining_ms: u64) -> ApiError {
    ApiError::RateLimited {
        retry_after_secs: retry_after_secs(remaining_ms),
    }
}

fn contended() -> ApiError {
    ApiError::RateLimited {
        retry_after_secs: 1,
    }
}

async fn load(
    atomic: &impl AtomicStore,
    shard: &str,
) -> Result<(LockState, Option<String>), ApiError> {
    match atomic.get(AtomicKey::new(shard, NAME)).await? {
        Some(raw) => {
            let state = serde_json::from_str(&raw)
                .map_err(|_| ApiError::Internal(Internal("lockout record corrupt")))?;
            Ok((state, Some(raw)))
        }
        None => Ok((LockState::default(), None)),
    }
}

/// Swaps `raw` for `next` (or removes the record when nothing in `next` matters).
async fn swap(
    atomic: &impl AtomicStore,
    shard: &str,
    policy: &Policy,
    now_ms: u64,
    raw: Option<&str>,
    next: &LockState,
) -> Result<bool, ApiError> {
    let key = AtomicKey::new(shard, NAME);
    if next.is_spent(policy, now_ms) {
        return Ok(atomic.compare_and_swap(key, raw, None, None).await?);
    }
    let text = serde_json::to_string(next)
        .map_err(|_| ApiError::Internal(Internal("lockout record encoding")))?;
    Ok(atomic
        .compare_and_swap(key, raw, Some(&text), Some(next.expires_at_ms(policy)))
        .await?)
}

/// Admits one attempt on `index`: `429` while the index is locked, or while `limit`
/// attempts of the last window are already logged.
pub async fn admit<S: Services>(ctx: &Ctx<'_, S>, index: &str) -> Result<Attempt, ApiError> {
    let atomic = ctx.services.atomic();
    let policy = Policy::of(&ctx.config.rate_limits);
    let shard = shard(index);
    let now = ctx.now_ms;
    for _ in 0..MAX_ROUNDS {
        let (state, raw) = load(atomic, &shard).await?;
        match state.admit(&policy, now) {
            Admission::Locked(remaining) => return Err(locked(remaining)),
            Admission::Full(frees_in) => return Err(locked(frees_in)),
            Admission::Admitted(next) => {
                if swap(atomic, &shard, &policy, now, raw.as_deref(), &next).await? {
                    return Ok(Attempt {
                        index: index.to_string(),
                        admitted_at_ms: now,
                    });
                }
            }
        }
    }
    Err(contended())
}

impl Attempt {
    /// The attempt failed: its entry stays in the log, and if the log now holds
    /// `limit` attempts the index is locked (audit `lockout`, notice mail to
    /// `account`). Returns whether this call placed the lock.
    pub async fn failed<S: Services>(
        self,
        ctx: &Ctx<'_, S>,
        account: Option<Account<'_>>,
    ) -> Result<bool, ApiError> {
        lock_if_due(ctx, &self.index, account).await
    }

    /// The attempt succeeded: its entry is removed. `429` when a lock was placed
    /// while it was being checked — a correct password during a lock is refused.
    pub async fn succeeded<S: Services>(self, ctx: &Ctx<'_, S>) -> Result<(), ApiError> {
        let atomic = ctx.services.atomic();
        let policy = Policy::of(&ctx.config.rate_limits);
        let shard = shard(&self.index);
        for _ in 0..MAX_ROUNDS {
            let (state, raw) = load(atomic, &shard).await?;
            if let Some(remaining) = state.locked_for_ms(ctx.now_ms) {
                return Err(locked(remaining));
            }
            let Some(next) = state.refund(self.admitted_at_ms) else {
                return Ok(());
            };
            if swap(atomic, &shard, &policy, ctx.now_ms, raw.as_deref(), &next).await? {
                return Ok(());
            }
        }
        // Not refunded: the attempt keeps counting as a failure (the safe side).
        Ok(())
    }
}

/// Locks `index` if its log (holding the failed, admitted attempt) is full; on a
/// placed lock, audits and mails. The failure is already in the log (it was admitted
/// before its check), so a lock not placed after [`MAX_ROUNDS`] lost swaps leaves the
/// log full, which refuses further attempts all the same.
async fn lock_if_due<S: Services>(
    ctx: &Ctx<'_, S>,
    index: &str,
    account: Option<Account<'_>>,
) -> Result<bool, ApiError> {
    let atomic = ctx.services.atomic();
    let policy = Policy::of(&ctx.config.rate_limits);
    let shard = shard(index);
    let now = ctx.now_ms;
    for _ in 0..MAX_ROUNDS {
        let (state, raw) = load(atomic, &shard).await?;
        if !state.should_lock(&policy, now) {
            return Ok(false);
        }
        let next = state.lock(&policy, now);
        if swap(atomic, &shard, &policy, now, raw.as_deref(), &next).await? {
            announce(ctx, &next, account)?;
            return Ok(true);
        }
    }
    Ok(false)
}

/// Audits the lock and, for a real account, mails its owner.
fn announce<S: Services>(
    ctx: &Ctx<'_, S>,
    state: &LockState,
    account: Option<Account<'_>>,
) -> Result<(), ApiError> {
    let seconds = state
        .locked_until_ms
        .saturating_sub(ctx.now_ms)
        .div_ceil(1000);
    let seconds = format!("{seconds}");
    let locks = format!("{}", state.locks);
    ctx.audit(
        AuditKind::Lockout,
        None,
        account.map(|account| account.user_id),
        &[("locked_for_secs", &seconds), ("lock_number", &locks)],
    )?;
    if let Some(account) = account {
        ctx.send_mail(notice_mail(
            &ctx.config.public_origin,
            account.address,
            state.locked_until_ms,
        ));
    }
    Ok(())
}

/// The notice to the owner of a locked account.
pub fn notice_mail(public_origin: &str, to: &str, locked_until_ms: u64) -> Mail {
    Mail {
        to: to.into(),
        subject: "Sign-in to your account was paused".into(),
        text: format!(
            "There were several failed attempts to sign in to your account, so signing \
             in is paused until {} (UTC). Your password has not been changed.\n\n\
             If these attempts were yours, wait and try again, or reset your password at \
             {public_origin}. If they were not, your password is holding: you may still \
             want to choose a new one there.",
            crate::encoding::rfc3339(locked_until_ms)
        ),
    }
}

/// Lifts any lock on `index` and empties its log, keeping the memory of earlier
/// locks (after a completed password reset: the owner proved control of the
/// address, and an attacker still faces the doubled next lock).
pub async fn clear<S: Services>(ctx: &Ctx<'_, S>, index: &str) -> Result<(), ApiError> {
    let atomic = ctx.services.atomic();
    let policy = Policy::of(&ctx.config.rate_limits);
    let shard = shard(index);
    for _ in 0..MAX_ROUNDS {
        let (state, raw) = load(atomic, &shard).await?;
        if raw.is_none() {
            return Ok(());
        }
        let next = state.cleared();
        if next == state {
            return Ok(());
        }
        if swap(atomic, &shard, &policy, ctx.now_ms, raw.as_deref(), &next).await? {
            return Ok(());
        }
    }
    Err(ApiError::Unavailable(Internal("lockout record contended")))
}

/// Deletes the state of `index` — lock, failure log and the memory of earlier locks —
/// when the account behind the address is erased: the state is derived from the
/// address and must not outlive the account (an address without an account starts
/// from nothing, as an unknown one does). A state that keeps changing under
/// contention is left to its own expiry.
pub async fn forget(atomic: &impl AtomicStore, index: &str) -> Result<(), ApiError> {
    let shard = shard(index);
    let key = AtomicKey::new(&shard, NAME);
    for _ in 0..MAX_ROUNDS {
        let Some(raw) = atomic.get(key).await? else {
            return Ok(());
        };
        if atomic.compare_and_swap(key, Some(&raw), None, None).await? {
            return Ok(());
        }
    }
    Ok(())
}
