//! The data-key rotation sweep over the user records: the driver that applies
//! [`crate::crypto::rotation::reencrypt_if_stale`] and
//! [`crate::crypto::rotation::reindex_if_stale`] to every stored value, and its
//! admin-only route `POST /api/admin/data-keys/sweep` (the operator's runbook is
//! `docs/encryption.md` §7).
//!
//! What one user costs ([`sweep_user`]):
//! 1. read the record; re-encrypt under the active key each ciphertext that is not
//!    (the email `user/{id}#email`, the TOTP secret `user/{id}#totp_secret`, a
//!    pending setup `user/{id}#totp_pending`); write the record back with
//!    compare-and-swap against the text read — a concurrent change (a login, a
//!    confirmation) makes the swap fail and the user is redone from a fresh read, so
//!    the sweep never writes an older state over a newer one;
//! 2. move the email index: decrypt the address, compute its index under every key;
//!    when an entry under an older key points to this user, claim the active-key
//!    entry (create-if-absent) and then release the old one (compare-and-swap, only
//!    if it still points here). Claim first, release second: at every instant at
//!    least one entry finds the account, and registration (which treats *any*
//!    candidate as taken) cannot slip a second account in between;
//! 3. count recovery-code hashes under an older key: they cannot be re-hashed
//!    without the codes (the users must regenerate them, or the old key stays).
//!
//! Values that cannot be read (unknown key id, tampered, malformed) are counted as
//! failed, their users listed in `failed_user_ids`, and left exactly as they are —
//! never rewritten, never dropped. `dry_run` does all the reading and counting and
//! writes nothing: the verification pass of the runbook. A page is complete when
//! it moved nothing and nothing failed.
//!
//! Users are visited through the user directory ([`user::directory_page`]), a page
//! of at most [`MAX_LIMIT`] per call (each user costs a few strongly consistent
//! store calls; a page must stay well within a Worker's subrequest limit); the
//! caller passes `next_cursor` back until it is `null`.
//!
//! Security considerations: admin only (`403` otherwise), and the report carries
//! counts and user ids — never a plaintext, a ciphertext or an index. The active key
//! is the only one anything is written under, so running the sweep twice, or
//! concurrently, is harmless.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::crypto::rotation::{reencrypt_if_stale, SweepTally};
use crate::ctx::{Ctx, Services};
use crate::error::{ApiError, Internal};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::user::mfa::{pending_context, secret_context};
use crate::model::user::ROLE_ADMIN;
use crate::model::{email, user};
use crate::policy::mfa::recovery;

/// Users per call when the request does not say.
pub const DEFAULT_LIMIT: usize = 25;
/// The most users one call visits.
pub const MAX_LIMIT: usize = 100;
/// How often one user is redone after losing a race before the page fails.
const ATTEMPTS: usize = 8;

/// Counts in the report (a [`SweepTally`] on the wire).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Already under the active key.
    pub current: u64,
    /// Moved to the active key (in a dry run: would be moved).
    pub moved: u64,
    /// Could not be read; left as they are.
    pub failed: u64,
}

impl Counts {
    fn add(&mut self, tally: SweepTally) {
        self.current = self.current.saturating_add(tally.current);
        self.moved = self.moved.saturating_add(tally.moved);
        self.failed = self.failed.saturating_add(tally.failed);
    }
}

/// What one call of the sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    /// Whether nothing was written.
    pub dry_run: bool,
    /// User records visited.
    pub users: u64,
    /// Stored ciphertexts: emails, TOTP secrets, pending setups.
    pub ciphertexts: Counts,
    /// Email index entries.
    pub email_indexes: Counts,
    /// Users holding recovery-code hashes under an older key.
    pub users_with_stale_recovery_codes: u64,
    /// Users with a value that could not be read or an index that could not be
    /// moved: investigate before removing any key.
    pub failed_user_ids: Vec<String>,
    /// Pass back to continue; `None` when the directory is done.
    pub next_cursor: Option<String>,
    /// This page moved nothing and nothing failed (for a dry run: nothing to move).
    pub complete: bool,
}

/// Where one user's email index stands.
enum IndexState {
    Current,
    Moved,
    Failed,
}

/// Sweeps one page of the user directory (see the module docs).
pub async fn sweep_page<S: Services>(
    config: &Config,
    services: &S,
    cursor: Option<&str>,
    limit: usize,
    dry_run: bool,
) -> Result<SweepReport, ApiError> {
    let limit = limit.clamp(1, MAX_LIMIT);
    let (ids, next_cursor) = user::directory_page(services.records(), cursor, limit).await?;
    let mut report = SweepReport {
        dry_run,
        next_cursor,
        ..SweepReport::default()
    };
    for id in &ids {
        sweep_user(config, services, id, dry_run, &mut report).await?;
    }
    report.complete = report.ciphertexts.moved == 0
        && report.ciphertexts.failed == 0
        && report.email_indexes.moved == 0
        && report.email_indexes.failed == 0
        && report.failed_user_ids.is_empty();
    Ok(report)
}

