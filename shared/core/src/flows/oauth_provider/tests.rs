//! Whole-request tests of the OAuth provider (through `app::serve` and the `oauth`
//! table), one file per concern:
//! - [`authorization`]: the authorization endpoint, sign-in, consent, redirects;
//! - [`exchange`]: the code exchange, PKCE, code reuse;
//! - [`refresh`]: rotation, grace window, reuse, client binding;
//! - [`clients`]: client authentication, registration, administration;
//! - [`resources`]: audiences, userinfo, the `api` resource, revocation, introspection;
//! - [`lifecycle`]: the session epoch, the kill switch, consents, logout, keys.

mod authorization;
mod clients;
mod exchange;
mod lifecycle;
mod refresh;
mod resources;
