//! Sign in with Apple's client secret: instead of a fixed secret, the client
//! authenticates at Apple's token endpoint with a JWT it signs itself with the key Apple
//! issued to the developer team (ES256):
//!
//! ```text
//! header {"alg":"ES256","kid":OAUTH_APPLE_KEY_ID}
//! claims {"iss":OAUTH_APPLE_TEAM_ID,"iat":now,"exp":now+LIFETIME,"aud":"https://appleid.apple.com","sub":OAUTH_APPLE_CLIENT_ID}
//! ```
//!
//! Apple accepts such a secret for up to six months; edgeauth mints one per isolate for
//! [`LIFETIME_SECS`] and reuses it for half that ([`crate::memory::oidc`]).
//!
//! Apple answers with `response_mode=form_post` (a cross-site POST to the callback)
//! and sends the user's name, in a `user` form field, only the first time a user
//! authorizes the app; edgeauth keeps no names, so the field is accepted and not used —
//! in particular its `email` is never trusted: the address comes from the signed ID
//! token only.
//!
//! Security considerations: the key's scalar stays a [`crate::secret::Secret`]; the
//! secret is short-lived, bound to our client id (`sub`) and to Apple (`aud`).

use alloc::string::{String, ToString};

use crate::config::oauth::APPLE_ISSUER;
use crate::encoding::b64url;

/// How long a minted client secret is valid.
pub const LIFETIME_SECS: u64 = 24 * 3600;

/// The JWS signing input (`header.claims`, base64url) of a client secret.
pub fn signing_input(team_id: &str, key_id: &str, client_id: &str, now_secs: u64) -> String {
    let header = serde_json::json!({"alg": "ES256", "kid": key_id});
    let claims = serde_json::json!({
        "iss": team_id,
        "iat": now_secs,
        "exp": now_secs.saturating_add(LIFETIME_SECS),
        "aud": APPLE_ISSUER,
        "sub": client_id,
    });
    alloc::format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    )
}

/// A client secret signed with `scalar` (the P-256 private key), or `None` when the
/// key cannot sign (or this build has no ES256 signing: feature `apple`).
pub fn client_secret(
    team_id: &str,
    key_id: &str,
    client_id: &str,
    scalar: &[u8],
    now_secs: u64,
) -> Option<String> {
    let input = signing_input(team_id, key_id, client_id, now_secs);
    let signature = sign(scalar, input.as_bytes())?;
    Some(alloc::format!("{input}.{}", b64url(&signature)))
}

#[cfg(any(feature = "apple", test))]
fn sign(scalar: &[u8], message: &[u8]) -> Option<[u8; 64]> {
    crate::crypto::es256::sign(scalar, message)
}

#[cfg(not(any(feature = "apple", test)))]
fn sign(_scalar: &[u8], _message: &[u8]) -> Option<[u8; 64]> {
    None
}

#[cfg(test)]
mod tests;
