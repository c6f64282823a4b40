//! GitHub, an OAuth 2.0 provider without OpenID Connect: who signed in is read from the
//! REST API with the access token — `GET /user` for the account's numeric `id` (the
//! subject: logins can be renamed, ids cannot) and `GET /user/emails` for its addresses.
//!
//! The address edgeauth uses is the **primary address, and only if GitHub verified it**:
//! an account whose primary address is unverified asserts no address at all (so no
//! account is created from it), even if some other address of it is verified — the
//! primary one is the one its owner chose to be reached at.
//!
//! Security considerations: answers are parsed with strict types (ids are numbers,
//! flags booleans), lists are bounded, and nothing GitHub sends reaches an answer.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Deserialize;

/// Most addresses read from `/user/emails`.
pub const MAX_EMAILS: usize = 100;

#[derive(Deserialize)]
struct User {
    id: u64,
}

#[derive(Deserialize)]
struct Email {
    email: String,
    primary: bool,
    verified: bool,
}

/// The account id of a `/user` answer, as the subject string.
pub fn subject(user_json: &[u8]) -> Option<String> {
    let user: User = serde_json::from_slice(user_json).ok()?;
    (user.id > 0).then(|| alloc::format!("{}", user.id))
}

/// The verified primary address of a `/user/emails` answer, if there is one.
pub fn verified_primary_email(emails_json: &[u8]) -> Option<String> {
    let emails: Vec<Email> = serde_json::from_slice(emails_json).ok()?;
    if emails.len() > MAX_EMAILS {
        return None;
    }
    emails
        .into_iter()
        .find(|email| email.primary)
        .filter(|email| email.verified)
        .map(|email| email.email)
}

#[cfg(test)]
mod tests;
