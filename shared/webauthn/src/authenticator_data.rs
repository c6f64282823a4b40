//! Authenticator data (WebAuthn L3 §6.1): the bytes the authenticator signs — RP id hash,
//! flags, signature counter, and at registration the attested credential (AAGUID,
//! credential id, COSE public key), then optional extension outputs.
//!
//! Security considerations:
//! - Fixed-layout fields are read with checked slicing; the credential id is at most
//!   [`MAX_CREDENTIAL_ID_LEN`] bytes (§5.8.3) and the whole input at most
//!   [`MAX_AUTHENTICATOR_DATA_LEN`].
//! - The COSE key and the extensions map are CBOR read by the strict, bounded reader; the
//!   extensions are checked to be one well-formed map and returned raw, never interpreted.
//! - Flags and structure must agree: AT set ⇔ attested credential data present, ED set ⇔
//!   extensions present, and nothing may follow (trailing bytes are refused), so the signed
//!   bytes have exactly one reading.

use crate::cbor::Reader;
use crate::cose::{read_cose_key, PublicKey};
use crate::error::{Error, Malformed, Part};

/// Largest authenticator data accepted (a 4096-bit RSA key with a 1023-byte credential id
/// and extensions fits with room to spare).
pub const MAX_AUTHENTICATOR_DATA_LEN: usize = 4096;
/// Largest credential id (§5.8.3: at most 1023 bytes).
pub const MAX_CREDENTIAL_ID_LEN: usize = 1023;

/// The flags byte (§6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags(pub u8);

impl Flags {
    /// UP: user present.
    pub const USER_PRESENT: u8 = 0x01;
    /// UV: user verified.
    pub const USER_VERIFIED: u8 = 0x04;
    /// BE: backup eligible (a multi-device credential, e.g. a synced passkey).
    pub const BACKUP_ELIGIBLE: u8 = 0x08;
    /// BS: backed up.
    pub const BACKUP_STATE: u8 = 0x10;
    /// AT: attested credential data included.
    pub const ATTESTED_CREDENTIAL: u8 = 0x40;
    /// ED: extension data included.
    pub const EXTENSIONS: u8 = 0x80;

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
    /// UP.
    pub fn user_present(self) -> bool {
        self.has(Self::USER_PRESENT)
    }
    /// UV.
    pub fn user_verified(self) -> bool {
        self.has(Self::USER_VERIFIED)
    }
    /// BE.
    pub fn backup_eligible(self) -> bool {
        self.has(Self::BACKUP_ELIGIBLE)
    }
    /// BS.
    pub fn backup_state(self) -> bool {
        self.has(Self::BACKUP_STATE)
    }
}

/// Attested credential data (§6.5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestedCredential<'a> {
    /// The authenticator model's AAGUID (all zeros when the client anonymised it).
    pub aaguid: [u8; 16],
    /// The credential id (1–1023 bytes).
    pub credential_id: &'a [u8],
    /// The COSE_Key exactly as the authenticator encoded it (what to store).
    pub public_key_cose: &'a [u8],
    /// The same key, parsed.
    pub public_key: PublicKey,
}

/// Parsed authenticator data, borrowing from the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatorData<'a> {
    /// SHA-256 of the RP id the credential is scoped to.
    pub rp_id_hash: &'a [u8; 32],
    /// The flags byte.
    pub flags: Flags,
    /// The signature counter (0 for authenticators that keep none).
    pub sign_count: u32,
    /// Present iff the AT flag is set.
    pub attested_credential: Option<AttestedCredential<'a>>,
    /// The raw extension outputs map, present iff the ED flag is set.
    pub extensions: Option<&'a [u8]>,
}

/// Parses authenticator data (at most [`MAX_AUTHENTICATOR_DATA_LEN`] bytes). A key for an
/// algorithm this crate does not implement is [`Error::UnsupportedAlgorithm`].
pub fn parse_authenticator_data(bytes: &[u8]) -> Result<AuthenticatorData<'_>, Error> {
    let bad = |reason| Error::from(Malformed::new(Part::AuthenticatorData, reason));
    if bytes.len() > MAX_AUTHENTICATOR_DATA_LEN {
        return Err(bad("authenticator data too long"));
    }
    let (rp_id_hash, rest) = bytes
        .split_first_chunk::<32>()
        .ok_or_else(|| bad("shorter than 37 bytes"))?;
    let (&flags, rest) = rest
        .split_first()
        .ok_or_else(|| bad("shorter than 37 bytes"))?;
    let (count, mut rest) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| bad("shorter than 37 bytes"))?;
    let flags = Flags(flags);

    let attested_credential = if flags.has(Flags::ATTESTED_CREDENTIAL) {
        let (aaguid, after) = rest
            .split_first_chunk::<16>()
            .ok_or_else(|| bad("attested credential data truncated"))?;
        let (len, after) = after
            .split_first_chunk::<2>()
            .ok_or_else(|| bad("attested credential data truncated"))?;
        let len = usize::from(u16::from_be_bytes(*len));
        if len == 0 || len > MAX_CREDENTIAL_ID_LEN {
            return Err(bad("credential id must be 1 to 1023 bytes"));
        }
        let (credential_id, after) = after
            .split_at_checked(len)
            .ok_or_else(|| bad("credential id truncated"))?;
        let mut reader = Reader::new(after);
        let public_key = read_cose_key(&mut reader)?;
        let (public_key_cose, after) = after
            .split_at_checked(reader.position())
            .ok_or_else(|| bad("COSE key truncated"))?;
        rest = after;
        Some(AttestedCredential {
            aaguid: *aaguid,
            credential_id,
            public_key_cose,
            public_key,
        })
    } else {
        None
    };

    let extensions = if flags.has(Flags::EXTENSIONS) {
        let mut reader = Reader::new(rest);
        let entries = reader.map().map_err(bad)?;
        for _ in 0..entries {
            reader
                .text()
                .map_err(|_| bad("extension identifiers are text"))?;
            reader.skip().map_err(bad)?;
        }
        // Duplicate identifiers: checked by skipping the whole map once more, strictly.
        let raw = Reader::new(rest).skip().map_err(bad)?;
        rest = rest.get(raw.len()..).unwrap_or_default();
        Some(raw)
    } else {
        None
    };

    if !rest.is_empty() {
        return Err(bad("trailing bytes after authenticator data"));
    }
    Ok(AuthenticatorData {
        rp_id_hash,
        flags,
        sign_count: u32::from_be_bytes(*count),
        attested_credential,
        extensions,
    })
}

#[cfg(test)]
mod tests;
