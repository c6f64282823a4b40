//! Answering an authorization request: a code (RFC 6749 §4.1.2) or an error (§4.1.2.1),
//! both as parameters of the client's validated redirect URI, with `state` passed back
//! and `iss` added (RFC 9207, so a client talking to several providers can tell which
//! one answered — mix-up attacks).
//!
//! Security considerations: the functions here take a redirect URI that already
//! matched the client's registration; callers never pass one that did not (they show
//! [`super::page::error`] instead). A code is 256 random bits, stored as its hash, valid
//! 60 s, and carries everything its redemption must match ([`crate::model::oauth_provider::code`]).

use alloc::string::String;
use alloc::vec::Vec;

use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::ApiError;
use crate::model::oauth_provider::code::{self, CodeRecord, CodeState, CODE_BYTES};
use crate::model::user::{self, UserRecord};
use crate::policy::oauth_provider::error::OAuthError;
use crate::policy::oauth_provider::redirect_uri::with_params;

/// What the user approved (or what remembered consent covers), to become a code.
#[derive(Debug, Clone, Copy)]
pub struct Approved<'a> {
    /// The client.
    pub client_id: &'a str,
    /// The validated redirect URI.
    pub redirect_uri: &'a str,
    /// Granted scopes.
    pub scopes: &'a [String],
    /// Granted resources.
    pub resources: &'a [String],
    /// `state`, passed back.
    pub state: Option<&'a str>,
    /// `nonce`, for the ID token.
    pub nonce: Option<&'a str>,
    /// The PKCE challenge.
    pub code_challenge: &'a str,
    /// The user.
    pub user: &'a UserRecord,
    /// When the user signed in (Unix seconds).
    pub auth_time_secs: u64,
}

/// Issues a code for `approved` and returns the redirect that delivers it.
pub async fn issue<S: Services>(
    ctx: &Ctx<'_, S>,
    approved: Approved<'_>,
) -> Result<String, ApiError> {
    let random = ctx.services.random();
    let bytes: [u8; CODE_BYTES] = crate::env::random_array(random)?;
    let code = encoding::b64url(&bytes);
    let record = CodeRecord {
        client_id: approved.client_id.into(),
        redirect_uri: approved.redirect_uri.into(),
        user_id: approved.user.id.clone(),
        grant_id: user::new_id(random)?,
        scopes: approved.scopes.to_vec(),
        resources: approved.resources.to_vec(),
        nonce: approved.nonce.map(String::from),
        code_challenge: approved.code_challenge.into(),
        auth_time_secs: approved.auth_time_secs,
        epoch: approved.user.session_epoch,
        issued_at_ms: ctx.now_ms,
        state: CodeState::Issued,
    };
    code::put(ctx.services.atomic(), &code::key_of(&code), &record).await?;
    let mut params: Vec<(&str, &str)> = alloc::vec![("code", code.as_str())];
    if let Some(state) = approved.state {
        params.push(("state", state));
    }
    params.push(("iss", ctx.config.public_origin.as_str()));
    Ok(with_params(approved.redirect_uri, &params))
}

/// The redirect of an error to a validated redirect URI.
pub fn error_redirect(
    issuer: &str,
    redirect_uri: &str,
    error: OAuthError,
    state: Option<&str>,
) -> String {
    let mut params: Vec<(&str, &str)> = alloc::vec![
        ("error", error.code()),
        ("error_description", error.description()),
    ];
    if let Some(state) = state {
        params.push(("state", state));
    }
    params.push(("iss", issuer));
    with_params(redirect_uri, &params)
}
