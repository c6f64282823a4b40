//! Accounts: the user record, email addresses, registration, email verification,
//! login, and the caller's own profile (docs/contract.md §5, §6, §7).
//!
//! - [`crate::model::user`]: the record, its keys in the AtomicStore, CAS updates, the
//!   email index; [`crate::model::email`]: normalisation, the index and the stored
//!   form of an address; [`crate::policy::fields`]: the input rules of every email
//!   and password field (`400`).
//! - [`register`]: `POST /auth/register` (feature `password-policy`).
//! - [`verify_email`]: verification tokens and `POST /auth/email/verify`.
//! - [`login`]: `POST /auth/login` (feature `password`).
//! - [`me`]: `GET /api/me`.
//! - [`recovery`]: forgot, reset and change password (feature `password-policy`).
//!
//! Security considerations: unknown address, wrong password, disabled and unverified
//! accounts all answer `401 invalid_credentials` with one body after one password
//! hash; registration answers `202` whether or not the address is taken. No address,
//! password or token ever goes into an audit event or a log line.

#[cfg(feature = "password")]
pub mod login;
pub mod me;
#[cfg(feature = "password-policy")]
pub mod recovery;
#[cfg(feature = "password-policy")]
pub mod register;
pub mod verify_email;

#[cfg(all(test, feature = "password-policy"))]
mod tests;
