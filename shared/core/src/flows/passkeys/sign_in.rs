//! Passwordless sign-in with a discoverable passkey (docs/contract.md §5):
//! `POST /auth/passkey/options` → `200 {"options": request options}`, then
//! `POST /auth/passkey/verify {credential, mode?}` → the answer of `POST /auth/login`
//! (a session in cookie or token mode; audit `passkey_login`).
//!
//! The options carry no `allowCredentials` (the authenticator offers whatever passkeys
//! it holds for the RP id; this is also what conditional mediation — passkeys in the
//! browser's autofill — uses), UV required, and a challenge of purpose `sign_in`.
//!
//! The verification, in order:
//! 1. `Origin` (as login: login CSRF), strict body, the credential's JSON shape (`400`);
//! 2. the per-address login limit (one budget with `POST /auth/login`), and the
//!    address's passkey lock (below) — `429`;
//! 3. the challenge in `clientDataJSON` is consumed ([`crate::model::ceremony`]) and
//!    must be a `sign_in` one; the credential id must be registered;
//! 4. the account's lockout admission (keyed by its address, as a password login's:
//!    `429` while locked, before any signature check);
//! 5. [`super::assertion::verify`]: every check of WebAuthn §7.2, UV required, the
//!    `userHandle` present and the owner's; the counter moved (a regression is refused
//!    and flagged);
//! 6. a disabled or (when required) unverified account is refused like a bad assertion,
//!    after it, and counted as a failure;
//! 7. the session, under the user's session epoch as read in step 3
//!    ([`crate::flows::sessions::sign_in::finish`]).
//!
//! Every refusal is `401 invalid_credentials` (the body of a wrong password) and is
//! audited `passkey_failed` with `stage=sign_in` and a `reason`. Failures after step 3
//! names the account count toward its lockout (a notice mail when they lock it); the
//! others — a used, unknown or foreign challenge, an unknown credential — count toward
//! a lock of the client's address for passkey sign-in
//! ([`super::client_lockout_index`], `LOCKOUT_FAILURES` per window).

use serde::Deserialize;

use super::assertion::{self, Refusal, Stage};
use super::response::{consume_ceremony, CredentialJson};
use super::{client_lockout_index, enabled, options};
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::lockout::{self, Account};
use crate::flows::ratelimit::{self, Scope};
use crate::flows::sessions::sign_in::{finish, Proof};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::ceremony::{self, Ceremony, Purpose};
use crate::model::email;
use crate::model::passkey;
use crate::model::session::Mode;
use crate::model::user;
use crate::policy::csrf;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoFields {}

/// A body that must be empty or `{}`.
pub fn no_fields(request: &crate::http::Request) -> Result<(), ApiError> {
    if !request.body.is_empty() {
        body::parse_json::<NoFields>(request)?;
    }
    Ok(())
}

/// `POST /auth/passkey/options`.
pub async fn options<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let passkeys = enabled(ctx)?;
    csrf::check_origin(ctx.config, ctx.request)?;
    no_fields(ctx.request)?;
    ratelimit::check_ip(ctx, Scope::Login).await?;
    let challenge = ceremony::issue(
        ctx.services.atomic(),
        ctx.services.random(),
        &Ceremony {
            purpose: Purpose::SignIn,
            user_id: None,
            session_id: None,
            mfa_shard: None,
            expires_at_ms: ctx.now_ms.saturating_add(ceremony::TTL_MS),
        },
    )
    .await?;
    Ok(Response::json(
        200,
        &options::request(
            &passkeys.rp_id,
            &challenge,
            &[],
            options::Verification::Required,
        ),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyBody {
    credential: CredentialJson,
    #[serde(default)]
    mode: Option<Mode>,
}

fn failed<S: Services>(
    ctx: &Ctx<'_, S>,
    subject: Option<&str>,
    refusal: &Refusal,
) -> Result<ApiError, ApiError> {
    let mut detail = alloc::vec![("stage", Stage::SignIn.name()), ("reason", refusal.reason)];
    if let Some(id) = &refusal.passkey_id {
        detail.push(("passkey_id", id));
    }
    ctx.audit(AuditKind::PasskeyFailed, None, subject, &detail)?;
    Ok(ApiError::InvalidCredentials)
}

/// A refusal before the credential named an account: counted against the client's
/// address.
async fn failed_anonymously<S: Services>(
    ctx: &Ctx<'_, S>,
    reason: &'static str,
) -> Result<ApiError, ApiError> {
    lockout::record_failure(ctx, &client_lockout_index(ctx), None).await?;
    failed(ctx, None, &Refusal::anonymous(reason))
}

/// `POST /auth/passkey/verify`.
pub async fn verify<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    enabled(ctx)?;
    csrf::check_origin(ctx.config, ctx.request)?;
    let request: VerifyBody = body::parse_json(ctx.request)?;
    let assertion = request.credential.assertion()?;
    let mode = request.mode.unwrap_or(Mode::Cookie);
    ratelimit::check_ip(ctx, Scope::Login).await?;
    lockout::check(ctx, &client_lockout_index(ctx)).await?;
    let atomic = ctx.services.atomic();

    let Some((ceremony, challenge)) =
        consume_ceremony(atomic, &assertion.client_data_json, ctx.now_ms).await?
    else {
        return Err(failed_anonymously(ctx, "unknown_challenge").await?);
    };
    if ceremony.purpose != Purpose::SignIn {
        return Err(failed_anonymously(ctx, "wrong_ceremony").await?);
    }
    let found = match passkey::lookup(atomic, &assertion.credential_id).await? {
        Some(entry) => match passkey::load(atomic, &entry.user_id, &entry.passkey_id).await? {
            Some((stored, _)) => user::load(atomic, &entry.user_id)
                .await?
                .map(|owner| (stored, owner)),
            None => None,
        },
        None => None,
    };
    let Some((stored, owner)) = found else {
        return Err(failed_anonymously(ctx, "unknown_credential").await?);
    };

    let address = owner.email_address(ctx.config)?;
    let account = Account {
        user_id: &owner.id,
        address: &address,
    };
    let attempt = lockout::admit(ctx, &email::email_index(ctx.config, &address)).await?;
    let used = match assertion::verify(ctx, Stage::SignIn, &challenge, &assertion, &stored, &owner)
        .await?
    {
        Ok(used) => used,
        Err(refusal) => {
            attempt.failed(ctx, Some(account)).await?;
            return Err(failed(ctx, Some(&owner.id), &refusal)?);
        }
    };
    if !owner.may_sign_in(ctx.config) {
        attempt.failed(ctx, Some(account)).await?;
        let reason = if owner.disabled {
            "disabled"
        } else {
            "email_unverified"
        };
        let refusal = Refusal {
            reason,
            passkey_id: Some(used.id.clone()),
        };
        return Err(failed(ctx, Some(&owner.id), &refusal)?);
    }
    attempt.succeeded(ctx).await?;
    finish(
        ctx,
        &owner,
        owner.session_epoch,
        mode,
        None,
        Proof::Passkey {
            passkey_id: &used.id,
        },
        None,
    )
    .await
}