/// Sweeps one user into `report`. A user who no longer exists is skipped.
pub async fn sweep_user<S: Services>(
    config: &Config,
    services: &S,
    user_id: &str,
    dry_run: bool,
    report: &mut SweepReport,
) -> Result<(), ApiError> {
    let keyring = &config.data_encryption_keys;
    let atomic = services.atomic();
    let random = services.random();
    for _ in 0..ATTEMPTS {
        let Some((mut record, raw)) = user::load_raw(atomic, user_id).await? else {
            return Ok(());
        };
        let mut tally = SweepTally::default();
        let mut changed = false;

        let outcome = reencrypt_if_stale(
            keyring,
            random,
            &email::context(user_id),
            record.email.ciphertext(),
        );
        tally.record(&outcome);
        if let Ok(Some(moved)) = outcome {
            record.email = email::StoredEmail::from_ciphertext(moved);
            changed = true;
        }
        if let Some(secret) = &record.mfa.totp_secret {
            let outcome = reencrypt_if_stale(keyring, random, &secret_context(user_id), secret);
            tally.record(&outcome);
            if let Ok(Some(moved)) = outcome {
                record.mfa.totp_secret = Some(moved);
                changed = true;
            }
        }
        if let Some(pending) = &record.mfa.pending {
            let outcome =
                reencrypt_if_stale(keyring, random, &pending_context(user_id), &pending.secret);
            tally.record(&outcome);
            if let Ok(Some(moved)) = outcome {
                if let Some(pending) = record.mfa.pending.as_mut() {
                    pending.secret = moved;
                }
                changed = true;
            }
        }
        if changed && !dry_run && !user::swap(atomic, &raw, &record).await? {
            continue;
        }

        report.users = report.users.saturating_add(1);
        report.ciphertexts.add(tally);
        if record
            .mfa
            .recovery_codes
            .iter()
            .any(|hash| !recovery::hash_is_current(keyring, hash))
        {
            report.users_with_stale_recovery_codes =
                report.users_with_stale_recovery_codes.saturating_add(1);
        }
        let index = match record.email_address(config) {
            Ok(address) => reindex(config, atomic, user_id, &address, dry_run).await?,
            Err(_) => IndexState::Failed,
        };
        let counter = match index {
            IndexState::Current => &mut report.email_indexes.current,
            IndexState::Moved => &mut report.email_indexes.moved,
            IndexState::Failed => &mut report.email_indexes.failed,
        };
        *counter = counter.saturating_add(1);
        if tally.failed > 0 || matches!(index, IndexState::Failed) {
            report.failed_user_ids.push(user_id.into());
        }
        return Ok(());
    }
    Err(ApiError::Unavailable(Internal("rotation sweep contended")))
}

/// Moves the user's email index entry to the active key (see the module docs).
async fn reindex(
    config: &Config,
    atomic: &impl crate::AtomicStore,
    user_id: &str,
    address: &str,
    dry_run: bool,
) -> Result<IndexState, ApiError> {
    let candidates = email::email_index_candidates(config, address);
    let Some((active, older)) = candidates.split_first() else {
        return Ok(IndexState::Failed);
    };
    let mut stale = Vec::new();
    for index in older {
        if user::find_by_index(atomic, index).await?.as_deref() == Some(user_id) {
            stale.push(index);
        }
    }
    let holds_active = match user::find_by_index(atomic, active).await? {
        Some(owner) if owner == user_id => true,
        // The address's active entry belongs to another account: a conflict to
        // investigate, never to overwrite.
        Some(_) => return Ok(IndexState::Failed),
        None => false,
    };
    if stale.is_empty() {
        // No entry at all means the account cannot be found by its address.
        return Ok(if holds_active {
            IndexState::Current
        } else {
            IndexState::Failed
        });
    }
    if dry_run {
        return Ok(IndexState::Moved);
    }
    if !holds_active
        && !user::claim_index(atomic, active, user_id).await?
        && user::find_by_index(atomic, active).await?.as_deref() != Some(user_id)
    {
        return Ok(IndexState::Failed);
    }
    for index in stale {
        user::release_index(atomic, index, user_id).await?;
    }
    Ok(IndexState::Moved)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepBody {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    dry_run: bool,
}

/// `POST /api/admin/data-keys/sweep {cursor?, limit?, dry_run?}` (admin) →
/// `200` [`SweepReport`].
pub async fn handle<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &crate::model::principal::Principal,
) -> Result<Response, ApiError> {
    principal.require_role(ROLE_ADMIN)?;
    let request: SweepBody = if ctx.request.body.is_empty() {
        SweepBody::default()
    } else {
        body::parse_json(ctx.request)?
    };
    let limit = request.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::InvalidRequest("limit: 1 to 100"));
    }
    if let Some(cursor) = &request.cursor {
        body::check_length(cursor, 1, 1024, "cursor: 1 to 1024 characters")?;
    }
    let report = sweep_page(
        ctx.config,
        ctx.services,
        request.cursor.as_deref(),
        limit,
        request.dry_run,
    )
    .await?;
    // Counts only: never a plaintext, ciphertext or index (nor the failed ids, which
    // the operator has in the answer).
    let (users, moved, failed) = (
        alloc::format!("{}", report.users),
        alloc::format!("{}", report.ciphertexts.moved + report.email_indexes.moved),
        alloc::format!("{}", report.failed_user_ids.len()),
    );
    ctx.audit(
        AuditKind::DataKeysSwept,
        Some(&principal.user.id),
        None,
        &[
            ("dry_run", if report.dry_run { "true" } else { "false" }),
            ("users", &users),
            ("moved", &moved),
            ("failed", &failed),
            ("complete", if report.complete { "true" } else { "false" }),
        ],
    )?;
    Ok(Response::json(200, &report))
}

#[cfg(all(test, feature = "password-policy"))]
mod tests;
