//! Turning TOTP on: `POST /api/me/mfa/totp/setup` → `200 {secret, otpauth_uri}`,
//! then `POST /api/me/mfa/totp/confirm {code}` → `200 {"recovery_codes": [10]}`
//! (docs/contract.md §6, §7). Both need an authenticated caller ([`crate::flows::auth::authenticate`],
//! which enforces CSRF for cookie credentials on these unsafe methods).
//!
//! **Setup** draws a fresh 160-bit secret ([`totp::new_secret`]), stores it encrypted
//! as *pending* (associated data `user/{id}#totp_pending`, valid [`PENDING_TTL_MS`])
//! and returns it once, as unpadded base32 and as an `otpauth://` URI (issuer: the
//! host of `PUBLIC_ORIGIN`; label: the account's address). Nothing changes for
//! logins yet. A new setup replaces an unconfirmed one. While TOTP is on, setup is
//! refused (`400`): replacing an active factor needs the password, through
//! `DELETE /api/me/mfa/totp` first.
//!
//! **Confirm** checks a code against the pending secret, with the user's
//! `totp_last_step` like a login (a confirmed code counts as used), then in one
//! compare-and-swap: the secret moves to the active field (re-encrypted under
//! `user/{id}#totp_secret`), the step is recorded, ten recovery codes' hashes replace
//! any earlier set, the pending setup is cleared and `mfa_enabled` becomes true —
//! only if the pending secret is still the one checked. The codes are returned once;
//! audit `mfa_enabled`; the owner is mailed ([`super::notice`]).
//!
//! Answers: no setup or an expired one → `400 invalid_request`; wrong or replayed
//! code → `401 invalid_mfa` with audit `mfa_failed` (`stage=confirm`); a pending
//! secret that cannot be decrypted → `503` (logged, nothing written).
//!
//! Security considerations: the plaintext secret exists only in this request (as a
//! zeroized [`crate::Secret`] and in the response); confirmation failures are not a
//! lockout matter — the caller holds a session and the secret already, there is
//! nothing to guess.

use alloc::string::String;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::{issuer, notice, pending_context, recovery_context, secret_context, PendingTotp};
use crate::crypto::aead;
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::principal::Principal;
use crate::model::user;
use crate::policy::mfa::{base32, recovery, totp};

/// How long a setup waits for its confirming code (15 minutes).
pub const PENDING_TTL_MS: u64 = 15 * 60 * 1000;

const ALREADY_ENABLED: &str = "mfa: TOTP is already enabled; disable it first";
const NO_SETUP: &str = "mfa: no TOTP setup in progress; start with /api/me/mfa/totp/setup";

#[derive(Serialize)]
struct SetupAnswer<'a> {
    secret: &'a str,
    otpauth_uri: &'a str,
}

/// `POST /api/me/mfa/totp/setup`.
pub async fn setup<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let caller = &principal.user;
    if super::is_required(caller) {
        return Err(ApiError::InvalidRequest(ALREADY_ENABLED));
    }
    let config = ctx.config;
    // Read before anything is written: an unreadable address is `503`, nothing stored.
    let label = caller.email_address(config)?;
    let random = ctx.services.random();
    let secret = totp::new_secret(random)?;
    let ciphertext = aead::encrypt(
        &config.data_encryption_keys,
        random,
        &pending_context(&caller.id),
        secret.expose(),
    )?;
    let pending = PendingTotp {
        secret: ciphertext,
        expires_at_ms: ctx.now_ms.saturating_add(PENDING_TTL_MS),
    };
    let mut refused = false;
    user::update(ctx.services.atomic(), &caller.id, |stored| {
        refused = super::is_required(stored);
        if refused {
            return false;
        }
        stored.mfa.pending = Some(pending.clone());
        true
    })
    .await?
    .ok_or(ApiError::Unauthenticated)?;
    if refused {
        return Err(ApiError::InvalidRequest(ALREADY_ENABLED));
    }
    let mut secret_b32 = base32::encode(secret.expose());
    let mut uri = totp::otpauth_uri(issuer(&config.public_origin), &label, &secret_b32);
    let response = Response::json(
        200,
        &SetupAnswer {
            secret: &secret_b32,
            otpauth_uri: &uri,
        },
    );
    secret_b32.zeroize();
    uri.zeroize();
    Ok(response)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmBody {
    code: String,
}

