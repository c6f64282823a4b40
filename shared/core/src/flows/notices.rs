//! Security notices to an account's owner: a mail for each event they should know
//! about, with when it happened, from which device (a coarse summary) and roughly
//! where (the country where the platform gives one — Workers; the stored /24 or /48
//! address prefix otherwise — Spin), and a one-click **"this wasn't me"** link
//! (docs/monitoring.md, "User notices").
//!
//! [`notify`] is the one function every flow calls:
//!
//! | notice | sent by |
//! |---|---|
//! | [`SecurityNotice::NewDevice`] | a sign-in from a device (or country) the account had not used ([`crate::flows::sessions::sign_in`]) |
//! | [`SecurityNotice::PasswordChanged`] | `POST /auth/password/change` |
//! | [`SecurityNotice::MfaDisabled`] | `DELETE /api/me/mfa/totp` |
//! | [`SecurityNotice::PasskeyAdded`] | the passkey registration (`POST /api/me/passkeys`, [`crate::flows::passkeys`]) |
//! | [`SecurityNotice::PasskeyRemoved`] | the passkey removal (`DELETE /api/me/passkeys/{id}`) |
//! | [`SecurityNotice::IdentityLinked`] | linking a sign-in provider to a signed-in account ([`crate::flows::oauth::accounts::link`]) |
//!
//! The link is `PUBLIC_ORIGIN/security-alert#token=…`: a page (the hosted pages'
//! function) reads the token from the fragment and calls `POST /auth/security/not-me
//! {token}` ([`crate::flows::accounts::recovery::not_me`]), which signs the account
//! out everywhere and starts a password reset. The token is 256 random bits, kept only
//! as its SHA-256 (AtomicStore shard `not-me/{sha256}`, name `token`, 7 days), single
//! use, tracked for erasure ([`crate::model::pending`]).
//!
//! Security considerations: the token travels in the fragment (never a query
//! string, never sent to a server by the browser, never in `Referer`); the device and
//! location lines are built from fixed names and coarse prefixes, never from client
//! text; the mail holds no other token or code. The link can only make the account
//! *safer* (sign out, lock the password until a reset), so a forwarded or leaked link
//! costs the owner a password reset, not the account.

use alloc::string::String;
use serde::{Deserialize, Serialize};

use crate::crypto::kdf::sha256;
use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::model::mail::{link_with_fragment_token, Mail};
use crate::model::pending;
use crate::policy::{device, net};
use crate::store::{AtomicKey, AtomicStore};

/// The page that reads the "this wasn't me" token from the fragment.
pub const NOT_ME_PATH: &str = "/security-alert";
/// How long a "this wasn't me" link works (7 days).
pub const TOKEN_TTL_MS: u64 = 7 * 86_400_000;
const SHARD_PREFIX: &str = "not-me/";
const NAME: &str = "token";

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecurityNotice<'a> {
    /// A sign-in from a device or country not seen before on this account.
    NewDevice,
    /// The password was changed from a signed-in session.
    PasswordChanged,
    /// Two-factor authentication was turned off.
    MfaDisabled,
    /// A passkey was registered (`name`: the label the user gave it, if any).
    PasskeyAdded {
        /// The passkey's label.
        name: Option<&'a str>,
    },
    /// A passkey was removed (`name`: its label).
    PasskeyRemoved {
        /// The passkey's label.
        name: &'a str,
    },
    /// An identity of another provider was linked (`provider`: `google`, …).
    IdentityLinked {
        /// The provider's name.
        provider: &'a str,
    },
}

impl SecurityNotice<'_> {
    /// The stable name (stored with the token, audited when it is used).
    pub fn name(&self) -> &'static str {
        match self {
            Self::NewDevice => "new_device",
            Self::PasswordChanged => "password_changed",
            Self::MfaDisabled => "mfa_disabled",
            Self::PasskeyAdded { .. } => "passkey_added",
            Self::PasskeyRemoved { .. } => "passkey_removed",
            Self::IdentityLinked { .. } => "identity_linked",
        }
    }

    fn subject(&self) -> &'static str {
        match self {
            Self::NewDevice => "New sign-in to your account",
            Self::PasswordChanged => "Your password was changed",
            Self::MfaDisabled => "Two-factor authentication was turned off",
            Self::PasskeyAdded { .. } => "A passkey was added to your account",
            Self::PasskeyRemoved { .. } => "A passkey was removed from your account",
            Self::IdentityLinked { .. } => "A sign-in method was linked to your account",
        }
    }

    fn sentence(&self, public_origin: &str) -> String {
        match self {
            Self::NewDevice => alloc::format!(
                "Your account at {public_origin} was just signed in to from a device or \
                 place it had not been used from before."
            ),
            Self::PasswordChanged => alloc::format!(
                "The password of your account at {public_origin} was just changed from a \
                 signed-in session; every other device signed in to the account was signed \
                 out."
            ),
            Self::MfaDisabled => alloc::format!(
                "Two-factor authentication for your account at {public_origin} was turned \
                 off: signing in now needs only your password."
            ),
            Self::PasskeyAdded { name } => alloc::format!(
                "A passkey{} was added to your account at {public_origin}: it can now sign \
                 in without your password.",
                name.map(|name| alloc::format!(" (\"{}\")", printable(name)))
                    .unwrap_or_default()
            ),
            Self::PasskeyRemoved { name } => alloc::format!(
                "The passkey \"{}\" was removed from your account at {public_origin}: it can \
                 no longer sign in.",
                printable(name)
            ),
            Self::IdentityLinked { provider } => alloc::format!(
                "A {} account was linked to your account at {public_origin}: it can now be \
                 used to sign in.",
                printable(provider)
            ),
        }
    }
}

