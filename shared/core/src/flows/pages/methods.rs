//! The sign-in methods offered besides email and password: the extension point of
//! the sign-in page (docs/contract.md §10, "Extension points").
//!
//! The sign-in page renders what [`sign_in_methods`] returns: one "Continue with …"
//! link per provider, and a passkey button when passkeys are on (`PASSKEYS`, and a
//! `PUBLIC_ORIGIN` that can be a WebAuthn RP: [`crate::config::passkeys`]) — with the
//! button also come the passkey autofill of the email field (conditional mediation),
//! the "Use a passkey instead" choice of the second step, and the account page's
//! passkeys section. A feature that adds a method fills it in from its own
//! configuration here:
//! - social sign-in adds a [`ProviderButton`] per provider of `OAUTH_PROVIDERS`
//!   (docs/social-login.md), whose `start_path` is `login`'s
//!   `/auth/oauth/{provider}/start` (the page appends `?return_to=` with the validated
//!   value);
//! - passkeys set `passkeys: true` and serve `/assets/pages/passkey.js`, a module
//!   whose `signInWithPasskey({client, returnTo})` the sign-in page imports when its
//!   passkey button is pressed (`clients/pages/sign-in.js`).
//!
//! Security considerations: labels are escaped like every rendered value; a
//! `start_path` that is not a plain same-origin path is not rendered at all.

use alloc::string::String;
use alloc::vec::Vec;

use crate::config::Config;

/// One "Continue with …" provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderButton {
    /// A stable id (`google`, `github`): the button's `data-provider`.
    pub id: String,
    /// What the button says after "Continue with ".
    pub label: String,
    /// The same-origin path that starts the provider's flow.
    pub start_path: String,
}

/// The methods the sign-in page offers besides the password.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInMethods {
    /// "Continue with …" providers, in display order.
    pub providers: Vec<ProviderButton>,
    /// Whether to show "Sign in with a passkey".
    pub passkeys: bool,
}

/// The methods `config` enables: a button per sign-in provider, in
/// `OAUTH_PROVIDERS` order, and the passkey button when passkeys are on.
pub fn sign_in_methods(config: &Config) -> SignInMethods {
    SignInMethods {
        providers: config
            .oauth
            .providers
            .iter()
            .map(|provider| ProviderButton {
                id: provider.id.clone(),
                label: provider.label.clone(),
                start_path: alloc::format!("/auth/oauth/{}/start", provider.id),
            })
            .collect(),
        passkeys: config.passkeys.is_some(),
    }
}
