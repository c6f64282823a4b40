//! What a request does: the handlers of every route and the steps they share, over
//! the request context ([`crate::ctx::Ctx`]: configuration, isolate memory, services,
//! request, effects).
//!
//! - [`auth`]: authenticating a request (credential → token → CSRF → live session →
//!   enabled user).
//! - [`accounts`]: registration, email verification, login, the caller's profile,
//!   password recovery.
//! - [`sessions`]: starting, delivering, rotating, listing and revoking sessions;
//!   [`kill_switch`]: the cut-off every session check reads.
//! - [`mfa`]: TOTP enrolment, the second login step, turning it off.
//! - [`passkeys`]: registering and managing passkeys, signing in with one,
//!   confirming the signed-in user with one (the second factor is in [`mfa`]).
//! - [`oauth`]: social sign-in (OpenID Connect, GitHub), account linking.
//! - [`documents`]: the document routes.
//! - [`admin`]: users, roles, sessions, the data-key sweep, revoking all sessions.
//! - [`gdpr`]: export, erasure, consents, retention.
//! - [`audit`]: where audit events are kept and how they are listed.
//! - [`pages`]: the hosted pages' HTML and assets.
//! - [`oauth`]: the OAuth 2.1 / OpenID Connect provider (authorization, consent,
//!   tokens, registration, revocation, introspection, userinfo, logout, discovery).
//! - [`ratelimit`], [`lockout`]: the per-address, per-user and per-account limits as
//!   flows apply them.
//! - [`notices`]: security notices to an account's owner, with a "this wasn't me"
//!   link.
//! - [`monitoring`]: the signing-key watch, the `5xx` count, webhook delivery
//!   records, metrics snapshots and their admin routes.
//!
//! Flows name every layer below them; nothing below names a flow.
//!
//! Security considerations: each module's docs state its own; the HTTP layer around
//! every handler is [`crate::app::serve`].

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod documents;
pub mod gdpr;
pub mod kill_switch;
pub mod lockout;
pub mod mfa;
pub mod monitoring;
pub mod notices;
pub mod oauth;
pub mod oauth_provider;
pub mod pages;
pub mod passkeys;
pub mod ratelimit;
pub mod sessions;
