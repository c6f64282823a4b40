//! The OAuth 2.1 / OpenID Connect provider's records (docs/oauth-provider.md §3), and
//! where they are stored.
//!
//! | record | store | shard, name | expiry |
//! |---|---|---|---|
//! | [`client`] | atomic | `oauth/client/{client_id}`, `client` (directory: records `oauth-clients/{id}`) | none |
//! | [`request`]: an authorization request waiting for sign-in or consent | atomic | `oauth/request/{id}`, `request` | 10 min |
//! | [`code`]: an authorization code | atomic | `oauth/code/{SHA-256(code)}`, `code` | 60 s; redeemed: 1 h |
//! | [`consent`]: what a user granted a client | atomic | `user/{user_id}`, `oauth-consent/{client_id}` | none |
//! | [`grant`]: a grant's refresh chain (a session record) | atomic | `user/{user_id}`, `grant/{grant_id}` | as a session |
//! | a used `private_key_jwt` assertion id | atomic | `oauth/jti/{SHA-256}`, `jti` | the assertion's `exp` |
//!
//! Security considerations: codes, client secrets and refresh secrets are stored as
//! SHA-256 hashes only (each is 256 random bits); a pending request holds only what the
//! client sent (no user data) and is consumed by compare-and-swap when decided, so a
//! request is decided once; consents and grants live in the user's shard, so erasing an
//! account erases them and a user's grants are listed and revoked within one shard.

pub mod client;
pub mod code;
pub mod consent;
pub mod grant;
pub mod request;
