//! The MFA token: what `POST /auth/login` answers with, instead of a session, when
//! the account has TOTP on — `200 {"mfa_required": true, "mfa_token": "…"}`, and no
//! cookie (docs/contract.md §5).
//!
//! The token is 256 random bits, base64url (43 characters). Only its SHA-256 is
//! stored: AtomicStore shard `mfa-login/{sha256 hex}`, name `challenge`, value
//! `{user_id, mode, expires_at_ms, wrong_codes, attempts, epoch}`, with the store
//! expiry set to the same instant, 5 minutes after the password was accepted. It
//! remembers the delivery `mode` of the first step, so `POST /auth/login/mfa` answers
//! in it, and the user's session `epoch` the password was checked under: once the
//! epoch moves on (a password reset, say) the token is dead
//! ([`crate::policy::session_epoch`]). A
//! pointer in the user's shard ([`crate::model::pending`]) lets erasing the account
//! delete an open challenge at once.
//!
//! Lifecycle, every change a compare-and-swap on the exact text read:
//! - **admission** ([`admit`]): before a code is checked, `attempts` is incremented;
//!   once [`MAX_WRONG_CODES`] codes have been admitted the token takes no more, so a
//!   parallel burst of codes on one token gets at most three checked, whatever the
//!   timing. An admitted code that turns out right consumes the token, so nothing
//!   needs refunding;
//! - **success** consumes it (`raw → absent`): of concurrent second steps with one
//!   token at most one gets a session;
//! - **a wrong code** increments `wrong_codes`; the [`MAX_WRONG_CODES`]th wrong code
//!   deletes it, and the user starts again with the password. (Typos stay cheap,
//!   while each password-backed token is good for at most three guesses, on top of
//!   the account lockout that counts every failure);
//! - a token that is unknown, expired, used, killed or out of admissions is
//!   `401 unauthenticated` — the client must sign in again — while a wrong code on a
//!   live token is `401 invalid_mfa`.
//!
//! Security considerations: a stolen store yields only hashes of 256-bit tokens; the
//! token is not an access token (no route but `/auth/login/mfa` reads it, and
//! `flows::auth::authenticate` refuses it: it is not a JWT), so it grants nothing alone;
//! its shape is checked before it becomes part of a storage key.

use alloc::string::String;
use serde::{Deserialize, Serialize};

use crate::crypto::kdf::sha256;
use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::http::Response;
use crate::model::session::Mode;
use crate::model::user::UserRecord;
use crate::store::{AtomicKey, AtomicStore};

/// Lifetime of an MFA token (docs/contract.md §5: 5 minutes).
pub const TOKEN_TTL_MS: u64 = 5 * 60 * 1000;
/// Wrong codes a token survives: the third wrong code ends it.
pub const MAX_WRONG_CODES: u32 = 3;
/// Shard prefix of MFA token records.
pub const SHARD_PREFIX: &str = "mfa-login/";
const NAME: &str = "challenge";
/// How often a change is recomputed after losing a race before giving up. Every
/// lost race is another request's successful write, and a token takes at most
/// `MAX_WRONG_CODES` admissions, as many wrong-code counts and one consumption.
const ATTEMPTS: usize = 12;

/// The stored state behind an MFA token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// Whose password was accepted.
    pub user_id: String,
    /// The delivery mode asked for at the password step.
    pub mode: Mode,
    /// The token is void at this instant (Unix ms).
    pub expires_at_ms: u64,
    /// Wrong codes so far.
    #[serde(default)]
    pub wrong_codes: u32,
    /// Codes admitted to a check so far (wrong, right or still being checked).
    #[serde(default)]
    pub attempts: u32,
    /// The user's session epoch when the password was accepted.
    #[serde(default)]
    pub epoch: u64,
    /// The provider of a social sign-in whose second step this is (`None`: a password
    /// login), so that the finished login is audited as one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// A live challenge as read from the store, with what a later swap needs.
#[derive(Debug, Clone)]
pub struct Open {
    /// The challenge.
    pub challenge: Challenge,
    raw: String,
    shard: String,
}

impl Open {
    /// The shard the challenge is stored in (a passkey ceremony of the second step is
    /// bound to it).
    pub fn shard(&self) -> &str {
        &self.shard
    }
}

