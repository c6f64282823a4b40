//! The end of every sign-in (a password login, or its second step): the login is
//! recorded on the user (with an upgraded password hash, if any), the session starts,
//! `login_succeeded` is audited, and the answer carries the tokens.
//!
//! Shared by [`crate::flows::accounts::login`], [`crate::flows::mfa::login_step`] and
//! the passkey sign-in (`crate::flows::passkeys::sign_in`), so all finish identically.
//!
//! A sign-in from a device (a coarse user-agent summary) or a country (where the
//! platform gives one) the account has not used before is marked `new_device` /
//! `new_country` in `login_succeeded` — which raises the `sign_in.new_device` alert —
//! and mailed to the owner ([`crate::flows::notices`]). An account's first sign-in, and
//! the first with a country, are learned silently.
//!
//! Security considerations: the stored address is decrypted before anything is
//! written, so an unreadable record fails (`503`) before a session exists; the login
//! is recorded only while the user's session epoch is the one the credentials were
//! checked under, so a flow that ended all sessions meanwhile leaves no session
//! behind ([`crate::policy::session_epoch`]); the hash upgrade only replaces the hash
//! that was verified (a concurrent change wins).

use alloc::string::String;

use super::{delivery, start};
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::notices::{self, SecurityNotice};
use crate::http::Response;
use crate::model::audit::AuditKind;
use crate::model::session::Mode;
use crate::model::user::{self, UserRecord};
use crate::policy::device;

/// Records the login on the user (and the upgraded hash, if any), starts the session
/// and answers with its tokens. `user` is the record the password was checked
/// against: its session epoch must still be the stored one.
pub async fn complete<S: Services>(
    ctx: &Ctx<'_, S>,
    user: &UserRecord,
    mode: Mode,
    rehash: Option<(String, String)>,
) -> Result<Response, ApiError> {
    complete_with(ctx, user, user.session_epoch, mode, rehash, None, None).await
}

/// How the user proved who they are: decides the audit event of the sign-in and the
/// answer when the session epoch moved meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof<'a> {
    /// A password alone.
    Password,
    /// A password, then a second factor (`totp`, `recovery_code`, `passkey`; with the
    /// passkey's id for `passkey`).
    SecondFactor {
        /// The factor's name in the audit event (`mfa`).
        factor: &'a str,
        /// The passkey that served as the factor, if one did.
        passkey_id: Option<&'a str>,
    },
    /// A passkey alone (passwordless sign-in).
    Passkey {
        /// The passkey's id.
        passkey_id: &'a str,
    },
}

/// [`complete`] for a login whose password was checked under session epoch
/// `verified_under` (the MFA step's challenge records it), naming the second factor
/// that was accepted (`totp`, `recovery_code`) in the `login_succeeded` audit event.
/// A sign-in through a provider (`via`: its name) is audited `oauth_login` with
/// `provider` instead.
pub async fn complete_with<S: Services>(
    ctx: &Ctx<'_, S>,
    user: &UserRecord,
    verified_under: u64,
    mode: Mode,
    rehash: Option<(String, String)>,
    second_factor: Option<&str>,
    via: Option<&str>,
) -> Result<Response, ApiError> {
    let proof = match second_factor {
        Some(factor) => Proof::SecondFactor {
            factor,
            passkey_id: None,
        },
        None => Proof::Password,
    };
    finish(ctx, user, verified_under, mode, rehash, proof, via).await
}

/// Ends a sign-in whose credentials were checked under session epoch `verified_under`.
///
/// The login is recorded by a compare-and-swap on the user record that requires the
/// epoch to be still `verified_under`: after a password reset or change, a disable or
/// a revoke-all since the credentials were checked, no session is created
/// ([`crate::policy::session_epoch`]; audit `login_failed`, `reason=sessions_ended`;
/// `401 invalid_credentials`, or `401 unauthenticated` at the MFA step, whose token
/// died with the epoch). The session written after the swap belongs to that epoch,
/// so an epoch change landing between the two ends it as well. The audit event is
/// `login_succeeded` (with `mfa`, and `passkey_id` for a passkey as second factor),
/// `passkey_login` for a passwordless sign-in, or `oauth_login` (with `provider`) for
/// a sign-in through a provider (`via`: its name), with `mfa` when a factor followed.
pub async fn finish<S: Services>(
    ctx: &Ctx<'_, S>,
    user: &UserRecord,
    verified_under: u64,
    mode: Mode,
    rehash: Option<(String, String)>,
    proof: Proof<'_>,
    via: Option<&str>,
) -> Result<Response, ApiError> {
    // The answer shows the address: an unreadable one (unknown key, tampered) fails
    // here, `503`, before anything is written or a session exists.
    let address = user.email_address(ctx.config)?;
    let now = ctx.now_ms;
    let device = device::summary(ctx.request.header("user-agent"));
    let country = ctx.request.country();
    let (mut new_device, mut new_country) = (false, false);
    let mut ended = false;
    let user = user::update(ctx.services.atomic(), &user.id, |stored| {
        ended = stored.session_epoch != verified_under;
        if ended {
            return false;
        }
        stored.last_login_at_ms = Some(now);
        // Recomputed on every fresh read (the update may run again after a lost race).
        new_device = user::remember(&mut stored.known_devices, &device);
        new_country = country.is_some_and(|c| user::remember(&mut stored.known_countries, c));
        if let Some((verified, upgraded)) = &rehash {
            if stored.password_hash == *verified {
                stored.password_hash.clone_from(upgraded);
            }
        }
        true
    })
    .await?
    .ok_or(ApiError::InvalidCredentials)?;
    if ended {
        ctx.audit(
            AuditKind::LoginFailed,
            None,
            Some(&user.id),
            &[("reason", "sessions_ended")],
        )?;
        return Err(match proof {
            Proof::SecondFactor { .. } => ApiError::Unauthenticated,
            Proof::Password | Proof::Passkey { .. } => ApiError::InvalidCredentials,
        });
    }
    let issued = start(ctx, &user, mode).await?;
    let mut detail = alloc::vec![
        ("mode", mode.as_str()),
        ("session_id", issued.session.id.as_str())
    ];
    let kind = match proof {
        Proof::Password => AuditKind::LoginSucceeded,
        Proof::SecondFactor { factor, passkey_id } => {
            detail.push(("mfa", factor));
            if let Some(passkey_id) = passkey_id {
                detail.push(("passkey_id", passkey_id));
            }
            AuditKind::LoginSucceeded
        }
        Proof::Passkey { passkey_id } => {
            detail.push(("passkey_id", passkey_id));
            AuditKind::PasskeyLogin
        }
    };
    if new_device {
        detail.push(("new_device", "true"));
    }
    if let Some(country) = country.filter(|_| new_country) {
        detail.push(("new_country", country));
    }
    let kind = match via {
        Some(provider) => {
            detail.push(("provider", provider));
            AuditKind::OauthLogin
        }
        None => kind,
    };
    ctx.audit(kind, Some(&user.id), Some(&user.id), &detail)?;
    if new_device || new_country {
        notices::notify(ctx, &user.id, &address, SecurityNotice::NewDevice).await?;
    }
    delivery::respond(ctx, &user, &issued, mode)
}
