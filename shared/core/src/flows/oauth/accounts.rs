//! What a provider's assertion does (docs/social-login.md, "Accounts").
//!
//! **Sign in** ([`sign_in`]):
//! 1. the provider account is linked (identity index → a user whose record lists it):
//!    that user signs in — if the account may sign in (enabled; verified where
//!    required), through the second factor when TOTP is on (an MFA token, exactly as
//!    after a password: `/sign-in#mfa_token=…`), under the session-epoch rule of
//!    docs/sessions.md §5 ([`crate::flows::sessions::sign_in::complete_with`], audited
//!    `oauth_login`);
//! 2. not linked, and the provider asserted **no verified address**: `400
//!    oauth_email_unverified`, no account;
//! 3. not linked, and an account with that address exists: `409
//!    oauth_account_exists` — **never a silent link**. Whoever controls an account at a
//!    provider that (wrongly, or as an attacker's own generic OIDC server) says it
//!    owns the address must not get the existing account; its owner signs in with
//!    their own method, then links the provider ([`link`]) from the account page;
//! 4. otherwise a new account: the address as verified, no password (set one later with
//!    the reset flow), the provider account linked; audited `register`
//!    (`method=oauth`) and `identity_linked`, then signed in as in 1.
//!
//! **Link** ([`link`]): the flow was started by a signed-in user from a session that
//! must still be live; the provider account must not be linked to anyone else, and the
//! user may link one account per provider. Audited `identity_linked`.
//!
//! Security considerations: the account is created by the same write order as
//! registration (record, then email index by compare-and-swap, exactly one account per
//! address); the identity index is claimed by compare-and-swap, so one provider
//! account links to one user; `BOOTSTRAP_ADMIN_EMAILS` grant nothing here (only a mailed
//! verification does).

use alloc::string::String;

use super::answer::{self, is_navigation, see_other};
use crate::config::Provider;
use crate::ctx::{Ctx, Services};
use crate::encoding::percent_encode;
use crate::error::{ApiError, Internal};
use crate::flows::mfa::challenge;
use crate::flows::notices::{self, SecurityNotice};
use crate::flows::{kill_switch, sessions};
use crate::http::Response;
use crate::model::audit::AuditKind;
use crate::model::email;
use crate::model::identity;
use crate::model::session::{self, Mode};
use crate::model::user::{self, UserRecord, ROLE_USER};
use crate::policy::oauth::Assertion;
use crate::policy::session_epoch;

/// Detail: the account may not sign in now (disabled, or unverified where required).
pub const CANNOT_SIGN_IN: &str = "the account cannot sign in";
/// Detail: the provider account belongs to another user.
pub const LINKED_ELSEWHERE: &str = "this provider account is linked to another account";
/// Detail: the user already has an account of this provider linked.
pub const ONE_PER_PROVIDER: &str = "an account of this provider is already linked";
/// Detail: the session that started a link ended meanwhile.
pub const SESSION_ENDED: &str = "the session that started linking has ended";
/// Detail: two first sign-ins of one provider account raced.
pub const TRY_AGAIN: &str = "the sign-in did not complete, try again";

/// Whether `user` lists the link whose index entry is `index`.
fn lists(user: &UserRecord, provider: &str, index: &str) -> bool {
    user.identities
        .iter()
        .any(|link| link.provider == provider && link.index == index)
}

/// The user `provider`'s account is linked to; a stale index entry (its owner no longer
/// lists it) is released and reads as none.
async fn linked_user<S: Services>(
    ctx: &Ctx<'_, S>,
    provider: &Provider,
    subject: &str,
) -> Result<Option<UserRecord>, ApiError> {
    let atomic = ctx.services.atomic();
    let Some((owner, index)) = identity::find(atomic, ctx.config, &provider.id, subject).await?
    else {
        return Ok(None);
    };
    match user::load(atomic, &owner).await? {
        Some(user) if lists(&user, &provider.id, &index) => Ok(Some(user)),
        _ => {
            identity::release(atomic, &index, &owner).await?;
            Ok(None)
        }
    }
}