impl Drop for ConfirmBody {
    fn drop(&mut self) {
        self.code.zeroize();
    }
}

#[derive(Serialize)]
struct ConfirmAnswer<'a> {
    recovery_codes: &'a [String],
}

/// Why a confirmation did not go through.
enum Refusal {
    NoSetup,
    AlreadyEnabled,
    WrongCode,
}

/// `POST /api/me/mfa/totp/confirm {code}`.
pub async fn confirm<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let request: ConfirmBody = body::parse_json(ctx.request)?;
    body::check_length(&request.code, 1, 16, "code: 1 to 16 characters")?;
    let config = ctx.config;
    let keyring = &config.data_encryption_keys;
    let random = ctx.services.random();
    let user_id = principal.user.id.as_str();
    let now = ctx.now_ms;

    // Drawn before the swap (the closure cannot fail on randomness); shown only if
    // the swap stores their hashes.
    let codes = recovery::generate(keyring, random, &recovery_context(user_id))?;
    let mut outcome: Result<(), Refusal> = Err(Refusal::NoSetup);
    let mut failure: Option<ApiError> = None;
    let stored = user::update(ctx.services.atomic(), user_id, |stored| {
        outcome = Err(Refusal::NoSetup);
        failure = None;
        if super::is_required(stored) {
            outcome = Err(Refusal::AlreadyEnabled);
            return false;
        }
        let Some(pending) = stored.mfa.pending.clone() else {
            return false;
        };
        if pending.expires_at_ms <= now {
            return false;
        }
        let secret = match aead::decrypt(keyring, &pending_context(user_id), &pending.secret) {
            Ok(secret) => secret,
            Err(error) => {
                failure = Some(error.into());
                return false;
            }
        };
        let Some(step) = totp::verify_after(
            secret.expose(),
            &request.code,
            now / 1000,
            stored.mfa.totp_last_step,
        ) else {
            outcome = Err(Refusal::WrongCode);
            return false;
        };
        let active = match aead::encrypt(keyring, random, &secret_context(user_id), secret.expose())
        {
            Ok(active) => active,
            Err(error) => {
                failure = Some(error.into());
                return false;
            }
        };
        stored.mfa.totp_secret = Some(active);
        stored.mfa.totp_last_step = Some(step);
        stored.mfa.pending = None;
        stored.mfa.recovery_codes = codes.hashes.clone();
        stored.mfa.enabled_at_ms = Some(now);
        stored.mfa_enabled = true;
        outcome = Ok(());
        true
    })
    .await?
    .ok_or(ApiError::Unauthenticated)?;
    if let Some(error) = failure {
        return Err(error);
    }
    match outcome {
        Ok(()) => {}
        Err(Refusal::NoSetup) => return Err(ApiError::InvalidRequest(NO_SETUP)),
        Err(Refusal::AlreadyEnabled) => return Err(ApiError::InvalidRequest(ALREADY_ENABLED)),
        Err(Refusal::WrongCode) => {
            ctx.audit(
                AuditKind::MfaFailed,
                Some(user_id),
                Some(user_id),
                &[("stage", "confirm"), ("method", "totp")],
            )?;
            return Err(ApiError::InvalidMfa);
        }
    }
    ctx.audit(
        AuditKind::MfaEnabled,
        Some(user_id),
        Some(user_id),
        &[("method", "totp")],
    )?;
    ctx.send_mail(notice::enabled(
        &config.public_origin,
        &stored.email_address(config)?,
    ));
    Ok(Response::json(
        200,
        &ConfirmAnswer {
            recovery_codes: &codes.codes,
        },
    ))
}
