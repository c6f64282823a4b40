//! Standard Webhooks signatures (<https://www.standardwebhooks.com>, "Signature
//! scheme"): what a receiver checks to know a delivery came from us, unaltered.
//!
//! A delivery carries `webhook-id`, `webhook-timestamp` (Unix seconds) and
//! `webhook-signature`: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` under
//! the endpoint's secret. A secret is written `whsec_<base64>`; during a rotation an
//! endpoint has two, and the header carries one signature per secret, separated by a
//! space, so a receiver configured with either accepts the delivery.
//!
//! The known-answer vectors (`tests/vectors/standard-webhooks.json`) are the
//! specification's own (its reference libraries' tests) plus vectors signed by the npm
//! reference library `standardwebhooks`.
//!
//! Security considerations: secrets live in [`Secret`] (redacted, zeroized); a secret
//! outside 24–64 bytes is refused, as the specification asks; [`verify`] compares in
//! constant time and ignores signatures of other versions (`v1a,…`), so a receiver
//! built on it cannot be downgraded.

use alloc::string::String;
use alloc::vec::Vec;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

use crate::crypto::kdf::hmac_sha256;
use crate::secret::{constant_time_eq, Secret};

/// The prefix of a written secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// The shortest secret accepted, in bytes (the specification: 24 to 64).
pub const MIN_SECRET_BYTES: usize = 24;
/// The longest secret accepted, in bytes.
pub const MAX_SECRET_BYTES: usize = 64;
/// Secrets one endpoint may hold at once: the current one and, during a rotation,
/// the next.
pub const MAX_SECRETS: usize = 2;

/// Standard base64 that reads padded and unpadded input alike (secrets are pasted
/// from dashboards that do either) and writes padded output (signatures).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a written secret was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretError {
    /// It does not start with `whsec_`.
    MissingPrefix,
    /// What follows the prefix is not base64.
    NotBase64,
    /// It decodes to fewer than 24 or more than 64 bytes.
    Length,
}

/// Reads a `whsec_<base64>` secret.
pub fn decode_secret(text: &str) -> Result<Secret, SecretError> {
    let encoded = text
        .strip_prefix(SECRET_PREFIX)
        .ok_or(SecretError::MissingPrefix)?;
    let bytes = BASE64.decode(encoded).map_err(|_| SecretError::NotBase64)?;
    let secret = Secret::new(bytes);
    if !(MIN_SECRET_BYTES..=MAX_SECRET_BYTES).contains(&secret.len()) {
        return Err(SecretError::Length);
    }
    Ok(secret)
}

/// One `v1,<base64>` signature of a delivery under `key`.
pub fn sign(key: &Secret, id: &str, timestamp_secs: u64, body: &str) -> String {
    let timestamp = alloc::format!("{timestamp_secs}");
    let tag = hmac_sha256(
        key.expose(),
        &[
            id.as_bytes(),
            b".",
            timestamp.as_bytes(),
            b".",
            body.as_bytes(),
        ],
    );
    let mut out = String::from("v1,");
    out.push_str(&BASE64.encode(tag));
    out
}

/// The `webhook-signature` header: one signature per key, space-separated.
pub fn signature_header(keys: &[Secret], id: &str, timestamp_secs: u64, body: &str) -> String {
    keys.iter()
        .map(|key| sign(key, id, timestamp_secs, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `header` holds a `v1` signature of the delivery under one of `keys`
/// (the receiver's check, without its timestamp tolerance; for tests and tools).
pub fn verify(keys: &[Secret], header: &str, id: &str, timestamp_secs: u64, body: &str) -> bool {
    let expected: Vec<String> = keys
        .iter()
        .map(|key| sign(key, id, timestamp_secs, body))
        .collect();
    header.split(' ').any(|candidate| {
        candidate.starts_with("v1,")
            && expected
                .iter()
                .any(|want| constant_time_eq(want.as_bytes(), candidate.as_bytes()))
    })
}

#[cfg(test)]
mod tests;
