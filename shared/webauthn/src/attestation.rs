//! The attestation object (WebAuthn L3 §6.5.4): `{fmt, attStmt, authData}` in CBOR, and the
//! policy for which attestation statement formats a registration may carry.
//!
//! Only `none` is implemented. A relying party that asks for `attestation: "none"` (what
//! edgeauth does: it trusts the user's choice of authenticator, not a vendor list) receives
//! `none` from every current browser, which replaces other statements when the RP did not ask
//! for them. Any other format is refused with [`Error::UnsupportedAttestation`] rather than
//! accepted unchecked: a statement we cannot verify must not look verified.
//!
//! Security considerations:
//! - The object must be one CBOR map with exactly the three members (each once, text keys,
//!   the right types) and nothing after it; at most [`MAX_ATTESTATION_OBJECT_LEN`] bytes.
//! - A `none` statement must be the empty map (§8.7).

use crate::cbor::{Key, Reader, SeenKeys};
use crate::error::{Error, Malformed, Part};

/// Largest attestation object accepted. `none` objects are authenticator data plus ~30
/// bytes; the headroom is for the certificate chains of formats a future policy may verify.
pub const MAX_ATTESTATION_OBJECT_LEN: usize = 16 * 1024;

/// Which attestation statement formats a registration may carry.
///
/// Designed to grow without breaking callers (`#[non_exhaustive]`); today it has one value.
/// The variants a later version could add, and what each would take:
/// - `Verify { formats, trust_anchors }` — check `packed`, `tpm`, `android-key`, `apple`,
///   `fido-u2f` statements: X.509 chain validation against the given roots (no clock in this
///   crate, so the caller would pass the time), and for `packed` self-attestation one more
///   [`crate::SignatureCheck`], which would make registration async like authentication.
/// - `AcceptUnverified` — take any format's authenticator data and ignore the statement,
///   reporting it as unverified (what §7.1 allows an RP that does not use attestation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttestationPolicy {
    /// Accept `fmt: "none"` with an empty statement; refuse everything else.
    #[default]
    NoneOnly,
}

/// A parsed attestation object, borrowing from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttestationObject<'a> {
    /// The attestation statement format identifier.
    pub fmt: &'a str,
    /// The attestation statement, raw CBOR (checked well-formed, not interpreted).
    pub att_stmt: &'a [u8],
    /// The authenticator data bytes.
    pub auth_data: &'a [u8],
}

/// Parses an attestation object (at most [`MAX_ATTESTATION_OBJECT_LEN`] bytes).
pub fn parse_attestation_object(bytes: &[u8]) -> Result<AttestationObject<'_>, Malformed> {
    let bad = |reason| Malformed::new(Part::AttestationObject, reason);
    if bytes.len() > MAX_ATTESTATION_OBJECT_LEN {
        return Err(bad("attestation object too long"));
    }
    let mut reader = Reader::new(bytes);
    if reader.map().map_err(bad)? != 3 {
        return Err(bad("expected a map of fmt, attStmt and authData"));
    }
    let mut seen = SeenKeys::default();
    let (mut fmt, mut att_stmt, mut auth_data) = (None, None, None);
    for _ in 0..3 {
        let key = reader.key().map_err(bad)?;
        seen.insert(key).map_err(bad)?;
        match key {
            Key::Text("fmt") => fmt = Some(reader.text().map_err(bad)?),
            Key::Text("attStmt") => {
                let raw = reader.skip().map_err(bad)?;
                if raw.first().map(|b| b >> 5) != Some(5) {
                    return Err(bad("attStmt must be a map"));
                }
                att_stmt = Some(raw);
            }
            Key::Text("authData") => auth_data = Some(reader.bytes().map_err(bad)?),
            _ => return Err(bad("unexpected member")),
        }
    }
    reader.finish().map_err(bad)?;
    match (fmt, att_stmt, auth_data) {
        (Some(fmt), Some(att_stmt), Some(auth_data)) => Ok(AttestationObject {
            fmt,
            att_stmt,
            auth_data,
        }),
        _ => Err(bad("expected a map of fmt, attStmt and authData")),
    }
}

/// Checks the statement against the policy.
pub(crate) fn check(
    object: &AttestationObject<'_>,
    policy: AttestationPolicy,
) -> Result<(), Error> {
    match policy {
        // The empty map is the single byte 0xa0.
        AttestationPolicy::NoneOnly if object.fmt == "none" && object.att_stmt == [0xa0] => Ok(()),
        AttestationPolicy::NoneOnly => Err(Error::UnsupportedAttestation),
    }
}

#[cfg(test)]
mod tests;
