//! The hosted pages (docs/contract.md §10): HTML shells rendered per request, so that
//! each carries a fresh CSP nonce, and their static assets, embedded in the wasm.
//!
//! - [`views`]: the pages (`/sign-in`, `/sign-up`, `/verify-email`,
//!   `/forgot-password`, `/reset-password`, `/security-alert`, `/account`, `/admin`)
//!   and their layout;
//! - [`methods`]: the sign-in methods besides the password ("Continue with …"
//!   providers, passkeys), the extension point of the sign-in page;
//! - [`assets`]: CSS, page scripts, the browser client (`clients/js`) and the QR-code
//!   encoder, with content types, ETags and caching;
//! - [`routes`]: the handlers of the `pages` function's table.
//!
//! The pages hold no data: each shell is the same for every visitor, apart from the
//! nonce, the configured product name and colour, and a validated `return_to`. The
//! page scripts read and change everything through the JSON API with `clients/js`,
//! so the API's checks (session, CSRF, roles) apply as to any other client; `/account`
//! and `/admin` are shells that render nothing private until the API answers.
//!
//! Security considerations: every server-rendered value is escaped
//! ([`crate::http::html`]); the CSP ([`crate::policy::page_csp`]) allows only this
//! response's scripts and no HTML sink; `return_to` is validated
//! ([`crate::policy::return_to`]); tokens of mailed links stay in the URL fragment,
//! which never reaches the server.

pub mod assets;
pub mod methods;
pub mod routes;
pub mod views;
