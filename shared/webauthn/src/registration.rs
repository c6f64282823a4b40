//! Registration (WebAuthn L3 §7.1): verifying a `navigator.credentials.create()` result and
//! returning the credential to store.
//!
//! What the caller does around it: issue a fresh random challenge of at least 16 bytes,
//! store it with the pending ceremony and **consume it once** (this crate cannot know
//! whether a challenge was used before); after success, refuse the credential id if any
//! user already has it (§7.1 step 26), then store [`RegisteredCredential`].
//!
//! Security considerations: every check of §7.1 that applies to `none` attestation is made,
//! in the spec's order, before anything is returned; the first failure is the answer. The
//! credential's algorithm must be one the relying party offered in `pubKeyCredParams`.

use alloc::vec::Vec;

use crate::attestation::{self, parse_attestation_object, AttestationPolicy};
use crate::authenticator_data::parse_authenticator_data;
use crate::client_data::{self, parse_client_data, Ceremony};
use crate::cose::PublicKey;
use crate::error::Error;
use crate::relying_party::{check_challenge, RelyingParty, UserVerification};
use crate::signature::Algorithm;

/// What a registration must match.
#[derive(Debug, Clone)]
pub struct RegistrationExpectations<'a> {
    /// The relying party.
    pub relying_party: &'a RelyingParty<'a>,
    /// The challenge issued for this ceremony (raw bytes, ≥ 16).
    pub challenge: &'a [u8],
    /// Whether UV must be set.
    pub user_verification: UserVerification,
    /// The algorithms offered in `pubKeyCredParams` (non-empty).
    pub allowed_algorithms: &'a [Algorithm],
    /// Which attestation formats are accepted.
    pub attestation: AttestationPolicy,
}

/// The browser's registration response, base64url-decoded by the caller.
#[derive(Debug, Clone, Copy)]
pub struct RegistrationResponse<'a> {
    /// `rawId`.
    pub credential_id: &'a [u8],
    /// `response.clientDataJSON`.
    pub client_data_json: &'a [u8],
    /// `response.attestationObject`.
    pub attestation_object: &'a [u8],
}

/// A verified new credential: everything to store for later authentications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredCredential {
    /// The credential id (1–1023 bytes): the lookup key at sign-in.
    pub id: Vec<u8>,
    /// The COSE_Key bytes exactly as the authenticator sent them: store these.
    pub public_key_cose: Vec<u8>,
    /// The same key, parsed.
    pub public_key: PublicKey,
    /// Its algorithm (one of the allowed ones).
    pub algorithm: Algorithm,
    /// The initial signature counter.
    pub sign_count: u32,
    /// BE: a multi-device (syncable) credential. Never changes for a credential.
    pub backup_eligible: bool,
    /// BS: currently backed up.
    pub backup_state: bool,
    /// The authenticator model (all zeros for most `none` attestations), unverified.
    pub aaguid: [u8; 16],
    /// Whether the user was verified during registration.
    pub user_verified: bool,
}

/// Verifies a registration response. Pure and synchronous: `none` attestation has no
/// signature to check.
pub fn verify_registration(
    expected: &RegistrationExpectations<'_>,
    response: &RegistrationResponse<'_>,
) -> Result<RegisteredCredential, Error> {
    check_challenge(expected.challenge)?;
    if expected.allowed_algorithms.is_empty() {
        return Err(Error::Misuse("no credential algorithm is allowed"));
    }
    let rp = expected.relying_party;

    // §7.1 steps 5–12: clientDataJSON.
    let client_data = parse_client_data(response.client_data_json)?;
    client_data::check(
        &client_data,
        Ceremony::Create,
        expected.challenge,
        rp.origin(),
    )?;

    // Steps 12–15: the attestation object and its authenticator data.
    let object = parse_attestation_object(response.attestation_object)?;
    let auth_data = parse_authenticator_data(object.auth_data)?;
    if auth_data.rp_id_hash != rp.rp_id_hash() {
        return Err(Error::RpIdMismatch);
    }
    let flags = auth_data.flags;
    if !flags.user_present() {
        return Err(Error::UserNotPresent);
    }
    if expected.user_verification == UserVerification::Required && !flags.user_verified() {
        return Err(Error::UserNotVerified);
    }
    if flags.backup_state() && !flags.backup_eligible() {
        return Err(Error::InconsistentBackupFlags);
    }
    let credential = auth_data
        .attested_credential
        .ok_or(Error::AttestedCredentialMissing)?;

    // Step 20: the algorithm must be one the RP offered.
    let algorithm = credential.public_key.algorithm();
    if !expected.allowed_algorithms.contains(&algorithm) {
        return Err(Error::AlgorithmNotAllowed);
    }

    // Steps 21–24: the attestation statement.
    attestation::check(&object, expected.attestation)?;

    // Step 25 (length is checked by the parser) and the client's rawId.
    if credential.credential_id != response.credential_id {
        return Err(Error::CredentialIdMismatch);
    }

    Ok(RegisteredCredential {
        id: credential.credential_id.to_vec(),
        public_key_cose: credential.public_key_cose.to_vec(),
        public_key: credential.public_key,
        algorithm,
        sign_count: auth_data.sign_count,
        backup_eligible: flags.backup_eligible(),
        backup_state: flags.backup_state(),
        aaguid: credential.aaguid,
        user_verified: flags.user_verified(),
    })
}
