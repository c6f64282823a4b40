//! The browser's answer to a ceremony: a `PublicKeyCredential` in its JSON form
//! (WebAuthn Level 3 `RegistrationResponseJSON` / `AuthenticationResponseJSON`, what
//! `credential.toJSON()` returns), decoded into bytes, and the challenge inside its
//! `clientDataJSON` consumed.
//!
//! ```json
//! {"id": "…", "rawId": "…", "type": "public-key",
//!  "response": {"clientDataJSON": "…", "attestationObject": "…", "transports": ["internal"]}}
//! {"id": "…", "rawId": "…", "type": "public-key",
//!  "response": {"clientDataJSON": "…", "authenticatorData": "…", "signature": "…", "userHandle": "…"}}
//! ```
//!
//! Byte members are base64url without padding. Members this module does not read
//! (`clientExtensionResults`, `authenticatorAttachment`, `publicKey`, …) are ignored,
//! as WebAuthn's JSON forms grow; a missing or malformed member this module reads is
//! `400 invalid_request`, before any store work.
//!
//! Security considerations: nothing here is trusted — it is only unpacked for
//! `edgeauth-webauthn` to verify. `id` must equal `rawId` (one credential id, not two
//! for two readers). The challenge is read from `clientDataJSON` with the crate's own
//! strict parser, only to find and consume the stored ceremony; the crate compares it
//! again (in constant time) with the ceremony's challenge.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Deserialize;

use crate::encoding;
use crate::error::ApiError;
use crate::model::ceremony::{self, Ceremony};
use crate::store::AtomicStore;

const SHAPE: &str = "credential: not a WebAuthn public-key credential in its JSON form";

/// `PublicKeyCredential` JSON as posted.
#[derive(Debug, Deserialize)]
pub struct CredentialJson {
    id: String,
    #[serde(rename = "rawId")]
    raw_id: String,
    #[serde(rename = "type")]
    kind: String,
    response: ResponseJson,
}

#[derive(Debug, Deserialize)]
struct ResponseJson {
    #[serde(rename = "clientDataJSON")]
    client_data_json: String,
    #[serde(rename = "attestationObject", default)]
    attestation_object: Option<String>,
    #[serde(rename = "authenticatorData", default)]
    authenticator_data: Option<String>,
    #[serde(default)]
    signature: Option<String>,
    #[serde(rename = "userHandle", default)]
    user_handle: Option<String>,
    #[serde(default)]
    transports: Vec<String>,
}

fn bytes(text: &str) -> Result<Vec<u8>, ApiError> {
    encoding::b64url_decode(text).ok_or(ApiError::InvalidRequest(SHAPE))
}

/// A registration response, decoded.
#[derive(Debug, Clone)]
pub struct Attestation {
    /// `rawId`.
    pub credential_id: Vec<u8>,
    /// `response.clientDataJSON`.
    pub client_data_json: Vec<u8>,
    /// `response.attestationObject`.
    pub attestation_object: Vec<u8>,
    /// `response.transports`, as reported.
    pub transports: Vec<String>,
}

/// An authentication response, decoded.
#[derive(Debug, Clone)]
pub struct Assertion {
    /// `rawId`.
    pub credential_id: Vec<u8>,
    /// `response.clientDataJSON`.
    pub client_data_json: Vec<u8>,
    /// `response.authenticatorData`.
    pub authenticator_data: Vec<u8>,
    /// `response.signature`.
    pub signature: Vec<u8>,
    /// `response.userHandle`, when present (and not `null`).
    pub user_handle: Option<Vec<u8>>,
}

impl CredentialJson {
    fn common(&self) -> Result<(Vec<u8>, Vec<u8>), ApiError> {
        if self.kind != "public-key" || self.id != self.raw_id {
            return Err(ApiError::InvalidRequest(SHAPE));
        }
        let id = bytes(&self.raw_id)?;
        if id.is_empty() {
            return Err(ApiError::InvalidRequest(SHAPE));
        }
        Ok((id, bytes(&self.response.client_data_json)?))
    }

    /// The registration response (`400` when it is not one).
    pub fn attestation(&self) -> Result<Attestation, ApiError> {
        let (credential_id, client_data_json) = self.common()?;
        let object = self
            .response
            .attestation_object
            .as_deref()
            .ok_or(ApiError::InvalidRequest(SHAPE))?;
        Ok(Attestation {
            credential_id,
            client_data_json,
            attestation_object: bytes(object)?,
            transports: self.response.transports.clone(),
        })
    }

    /// The authentication response (`400` when it is not one).
    pub fn assertion(&self) -> Result<Assertion, ApiError> {
        let (credential_id, client_data_json) = self.common()?;
        let response = &self.response;
        let (Some(data), Some(signature)) = (&response.authenticator_data, &response.signature)
        else {
            return Err(ApiError::InvalidRequest(SHAPE));
        };
        let user_handle = match response.user_handle.as_deref() {
            None | Some("") => None,
            Some(handle) => Some(bytes(handle)?),
        };
        Ok(Assertion {
            credential_id,
            client_data_json,
            authenticator_data: bytes(data)?,
            signature: bytes(signature)?,
            user_handle,
        })
    }
}

/// Consumes the ceremony whose challenge `client_data_json` carries: `None` when the
/// JSON does not parse, or the challenge is not a live one of ours (unknown, used,
/// expired) — the caller refuses then, as for any failed check.
pub async fn consume_ceremony(
    atomic: &impl AtomicStore,
    client_data_json: &[u8],
    now_ms: u64,
) -> Result<Option<(Ceremony, Vec<u8>)>, ApiError> {
    let Ok(client_data) = edgeauth_webauthn::parse_client_data(client_data_json) else {
        return Ok(None);
    };
    let Some(challenge) = encoding::b64url_decode(&client_data.challenge) else {
        return Ok(None);
    };
    Ok(ceremony::consume(atomic, &challenge, now_ms)
        .await?
        .map(|ceremony| (ceremony, challenge)))
}

/// A short, fixed name for why `edgeauth-webauthn` refused (audit `reason`; never sent
/// to the client).
pub fn reason(error: &edgeauth_webauthn::Error) -> &'static str {
    use edgeauth_webauthn::Error;
    match error {
        Error::Misuse(_) => "misuse",
        Error::Malformed(_) => "malformed",
        Error::WrongType => "wrong_type",
        Error::ChallengeMismatch => "challenge_mismatch",
        Error::OriginMismatch => "origin_mismatch",
        Error::CrossOrigin => "cross_origin",
        Error::RpIdMismatch => "rp_id_mismatch",
        Error::UserNotPresent => "user_not_present",
        Error::UserNotVerified => "user_not_verified",
        Error::InconsistentBackupFlags => "backup_flags",
        Error::AttestedCredentialMissing => "no_attested_credential",
        Error::UnsupportedAttestation => "attestation_format",
        Error::UnsupportedAlgorithm => "unsupported_algorithm",
        Error::AlgorithmNotAllowed => "algorithm_not_allowed",
        Error::CredentialIdMismatch => "credential_id_mismatch",
        Error::UserHandleMismatch => "user_handle_mismatch",
        Error::UserHandleMissing => "user_handle_missing",
        Error::BackupEligibilityChanged => "backup_eligibility_changed",
        Error::InvalidSignature => "invalid_signature",
        Error::CounterRegression { .. } => "counter_regression",
        _ => "refused",
    }
}

/// The name the client asked for, or a default.
pub fn name_or_default(name: Option<&str>) -> Result<String, ApiError> {
    match name {
        Some(name) => super::manage::check_name(name),
        None => Ok(String::from("Passkey")),
    }
}
