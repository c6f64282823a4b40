//! The options a ceremony starts with: `PublicKeyCredentialCreationOptionsJSON` and
//! `PublicKeyCredentialRequestOptionsJSON` of WebAuthn Level 3 §5.1, which a browser
//! turns into `navigator.credentials` arguments (`PublicKeyCredential.parse…FromJSON`,
//! or the client library's own conversion). Their members are WebAuthn's (camelCase);
//! edgeauth wraps them as `{"options": {…}}`.
//!
//! What edgeauth asks for, and why:
//! - `pubKeyCredParams`: ES256, EdDSA, RS256 — what `edgeauth-webauthn` verifies; ES256
//!   first (every platform authenticator has it).
//! - `authenticatorSelection`: `residentKey: "preferred"` (a discoverable credential
//!   signs in without a username, but security keys with few slots may decline) and
//!   `userVerification: "required"` (a passkey replaces the password, so the
//!   authenticator must verify the user).
//! - `attestation: "none"`: edgeauth accepts any authenticator and keeps no attestation
//!   (privacy; no trust list to maintain).
//! - `excludeCredentials` / `allowCredentials`: the user's passkeys, so an
//!   authenticator is not registered twice, and a second step offers the user's own.
//! - `timeout`: the challenge's lifetime, 5 minutes.
//!
//! Security considerations: the RP id and origin come from `PUBLIC_ORIGIN` only, never
//! from the request's `Host`; `user.id` is the random user handle, never the user id
//! or the address (the address is only the `name` shown on the user's own device).

use alloc::string::String;
use alloc::vec::Vec;
use serde_json::{json, Value};

use crate::crypto::signature::Algorithm;
use crate::encoding;
use crate::model::ceremony::TTL_MS;
use crate::model::passkey::PasskeyRecord;

/// The algorithms offered at registration, in order of preference.
pub const ALGORITHMS: [Algorithm; 3] = [Algorithm::Es256, Algorithm::EdDsa, Algorithm::Rs256];

/// `userVerification` of a ceremony.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// `"required"`: sign-in, registration, re-authentication.
    Required,
    /// `"preferred"`: the second factor after a password.
    Preferred,
}

impl Verification {
    fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Preferred => "preferred",
        }
    }
}

/// A `PublicKeyCredentialDescriptorJSON` for each passkey.
pub fn descriptors(passkeys: &[PasskeyRecord]) -> Vec<Value> {
    passkeys
        .iter()
        .map(|passkey| {
            if passkey.transports.is_empty() {
                json!({"type": "public-key", "id": passkey.credential_id})
            } else {
                json!({
                    "type": "public-key",
                    "id": passkey.credential_id,
                    "transports": passkey.transports,
                })
            }
        })
        .collect()
}

/// What a registration's options are built from.
#[derive(Debug)]
pub struct Creation<'a> {
    /// The RP id.
    pub rp_id: &'a str,
    /// The RP's display name (`PRODUCT_NAME`).
    pub rp_name: &'a str,
    /// The user handle, base64url.
    pub user_handle: &'a str,
    /// The name shown on the user's device (their address).
    pub user_name: &'a str,
    /// The challenge.
    pub challenge: &'a [u8],
    /// The user's existing passkeys.
    pub exclude: &'a [PasskeyRecord],
}

/// `{"options": PublicKeyCredentialCreationOptionsJSON}`.
pub fn creation(options: &Creation<'_>) -> Value {
    let params: Vec<Value> = ALGORITHMS
        .iter()
        .map(|algorithm| json!({"type": "public-key", "alg": algorithm.cose_id()}))
        .collect();
    json!({"options": {
        "rp": {"id": options.rp_id, "name": options.rp_name},
        "user": {
            "id": options.user_handle,
            "name": options.user_name,
            "displayName": options.user_name,
        },
        "challenge": encoding::b64url(options.challenge),
        "pubKeyCredParams": params,
        "timeout": TTL_MS,
        "excludeCredentials": descriptors(options.exclude),
        "authenticatorSelection": {
            "residentKey": "preferred",
            "requireResidentKey": false,
            "userVerification": Verification::Required.as_str(),
        },
        "attestation": "none",
        "extensions": {"credProps": true},
    }})
}

/// `{"options": PublicKeyCredentialRequestOptionsJSON}`; an empty `allow` list asks
/// for a discoverable credential (passwordless sign-in).
pub fn request(rp_id: &str, challenge: &[u8], allow: &[PasskeyRecord], uv: Verification) -> Value {
    json!({"options": {
        "challenge": encoding::b64url(challenge),
        "timeout": TTL_MS,
        "rpId": rp_id,
        "allowCredentials": descriptors(allow),
        "userVerification": uv.as_str(),
    }})
}

/// The transports a client reported, restricted to known values, deduplicated, sorted.
pub fn known_transports(reported: &[String]) -> Vec<String> {
    let mut transports: Vec<String> = reported
        .iter()
        .filter(|transport| crate::model::passkey::KNOWN_TRANSPORTS.contains(&transport.as_str()))
        .cloned()
        .collect();
    transports.sort();
    transports.dedup();
    transports
}
