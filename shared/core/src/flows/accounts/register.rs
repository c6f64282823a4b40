//! `POST /auth/register {email, password}` → always `202 {"status":"accepted"}`
//! (docs/contract.md §5, §7).
//!
//! Steps:
//! 1. `Origin` check (as login), strict body (`400`), the field rules of
//!    [`crate::policy::fields`] (`400 invalid_request`), then the password policy (`400
//!    weak_password`) — all before the address is looked up, so these answers are the
//!    same for new and taken addresses and reveal nothing about accounts;
//! 2. the per-address registration limit (`RATE_LIMIT_REGISTER_PER_IP`) and the
//!    isolate's hashing gate (`429 rate_limited`, [`crate::flows::ratelimit`]) — after the
//!    checks of step 1, so a user retrying a rejected password spends no budget;
//! 3. **taken address** → one dummy password verification (so the time matches the
//!    new-address path's hash), the decoy store work of `decoy`, a notice mail to
//!    the address, the same `202`. The existing account is not touched: its password
//!    is never replaced;
//! 4. **new address** → hash the password, write the user (unverified, roles
//!    `["user"]`, the address encrypted for this record), then claim the email index
//!    under the active data key with `compare_and_swap(None → id)`. If a concurrent
//!    registration claimed it first, the just-written record is removed and the
//!    request continues as step 3 (notice mail) — exactly one account per address;
//! 5. list the account in the user directory ([`user::directory_add`]), issue a
//!    verification token and mail its link (`/verify-email#token=…`).
//!
//! "Taken" means an index entry exists under **any** key of `DATA_ENCRYPTION_KEYS`
//! ([`user::find_by_email`]): during a key rotation an account may still be indexed
//! under the old key, and the active-key entry may not exist yet.
//!
//! The user record is written before the index so that a failure in between leaves an
//! unreachable record (harmless), never an index pointing at nothing (which would
//! block the address forever).
//!
//! `BOOTSTRAP_ADMIN_EMAILS` get `admin` only when they *verify* (see
//! [`super::verify_email`]): anyone can register any address, only its owner can
//! verify it — even when `REQUIRE_EMAIL_VERIFICATION=false`.
//!
//! Security considerations: identical bodies for both paths; the notice mail tells the
//! real owner what happened without letting the registrant in; audit events carry the
//! user id, never the address or the password.
//!
//! Timing: both paths cost one argon2id computation and make **the same sequence of
//! store operations** — same kinds, same order, on the same shards where a shard is
//! observable (a Durable Object on Workers: a fresh one costs more than one already
//! touched). Each operation is a store round trip, far from free: before this rule a
//! taken address answered in about half the time of a new one (an enumeration
//! oracle). The new path writes the user record (fresh shard), claims the email index,
//! lists the account in the directory and issues the verification token (its record,
//! then the pointer in the user's shard, [`crate::model::pending::track`]). The taken
//! path makes the same calls on a decoy (`decoy`): a throwaway record under a fresh
//! random user id, a swap of the email index onto the value it already holds
//! ([`user::rewrite_index`]), the owner's directory entry rewritten, and a
//! verification token for the decoy id issued by the very function the new path uses,
//! so a change to token issuing is mirrored by construction. Decoy records hold no
//! data about anyone, are never mailed, and expire after [`DECOY_TTL_MS`].
//!
//! The test `register_makes_the_same_store_operations_for_new_and_taken_addresses`
//! records both paths' store operations and fails when they differ; a change to either
//! path must keep them equal.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use serde::Deserialize;
use zeroize::Zeroize;

use super::verify_email;
use crate::ctx::{Ctx, Services};
use crate::error::{ApiError, Internal};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::email;
use crate::model::mail::Mail;
use crate::model::user::{self, UserRecord, ROLE_USER};
use crate::policy::csrf;
use crate::policy::fields::{self, PasswordField};
use crate::policy::password;
use crate::store::{AtomicKey, AtomicStore};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    email: String,
    password: String,
}

impl Drop for RegisterBody {
    fn drop(&mut self) {
        self.password.zeroize();
    }
}

fn accepted() -> Response {
    Response::json(202, &serde_json::json!({"status": "accepted"}))
}

/// The mail to an address that already has an account.
pub fn notice_mail(public_origin: &str, to: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: "Sign-up attempt with your email address".into(),
        text: alloc::format!(
            "Someone tried to create an account with this email address, which already \
             has one. Your account has not been changed.\n\n\
             If this was you, sign in at {public_origin} — or reset your password there \
             if you have forgotten it. If it was not you, you can ignore this message."
        ),
    }
}