/// Sign in (or sign up) with the assertion.
pub async fn sign_in<S: Services>(
    ctx: &Ctx<'_, S>,
    provider: &Provider,
    assertion: &Assertion,
    return_to: Option<&str>,
) -> Result<Response, ApiError> {
    if let Some(user) = linked_user(ctx, provider, &assertion.subject).await? {
        return signed_in(ctx, provider, &user, return_to).await;
    }
    let Some(address) = assertion
        .email
        .as_deref()
        .filter(|_| assertion.email_verified)
    else {
        return Err(ApiError::OAuthEmailUnverified);
    };
    let atomic = ctx.services.atomic();
    if user::find_by_email(atomic, ctx.config, address)
        .await?
        .is_some()
    {
        return Err(ApiError::OAuthAccountExists);
    }
    let user = create(ctx, provider, assertion, address).await?;
    signed_in(ctx, provider, &user, return_to).await
}

/// A new account for a verified address, with the provider account linked.
async fn create<S: Services>(
    ctx: &Ctx<'_, S>,
    provider: &Provider,
    assertion: &Assertion,
    address: &str,
) -> Result<UserRecord, ApiError> {
    let config = ctx.config;
    let atomic = ctx.services.atomic();
    let random = ctx.services.random();
    let id = user::new_id(random)?;
    let link = identity::new(
        config,
        random,
        &id,
        &provider.id,
        &assertion.subject,
        Some(address),
        ctx.now_ms,
    )?;
    let user = UserRecord {
        email: email::store_email(config, random, &id, address)?,
        id,
        email_verified: true,
        password_hash: String::new(),
        roles: alloc::vec![String::from(ROLE_USER)],
        disabled: false,
        mfa_enabled: false,
        mfa: Default::default(),
        created_at_ms: ctx.now_ms,
        last_login_at_ms: None,
        session_epoch: 0,
        session_epoch_keeps: None,
        identities: alloc::vec![link.clone()],
        known_devices: alloc::vec::Vec::new(),
        known_countries: alloc::vec::Vec::new(),
        other: Default::default(),
    };
    if !user::insert(atomic, &user).await? {
        return Err(ApiError::Unavailable(Internal("user id collision")));
    }
    let email_index = email::email_index(config, address);
    if !user::claim_index(atomic, &email_index, &user.id).await? {
        // A registration of the same address won the race: that account exists now.
        user::remove_unreachable(atomic, &user).await?;
        return Err(ApiError::OAuthAccountExists);
    }
    if !identity::claim(atomic, &link.index, &user.id).await? {
        // Another first sign-in of this provider account won: undo ours.
        user::release_index(atomic, &email_index, &user.id).await?;
        user::remove_unreachable(atomic, &user).await?;
        return Err(ApiError::OAuthFailed(
            TRY_AGAIN,
            Internal("oauth: concurrent first sign-in of one provider account"),
        ));
    }
    user::directory_add(ctx.services.records(), &user.id).await?;
    ctx.audit(
        AuditKind::Register,
        Some(&user.id),
        Some(&user.id),
        &[("method", "oauth"), ("provider", &provider.id)],
    )?;
    ctx.audit(
        AuditKind::IdentityLinked,
        Some(&user.id),
        Some(&user.id),
        &[("provider", &provider.id)],
    )?;
    Ok(user)
}

/// The linked `user` signs in: refused, MFA step, or session.
async fn signed_in<S: Services>(
    ctx: &Ctx<'_, S>,
    provider: &Provider,
    user: &UserRecord,
    return_to: Option<&str>,
) -> Result<Response, ApiError> {
    if !user.may_sign_in(ctx.config) {
        let reason = if user.disabled {
            "disabled"
        } else {
            "email_unverified"
        };
        ctx.audit(
            AuditKind::LoginFailed,
            None,
            Some(&user.id),
            &[("reason", reason), ("provider", &provider.id)],
        )?;
        return Err(ApiError::OAuthFailed(
            CANNOT_SIGN_IN,
            Internal("oauth: linked account may not sign in"),
        ));
    }
    if crate::model::user::mfa::is_required(user) {
        let token = challenge::issue_via(
            ctx.services.atomic(),
            ctx.services.random(),
            user,
            Mode::Cookie,
            ctx.now_ms,
            Some(&provider.id),
        )
        .await?;
        if !is_navigation(ctx.request) {
            return Ok(Response::json(
                200,
                &serde_json::json!({"mfa_required": true, "mfa_token": token}),
            ));
        }
        // The token travels in the fragment, which never reaches a server or a Referer.
        let mut location = String::from("/sign-in");
        if let Some(return_to) = return_to {
            location.push_str("?return_to=");
            location.push_str(&percent_encode(return_to));
        }
        location.push_str("#mfa_token=");
        location.push_str(&token);
        return Ok(see_other(&location));
    }
    let answer = sessions::sign_in::complete_with(
        ctx,
        user,
        user.session_epoch,
        Mode::Cookie,
        None,
        None,
        Some(&provider.id),
    )
    .await?;
    Ok(land(
        ctx,
        answer,
        return_to.unwrap_or(answer::DEFAULT_LANDING),
    ))
}