/// The shard of a token, or `None` when it cannot be one of ours (32 bytes of
/// base64url) — checked before it touches the store.
fn shard_of(token: &str) -> Option<String> {
    let bytes = encoding::b64url_decode(token).filter(|bytes| bytes.len() == 32)?;
    Some(alloc::format!(
        "{SHARD_PREFIX}{}",
        encoding::hex(&sha256(&bytes))
    ))
}

fn encode(challenge: &Challenge) -> Result<String, ApiError> {
    serde_json::to_string(challenge)
        .map_err(|_| ApiError::Internal(Internal("mfa challenge encoding")))
}

/// Stores a new challenge for `user` (as read before the password was checked) and
/// returns its token.
pub async fn issue(
    atomic: &impl AtomicStore,
    random: &impl crate::Random,
    user: &UserRecord,
    mode: Mode,
    now_ms: u64,
) -> Result<String, ApiError> {
    issue_via(atomic, random, user, mode, now_ms, None).await
}

/// [`issue`] for the second step of a social sign-in through `via` (a provider's
/// name): the first factor was the provider, the rest is the same.
pub async fn issue_via(
    atomic: &impl AtomicStore,
    random: &impl crate::Random,
    user: &UserRecord,
    mode: Mode,
    now_ms: u64,
    via: Option<&str>,
) -> Result<String, ApiError> {
    let bytes: [u8; 32] = crate::env::random_array(random)?;
    let token = encoding::b64url(&bytes);
    let shard = shard_of(&token).ok_or(ApiError::Internal(Internal("mfa token shape")))?;
    let expires_at_ms = now_ms.saturating_add(TOKEN_TTL_MS);
    let value = encode(&Challenge {
        user_id: user.id.clone(),
        mode,
        expires_at_ms,
        wrong_codes: 0,
        attempts: 0,
        epoch: user.session_epoch,
        via: via.map(String::from),
    })?;
    let stored = atomic
        .compare_and_swap(
            AtomicKey::new(&shard, NAME),
            None,
            Some(&value),
            Some(expires_at_ms),
        )
        .await?;
    if !stored {
        // A collision of 256 random bits means the random source is broken.
        return Err(ApiError::Unavailable(Internal("mfa token collision")));
    }
    // Erasing the account erases the open challenge too (gdpr::pending).
    crate::model::pending::track(atomic, &user.id, &shard, NAME, expires_at_ms).await?;
    Ok(token)
}

/// The answer of a password login that needs a second factor: a new MFA token, no
/// session, no cookie.
pub async fn respond<S: Services>(
    ctx: &Ctx<'_, S>,
    user: &UserRecord,
    mode: Mode,
) -> Result<Response, ApiError> {
    let token = issue(
        ctx.services.atomic(),
        ctx.services.random(),
        user,
        mode,
        ctx.now_ms,
    )
    .await?;
    Ok(Response::json(
        200,
        &serde_json::json!({"mfa_required": true, "mfa_token": token}),
    ))
}

/// Reads the live challenge behind `token`; `None` for anything else (malformed,
/// unknown, expired, used, killed, unreadable).
pub async fn open(
    atomic: &impl AtomicStore,
    token: &str,
    now_ms: u64,
) -> Result<Option<Open>, ApiError> {
    let Some(shard) = shard_of(token) else {
        return Ok(None);
    };
    read(atomic, shard, now_ms).await
}

async fn read(
    atomic: &impl AtomicStore,
    shard: String,
    now_ms: u64,
) -> Result<Option<Open>, ApiError> {
    let Some(raw) = atomic.get(AtomicKey::new(&shard, NAME)).await? else {
        return Ok(None);
    };
    let Ok(challenge) = serde_json::from_str::<Challenge>(&raw) else {
        return Ok(None);
    };
    if challenge.expires_at_ms <= now_ms || challenge.wrong_codes >= MAX_WRONG_CODES {
        return Ok(None);
    }
    Ok(Some(Open {
        challenge,
        raw,
        shard,
    }))
}

