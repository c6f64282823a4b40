//! Why a ceremony was refused.
//!
//! Security considerations: the variants are for logs and audit events, never for the
//! client. A relying party answers every refusal the same way (edgeauth: one
//! `invalid_credentials`-style problem), as `password-hash` returns one error whatever
//! failed, so that responses cannot be used to probe which check an input fails. Every
//! message is static: no input ever reaches a `Display`.

use core::fmt;

/// The input a [`Malformed`] error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// `clientDataJSON`.
    ClientData,
    /// The CBOR attestation object of a registration.
    AttestationObject,
    /// The binary authenticator data.
    AuthenticatorData,
    /// The COSE credential public key.
    CoseKey,
    /// The assertion signature.
    Signature,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ClientData => "clientDataJSON",
            Self::AttestationObject => "attestation object",
            Self::AuthenticatorData => "authenticator data",
            Self::CoseKey => "COSE key",
            Self::Signature => "signature",
        })
    }
}

/// An input that is too large or not well-formed, with a static reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed {
    part: Part,
    reason: &'static str,
}

impl Malformed {
    pub(crate) const fn new(part: Part, reason: &'static str) -> Self {
        Self { part, reason }
    }

    /// Which input.
    pub fn part(&self) -> Part {
        self.part
    }

    /// What was wrong with it (a fixed text).
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed {}: {}", self.part, self.reason)
    }
}

/// Why a registration or authentication was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A caller bug, not bad input: the expectations themselves are unusable (an empty RP
    /// id, a challenge shorter than 16 bytes, no allowed algorithm…).
    Misuse(&'static str),
    /// An input is larger than its limit or not well-formed.
    Malformed(Malformed),
    /// `clientDataJSON.type` is not `webauthn.create` (registration) or `webauthn.get`
    /// (authentication): a response of one ceremony replayed as the other.
    WrongType,
    /// `clientDataJSON.challenge` is not the challenge this ceremony issued.
    ChallengeMismatch,
    /// `clientDataJSON.origin` is not exactly the relying party's origin.
    OriginMismatch,
    /// The ceremony ran in a cross-origin iframe (`crossOrigin: true` or a `topOrigin`).
    CrossOrigin,
    /// `rpIdHash` is not SHA-256 of the relying party id: a credential for another site.
    RpIdMismatch,
    /// The UP flag is not set: no test of user presence took place.
    UserNotPresent,
    /// User verification was required and the UV flag is not set.
    UserNotVerified,
    /// BS (backed up) is set while BE (backup eligible) is not, which §6.1 forbids.
    InconsistentBackupFlags,
    /// A registration without attested credential data (AT flag clear).
    AttestedCredentialMissing,
    /// An attestation statement format this relying party does not accept (only `none`
    /// is implemented; see [`crate::AttestationPolicy`]), or a `none` statement that is
    /// not empty.
    UnsupportedAttestation,
    /// A well-formed key for an algorithm this crate does not implement.
    UnsupportedAlgorithm,
    /// A supported algorithm that the relying party did not list in `pubKeyCredParams`.
    AlgorithmNotAllowed,
    /// The response names a different credential than the one it is checked against
    /// (rawId vs attested credential id, or vs the stored credential).
    CredentialIdMismatch,
    /// The response's `userHandle` is not the stored credential's user.
    UserHandleMismatch,
    /// A discoverable-credential sign-in without a `userHandle`.
    UserHandleMissing,
    /// BE changed since registration; §6.1.3 says it never does for a credential.
    BackupEligibilityChanged,
    /// The assertion signature does not verify under the stored public key.
    InvalidSignature,
    /// The signature counter did not advance (new ≤ stored, either non-zero): possibly a
    /// cloned authenticator. Only returned under [`crate::CounterPolicy::Refuse`].
    CounterRegression {
        /// The counter stored for the credential.
        stored: u32,
        /// The counter in this assertion.
        received: u32,
    },
}

impl From<Malformed> for Error {
    fn from(malformed: Malformed) -> Self {
        Self::Malformed(malformed)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Misuse(what) => write!(f, "webauthn misuse: {what}"),
            Self::Malformed(malformed) => malformed.fmt(f),
            Self::WrongType => f.write_str("clientDataJSON has the wrong type"),
            Self::ChallengeMismatch => f.write_str("the challenge does not match"),
            Self::OriginMismatch => f.write_str("the origin does not match"),
            Self::CrossOrigin => f.write_str("the ceremony ran cross-origin"),
            Self::RpIdMismatch => f.write_str("the RP id hash does not match"),
            Self::UserNotPresent => f.write_str("user presence was not tested"),
            Self::UserNotVerified => f.write_str("user verification was required"),
            Self::InconsistentBackupFlags => f.write_str("backup state set without eligibility"),
            Self::AttestedCredentialMissing => f.write_str("no attested credential data"),
            Self::UnsupportedAttestation => f.write_str("attestation format not accepted"),
            Self::UnsupportedAlgorithm => f.write_str("unsupported credential algorithm"),
            Self::AlgorithmNotAllowed => f.write_str("credential algorithm not allowed"),
            Self::CredentialIdMismatch => f.write_str("the credential id does not match"),
            Self::UserHandleMismatch => f.write_str("the user handle does not match"),
            Self::UserHandleMissing => f.write_str("the user handle is missing"),
            Self::BackupEligibilityChanged => f.write_str("backup eligibility changed"),
            Self::InvalidSignature => f.write_str("the signature is invalid"),
            Self::CounterRegression { .. } => f.write_str("the signature counter regressed"),
        }
    }
}
