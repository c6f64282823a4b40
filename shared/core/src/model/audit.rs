//! Audit events: values that flows return and adapters persist.
//!
//! Security considerations: an event holds ids, a coarse address prefix, the user
//! agent, the request id and a small `detail` map chosen by the code — never a
//! password, token, code, secret or email address (the subject is a user id, which
//! stays a pseudonym after erasure).

use alloc::collections::BTreeMap;
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// The audited event kinds (docs/contract.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuditKind {
    /// An account was registered.
    Register,
    /// An email address was verified.
    EmailVerified,
    /// A login succeeded.
    LoginSucceeded,
    /// A login failed.
    LoginFailed,
    /// An account (or unknown email) was locked after failures.
    Lockout,
    /// TOTP was enabled.
    MfaEnabled,
    /// TOTP was disabled.
    MfaDisabled,
    /// A second-factor code failed.
    MfaFailed,
    /// A used refresh token came back: the session was revoked.
    RefreshReuseDetected,
    /// A session was revoked.
    SessionRevoked,
    /// A user logged out.
    Logout,
    /// A password reset was requested.
    PasswordResetRequested,
    /// A password was reset with a token.
    PasswordReset,
    /// A password was changed.
    PasswordChanged,
    /// Roles changed.
    RoleChanged,
    /// A user was disabled.
    UserDisabled,
    /// A user was enabled.
    UserEnabled,
    /// A user exported their data.
    DataExported,
    /// An account was erased.
    AccountDeleted,
    /// A consent changed.
    ConsentChanged,
    /// Every session was revoked by the emergency kill switch.
    AllSessionsRevoked,
    /// An admin read a document that is neither theirs nor shared with them.
    DocumentReadByAdmin,
    /// An admin ran one page of the data-key rotation sweep.
    DataKeysSwept,
    /// An admin created an OAuth client.
    OauthClientCreated,
    /// A client registered itself (dynamic registration, RFC 7591).
    OauthClientRegistered,
    /// An admin disabled an OAuth client.
    OauthClientDisabled,
    /// An admin enabled an OAuth client.
    OauthClientEnabled,
    /// An admin deleted an OAuth client.
    OauthClientDeleted,
    /// A user approved a client's authorization request.
    OauthConsentGranted,
    /// A user denied a client's authorization request.
    OauthConsentDenied,
    /// A user revoked a client's consent and grants.
    OauthConsentRevoked,
    /// An authorization code was exchanged for tokens (a new grant).
    OauthTokenIssued,
    /// A redeemed authorization code came back: its grant was revoked.
    OauthCodeReuseDetected,
    /// A client revoked a token of its grant (RFC 7009).
    OauthTokenRevoked,
    /// A genuine refresh token was presented by another client: the grant was revoked.
    OauthRefreshClientMismatch,
    /// A session started through a sign-in provider.
    OauthLogin,
    /// A provider account was linked to a user.
    IdentityLinked,
    /// A provider account was unlinked from a user.
    IdentityUnlinked,
    /// A social sign-in or link failed after the provider answered.
    OauthFailed,
    /// The active signing key changed (the first request to see a new first key of
    /// `JWT_SIGNING_KEYS` records it once).
    SigningKeyRotated,
    /// A user followed a notice's "this wasn't me" link: their sessions were revoked
    /// and a password reset was started.
    CompromiseReported,
    /// A passkey was registered.
    PasskeyRegistered,
    /// A passkey was removed.
    PasskeyRemoved,
    /// A passwordless sign-in with a passkey started a session.
    PasskeyLogin,
    /// A passkey ceremony was refused (sign-in, second factor, registration or
    /// re-authentication).
    PasskeyFailed,
    /// The signed-in user confirmed who they are (password or passkey).
    Reauthenticated,
}

impl AuditKind {
    /// The wire name (`login_failed`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::EmailVerified => "email_verified",
            Self::LoginSucceeded => "login_succeeded",
            Self::LoginFailed => "login_failed",
            Self::Lockout => "lockout",
            Self::MfaEnabled => "mfa_enabled",
            Self::MfaDisabled => "mfa_disabled",
            Self::MfaFailed => "mfa_failed",
            Self::RefreshReuseDetected => "refresh_reuse_detected",
            Self::SessionRevoked => "session_revoked",
            Self::Logout => "logout",
            Self::PasswordResetRequested => "password_reset_requested",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::RoleChanged => "role_changed",
            Self::UserDisabled => "user_disabled",
            Self::UserEnabled => "user_enabled",
            Self::DataExported => "data_exported",
            Self::AccountDeleted => "account_deleted",
            Self::ConsentChanged => "consent_changed",
            Self::AllSessionsRevoked => "all_sessions_revoked",
            Self::DocumentReadByAdmin => "document_read_by_admin",
            Self::DataKeysSwept => "data_keys_swept",
            Self::OauthClientCreated => "oauth_client_created",
            Self::OauthClientRegistered => "oauth_client_registered",
            Self::OauthClientDisabled => "oauth_client_disabled",
            Self::OauthClientEnabled => "oauth_client_enabled",
            Self::OauthClientDeleted => "oauth_client_deleted",
            Self::OauthConsentGranted => "oauth_consent_granted",
            Self::OauthConsentDenied => "oauth_consent_denied",
            Self::OauthConsentRevoked => "oauth_consent_revoked",
            Self::OauthTokenIssued => "oauth_token_issued",
            Self::OauthCodeReuseDetected => "oauth_code_reuse_detected",
            Self::OauthTokenRevoked => "oauth_token_revoked",
            Self::OauthRefreshClientMismatch => "oauth_refresh_client_mismatch",
            Self::OauthLogin => "oauth_login",
            Self::IdentityLinked => "identity_linked",
            Self::IdentityUnlinked => "identity_unlinked",
            Self::OauthFailed => "oauth_failed",
            Self::SigningKeyRotated => "signing_key_rotated",
            Self::CompromiseReported => "compromise_reported",
            Self::PasskeyRegistered => "passkey_registered",
            Self::PasskeyRemoved => "passkey_removed",
            Self::PasskeyLogin => "passkey_login",
            Self::PasskeyFailed => "passkey_failed",
            Self::Reauthenticated => "reauthenticated",
        }
    }
}

/// One audit event, in the shape of docs/contract.md §6.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Random event id.
    pub id: String,
    /// RFC 3339 time.
    pub at: String,
    /// The event kind.
    pub event: AuditKind,
    /// Who acted (user id), when known.
    pub actor_id: Option<String>,
    /// Whom it concerns (user id), when known.
    pub subject_id: Option<String>,
    /// IPv4 /24 or IPv6 /48 of the client, never the full address.
    pub ip_prefix: Option<String>,
    /// The client's `User-Agent`, truncated.
    pub user_agent: Option<String>,
    /// The request id.
    pub request_id: String,
    /// Code-chosen facts (never secrets).
    pub detail: BTreeMap<String, String>,
}
