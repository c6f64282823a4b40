//! Email verification: the mailed token and `POST /auth/email/verify` (docs/contract.md §5).
//!
//! A token is 256 random bits, base64url, sent in the link
//! `PUBLIC_ORIGIN/verify-email#token=…` (fragment: never in server logs or
//! `Referer`). Only its SHA-256 is stored: AtomicStore shard `verify/{sha256 hex}`,
//! name `token`, value `{user_id, expires_at_ms}`, with the store expiry set to the
//! same instant (24 h). Redeeming it is a compare-and-swap from the stored value to
//! nothing, so of two concurrent redemptions exactly one succeeds.
//!
//! On success the user's `email_verified` becomes true and, when the address is in
//! `BOOTSTRAP_ADMIN_EMAILS` and this is its first verification, the `admin` role is
//! granted — only on proof of ownership, never at registration (anyone can
//! *register* an address), and only once: a later verification (a second token, or
//! one redeemed after a password reset already verified the address) grants
//! nothing, so an admin's later decision about the account stands. (A reset that is
//! the first verification grants it there: `flows::accounts::recovery::reset`.)
//!
//! `Origin`, when present, must be ours or allowlisted (`403 csrf_failed`), as at login:
//! the route carries no session, and the check keeps another site's page from driving
//! it even where a CORS or routing mistake would let its request through.
//!
//! Security considerations: a stolen database yields hashes of high-entropy tokens,
//! useless for verification; bad, expired and used tokens get one answer
//! (`400 invalid_request`) so nothing distinguishes them; tokens never reach the
//! audit log.

use alloc::string::String;
use serde::{Deserialize, Serialize};

use crate::crypto::kdf::sha256;
use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::env::Random;
use crate::error::{ApiError, Internal};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::email;
use crate::model::user::{self, ROLE_ADMIN};
use crate::policy::csrf;
use crate::store::{AtomicKey, AtomicStore};

/// Lifetime of a verification token.
pub const TOKEN_TTL_MS: u64 = 24 * 3_600 * 1_000;
/// The page of the front end that reads the token from the fragment.
pub const VERIFY_PATH: &str = "/verify-email";
const NAME: &str = "token";
const INVALID_TOKEN: &str = "the token is invalid or has expired";

#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    user_id: String,
    expires_at_ms: u64,
}

fn shard_of(token: &str) -> Option<String> {
    // Our tokens are 32 bytes of base64url (43 characters); anything else is refused
    // before it touches the store.
    let bytes = encoding::b64url_decode(token).filter(|bytes| bytes.len() == 32)?;
    Some(alloc::format!("verify/{}", encoding::hex(&sha256(&bytes))))
}

/// Creates a verification token for `user_id` and returns it (to be mailed).
pub async fn issue_token(
    atomic: &impl AtomicStore,
    random: &impl Random,
    user_id: &str,
    now_ms: u64,
) -> Result<String, ApiError> {
    issue_token_expiring(atomic, random, user_id, now_ms.saturating_add(TOKEN_TTL_MS)).await
}

/// [`issue_token`] with its expiry given: the store work of issuing a token, which
/// registration's taken-address path repeats on a short-lived decoy
/// ([`super::register`]), so that the two paths make the same store operations.
pub(crate) async fn issue_token_expiring(
    atomic: &impl AtomicStore,
    random: &impl Random,
    user_id: &str,
    expires_at_ms: u64,
) -> Result<String, ApiError> {
    let bytes: [u8; 32] = crate::env::random_array(random)?;
    let token = encoding::b64url(&bytes);
    let shard = shard_of(&token).ok_or(ApiError::Internal(Internal("verification token shape")))?;
    let value = serde_json::to_string(&Pending {
        user_id: user_id.into(),
        expires_at_ms,
    })
    .map_err(|_| ApiError::Internal(Internal("verification record encoding")))?;
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
        return Err(ApiError::Unavailable(Internal(
            "verification token collision",
        )));
    }
    // Erasing the account erases the pending token too (gdpr::pending).
    crate::model::pending::track(atomic, user_id, &shard, NAME, expires_at_ms).await?;
    Ok(token)
}

/// The mail carrying a verification link.
pub fn verification_mail(public_origin: &str, to: &str, token: &str) -> crate::model::mail::Mail {
    let link = crate::model::mail::link_with_fragment_token(public_origin, VERIFY_PATH, token);
    crate::model::mail::Mail {
        to: to.into(),
        subject: "Verify your email address".into(),
        text: alloc::format!(
            "Welcome! Open this link to verify your email address:\n\n{link}\n\n\
             The link works once and expires in 24 hours. If you did not create an \
             account, you can ignore this message."
        ),
    }
}

/// Redeems a token: `Some(user_id)` exactly once for a live token, else `None`.
async fn redeem(
    atomic: &impl AtomicStore,
    token: &str,
    now_ms: u64,
) -> Result<Option<String>, ApiError> {
    let Some(shard) = shard_of(token) else {
        return Ok(None);
    };
    let key = AtomicKey::new(&shard, NAME);
    let Some(raw) = atomic.get(key).await? else {
        return Ok(None);
    };
    let Ok(pending) = serde_json::from_str::<Pending>(&raw) else {
        return Ok(None);
    };
    if pending.expires_at_ms <= now_ms {
        return Ok(None);
    }
    // Single use: only the request whose swap removes the record may proceed.
    if !atomic.compare_and_swap(key, Some(&raw), None, None).await? {
        return Ok(None);
    }
    Ok(Some(pending.user_id))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyBody {
    token: String,
}

/// `POST /auth/email/verify {token}` → `200 {"status":"verified"}`.
pub async fn handle<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    csrf::check_origin(ctx.config, ctx.request)?;
    let request: VerifyBody = body::parse_json(ctx.request)?;
    body::check_length(&request.token, 1, 128, INVALID_TOKEN)?;
    let user_id = redeem(ctx.services.atomic(), &request.token, ctx.now_ms)
        .await?
        .ok_or(ApiError::InvalidRequest(INVALID_TOKEN))?;
    let config = ctx.config;
    let mut granted_admin = false;
    let verified = user::update(ctx.services.atomic(), &user_id, |user| {
        if user.email_verified {
            // Verified before: bootstrap has had its one chance.
            granted_admin = false;
            return false;
        }
        // Decryption failure (a later, encrypted stored form) only forgoes the grant.
        let admin = user
            .email_address(config)
            .is_ok_and(|address| email::is_bootstrap_admin(config, &address));
        granted_admin = admin && !user.has_role(ROLE_ADMIN);
        user.email_verified = true;
        if granted_admin {
            user.grant_role(ROLE_ADMIN);
        }
        true
    })
    .await?
    .ok_or(ApiError::InvalidRequest(INVALID_TOKEN))?;
    ctx.audit(
        AuditKind::EmailVerified,
        Some(&verified.id),
        Some(&verified.id),
        &[],
    )?;
    if granted_admin {
        // Keep the last-admin guard's set complete (admin::registry). Best effort: the
        // address is verified already, and an admin the set misses only makes the
        // guard stricter.
        let _ =
            crate::model::admins::add(ctx.services.atomic(), ctx.services.records(), &verified.id)
                .await;
        ctx.audit(
            AuditKind::RoleChanged,
            None,
            Some(&verified.id),
            &[("granted", ROLE_ADMIN), ("reason", "bootstrap_admin_email")],
        )?;
    }
    Ok(Response::json(
        200,
        &serde_json::json!({"status": "verified"}),
    ))
}
