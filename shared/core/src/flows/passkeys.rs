//! Passkeys (WebAuthn): registering, listing, renaming and removing them, signing in
//! with one, using one as the second factor and to confirm the signed-in user
//! (docs/passkeys.md; routes in docs/contract.md §5, §6).
//!
//! - [`options`]: the `PublicKeyCredentialCreationOptions` / `…RequestOptions` the
//!   browser is given (JSON forms of WebAuthn Level 3), each with a fresh challenge
//!   ([`crate::model::ceremony`]).
//! - [`manage`]: `GET /api/me/passkeys`, `POST /api/me/passkeys/options`,
//!   `PUT`/`DELETE /api/me/passkeys/{id}`, `POST /api/me/reauthenticate/options`.
//! - [`response`] (feature `passkeys`): the browser's credential JSON, decoded, and its
//!   challenge consumed.
//! - [`assertion`] (feature `passkeys`): one assertion checked against a stored
//!   passkey with `edgeauth-webauthn`, and the counter moved.
//! - [`register`], [`sign_in`], [`reauth`] (feature `passkeys`): `POST /api/me/passkeys`,
//!   `POST /auth/passkey/options` + `/verify`, `POST /api/me/reauthenticate`.
//!
//! The second-factor step lives with the other factors in [`crate::flows::mfa`] and
//! uses [`assertion::second_factor`].
//!
//! ## Security considerations
//! - **Single-use challenges**, consumed by compare-and-swap before anything else is
//!   checked ([`crate::model::ceremony`]); each records what it may be used for (its
//!   purpose, user, session or MFA token), which the consuming flow checks.
//! - **Everything of WebAuthn §7.1/§7.2** is checked by `edgeauth-webauthn`: the type,
//!   challenge, origin (exactly `PUBLIC_ORIGIN`) and `crossOrigin` of `clientDataJSON`;
//!   `rpIdHash` (the host of `PUBLIC_ORIGIN`), UP, UV (required for sign-in,
//!   registration and re-authentication), BE/BS; attestation `none`; the COSE key of
//!   ES256, EdDSA or RS256; the signature through the platform's verifier (WebCrypto on
//!   Workers); the counter (a regression is refused, audited and flagged on the
//!   passkey).
//! - **One answer per refusal**: a sign-in or re-authentication refusal is
//!   `401 invalid_credentials` whatever failed, a second-factor refusal
//!   `401 invalid_mfa`; the reason goes to the audit event `passkey_failed` only.
//! - **Lockout**: once the credential names an account, a failure counts toward that
//!   account's lockout (keyed by its address, as password failures are), and a locked
//!   account is refused before the signature is checked; failures with unknown
//!   credentials or unusable challenges count per client address.
//! - **Recent authentication** ([`crate::policy::reauth`]) before a passkey is added or
//!   removed; the last sign-in method cannot be removed
//!   ([`crate::model::sign_in_methods`]).

#[cfg(feature = "passkeys")]
pub mod assertion;
pub mod manage;
pub mod options;
#[cfg(feature = "passkeys")]
pub mod reauth;
#[cfg(feature = "passkeys")]
pub mod register;
#[cfg(feature = "passkeys")]
pub mod response;
#[cfg(feature = "passkeys")]
pub mod sign_in;

#[cfg(all(test, feature = "passkeys", feature = "password-policy"))]
mod tests;

use crate::config::Passkeys;
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;

/// The passkey settings, or `404` when passkeys are off in this deployment (their
/// routes then behave as routes this build does not have).
pub fn enabled<'a, S: Services>(ctx: &Ctx<'a, S>) -> Result<&'a Passkeys, ApiError> {
    ctx.config.passkeys.as_ref().ok_or(ApiError::NotFound)
}

/// The lockout index of the client's address, under which failures that name no
/// account (an unknown credential, a used or unknown challenge) are counted.
pub fn client_lockout_index<S: Services>(ctx: &Ctx<'_, S>) -> alloc::string::String {
    alloc::format!(
        "passkey-client/{}",
        crate::flows::ratelimit::client_key(ctx)
    )
}
