//! Decisions as functions of their inputs: what is allowed, refused or derived, given
//! the configuration and the request's parts — no per-isolate memory, no request
//! context.
//!
//! - Access: [`rbac`] (roles → permissions), [`documents`] (object-level access),
//!   [`csrf`] (the CSRF and `Origin` policy).
//! - HTTP: [`cors`], [`security_headers`], [`https_redirect`].
//! - Hosted pages: [`page_csp`] (their nonce-based CSP), [`return_to`] (where a
//!   sign-in may go back to).
//! - Abuse: [`window`] (sliding-window arithmetic), [`lockout`] (the lock state
//!   machine), [`net`] (client addresses, coarsened).
//! - Input: [`fields`] (the rules of every email and password field).
//! - Credentials: [`token`] (access tokens and the key set), [`password`] (hashing and
//!   the new-password policy), [`mfa`] (TOTP, recovery codes, base32).
//! - Social sign-in: [`oauth`] (PKCE, discovery, ID tokens, Entra's issuers, Apple's
//!   client secret, GitHub's answers). What a user can sign in with is counted in
//!   [`crate::model::sign_in_methods`] (it reads the store).
//! - Sessions: [`session_epoch`] (when a session still counts under its user's epoch),
//!   [`reauth`] (when a sign-in counts as recent, for adding or removing a passkey).
//! - The OAuth / OpenID Connect provider: [`oauth_provider`] (parameters, redirect URIs,
//!   PKCE, scopes, client metadata, client assertions, the tokens issued to clients, and
//!   the protocol's error answers).
//! - [`paging`]: sealed cursors and key walking for listings.
//! - Monitoring: [`alerts`] (which audit events raise a security alert),
//!   [`device`] (a coarse user-agent summary for notices and alerts).
//!
//! Security considerations: most modules here are pure and property-tested; the few
//! that read a store ([`paging::take_keys`]) or take the isolate's memory as a
//! parameter ([`token::verify`], through a trait) say so.

pub mod alerts;
pub mod cors;
pub mod csrf;
pub mod device;
pub mod documents;
pub mod fields;
pub mod https_redirect;
pub mod lockout;
pub mod mfa;
pub mod net;
pub mod oauth;
pub mod oauth_provider;
pub mod page_csp;
pub mod paging;
#[cfg(feature = "password")]
pub mod password;
pub mod rbac;
pub mod reauth;
pub mod return_to;
pub mod security_headers;
pub mod session_epoch;
pub mod token;
pub mod window;