/// Admits one code check on the challenge, before the code is looked at. Returns the
/// challenge as admitted (pass it to [`consume`] or [`count_wrong_code`]), or `None`
/// when it already admitted [`MAX_WRONG_CODES`] codes or is gone.
pub async fn admit(
    atomic: &impl AtomicStore,
    open: &Open,
    now_ms: u64,
) -> Result<Option<Open>, ApiError> {
    let mut current = open.clone();
    for _ in 0..ATTEMPTS {
        // Records written before admissions existed count their wrong codes.
        let admitted = current
            .challenge
            .attempts
            .max(current.challenge.wrong_codes);
        if admitted >= MAX_WRONG_CODES {
            return Ok(None);
        }
        let mut next = current.challenge.clone();
        next.attempts = admitted.saturating_add(1);
        let raw = encode(&next)?;
        let key = AtomicKey::new(&current.shard, NAME);
        if atomic
            .compare_and_swap(
                key,
                Some(&current.raw),
                Some(&raw),
                Some(next.expires_at_ms),
            )
            .await?
        {
            return Ok(Some(Open {
                challenge: next,
                raw,
                shard: current.shard,
            }));
        }
        match read(atomic, current.shard.clone(), now_ms).await? {
            Some(fresh) if fresh.challenge.user_id == open.challenge.user_id => current = fresh,
            _ => return Ok(None),
        }
    }
    Err(ApiError::Unavailable(Internal("mfa challenge contended")))
}

/// Consumes the challenge. `true` for exactly one caller; `false` when it was
/// consumed, killed or expired meanwhile. A concurrent wrong-code count that
/// changed the record only makes this re-read and retry.
pub async fn consume(
    atomic: &impl AtomicStore,
    open: &Open,
    now_ms: u64,
) -> Result<bool, ApiError> {
    let mut current = open.clone();
    for _ in 0..ATTEMPTS {
        let key = AtomicKey::new(&current.shard, NAME);
        if atomic
            .compare_and_swap(key, Some(&current.raw), None, None)
            .await?
        {
            return Ok(true);
        }
        match read(atomic, current.shard.clone(), now_ms).await? {
            Some(fresh) if fresh.challenge.user_id == open.challenge.user_id => current = fresh,
            _ => return Ok(false),
        }
    }
    Err(ApiError::Unavailable(Internal("mfa challenge contended")))
}

/// What counting a wrong code did to the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrongCode {
    /// Counted: the token has had `wrong_codes` wrong codes (this one included); the
    /// [`MAX_WRONG_CODES`]th deleted it.
    Counted {
        /// Wrong codes on the token so far.
        wrong_codes: u32,
    },
    /// The token ended meanwhile (a right code consumed it, it expired, the epoch
    /// moved on, the account was erased): the code was counted on no token.
    Gone,
}

impl WrongCode {
    /// The wrong codes the token may still take (0: it is gone).
    pub fn tries_left(self) -> u32 {
        match self {
            Self::Counted { wrong_codes } => MAX_WRONG_CODES.saturating_sub(wrong_codes),
            Self::Gone => 0,
        }
    }

    /// Wrong codes recorded on the token, this one included; `None` when it was
    /// counted on none — never a count the token did not reach.
    pub fn wrong_codes(self) -> Option<u32> {
        match self {
            Self::Counted { wrong_codes } => Some(wrong_codes),
            Self::Gone => None,
        }
    }
}

/// Counts a wrong code; the [`MAX_WRONG_CODES`]th deletes the challenge.
pub async fn count_wrong_code(
    atomic: &impl AtomicStore,
    open: &Open,
    now_ms: u64,
) -> Result<WrongCode, ApiError> {
    let mut current = open.clone();
    for _ in 0..ATTEMPTS {
        let mut next = current.challenge.clone();
        next.wrong_codes = next.wrong_codes.saturating_add(1);
        let new = if next.wrong_codes >= MAX_WRONG_CODES {
            None
        } else {
            Some(encode(&next)?)
        };
        let key = AtomicKey::new(&current.shard, NAME);
        if atomic
            .compare_and_swap(
                key,
                Some(&current.raw),
                new.as_deref(),
                Some(next.expires_at_ms),
            )
            .await?
        {
            return Ok(WrongCode::Counted {
                wrong_codes: next.wrong_codes,
            });
        }
        match read(atomic, current.shard.clone(), now_ms).await? {
            Some(fresh) => current = fresh,
            None => return Ok(WrongCode::Gone),
        }
    }
    Err(ApiError::Unavailable(Internal("mfa challenge contended")))
}
