//! Authentication (WebAuthn L3 §7.2): verifying a `navigator.credentials.get()` result
//! against a stored credential, with the signature checked by an injected verifier.
//!
//! What the caller does around it: issue a fresh challenge and **consume it once**; find the
//! stored credential by the response's credential id (and, for a discoverable sign-in, the
//! user by its `userHandle`) — an unknown id is refused by the caller before this runs, in
//! the same way as a bad signature; after success, store the new counter and backup state.
//!
//! Security considerations:
//! - Everything that needs no cryptography is checked first; the counter is judged only
//!   after the signature verified, so it cannot be probed with forged assertions.
//! - Counter: a new count ≤ the stored one, when either is non-zero, is a *regression*
//!   (§6.1.1: possibly a cloned authenticator). Authenticators without a counter (synced
//!   passkeys: Apple, Google) always send 0, which is not a regression while the stored
//!   value is 0. [`CounterPolicy::Refuse`] (the default) fails the ceremony with
//!   [`Error::CounterRegression`]; [`CounterPolicy::Flag`] lets it succeed and reports
//!   [`CounterStatus::Regressed`] for the caller to audit. edgeauth refuses: a counter that
//!   once moved and goes back is the one signal of a cloned hardware key, and a legitimate
//!   user recovers with another credential.
//! - BE never changes for a credential (refused if it does); BS may, and a change is
//!   reported.

use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use crate::authenticator_data::parse_authenticator_data;
use crate::client_data::{self, parse_client_data, Ceremony};
use crate::cose::PublicKey;
use crate::error::Error;
use crate::relying_party::{check_challenge, RelyingParty, UserVerification};
use crate::signature::{normalize, SignatureCheck, SignatureVerifier};

/// What to do when the signature counter goes backwards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CounterPolicy {
    /// Fail with [`Error::CounterRegression`] (default).
    #[default]
    Refuse,
    /// Succeed, reporting [`CounterStatus::Regressed`].
    Flag,
}

/// What an authentication must match.
#[derive(Debug, Clone)]
pub struct AuthenticationExpectations<'a> {
    /// The relying party.
    pub relying_party: &'a RelyingParty<'a>,
    /// The challenge issued for this ceremony (raw bytes, ≥ 16).
    pub challenge: &'a [u8],
    /// Whether UV must be set.
    pub user_verification: UserVerification,
    /// Whether the response must carry a `userHandle` (a discoverable, username-less
    /// sign-in, where the user is found from it).
    pub require_user_handle: bool,
    /// What a counter regression does.
    pub counter_policy: CounterPolicy,
}

/// The stored credential the response claims to be (found by the caller by its id).
#[derive(Debug, Clone, Copy)]
pub struct StoredCredential<'a> {
    /// The credential id.
    pub id: &'a [u8],
    /// The stored COSE_Key bytes ([`crate::RegisteredCredential::public_key_cose`]).
    pub public_key_cose: &'a [u8],
    /// The stored signature counter.
    pub sign_count: u32,
    /// BE as registered.
    pub backup_eligible: bool,
    /// BS as last seen.
    pub backup_state: bool,
    /// The user handle (`user.id`) the credential was created for.
    pub user_handle: &'a [u8],
}

/// The browser's authentication response, base64url-decoded by the caller.
#[derive(Debug, Clone, Copy)]
pub struct AuthenticationResponse<'a> {
    /// `rawId`.
    pub credential_id: &'a [u8],
    /// `response.clientDataJSON`.
    pub client_data_json: &'a [u8],
    /// `response.authenticatorData`.
    pub authenticator_data: &'a [u8],
    /// `response.signature` (DER for ES256, as authenticators send it).
    pub signature: &'a [u8],
    /// `response.userHandle`, when the authenticator returned one.
    pub user_handle: Option<&'a [u8]>,
}

/// How the signature counter moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterStatus {
    /// Both are zero: the authenticator keeps no counter.
    NotSupported,
    /// The counter increased.
    Advanced,
    /// It did not (only under [`CounterPolicy::Flag`]).
    Regressed {
        /// The counter stored for the credential.
        stored: u32,
        /// The counter in this assertion.
        received: u32,
    },
}

/// A verified assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticationOutcome {
    /// The credential that signed.
    pub credential_id: Vec<u8>,
    /// The user handle the authenticator returned, if any (already checked to be the
    /// stored credential's).
    pub user_handle: Option<Vec<u8>>,
    /// The counter in this assertion: store it when it [`CounterStatus::Advanced`].
    pub sign_count: u32,
    /// How the counter moved.
    pub counter: CounterStatus,
    /// Whether the user was verified.
    pub user_verified: bool,
    /// BS now: store it.
    pub backup_state: bool,
    /// Whether BS differs from the stored value (e.g. a passkey that got synced).
    pub backup_state_changed: bool,
}

/// Verifies an authentication response against `stored`, checking the signature with
/// `verifier`.
pub async fn verify_authentication<V: SignatureVerifier>(
    expected: &AuthenticationExpectations<'_>,
    stored: &StoredCredential<'_>,
    response: &AuthenticationResponse<'_>,
    verifier: &V,
) -> Result<AuthenticationOutcome, Error> {
    check_challenge(expected.challenge)?;
    let rp = expected.relying_party;

    // §7.2 steps 5–6: the credential and its user.
    if response.credential_id != stored.id {
        return Err(Error::CredentialIdMismatch);
    }
    match response.user_handle {
        Some(handle) if handle != stored.user_handle => return Err(Error::UserHandleMismatch),
        None if expected.require_user_handle => return Err(Error::UserHandleMissing),
        _ => {}
    }
    let public_key = PublicKey::from_cose(stored.public_key_cose)?;

    // Steps 10–15: clientDataJSON.
    let client_data = parse_client_data(response.client_data_json)?;
    client_data::check(&client_data, Ceremony::Get, expected.challenge, rp.origin())?;

    // Steps 16–20: authenticator data.
    let auth_data = parse_authenticator_data(response.authenticator_data)?;
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
    if flags.backup_eligible() != stored.backup_eligible {
        return Err(Error::BackupEligibilityChanged);
    }

    // Steps 21–23: the signature over authenticatorData ‖ SHA-256(clientDataJSON).
    let signature = normalize(&public_key, response.signature)?;
    let mut message = Vec::with_capacity(response.authenticator_data.len() + 32);
    message.extend_from_slice(response.authenticator_data);
    message.extend_from_slice(&Sha256::digest(response.client_data_json));
    let spki = public_key.to_spki_der();
    let check = SignatureCheck {
        algorithm: public_key.algorithm(),
        public_key_spki: &spki,
        message: &message,
        signature: &signature,
    };
    if !verifier.verify(&check).await {
        return Err(Error::InvalidSignature);
    }

    // Step 24: the counter, judged only now that the assertion is genuine.
    let received = auth_data.sign_count;
    let counter = match (stored.sign_count, received) {
        (0, 0) => CounterStatus::NotSupported,
        (stored, received) if received > stored => CounterStatus::Advanced,
        (stored, received) => match expected.counter_policy {
            CounterPolicy::Refuse => return Err(Error::CounterRegression { stored, received }),
            CounterPolicy::Flag => CounterStatus::Regressed { stored, received },
        },
    };

    Ok(AuthenticationOutcome {
        credential_id: stored.id.to_vec(),
        user_handle: response.user_handle.map(<[u8]>::to_vec),
        sign_count: received,
        counter,
        user_verified: flags.user_verified(),
        backup_state: flags.backup_state(),
        backup_state_changed: flags.backup_state() != stored.backup_state,
    })
}
