//! `POST /auth/password/forgot {email}` → always `202 {"status":"accepted"}`
//! (docs/contract.md §5).
//!
//! Steps:
//! 0. `Origin`, when present, must be ours or allowlisted (`403 csrf_failed`), as at
//!    login — before anything about the address is looked at, so it tells nothing;
//! 1. strict body, the email field rules of [`crate::policy::fields`] (`400
//!    invalid_request` — a statement about the input, the same for every address of
//!    that shape);
//! 2. the per-address limit (`RATE_LIMIT_FORGOT_PER_IP`, `429`);
//! 3. from here on the same store work for every address: a per-email mail cap
//!    counter, the account lookup (under every data key), reading a user record,
//!    drawing a token, one compare-and-swap on a `reset/…` key, and the read and
//!    compare-and-swap of the token's pointer in that user's shard;
//! 4. a known, enabled account under its mail cap gets a token stored (hashed,
//!    30 minutes, bound to its current password hash, with its pointer for erasure,
//!    [`crate::model::pending`]) and a reset mail. Everyone else gets no mail: for
//!    them the record read is of a random user id and the swaps are ones that cannot
//!    match ([`token::store_nothing`]);
//! 5. audit `password_reset_requested` with an `outcome`, and `202`.
//!
//! Choices this module makes (stated in docs/contract.md):
//! - **Unverified accounts get the mail.** The link reaches the address itself, so
//!   using it proves control of the address, and the reset then also marks it
//!   verified. Refusing would strand the real owner of an address someone else
//!   registered without verifying: the notice register sends them says "reset your
//!   password" — this is how.
//! - **Disabled accounts get no mail** (a new password would not let them in; the
//!   answer is still `202`).
//! - **Per-email cap**: at most as many reset mails per address as
//!   `RATE_LIMIT_FORGOT_PER_IP` allows one address to ask for (5 an hour by default),
//!   whoever asks, so the form cannot be used to flood someone's mailbox from many
//!   addresses. Over the cap the answer is the same `202`, without a mail.
//! - **Malformed addresses** are `400`, as at registration.
//!
//! Security considerations: the body is byte-identical for every outcome; mail leaves
//! after the response on Workers. What remains account-dependent in timing is
//! documented in `docs/abuse.md` (a few store writes and one more audit record, and
//! on Spin the mail itself).

use alloc::string::String;
use serde::Deserialize;

use super::mails;
use super::token;
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::ratelimit::{self, limiter, Scope};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::email;
use crate::model::user;
use crate::policy::{csrf, fields};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ForgotBody {
    email: String,
}

fn accepted() -> Response {
    Response::json(202, &serde_json::json!({"status": "accepted"}))
}

/// `POST /auth/password/forgot`.
pub async fn handle<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let config = ctx.config;
    csrf::check_origin(config, ctx.request)?;
    let request: ForgotBody = body::parse_json(ctx.request)?;
    let address = fields::email(&request.email)?;
    ratelimit::check_ip(ctx, Scope::Forgot).await?;

    let atomic = ctx.services.atomic();
    let random = ctx.services.random();
    let index = email::email_index(config, &address);
    let cap = limiter::hit(
        atomic,
        &ctx.memory.settled,
        &ratelimit::email_shard(&index),
        Scope::Forgot.as_str(),
        ratelimit::sliding(config.rate_limits.forgot_per_ip),
        ctx.now_ms,
    )
    .await?;
    let owner = user::find_by_email(atomic, config, &address).await?;
    let drawn = token::draw(random)?;
    // The record read: the owner's, or a random id's (absent), so both paths read one.
    let stand_in = user::new_id(random)?;
    let account = user::load(atomic, owner.as_deref().unwrap_or(&stand_in)).await?;

    let (outcome, subject) = match &account {
        Some(found) if owner.is_some() && !found.disabled && cap.is_allowed() => {
            token::store(atomic, &drawn, found, ctx.now_ms).await?;
            ctx.send_mail(mails::reset_link(
                &config.public_origin,
                &address,
                drawn.token(),
            ));
            ("mail_sent", Some(found.id.as_str()))
        }
        Some(found) if owner.is_some() => {
            token::store_nothing(atomic, &drawn, &found.id).await?;
            let outcome = if found.disabled {
                "disabled"
            } else {
                "throttled"
            };
            (outcome, Some(found.id.as_str()))
        }
        _ => {
            token::store_nothing(atomic, &drawn, &stand_in).await?;
            ("unknown_account", None)
        }
    };
    ctx.audit(
        AuditKind::PasswordResetRequested,
        None,
        subject,
        &[("outcome", outcome)],
    )?;
    Ok(accepted())
}
