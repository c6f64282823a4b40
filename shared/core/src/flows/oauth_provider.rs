//! The OAuth 2.1 / OpenID Connect provider: the handlers of the `oauth` function's
//! table ([`crate::functions::OAuth`]; contract: docs/contract.md §11; design and
//! threat model: docs/oauth-provider.md).
//!
//! - [`discovery`]: RFC 8414 / OpenID Connect Discovery metadata, and RFC 9728
//!   protected-resource metadata for the `api`.
//! - [`authorize`]: `GET /oauth/authorize` and `GET /oauth/continue` (back from
//!   sign-in); [`interaction`]: the consent page's JSON API; [`code`]: issuing codes and
//!   answering by redirect.
//! - [`client_auth`]: client authentication (`client_secret_basic`, `_post`,
//!   `private_key_jwt`, `none`); [`token`]: `POST /oauth/token`; [`tokens`]: what a
//!   grant hands out (access, refresh, ID tokens).
//! - [`revocation`] (RFC 7009), [`introspection`] (RFC 7662), [`userinfo`],
//!   [`end_session`] (RP-initiated logout).
//! - [`resource`]: the `api` as a protected resource (a client's token on the gate).
//! - [`registration`]: dynamic client registration (RFC 7591); [`clients`]: the
//!   administrators' client management; [`consents`]: a user's remembered consents.
//! - [`common`]: endpoints, resource identifiers, live clients and grants; [`page`]:
//!   the provider's own HTML (errors, logout).
//!
//! Security considerations: the flows never redirect to a URI that did not match the
//! client's registration (an error page instead); codes are single use and a second
//! use revokes what the first produced; refresh tokens rotate with the sessions'
//! algorithm and are bound to their client; every grant ends with the user's session
//! epoch and the kill switch.

pub mod authorize;
pub mod client_auth;
pub mod clients;
pub mod code;
pub mod common;
pub mod consents;
pub mod discovery;
pub mod end_session;
pub mod interaction;
pub mod introspection;
pub mod page;
pub mod registration;
pub mod resource;
pub mod revocation;
pub mod token;
pub mod tokens;
pub mod userinfo;

#[cfg(test)]
mod tests;
