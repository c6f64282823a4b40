//! One assertion checked against one stored passkey, with `edgeauth-webauthn`, and
//! what its success changes: the passkey's counter, backup state and last use.
//! Shared by the passwordless sign-in ([`super::sign_in`]), the second factor
//! ([`second_factor`], called by `POST /auth/login/mfa`) and the re-authentication
//! ([`super::reauth`]); each consumes its ceremony first and decides what a refusal
//! costs (lockout, audit, answer).
//!
//! Security considerations:
//! - The RP id and origin are the configuration's; UV is required except for the second
//!   factor (the password was the knowledge factor); a discoverable sign-in must carry
//!   the `userHandle`, and any `userHandle` must be the owner's handle.
//! - The counter: a regression is refused ([`edgeauth_webauthn::CounterPolicy::Refuse`])
//!   and *flagged* on the passkey (`counter_regressed_at_ms`, shown in the list) — the
//!   one signal of a cloned authenticator; the caller audits it. The new counter is
//!   stored by a compare-and-swap that re-checks it against the value stored now, so of
//!   two assertions racing with counters 5 and 6 over a stored 4, the one stored second
//!   must still be ahead of the first.
//! - A verifier or caller bug ([`edgeauth_webauthn::Error::Misuse`]) is `500`, not a
//!   refusal.

use alloc::string::String;
use alloc::vec::Vec;

use super::response::{self, Assertion};
use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::model::ceremony::Purpose;
use crate::model::passkey::{self, PasskeyRecord};
use crate::model::user::UserRecord;
use edgeauth_webauthn::{
    verify_authentication, AuthenticationExpectations, AuthenticationResponse, CounterPolicy,
    Error, RelyingParty, StoredCredential, UserVerification,
};

/// Which ceremony an assertion answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Passwordless sign-in.
    SignIn,
    /// The second step of a password login.
    SecondFactor,
    /// Confirming the signed-in user.
    Reauthenticate,
}

impl Stage {
    /// The audit `stage`.
    pub fn name(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::SecondFactor => "second_factor",
            Self::Reauthenticate => "reauthenticate",
        }
    }

    /// The ceremony purpose its challenge must have.
    pub fn purpose(self) -> Purpose {
        match self {
            Self::SignIn => Purpose::SignIn,
            Self::SecondFactor => Purpose::SecondFactor,
            Self::Reauthenticate => Purpose::Reauthenticate,
        }
    }
}

/// Why an assertion was refused: a fixed reason for the audit event, and the passkey
/// the credential named, if it named one of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `unknown_challenge`, `invalid_signature`, `counter_regression`, … (never sent).
    pub reason: &'static str,
    /// The passkey, when the credential id is registered.
    pub passkey_id: Option<String>,
}

impl Refusal {
    /// A refusal that names no passkey.
    pub fn anonymous(reason: &'static str) -> Self {
        Self {
            reason,
            passkey_id: None,
        }
    }
}

/// The relying party of this deployment (`404` when passkeys are off).
fn relying_party<'a, S: Services>(ctx: &Ctx<'a, S>) -> Result<RelyingParty<'a>, ApiError> {
    let passkeys = super::enabled(ctx)?;
    RelyingParty::new(&passkeys.rp_id, &ctx.config.public_origin)
        .map_err(|_| ApiError::Unavailable(Internal("passkeys: PUBLIC_ORIGIN is not an RP")))
}

/// Checks `assertion` (whose ceremony, with `challenge`, the caller consumed and
/// judged) against `stored` of `owner`. On success the passkey is updated and returned
/// as stored.
pub async fn verify<S: Services>(
    ctx: &Ctx<'_, S>,
    stage: Stage,
    challenge: &[u8],
    assertion: &Assertion,
    stored: &PasskeyRecord,
    owner: &UserRecord,
) -> Result<Result<PasskeyRecord, Refusal>, ApiError> {
    let rp = relying_party(ctx)?;
    let refused = |reason| {
        Ok(Err(Refusal {
            reason,
            passkey_id: Some(stored.id.clone()),
        }))
    };
    let handle: Vec<u8> = passkey::user_handle(owner)
        .and_then(encoding::b64url_decode)
        .unwrap_or_default();
    let (Some(key), false) = (
        encoding::b64url_decode(&stored.public_key),
        handle.is_empty(),
    ) else {
        return refused("stored_passkey_unreadable");
    };
    let credential_id = stored.credential_id_bytes();
    let expected = AuthenticationExpectations {
        relying_party: &rp,
        challenge,
        user_verification: match stage {
            Stage::SecondFactor => UserVerification::NotRequired,
            Stage::SignIn | Stage::Reauthenticate => UserVerification::Required,
        },
        require_user_handle: stage == Stage::SignIn,
        counter_policy: CounterPolicy::Refuse,
    };
    let credential = StoredCredential {
        id: &credential_id,
        public_key_cose: &key,
        sign_count: stored.sign_count,
        backup_eligible: stored.backup_eligible,
        backup_state: stored.backup_state,
        user_handle: &handle,
    };
    let response = AuthenticationResponse {
        credential_id: &assertion.credential_id,
        client_data_json: &assertion.client_data_json,
        authenticator_data: &assertion.authenticator_data,
        signature: &assertion.signature,
        user_handle: assertion.user_handle.as_deref(),
    };
    let outcome =
        match verify_authentication(&expected, &credential, &response, ctx.services.signatures())
            .await
        {
            Ok(outcome) => outcome,
            Err(Error::Misuse(_)) => {
                return Err(ApiError::Internal(Internal(
                    "webauthn expectations unusable",
                )))
            }
            Err(error @ Error::CounterRegression { .. }) => {
                flag_regression(ctx, stored).await?;
                return refused(response::reason(&error));
            }
            Err(error) => return refused(response::reason(&error)),
        };
    match record_use(ctx, stored, outcome.sign_count, outcome.backup_state).await? {
        Some(used) => Ok(Ok(used)),
        None => {
            flag_regression(ctx, stored).await?;
            refused("counter_regression")
        }
    }
}