/// At most 64 printable characters of a label (a passkey name is the user's text).
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(64).collect()
}

#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    user_id: String,
    notice: String,
    expires_at_ms: u64,
}

fn shard_of(token: &str) -> Option<String> {
    let bytes = encoding::b64url_decode(token).filter(|bytes| bytes.len() == 32)?;
    Some(alloc::format!(
        "{SHARD_PREFIX}{}",
        encoding::hex(&sha256(&bytes))
    ))
}

/// Where the request came from, as a notice says it: the platform's country, else
/// the address prefix, else that it is unknown.
pub fn location<S: Services>(ctx: &Ctx<'_, S>) -> String {
    if let Some(country) = ctx.request.country() {
        return alloc::format!("{country} (country, from the network address)");
    }
    match ctx.client_ip() {
        Some(ip) => alloc::format!("network {}", net::storage_prefix(ip)),
        None => String::from("unknown"),
    }
}

/// The notice mail (with its "this wasn't me" link).
pub fn mail<S: Services>(
    ctx: &Ctx<'_, S>,
    to: &str,
    notice: SecurityNotice<'_>,
    token: &str,
) -> Mail {
    let origin = &ctx.config.public_origin;
    let link = link_with_fragment_token(origin, NOT_ME_PATH, token);
    let when = encoding::rfc3339(ctx.now_ms);
    let device = device::summary(ctx.request.header("user-agent"));
    Mail {
        to: to.into(),
        subject: notice.subject().into(),
        text: alloc::format!(
            "{sentence}\n\n\
             When: {when}\n\
             Device: {device}\n\
             Location: {location}\n\n\
             If this was you, there is nothing to do.\n\n\
             If this wasn't you, open this link. It signs your account out on every \
             device, locks your password and sends you a link to choose a new one:\n\n\
             {link}\n\n\
             The link works once, for 7 days.",
            sentence = notice.sentence(origin),
            location = location(ctx),
        ),
    }
}

/// Sends `notice` to the owner of `user_id` at `address`, about the current request.
pub async fn notify<S: Services>(
    ctx: &Ctx<'_, S>,
    user_id: &str,
    address: &str,
    notice: SecurityNotice<'_>,
) -> Result<(), ApiError> {
    let bytes: [u8; 32] = crate::env::random_array(ctx.services.random())?;
    let token = encoding::b64url(&bytes);
    let shard = shard_of(&token).ok_or(ApiError::Internal(Internal("not-me token shape")))?;
    let expires_at_ms = ctx.now_ms.saturating_add(TOKEN_TTL_MS);
    let value = serde_json::to_string(&Pending {
        user_id: user_id.into(),
        notice: notice.name().into(),
        expires_at_ms,
    })
    .map_err(|_| ApiError::Internal(Internal("not-me record encoding")))?;
    let atomic = ctx.services.atomic();
    if !atomic
        .compare_and_swap(
            AtomicKey::new(&shard, NAME),
            None,
            Some(&value),
            Some(expires_at_ms),
        )
        .await?
    {
        return Err(ApiError::Unavailable(Internal("not-me token collision")));
    }
    pending::track(atomic, user_id, &shard, NAME, expires_at_ms).await?;
    ctx.send_mail(mail(ctx, address, notice, &token));
    Ok(())
}

/// A redeemed "this wasn't me" token: whose, and which notice it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redeemed {
    /// The account.
    pub user_id: String,
    /// [`SecurityNotice::name`] of the notice.
    pub notice: String,
}

/// Consumes a "this wasn't me" token: `None` when it is malformed, unknown, used or
/// expired; `Some` for exactly one caller.
pub async fn redeem(
    atomic: &impl AtomicStore,
    token: &str,
    now_ms: u64,
) -> Result<Option<Redeemed>, ApiError> {
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
    if !atomic.compare_and_swap(key, Some(&raw), None, None).await? {
        return Ok(None);
    }
    Ok(Some(Redeemed {
        user_id: pending.user_id,
        notice: pending.notice,
    }))
}

#[cfg(all(test, feature = "password-policy"))]
mod tests;
