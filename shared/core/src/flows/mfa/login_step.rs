//! `POST /auth/login/mfa` `{mfa_token, code}`, `{mfa_token, recovery_code}` or
//! `{mfa_token, credential}` (a passkey assertion answering the challenge of
//! [`super::passkey_options`]; feature `passkeys`) → the answer of `POST /auth/login`
//! (docs/contract.md §5). Feature `password` (the `login`
//! function), as it finishes through [`crate::flows::sessions::sign_in::complete_with`].
//!
//! The login step, in order:
//! 1. `Origin` check (as login), strict body: exactly one of `code` (≤ 16
//!    characters), `recovery_code` (≤ 64) and `credential` (a passkey's JSON), else
//!    `400`;
//! 2. the per-address login limit ([`crate::flows::ratelimit::check_ip`], the login
//!    route's budget: a second step is part of a login);
//! 3. the MFA token must be live ([`challenge::open`]), else `401 unauthenticated`
//!    (sign in again); the account must still exist, may sign in, have MFA on and
//!    still be in the session epoch the password was checked under (no password
//!    reset, change, disable or revoke-all since, [`crate::policy::session_epoch`]) —
//!    otherwise the token is consumed and the answer is `401 unauthenticated` (its
//!    state changed since the password step: start over);
//! 4. **admissions, before any code is checked**: one of the token's three
//!    ([`challenge::admit`]; none left → `401 unauthenticated`), then one of the
//!    account's ([`crate::flows::lockout::admit`], keyed by the blind index of its address,
//!    as the password step's: locked, or five attempts of the window already logged
//!    → `429`). Each is a compare-and-swap, so a parallel burst gets at most three
//!    codes checked per token and five per account and window, whatever the timing;
//! 5. [`accept`]; a stored secret (or address) that cannot be decrypted is `503`
//!    (logged, nothing written; the admissions stay spent). A passkey is checked by
//!    [`crate::flows::passkeys::assertion::second_factor`]: its challenge consumed and
//!    bound to this MFA token, one of the account's passkeys, every check of WebAuthn
//!    §7.2 but UV (the password was the knowledge factor), the counter moved;
//! 6. **accepted**: the account admission is refunded (`429` if a lock landed
//!    meanwhile), the token consumed (compare-and-swap; losing means another request
//!    finished this login first → `401 unauthenticated`, so one token yields at most
//!    one session), then [`crate::flows::sessions::sign_in::complete_with`] under the
//!    challenge's epoch:
//!    `last_login_at`, the session, tokens or cookies in the `mode` remembered from
//!    the password step, audit `login_succeeded` with `mfa`. A used recovery code
//!    also mails the owner;
//! 7. **rejected**: count the wrong code on the token ([`challenge::count_wrong_code`];
//!    the third ends it), report the failure to the account lockout (its admission
//!    stays logged: five failures — passwords and codes alike — in 15 minutes lock
//!    the account, with a notice mail), audit `mfa_failed` (method, remaining tries,
//!    the wrong codes the token recorded — none when it ended meanwhile — never the
//!    code; for a passkey `passkey_failed` with `stage=second_factor` and the reason),
//!    `401 invalid_mfa`.
//!
//! Guessing is thus bounded three ways: three codes per password-backed token, the
//! lockout per account, and the login budget per client address.
//!
//! The accepted code's step is recorded before the token is consumed. If the token
//! then turns out to be gone (a concurrent second step with another code won), that
//! code is spent without a session — a harmless loss for a double submit — while
//! the opposite order would have to consume the token before knowing whether the
//! code is right, and put it back after a typo.
//!
//! Security considerations: no code, token or secret in a log line or an audit
//! event; request fields holding codes are zeroized on drop; a wrong TOTP code, a
//! replayed one and a wrong recovery code get one answer (`401 invalid_mfa`).

use alloc::string::String;
use serde::Deserialize;
use zeroize::Zeroize;

use super::challenge;
use super::is_required;
use super::notice;
use super::second_factor::{accept, Factor};
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::lockout;
use crate::flows::ratelimit::{self, Scope};
use crate::flows::sessions;
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::{email, user};
use crate::policy::csrf;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MfaLoginBody {
    mfa_token: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    recovery_code: Option<String>,
    #[cfg(feature = "passkeys")]
    #[serde(default)]
    credential: Option<crate::flows::passkeys::response::CredentialJson>,
}

/// The second factor presented.
enum Step<'a> {
    /// A TOTP or recovery code.
    Code(Factor<'a>),
    /// A passkey assertion.
    #[cfg(feature = "passkeys")]
    Passkey(crate::flows::passkeys::response::Assertion),
}

impl Step<'_> {
    fn name(&self) -> &'static str {
        match self {
            Self::Code(factor) => factor.name(),
            #[cfg(feature = "passkeys")]
            Self::Passkey(_) => "passkey",
        }
    }
}

impl Drop for MfaLoginBody {
    fn drop(&mut self) {
        self.mfa_token.zeroize();
        if let Some(code) = &mut self.code {
            code.zeroize();
        }
        if let Some(code) = &mut self.recovery_code {
            code.zeroize();
        }
    }
}

const EXACTLY_ONE: &str = "exactly one of code, recovery_code and credential is required";

