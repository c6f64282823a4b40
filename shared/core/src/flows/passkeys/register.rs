//! `POST /api/me/passkeys {credential, name?}` → `201` the new passkey's view
//! (docs/contract.md §6): the end of a registration started by
//! `POST /api/me/passkeys/options` ([`super::manage::registration_options`]).
//!
//! In order:
//! 1. strict body, the credential's JSON shape, the name (1–64 characters; default
//!    `Passkey`) — `400`;
//! 2. the challenge in `clientDataJSON` is consumed and must be a `register` one issued
//!    to this user *in this session* (so a registration started before a sign-out, or
//!    in another browser, cannot be finished here), else `400`;
//! 3. `edgeauth-webauthn`'s [`verify_registration`]: `webauthn.create`, the challenge,
//!    the origin, not cross-origin, `rpIdHash`, UP, UV (required), BE/BS, attestation
//!    `none`, a COSE key of ES256, EdDSA or RS256 (what the options offered), the
//!    credential id matching `rawId` — else `400`;
//! 4. at most [`MAX_PER_USER`] passkeys (`400`), then the record is written and claims
//!    the credential id; a credential id registered already (to anyone) is `400`;
//! 5. audit `passkey_registered`; the owner gets a security notice with a "this wasn't
//!    me" link ([`crate::flows::notices`]).
//!
//! Recency is not checked again here: the challenge could only be issued within the
//! recent-authentication window, and lives 5 minutes.
//!
//! Every refusal of steps 2–4 is one `400 invalid_request` ("the passkey could not be
//! registered") and an audit event `passkey_failed` with `stage=register` and a
//! `reason`; the response never says which check failed.

use alloc::vec::Vec;
use serde::Deserialize;

use super::manage::view;
use super::options::{known_transports, ALGORITHMS};
use super::response::{self, consume_ceremony, CredentialJson};
use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::flows::notices::{self, SecurityNotice};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::ceremony::Purpose;
use crate::model::passkey::{self, PasskeyRecord, MAX_PER_USER};
use crate::model::principal::Principal;
use edgeauth_webauthn::{
    verify_registration, AttestationPolicy, Error, RegistrationExpectations, RegistrationResponse,
    RelyingParty, UserVerification,
};

const REFUSED: &str = "credential: the passkey could not be registered";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    credential: CredentialJson,
    #[serde(default)]
    name: Option<alloc::string::String>,
}

fn refused<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
    reason: &'static str,
) -> Result<ApiError, ApiError> {
    ctx.audit(
        AuditKind::PasskeyFailed,
        Some(principal.user_id()),
        Some(principal.user_id()),
        &[("stage", "register"), ("reason", reason)],
    )?;
    Ok(ApiError::InvalidRequest(REFUSED))
}

/// `POST /api/me/passkeys`.
pub async fn handle<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let passkeys = super::enabled(ctx)?;
    let request: RegisterBody = body::parse_json(ctx.request)?;
    let attestation = request.credential.attestation()?;
    let name = response::name_or_default(request.name.as_deref())?;
    // The notice goes to the address: an unreadable one fails now (`503`), before
    // anything is consumed or stored.
    let address = principal.user.email_address(ctx.config)?;
    let atomic = ctx.services.atomic();

    let Some((ceremony, challenge)) =
        consume_ceremony(atomic, &attestation.client_data_json, ctx.now_ms).await?
    else {
        return Err(refused(ctx, principal, "unknown_challenge")?);
    };
    if ceremony.purpose != Purpose::Register
        || ceremony.user_id.as_deref() != Some(principal.user_id())
        || ceremony.session_id.as_deref() != Some(principal.session_id())
    {
        return Err(refused(ctx, principal, "wrong_ceremony")?);
    }

    let rp = RelyingParty::new(&passkeys.rp_id, &ctx.config.public_origin)
        .map_err(|_| ApiError::Unavailable(Internal("passkeys: PUBLIC_ORIGIN is not an RP")))?;
    let expected = RegistrationExpectations {
        relying_party: &rp,
        challenge: &challenge,
        user_verification: UserVerification::Required,
        allowed_algorithms: &ALGORITHMS,
        attestation: AttestationPolicy::NoneOnly,
    };
    let registration = RegistrationResponse {
        credential_id: &attestation.credential_id,
        client_data_json: &attestation.client_data_json,
        attestation_object: &attestation.attestation_object,
    };
    let credential = match verify_registration(&expected, &registration) {
        Ok(credential) => credential,
        Err(Error::Misuse(_)) => {
            return Err(ApiError::Internal(Internal(
                "webauthn expectations unusable",
            )))
        }
        Err(error) => return Err(refused(ctx, principal, response::reason(&error))?),
    };

    if passkey::list(atomic, principal.user_id()).await?.len() >= MAX_PER_USER {
        return Err(refused(ctx, principal, "too_many_passkeys")?);
    }
    let transports: Vec<_> = known_transports(&attestation.transports);
    let record = PasskeyRecord {
        id: passkey::id_of(&credential.id),
        user_id: principal.user_id().into(),
        credential_id: encoding::b64url(&credential.id),
        public_key: encoding::b64url(&credential.public_key_cose),
        algorithm: credential.algorithm.cose_id(),
        sign_count: credential.sign_count,
        backup_eligible: credential.backup_eligible,
        backup_state: credential.backup_state,
        aaguid: encoding::hex(&credential.aaguid),
        transports,
        name,
        created_at_ms: ctx.now_ms,
        last_used_at_ms: None,
        counter_regressed_at_ms: None,
        removing_since_ms: None,
    };
    if !passkey::insert(atomic, &record).await? {
        return Err(refused(ctx, principal, "credential_registered")?);
    }
    ctx.audit(
        AuditKind::PasskeyRegistered,
        Some(principal.user_id()),
        Some(principal.user_id()),
        &[
            ("passkey_id", &record.id),
            (
                "backup_eligible",
                if record.backup_eligible {
                    "true"
                } else {
                    "false"
                },
            ),
        ],
    )?;
    let notice = SecurityNotice::PasskeyAdded {
        name: Some(&record.name),
    };
    notices::notify(ctx, principal.user_id(), &address, notice).await?;
    Ok(Response::json(201, &view(&record)))
}
