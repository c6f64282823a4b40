//! `POST /auth/security/not-me {token}` → `200 {"status":"secured",
//! "sessions_revoked"}`: the "this wasn't me" link of a security notice
//! ([`crate::flows::notices`]). The page at `/security-alert` reads the token from
//! the URL fragment and calls this route.
//!
//! In order:
//! 1. strict body (`token`, 1–128 characters), the per-address forgot-password limit
//!    (`RATE_LIMIT_FORGOT_PER_IP`: the route sends a reset mail);
//! 2. redeem the token (single use, compare-and-swap): unknown, used, expired or
//!    malformed → `400 invalid_request`, one answer for all;
//! 3. **lock the password**: the stored hash is replaced by the hash of 256 random
//!    bits nobody knows — revoking sessions alone would not stop whoever has the
//!    password from signing in again a second later. That also voids every
//!    outstanding reset token (they are bound to the old hash);
//! 4. end every session of the account (the same swap moves its session epoch on,
//!    [`crate::policy::session_epoch`]; then each session record is revoked);
//! 5. start a reset: a fresh reset token (30 minutes) mailed to the owner, the same
//!    mail as `POST /auth/password/forgot`'s;
//! 6. audit `compromise_reported` (`notice`, `sessions_revoked`), which raises the
//!    `account.compromise_reported` alert.
//!
//! Security considerations: the route can only make an account safer; someone who
//! got hold of a link can lock its owner out of password sign-in until the owner
//! follows the reset mail (which goes to the owner's address, never to the caller).
//! The token is never logged or audited. A disabled account is secured the same way.

use alloc::format;
use alloc::string::String;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::{mails, token};
use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::ApiError;
use crate::flows::notices;
use crate::flows::ratelimit::{self, Scope};
use crate::flows::sessions;
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::user;
use crate::policy::{password, session_epoch};

const INVALID_TOKEN: &str = "token: invalid or expired";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NotMeBody {
    token: String,
}

impl Drop for NotMeBody {
    fn drop(&mut self) {
        self.token.zeroize();
    }
}

#[derive(Serialize)]
struct Secured {
    status: &'static str,
    sessions_revoked: usize,
}

/// `POST /auth/security/not-me`.
pub async fn handle<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let request: NotMeBody = body::parse_json(ctx.request)?;
    body::check_length(&request.token, 1, 128, INVALID_TOKEN)?;
    ratelimit::check_ip(ctx, Scope::Forgot).await?;
    let config = ctx.config;
    let atomic = ctx.services.atomic();
    let redeemed = notices::redeem(atomic, &request.token, ctx.now_ms)
        .await?
        .ok_or(ApiError::InvalidRequest(INVALID_TOKEN))?;
    let holder = user::load(atomic, &redeemed.user_id)
        .await?
        .ok_or(ApiError::InvalidRequest(INVALID_TOKEN))?;
    let address = holder.email_address(config)?;

    // A password nobody knows, hashed like any other (same shape, same timing).
    let mut unknown = encoding::b64url(&crate::env::random_array::<32>(ctx.services.random())?);
    let hashed = {
        let _hashing = ctx.memory.hashing.admit()?;
        ctx.timed_hash(|| {
            password::hash_password(
                &unknown,
                &config.password_hash,
                config.password_pepper.as_ref(),
                ctx.services.random(),
            )
        })
    };
    unknown.zeroize();
    let hashed = hashed?;
    let locked = user::update(atomic, &holder.id, |stored| {
        stored.password_hash.clone_from(&hashed);
        // Every session and MFA challenge of the account ends with this swap, as
        // with a reset (`policy::session_epoch`), even one a concurrent login starts.
        session_epoch::advance(stored, None);
        true
    })
    .await?
    .ok_or(ApiError::InvalidRequest(INVALID_TOKEN))?;

    let revoked = sessions::revoke_all(ctx, &locked.id, None).await?;
    let drawn = token::draw(ctx.services.random())?;
    token::store(atomic, &drawn, &locked, ctx.now_ms).await?;
    ctx.send_mail(mails::reset_link(
        &config.public_origin,
        &address,
        drawn.token(),
    ));
    ctx.audit(
        AuditKind::CompromiseReported,
        Some(&locked.id),
        Some(&locked.id),
        &[
            ("notice", redeemed.notice.as_str()),
            ("sessions_revoked", &format!("{revoked}")),
        ],
    )?;
    Ok(Response::json(
        200,
        &Secured {
            status: "secured",
            sessions_revoked: revoked,
        },
    ))
}
