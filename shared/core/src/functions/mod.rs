//! The four deployable functions (docs/contract.md §1): each one's routes and dispatch.
//!
//! Each function is a separate type so that a deployment links only its own flows:
//! the `api` function never references the password-hashing code paths of `login`.

pub mod api;
pub mod login;
pub mod refresh;
pub mod reset;

pub use api::Api;
pub use login::Login;
pub use refresh::Refresh;
pub use reset::Reset;