/// Step 3: the answer for an address that already has an account.
fn taken<S: Services>(
    ctx: &Ctx<'_, S>,
    owner: Option<&str>,
    address: &str,
) -> Result<Response, ApiError> {
    ctx.send_mail(notice_mail(&ctx.config.public_origin, address));
    ctx.audit(
        AuditKind::Register,
        None,
        owner,
        &[("outcome", "email_taken")],
    )?;
    Ok(accepted())
}

/// How long the taken path's decoy records live (they are never read).
pub const DECOY_TTL_MS: u64 = 60_000;
/// The decoy "user record": it holds nothing about anyone and parses as no account.
const DECOY_RECORD: &str = "{\"decoy\":true}";

/// The taken path's counterpart of the new path's store work, operation for operation
/// (see the module docs): the decoy record under a fresh user id (as `user::insert`),
/// the email index swapped onto its own value (as `user::claim_index`), the owner's
/// directory entry (as `user::directory_add`), and a verification token for the decoy
/// (as `verify_email::issue_token`, pointer included), which is dropped unmailed.
async fn decoy<S: Services>(ctx: &Ctx<'_, S>, index: &str, owner: &str) -> Result<(), ApiError> {
    let atomic = ctx.services.atomic();
    let random = ctx.services.random();
    let expires_at_ms = ctx.now_ms.saturating_add(DECOY_TTL_MS);
    let decoy_id = user::new_id(random)?;
    let shard = user::shard(&decoy_id);
    atomic
        .compare_and_swap(
            AtomicKey::new(&shard, user::PROFILE),
            None,
            Some(DECOY_RECORD),
            Some(expires_at_ms),
        )
        .await?;
    user::rewrite_index(atomic, index, owner).await?;
    user::directory_add(ctx.services.records(), owner).await?;
    let mut token =
        verify_email::issue_token_expiring(atomic, random, &decoy_id, expires_at_ms).await?;
    token.zeroize();
    Ok(())
}

/// `POST /auth/register`.
pub async fn handle<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let config = ctx.config;
    csrf::check_origin(config, ctx.request)?;
    let request: RegisterBody = body::parse_json(ctx.request)?;
    let address = fields::email(&request.email)?;
    fields::password(&request.password, PasswordField::Password)?;
    let mut new_password =
        password::check_policy(&request.password, &address, config.password_min_length)?;
    // Step 2: the per-address limit and the isolate's hashing gate (docs/abuse.md).
    let _hashing = match crate::flows::ratelimit::admit_registration(ctx).await {
        Ok(permit) => permit,
        Err(refused) => {
            new_password.zeroize();
            return Err(refused);
        }
    };
    let pepper = config.password_pepper.as_ref();
    let atomic = ctx.services.atomic();
    let index = email::email_index(config, &address);

    if let Some(owner) = user::find_by_email(atomic, config, &address).await? {
        password::dummy_verify(&new_password, &config.password_hash, pepper);
        new_password.zeroize();
        decoy(ctx, &index, &owner).await?;
        return taken(ctx, Some(&owner), &address);
    }

    let random = ctx.services.random();
    let hashed = ctx.timed_hash(|| {
        password::hash_password(&new_password, &config.password_hash, pepper, random)
    });
    new_password.zeroize();
    let id = user::new_id(random)?;
    let user = UserRecord {
        email: email::store_email(config, random, &id, &address)?,
        id,
        email_verified: false,
        password_hash: hashed?,
        roles: vec![String::from(ROLE_USER)],
        disabled: false,
        mfa_enabled: false,
        mfa: Default::default(),
        created_at_ms: ctx.now_ms,
        last_login_at_ms: None,
        known_devices: alloc::vec::Vec::new(),
        known_countries: alloc::vec::Vec::new(),
        session_epoch: 0,
        session_epoch_keeps: None,
        identities: Vec::new(),
        other: Default::default(),
    };
    if !user::insert(atomic, &user).await? {
        return Err(ApiError::Unavailable(Internal("user id collision")));
    }
    if !user::claim_index(atomic, &index, &user.id).await? {
        user::remove_unreachable(atomic, &user).await?;
        let owner = user::find_by_index(atomic, &index).await?;
        return taken(ctx, owner.as_deref(), &address);
    }
    user::directory_add(ctx.services.records(), &user.id).await?;
    let token = verify_email::issue_token(atomic, random, &user.id, ctx.now_ms).await?;
    ctx.send_mail(verify_email::verification_mail(
        &config.public_origin,
        &address,
        &token,
    ));
    ctx.audit(AuditKind::Register, Some(&user.id), Some(&user.id), &[])?;
    Ok(accepted())
}
