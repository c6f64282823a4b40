//! `POST /auth/login/mfa/passkey/options {mfa_token}` → `200 {"options": request
//! options}`: a passkey as the second factor of a password login (docs/contract.md §5,
//! docs/passkeys.md §3). The browser answers with `navigator.credentials.get` and
//! posts the credential to `POST /auth/login/mfa` as `{mfa_token, credential}`
//! ([`super::login_step`]).
//!
//! The MFA token must be live and its account still eligible (as at the second step),
//! else `401 unauthenticated`; an account without passkeys is `400`. The options list
//! the account's passkeys in `allowCredentials` with `userVerification: "preferred"`
//! (the password was the knowledge factor), and the challenge is bound to the MFA
//! token: it answers no other token, and no other ceremony.
//!
//! Security considerations: nothing is spent here — no admission of the token, no
//! lockout attempt — because nothing is checked; the per-address login limit counts
//! the request (options write a challenge). The credential ids returned are those of
//! the account whose password was just given.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Deserialize;
use zeroize::Zeroize;

use super::{challenge, is_required};
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::passkeys::{enabled, options};
use crate::flows::ratelimit::{self, Scope};
use crate::http::{body, Response};
use crate::model::ceremony::{self, Ceremony, Purpose};
use crate::model::passkey::{self, PasskeyRecord};
use crate::model::user;
use crate::policy::csrf;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsBody {
    mfa_token: String,
}

impl Drop for OptionsBody {
    fn drop(&mut self) {
        self.mfa_token.zeroize();
    }
}

/// `POST /auth/login/mfa/passkey/options`.
pub async fn handle<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let passkeys = enabled(ctx)?;
    csrf::check_origin(ctx.config, ctx.request)?;
    let request: OptionsBody = body::parse_json(ctx.request)?;
    body::check_length(&request.mfa_token, 1, 128, "mfa_token: 1 to 128 characters")?;
    ratelimit::check_ip(ctx, Scope::Login).await?;
    let atomic = ctx.services.atomic();
    let Some(open) = challenge::open(atomic, &request.mfa_token, ctx.now_ms).await? else {
        return Err(ApiError::Unauthenticated);
    };
    let epoch = open.challenge.epoch;
    let eligible = user::load(atomic, &open.challenge.user_id)
        .await?
        .filter(|user| {
            user.may_sign_in(ctx.config) && is_required(user) && user.session_epoch == epoch
        });
    let Some(user) = eligible else {
        return Err(ApiError::Unauthenticated);
    };
    let own: Vec<PasskeyRecord> = passkey::list(atomic, &user.id)
        .await?
        .into_iter()
        .map(|(passkey, _)| passkey)
        .collect();
    if own.is_empty() {
        return Err(ApiError::InvalidRequest(
            "passkeys: the account has no passkey; use a code",
        ));
    }
    let expires_at_ms = ctx
        .now_ms
        .saturating_add(ceremony::TTL_MS)
        .min(open.challenge.expires_at_ms);
    let challenge = ceremony::issue(
        atomic,
        ctx.services.random(),
        &Ceremony {
            purpose: Purpose::SecondFactor,
            user_id: Some(user.id.clone()),
            session_id: None,
            mfa_shard: Some(open.shard().into()),
            expires_at_ms,
        },
    )
    .await?;
    Ok(Response::json(
        200,
        &options::request(
            &passkeys.rp_id,
            &challenge,
            &own,
            options::Verification::Preferred,
        ),
    ))
}
