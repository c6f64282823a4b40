//! The records and values the flows work on, and where they are stored.
//!
//! - [`user`]: the user record, its AtomicStore keys, CAS updates, the email index and
//!   the user directory; [`email`]: the normalised, indexed and stored forms of an
//!   address; [`user::mfa`]: the second factor's state inside the user record.
//! - [`identity`]: accounts at sign-in providers linked to a user, and their index.
//! - [`session`]: the session record; [`refresh_token`]: the refresh token's format,
//!   hash and successors; [`cookies`]: the names and paths of the session cookies.
//! - [`principal`]: who is calling (user and session as stored now).
//! - [`document`]: documents, shares and the per-user index.
//! - [`passkey`]: registered passkeys and the credential index; [`ceremony`]: the
//!   single-use WebAuthn challenges; [`sign_in_methods`]: how many ways a user can
//!   sign in.
//! - [`admins`]: the strongly consistent set of enabled administrators (the
//!   last-admin guard); [`pending`]: single-use tokens still outstanding per user.
//! - [`oauth`]: the OAuth provider's clients, pending authorization requests, codes,
//!   remembered consents and grants.
//! - [`audit`], [`mail`], [`log`]: the values flows return for adapters to persist,
//!   send and print; [`alert`]: security alerts and their webhook deliveries;
//!   [`metrics`]: an isolate's counts over an interval.
//!
//! This layer names the configuration, the error mapping, HTTP messages and the
//! primitives only: no policy, no per-isolate memory, no request context.
//!
//! Security considerations: records hold ciphertexts and hashes, never a plaintext
//! address, secret or token; every read-modify-write is a compare-and-swap on the
//! AtomicStore record it changes (each module says how).

pub mod admins;
pub mod alert;
pub mod audit;
pub mod ceremony;
pub mod cookies;
pub mod document;
pub mod email;
pub mod identity;
pub mod log;
pub mod mail;
pub mod metrics;
pub mod oauth_provider;
pub mod passkey;
pub mod pending;
pub mod principal;
pub mod refresh_token;
pub mod session;
pub mod sign_in_methods;
pub mod user;
