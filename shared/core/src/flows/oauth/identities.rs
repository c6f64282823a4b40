//! The caller's linked provider accounts (docs/contract.md §6): `GET /api/me/identities`
//! and `DELETE /api/me/identities/{provider}`. Linking starts on `login`
//! (`POST /auth/oauth/{provider}/link`, [`super::start::link`]): it needs the provider
//! machinery that only `login` links.
//!
//! `GET` answers
//!
//! ```json
//! {"identities": [{"provider": "google", "label": "Google", "email": "…", "linked_at": "…"}],
//!  "providers": [{"id": "google", "label": "Google"}],
//!  "password_set": true}
//! ```
//!
//! (`providers`: those configured, which the account page offers to link.)
//!
//! `DELETE` unlinks the caller's account of that provider — unless it is their last
//! sign-in method (a password, passkeys, linked accounts:
//! [`crate::model::sign_in_methods`]): `400 invalid_request`. The link is marked first
//! (a compare-and-swap on the user record), the passkeys counted next, and the removal
//! and the count of the rest are one compare-and-swap on the user record, so concurrent
//! unlinks and passkey removals cannot leave an account nobody can sign in to; the
//! identity index entry is released afterwards. Audited `identity_unlinked`. An account with no
//! password can set one through the reset flow first.
//!
//! Security considerations: the provider segment is checked for shape before use; an
//! unknown or unlinked provider is `404`; the subject is never shown (the address the
//! provider gave, decrypted, is).

use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::ApiError;
use crate::http::Response;
use crate::model::audit::AuditKind;
use crate::model::identity::{self, LinkedIdentity};
use crate::model::principal::Principal;
use crate::model::sign_in_methods::{self, SignInMethods};
use crate::model::user;

/// The detail of an unlink that would leave no way to sign in.
pub const LAST_METHOD: &str = "the last sign-in method cannot be removed";

#[derive(Serialize)]
struct IdentityView {
    provider: String,
    label: String,
    email: Option<String>,
    linked_at: String,
}

#[derive(Serialize)]
struct ProviderView<'a> {
    id: &'a str,
    label: &'a str,
}

#[derive(Serialize)]
struct Listing<'a> {
    identities: Vec<IdentityView>,
    providers: Vec<ProviderView<'a>>,
    password_set: bool,
}

/// `GET /api/me/identities`.
pub async fn list<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let user = &principal.user;
    let label = |provider: &str| {
        ctx.config.oauth.provider(provider).map_or_else(
            || String::from(provider),
            |configured| configured.label.clone(),
        )
    };
    let identities = user
        .identities
        .iter()
        .map(|link| {
            Ok(IdentityView {
                provider: link.provider.clone(),
                label: label(&link.provider),
                email: link.email(ctx.config, &user.id)?,
                linked_at: encoding::rfc3339(link.linked_at_ms),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let providers = ctx
        .config
        .oauth
        .providers
        .iter()
        .map(|provider| ProviderView {
            id: &provider.id,
            label: &provider.label,
        })
        .collect();
    Ok(Response::json(
        200,
        &Listing {
            identities,
            providers,
            password_set: user.has_password(),
        },
    ))
}

fn is_provider_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= crate::config::oauth::MAX_NAME_LEN
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// `DELETE /api/me/identities/{provider}`.
pub async fn unlink<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    provider: &str,
) -> Result<Response, ApiError> {
    if !is_provider_name(provider) {
        return Err(ApiError::NotFound);
    }
    let user_id = principal.user_id();
    let atomic = ctx.services.atomic();
    let now = ctx.now_ms;
    // 1. Mark it: from now on other removals do not count it as a method.
    let mut found = false;
    user::update(atomic, user_id, |stored| {
        found = false;
        let Some(link) = stored
            .identities
            .iter_mut()
            .find(|link| link.provider == provider)
        else {
            return false;
        };
        found = true;
        link.removing_since_ms = Some(now);
        true
    })
    .await?;
    if !found {
        return Err(ApiError::NotFound);
    }
    // 2. Count the passkeys (read after the mark), then the rest of the record in the
    // swap that removes the link — or unmarks it when nothing else would remain.
    let passkeys = sign_in_methods::passkeys(atomic, user_id, now).await?;
    let mut removed: Option<LinkedIdentity> = None;
    let mut last = false;
    user::update(atomic, user_id, |stored| {
        removed = None;
        last = false;
        let Some(position) = stored
            .identities
            .iter()
            .position(|link| link.provider == provider)
        else {
            return false;
        };
        let mut others = stored.clone();
        if let Some(link) = others.identities.get_mut(position) {
            // Ours never counts, even if its mark has meanwhile grown old.
            link.removing_since_ms = Some(now);
        }
        if SignInMethods::of(&others, passkeys, now).count() == 0 {
            last = true;
            if let Some(link) = stored.identities.get_mut(position) {
                link.removing_since_ms = None;
            }
            return true;
        }
        removed = Some(stored.identities.remove(position));
        true
    })
    .await?;
    if last {
        return Err(ApiError::InvalidRequest(LAST_METHOD));
    }
    let Some(removed) = removed else {
        return Err(ApiError::NotFound);
    };
    identity::release(atomic, &removed.index, user_id).await?;
    ctx.audit(
        AuditKind::IdentityUnlinked,
        Some(user_id),
        Some(user_id),
        &[("provider", provider)],
    )?;
    Ok(Response::empty(204))
}