/// A navigation lands on `location` with the answer's cookies; anything else gets the
/// answer itself.
fn land<S: Services>(ctx: &Ctx<'_, S>, answer: Response, location: &str) -> Response {
    if !is_navigation(ctx.request) {
        return answer;
    }
    let mut response = see_other(location);
    for (name, value) in &answer.headers {
        if name.eq_ignore_ascii_case("set-cookie") {
            response.append_header(name, value);
        }
    }
    response
}

/// Links the provider account to `user_id`, who started the flow from `session_id`.
pub async fn link<S: Services>(
    ctx: &Ctx<'_, S>,
    provider: &Provider,
    assertion: &Assertion,
    user_id: &str,
    session_id: &str,
) -> Result<Response, ApiError> {
    let atomic = ctx.services.atomic();
    let revoked_before = kill_switch::revoked_before_ms(ctx).await?;
    let live_session = session::load_raw(atomic, user_id, session_id)
        .await?
        .map(|(session, _)| session)
        .filter(|session| session.is_live(ctx.config, revoked_before, ctx.now_ms));
    let user = user::load(atomic, user_id).await?;
    let (Some(session), Some(user)) = (live_session, user) else {
        return Err(ApiError::OAuthFailed(
            SESSION_ENDED,
            Internal("oauth: link session gone"),
        ));
    };
    if !user.may_sign_in(ctx.config) || !session_epoch::admits(&user, &session) {
        return Err(ApiError::OAuthFailed(
            SESSION_ENDED,
            Internal("oauth: link session ended"),
        ));
    }
    let linked = answer::DEFAULT_LANDING;
    let done = |ctx: &Ctx<'_, S>| {
        let location = alloc::format!("{linked}?linked={}", provider.id);
        if is_navigation(ctx.request) {
            see_other(&location)
        } else {
            Response::json(
                200,
                &serde_json::json!({"status": "linked", "provider": provider.id}),
            )
        }
    };
    if let Some(owner) = linked_user(ctx, provider, &assertion.subject).await? {
        if owner.id == user_id {
            return Ok(done(ctx));
        }
        return Err(ApiError::OAuthFailed(
            LINKED_ELSEWHERE,
            Internal("oauth: identity owned by another user"),
        ));
    }
    let new_link = identity::new(
        ctx.config,
        ctx.services.random(),
        user_id,
        &provider.id,
        &assertion.subject,
        assertion.email.as_deref(),
        ctx.now_ms,
    )?;
    let mut added = false;
    user::update(atomic, user_id, |stored| {
        added = !stored
            .identities
            .iter()
            .any(|link| link.provider == provider.id);
        if added {
            stored.identities.push(new_link.clone());
        }
        added
    })
    .await?;
    if !added {
        return Err(ApiError::OAuthFailed(
            ONE_PER_PROVIDER,
            Internal("oauth: provider already linked"),
        ));
    }
    if !identity::claim(atomic, &new_link.index, user_id).await? {
        user::update(atomic, user_id, |stored| {
            let before = stored.identities.len();
            stored
                .identities
                .retain(|link| link.index != new_link.index);
            stored.identities.len() != before
        })
        .await?;
        return Err(ApiError::OAuthFailed(
            LINKED_ELSEWHERE,
            Internal("oauth: identity claimed meanwhile"),
        ));
    }
    ctx.audit(
        AuditKind::IdentityLinked,
        Some(user_id),
        Some(user_id),
        &[("provider", &provider.id)],
    )?;
    // A new way into the account: its owner hears of it, with the "this wasn't me" link.
    let address = user.email_address(ctx.config)?;
    notices::notify(
        ctx,
        user_id,
        &address,
        SecurityNotice::IdentityLinked {
            provider: &provider.id,
        },
    )
    .await?;
    Ok(done(ctx))
}
