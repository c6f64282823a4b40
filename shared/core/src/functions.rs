//! The six deployable functions (docs/contract.md §1, §10, §11), each one route table
//! ([`crate::app::route`]).
//!
//! Each function is a separate type so that a deployment links only its own flows:
//! the `api` function never references the password-hashing code paths of `login`.
//! The platforms' route lists (`wrangler.toml`, `spin.toml`, `tools/local.mjs`) are
//! generated from the tables (`cargo xtask manifests`; `functions::manifests` in tests).

pub mod api;
pub mod login;
#[cfg(all(test, feature = "password-policy", feature = "passkeys"))]
mod manifests;
pub mod oauth;
pub mod pages;
pub mod refresh;
pub mod reset;

pub use api::Api;
pub use login::Login;
pub use oauth::OAuth;
pub use pages::Pages;
pub use refresh::Refresh;
pub use reset::Reset;
