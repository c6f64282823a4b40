//! Social sign-in (docs/social-login.md, docs/contract.md §5): the authorization-code
//! flow with PKCE against OpenID Connect providers (a generic one from its issuer, and
//! the Google, Microsoft and Apple presets) and GitHub (OAuth 2.0 with its user API).
//!
//! - [`start`]: `GET /auth/oauth/{provider}/start` (sign in) and
//!   `POST /auth/oauth/{provider}/link` (signed in: link another provider account).
//! - [`callback`]: `GET|POST /auth/oauth/{provider}/callback`.
//! - [`preauth`]: the short-lived, single-use record that ties a callback to its start
//!   and to the browser that started it.
//! - [`provider`]: the provider's endpoints (discovery, cached per isolate), the code
//!   exchange and who signed in (ID token, or GitHub's API); [`keys`]: ID-token
//!   verification with the provider's key set (cached, refetched on an unknown key id);
//!   [`fetch`]: outbound requests to providers, bounded.
//! - [`accounts`]: what an assertion does — sign in a linked user, create an account
//!   from a verified address, never link to an existing account silently, link for a
//!   signed-in user.
//! - [`identities`]: `GET /api/me/identities`, `DELETE /api/me/identities/{provider}`.
//! - [`answer`]: how a browser hop is answered (a redirect to the page, `error=` a
//!   problem code) and anything else (the problem body).
//!
//! Security considerations (the threat model is docs/social-login.md):
//! - **PKCE `S256` always**; `state` (256 bits) names a pre-authentication record that
//!   is used once and lives [`preauth::TTL_MS`]; its hash of a `__Host-` cookie ties it to
//!   the browser that started it, so a callback replayed elsewhere (or a victim lured to
//!   an attacker's callback URL) fails; `nonce` ties the ID token to the flow.
//! - Redirect URIs are exact: `{PUBLIC_ORIGIN}/auth/oauth/{provider}/callback`.
//! - ID tokens per OpenID Connect Core (issuer, audience, azp, times, nonce, signature by
//!   the provider's key set only); no provider text reaches an answer or a log line.
//! - Accounts: created only from an address the provider verified; an existing
//!   account is never linked by a sign-in (pre-account-takeover); MFA still applies.
//! - The start and the callback spend the per-address `RATE_LIMIT_OAUTH_PER_IP`.

pub mod accounts;
pub mod answer;
/// The fixed detail when the provider's answer fails a check (the token endpoint's
/// answer, [`provider`]; the ID token, [`keys`]).
pub const INVALID_ANSWER: &str = "the provider's answer failed validation";

pub mod callback;
pub mod fetch;
pub mod identities;
pub mod keys;
pub mod preauth;
pub mod provider;
pub mod start;

#[cfg(all(test, feature = "password-policy"))]
mod tests;