impl MfaLoginBody {
    fn step(&self) -> Result<Step<'_>, ApiError> {
        use body::check_length;
        check_length(&self.mfa_token, 1, 128, "mfa_token: 1 to 128 characters")?;
        #[cfg(feature = "passkeys")]
        if let Some(credential) = &self.credential {
            if self.code.is_some() || self.recovery_code.is_some() {
                return Err(ApiError::InvalidRequest(EXACTLY_ONE));
            }
            return Ok(Step::Passkey(credential.assertion()?));
        }
        match (&self.code, &self.recovery_code) {
            (Some(code), None) => {
                check_length(code, 1, 16, "code: 1 to 16 characters")?;
                Ok(Step::Code(Factor::Totp(code)))
            }
            (None, Some(code)) => {
                check_length(code, 1, 64, "recovery_code: 1 to 64 characters")?;
                Ok(Step::Code(Factor::RecoveryCode(code)))
            }
            _ => Err(ApiError::InvalidRequest(EXACTLY_ONE)),
        }
    }
}

/// `POST /auth/login/mfa` → as `POST /auth/login`.
pub async fn handle<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    csrf::check_origin(ctx.config, ctx.request)?;
    let request: MfaLoginBody = body::parse_json(ctx.request)?;
    let step = request.step()?;
    ratelimit::check_ip(ctx, Scope::Login).await?;
    let atomic = ctx.services.atomic();
    let now = ctx.now_ms;

    let Some(open) = challenge::open(atomic, &request.mfa_token, now).await? else {
        return Err(ApiError::Unauthenticated);
    };
    let user_id = open.challenge.user_id.as_str();
    let epoch = open.challenge.epoch;
    let eligible = user::load(atomic, user_id).await?.filter(|user| {
        user.may_sign_in(ctx.config) && is_required(user) && user.session_epoch == epoch
    });
    let Some(eligible) = eligible else {
        challenge::consume(atomic, &open, now).await?;
        return Err(ApiError::Unauthenticated);
    };
    // An unreadable address fails now (`503`), before a code is spent.
    let address = eligible.email_address(ctx.config)?;
    let lockout_index = email::email_index(ctx.config, &address);

    // Both admissions come before the code is looked at, so a parallel burst cannot
    // get more codes checked than the token and the account allow.
    let Some(admitted) = challenge::admit(atomic, &open, now).await? else {
        return Err(ApiError::Unauthenticated);
    };
    let attempt = lockout::admit(ctx, &lockout_index).await?;

    // The accepted user, the passkey that served, or why a passkey was refused (its
    // reason and the passkey it named).
    type Refused = Option<(&'static str, Option<String>)>;
    let (accepted, passkey_id, refusal): (Option<user::UserRecord>, Option<String>, Refused) =
        match &step {
            Step::Code(factor) => (accept(ctx, user_id, *factor).await?, None, None),
            #[cfg(feature = "passkeys")]
            Step::Passkey(assertion) => {
                let verdict = crate::flows::passkeys::assertion::second_factor(
                    ctx,
                    assertion,
                    &eligible,
                    open.shard(),
                )
                .await?;
                match verdict {
                    Ok(passkey) => (Some(eligible.clone()), Some(passkey.id), None),
                    Err(refusal) => (None, None, Some((refusal.reason, refusal.passkey_id))),
                }
            }
        };
    let Some(user) = accepted else {
        let counted = challenge::count_wrong_code(atomic, &admitted, now).await?;
        let account = lockout::Account {
            user_id,
            address: &address,
        };
        attempt.failed(ctx, Some(account)).await?;
        let left_text = alloc::format!("{}", counted.tries_left());
        // Wrong codes recorded on this token: what `ALERT_MFA_FAILURES` counts (a refused
        // passkey is a wrong second factor too). A token that ended meanwhile recorded
        // none of this code, so the event carries no count (a vanished token never reads
        // as its last allowed wrong code).
        let wrong_text = counted
            .wrong_codes()
            .map(|wrong_codes| alloc::format!("{wrong_codes}"));
        let (kind, stage) = match refusal {
            None => (AuditKind::MfaFailed, "login"),
            Some(_) => (AuditKind::PasskeyFailed, "second_factor"),
        };
        let mut detail = alloc::vec![
            ("stage", stage),
            ("method", step.name()),
            ("tries_left", left_text.as_str()),
        ];
        if let Some(wrong) = &wrong_text {
            detail.push(("wrong_codes", wrong.as_str()));
        }
        if let Some((reason, passkey)) = &refusal {
            detail.push(("reason", reason));
            if let Some(id) = passkey {
                detail.push(("passkey_id", id.as_str()));
            }
        }
        ctx.audit(kind, None, Some(user_id), &detail)?;
        return Err(ApiError::InvalidMfa);
    };
    // Refunds the account admission; `429` if a lock landed while the code was
    // checked (a right code during a lock is refused, as a right password is).
    attempt.succeeded(ctx).await?;
    if !challenge::consume(atomic, &admitted, now).await? {
        return Err(ApiError::Unauthenticated);
    }
    if let Step::Code(Factor::RecoveryCode(_)) = step {
        ctx.send_mail(notice::recovery_code_used(
            &ctx.config.public_origin,
            &address,
            user.mfa.recovery_codes.len(),
        ));
    }
    sessions::sign_in::finish(
        ctx,
        &user,
        epoch,
        admitted.challenge.mode,
        None,
        sessions::sign_in::Proof::SecondFactor {
            factor: step.name(),
            passkey_id: passkey_id.as_deref(),
        },
        admitted.challenge.via.as_deref(),
    )
    .await
}