/// Stores the counter, BS and the time of use, if the counter is still ahead of the
/// stored one (re-checked on every fresh read). `None`: it no longer is.
async fn record_use<S: Services>(
    ctx: &Ctx<'_, S>,
    stored: &PasskeyRecord,
    sign_count: u32,
    backup_state: bool,
) -> Result<Option<PasskeyRecord>, ApiError> {
    let atomic = ctx.services.atomic();
    for _ in 0..6 {
        let Some((mut record, raw)) = passkey::load(atomic, &stored.user_id, &stored.id).await?
        else {
            // Removed while it was being checked: it no longer signs anyone in.
            return Ok(None);
        };
        let ahead = sign_count > record.sign_count || (sign_count == 0 && record.sign_count == 0);
        if !ahead {
            return Ok(None);
        }
        record.sign_count = sign_count;
        record.backup_state = backup_state;
        record.last_used_at_ms = Some(ctx.now_ms);
        if passkey::swap(atomic, &raw, &record).await? {
            return Ok(Some(record));
        }
    }
    Err(ApiError::Unavailable(Internal("passkey update contended")))
}

/// Marks the passkey as having shown a counter regression (best effort: a lost race
/// leaves it to the next regression; the refusal and its audit event stand anyway).
async fn flag_regression<S: Services>(
    ctx: &Ctx<'_, S>,
    stored: &PasskeyRecord,
) -> Result<(), ApiError> {
    let atomic = ctx.services.atomic();
    if let Some((mut record, raw)) = passkey::load(atomic, &stored.user_id, &stored.id).await? {
        record.counter_regressed_at_ms = Some(ctx.now_ms);
        passkey::swap(atomic, &raw, &record).await?;
    }
    Ok(())
}

/// Consumes the ceremony of `assertion` and finds the passkey it names, for an
/// assertion that must come from `owner` (second factor, re-authentication): the
/// ceremony must be of `stage`'s purpose, issued to `owner`, and `bound` must accept
/// it (the MFA token or the session it was issued in).
pub async fn for_owner<S: Services>(
    ctx: &Ctx<'_, S>,
    stage: Stage,
    assertion: &Assertion,
    owner: &UserRecord,
    bound: impl FnOnce(&crate::model::ceremony::Ceremony) -> bool,
) -> Result<Result<PasskeyRecord, Refusal>, ApiError> {
    let atomic = ctx.services.atomic();
    let Some((ceremony, challenge)) =
        response::consume_ceremony(atomic, &assertion.client_data_json, ctx.now_ms).await?
    else {
        return Ok(Err(Refusal::anonymous("unknown_challenge")));
    };
    if ceremony.purpose != stage.purpose()
        || ceremony.user_id.as_deref() != Some(owner.id.as_str())
        || !bound(&ceremony)
    {
        return Ok(Err(Refusal::anonymous("wrong_ceremony")));
    }
    let entry = passkey::lookup(atomic, &assertion.credential_id).await?;
    let stored = match entry {
        Some(entry) if entry.user_id == owner.id => {
            passkey::load(atomic, &owner.id, &entry.passkey_id).await?
        }
        _ => None,
    };
    let Some((stored, _)) = stored else {
        return Ok(Err(Refusal::anonymous("unknown_credential")));
    };
    verify(ctx, stage, &challenge, assertion, &stored, owner).await
}

/// The passkey as second factor: `assertion` answers the challenge issued for the MFA
/// token whose shard is `mfa_shard`, with one of `owner`'s passkeys.
pub async fn second_factor<S: Services>(
    ctx: &Ctx<'_, S>,
    assertion: &Assertion,
    owner: &UserRecord,
    mfa_shard: &str,
) -> Result<Result<PasskeyRecord, Refusal>, ApiError> {
    for_owner(ctx, Stage::SecondFactor, assertion, owner, |ceremony| {
        ceremony.mfa_shard.as_deref() == Some(mfa_shard)
    })
    .await
}
