//! `clientDataJSON` (WebAuthn L3 §5.8.1): what the browser says about the ceremony — its
//! type, the challenge, the origin and whether it ran in a cross-origin frame.
//!
//! Security considerations:
//! - Parsed as JSON (not matched against a template, which §5.8.1.2 warns against), with
//!   unknown members ignored as the spec requires and duplicate members refused, so two
//!   `origin`s cannot mean different things to different parsers. At most
//!   [`MAX_CLIENT_DATA_LEN`] bytes.
//! - `type` is compared exactly: a `webauthn.get` response replayed at registration (or the
//!   reverse) fails.
//! - The challenge is compared in constant time against the base64url (no padding) form of
//!   the expected bytes, as §7.1 step 8 states it, so no decoding ambiguity (padding,
//!   non-zero trailing bits, the standard alphabet) can make two strings match one value.
//! - The origin is compared byte for byte with the one configured origin: no prefix,
//!   suffix or case-insensitive matching.
//! - Cross-origin ceremonies (`crossOrigin: true`, or any `topOrigin`) are refused: edgeauth
//!   never embeds its sign-in pages in another site's frame.

use alloc::borrow::Cow;
use alloc::string::String;

use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::error::{Error, Malformed, Part};

/// Largest `clientDataJSON` accepted (browsers send ~150–400 bytes).
pub const MAX_CLIENT_DATA_LEN: usize = 4096;

/// Which ceremony a `clientDataJSON` belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ceremony {
    /// `navigator.credentials.create`: `"webauthn.create"`.
    Create,
    /// `navigator.credentials.get`: `"webauthn.get"`.
    Get,
}

impl Ceremony {
    fn type_name(self) -> &'static str {
        match self {
            Self::Create => "webauthn.create",
            Self::Get => "webauthn.get",
        }
    }
}

/// The members of `clientDataJSON` this crate checks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ClientData<'a> {
    /// `type`.
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    /// `challenge`, base64url as the browser wrote it.
    #[serde(borrow)]
    pub challenge: Cow<'a, str>,
    /// `origin`.
    #[serde(borrow)]
    pub origin: Cow<'a, str>,
    /// `crossOrigin` (absent and `null` read as `None`).
    #[serde(rename = "crossOrigin", default)]
    pub cross_origin: Option<bool>,
    /// `topOrigin`, present only for cross-origin ceremonies.
    #[serde(rename = "topOrigin", default, borrow)]
    pub top_origin: Option<Cow<'a, str>>,
}

/// Parses `clientDataJSON` (UTF-8 JSON, at most [`MAX_CLIENT_DATA_LEN`] bytes).
pub fn parse_client_data(bytes: &[u8]) -> Result<ClientData<'_>, Malformed> {
    if bytes.len() > MAX_CLIENT_DATA_LEN {
        return Err(Malformed::new(Part::ClientData, "clientDataJSON too long"));
    }
    serde_json::from_slice(bytes).map_err(|_| {
        Malformed::new(
            Part::ClientData,
            "not a JSON object with string type, challenge and origin",
        )
    })
}

/// Checks a parsed `clientDataJSON` against the ceremony, challenge and origin expected.
pub(crate) fn check(
    data: &ClientData<'_>,
    ceremony: Ceremony,
    challenge: &[u8],
    origin: &str,
) -> Result<(), Error> {
    if data.kind != ceremony.type_name() {
        return Err(Error::WrongType);
    }
    let expected: String = base64_url(challenge);
    if !bool::from(expected.as_bytes().ct_eq(data.challenge.as_bytes())) {
        return Err(Error::ChallengeMismatch);
    }
    if data.origin != origin {
        return Err(Error::OriginMismatch);
    }
    if data.cross_origin == Some(true) || data.top_origin.is_some() {
        return Err(Error::CrossOrigin);
    }
    Ok(())
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests;
