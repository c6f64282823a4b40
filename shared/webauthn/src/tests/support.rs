//! Loading the vector files and building expectations.

// Without `software` the assertion tests are not compiled, and part of this goes unused.
#![cfg_attr(not(feature = "software"), allow(dead_code))]

use std::string::String;
use std::vec::Vec;

use base64::Engine as _;
use serde::Deserialize;

use crate::{
    Algorithm, AttestationPolicy, RegistrationExpectations, RegistrationResponse, RelyingParty,
    UserVerification,
};

pub(crate) fn b64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .unwrap()
}

#[derive(Debug, Deserialize)]
pub(crate) struct W3c {
    pub rp_id: String,
    pub origin: String,
    pub vectors: Vec<W3cVector>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct W3cVector {
    pub name: String,
    pub registration: W3cRegistration,
    pub authentication: W3cAuthentication,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct W3cRegistration {
    pub challenge: String,
    #[serde(rename = "credential_id")]
    pub credential_id: String,
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: String,
    pub attestation_object: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct W3cAuthentication {
    pub challenge: String,
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: String,
    pub authenticator_data: String,
    pub signature: String,
}

pub(crate) fn w3c() -> W3c {
    serde_json::from_str(include_str!("../../tests/vectors/w3c-level3.json")).unwrap()
}

impl W3c {
    pub(crate) fn vector(&self, name: &str) -> &W3cVector {
        self.vectors.iter().find(|v| v.name == name).unwrap()
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Library {
    pub rp_id: String,
    pub origin: String,
    pub registrations: Vec<LibraryRegistration>,
    #[serde(default)]
    pub authentications: Vec<LibraryAuthentication>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LibraryRegistration {
    pub name: String,
    #[serde(rename = "credential_id")]
    pub credential_id: String,
    pub challenge: String,
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: String,
    pub attestation_object: String,
    pub expected: serde_json::Value,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LibraryAuthentication {
    pub name: String,
    #[serde(rename = "credential_id")]
    pub credential_id: String,
    pub challenge: String,
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: String,
    pub authenticator_data: String,
    pub signature: String,
    pub user_handle: Option<String>,
    #[serde(rename = "public_key_cose")]
    pub public_key_cose: String,
    #[serde(rename = "stored_sign_count")]
    pub stored_sign_count: u32,
    pub expected: serde_json::Value,
}

pub(crate) fn py_webauthn() -> Library {
    serde_json::from_str(include_str!("../../tests/vectors/py_webauthn.json")).unwrap()
}

impl Library {
    pub(crate) fn registration(&self, name: &str) -> &LibraryRegistration {
        self.registrations.iter().find(|v| v.name == name).unwrap()
    }
    pub(crate) fn authentication(&self, name: &str) -> &LibraryAuthentication {
        self.authentications
            .iter()
            .find(|v| v.name == name)
            .unwrap()
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct SimpleWebAuthn {
    pub registrations: Vec<SimpleRegistration>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SimpleRegistration {
    #[serde(rename = "attestationObject")]
    pub attestation_object: String,
    #[serde(rename = "rp_id")]
    pub rp_id: String,
}

pub(crate) fn simplewebauthn() -> SimpleWebAuthn {
    serde_json::from_str(include_str!("../../tests/vectors/simplewebauthn.json")).unwrap()
}

/// Registration inputs as owned bytes, so tests can tamper with them.
#[derive(Debug, Clone)]
pub(crate) struct Registration {
    pub challenge: Vec<u8>,
    pub credential_id: Vec<u8>,
    pub client_data_json: Vec<u8>,
    pub attestation_object: Vec<u8>,
}

impl Registration {
    pub(crate) fn response(&self) -> RegistrationResponse<'_> {
        RegistrationResponse {
            credential_id: &self.credential_id,
            client_data_json: &self.client_data_json,
            attestation_object: &self.attestation_object,
        }
    }
}

impl From<&W3cRegistration> for Registration {
    fn from(v: &W3cRegistration) -> Self {
        Self {
            challenge: b64(&v.challenge),
            credential_id: b64(&v.credential_id),
            client_data_json: b64(&v.client_data_json),
            attestation_object: b64(&v.attestation_object),
        }
    }
}

impl From<&LibraryRegistration> for Registration {
    fn from(v: &LibraryRegistration) -> Self {
        Self {
            challenge: b64(&v.challenge),
            credential_id: b64(&v.credential_id),
            client_data_json: b64(&v.client_data_json),
            attestation_object: b64(&v.attestation_object),
        }
    }
}

pub(crate) fn registration_expectations<'a>(
    rp: &'a RelyingParty<'a>,
    challenge: &'a [u8],
) -> RegistrationExpectations<'a> {
    RegistrationExpectations {
        relying_party: rp,
        challenge,
        user_verification: UserVerification::NotRequired,
        allowed_algorithms: &Algorithm::ALL,
        attestation: AttestationPolicy::NoneOnly,
    }
}

/// The attestation object a browser returns for `attestation: "none"` when the
/// authenticator produced another format: the same authenticator data with the statement
/// replaced by `none` (§5.4.7). Used to register the vectors that were recorded with
/// `packed` attestation; the authenticator data — all that a `none` registration relies on
/// — is byte for byte the recorded one.
pub(crate) fn as_none_attestation(attestation_object: &[u8]) -> Vec<u8> {
    let auth_data = crate::parse_attestation_object(attestation_object)
        .unwrap()
        .auth_data;
    let mut out = Vec::new();
    out.extend_from_slice(b"\xa3\x63fmt\x64none\x67attStmt\xa0\x68authData");
    let len = u16::try_from(auth_data.len()).unwrap();
    out.push(0x59);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(auth_data);
    out
}

/// Offset of the flags byte in authenticator data.
pub(crate) const FLAGS: usize = 32;

/// Authenticator data inside an attestation object, for tampering (returns its offset).
pub(crate) fn auth_data_offset(attestation_object: &[u8]) -> usize {
    let auth_data = crate::parse_attestation_object(attestation_object)
        .unwrap()
        .auth_data;
    attestation_object.len() - auth_data.len()
}
