//! A provider's endpoints, the code exchange, and who signed in.
//!
//! - OpenID Connect providers (generic, Google, Microsoft, Apple): the discovery
//!   document of the configured issuer, checked ([`crate::policy::oauth::discovery`])
//!   and remembered per isolate ([`crate::memory::oidc`]); the token endpoint answers an
//!   ID token, verified by [`super::keys`].
//! - GitHub: fixed endpoints under `OAUTH_GITHUB_URL` (`/login/oauth/authorize`,
//!   `/login/oauth/access_token`) and its API (`/user`, `/user/emails`) with the access
//!   token ([`crate::policy::oauth::github`]).
//!
//! The exchange (RFC 6749 §4.1.3, RFC 7636 §4.5) sends the code, the exact redirect URI
//! and the PKCE verifier, authenticating with `client_secret_basic` or
//! `client_secret_post` as the provider's metadata says (GitHub and Apple: post; Apple's
//! secret is minted per exchange, [`crate::policy::oauth::apple`]).
//!
//! Security considerations: a `400`/`401` from the token endpoint (a used, expired or
//! foreign code, a wrong verifier) is `400 oauth_failed`; anything else unexpected is
//! `502 oauth_unavailable`; the access token is used for GitHub's API and dropped.

use alloc::rc::Rc;
use alloc::string::String;
use serde::Deserialize;
use zeroize::Zeroize;

use super::fetch;
use crate::config::{Provider, ProviderKind};
use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::model::email;
use crate::outbound::OutboundMethod;
use crate::policy::oauth::discovery::{self, IssuerCheck, Metadata, TokenAuth};
use crate::policy::oauth::id_token::IssuerRule;
use crate::policy::oauth::{apple, github, Assertion};

/// The fixed detail when the token endpoint refuses the code.
pub const REFUSED: &str = "the provider did not accept the sign-in";
/// The fixed detail when the provider's answer fails a check (defined beside the key
/// checks, which need it too, so that they do not depend on this module).
pub use super::keys::INVALID_ANSWER;

/// The discovery document of an OpenID provider, from memory or fetched.
pub async fn metadata<S: Services>(
    ctx: &Ctx<'_, S>,
    provider: &Provider,
) -> Result<Rc<Metadata>, ApiError> {
    if let Some(metadata) = ctx.memory.oidc.metadata(&provider.id, ctx.now_ms) {
        return Ok(metadata);
    }
    let issuer = provider.issuer().ok_or(ApiError::Internal(Internal(
        "oauth: discovery for a provider without an issuer",
    )))?;
    let url = alloc::format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let body = fetch::get_json(ctx, &url, None, "application/json").await?;
    let check = match &provider.kind {
        ProviderKind::Microsoft { tenant } => IssuerCheck::Entra(tenant),
        _ => IssuerCheck::Exact(&issuer),
    };
    let metadata = discovery::parse(&body, check, ctx.config.is_development())
        .map_err(|error| ApiError::OAuthUnavailable(Internal(error.cause())))?;
    let metadata = Rc::new(metadata);
    ctx.memory
        .oidc
        .remember_metadata(&provider.id, metadata.clone(), ctx.now_ms);
    Ok(metadata)
}

/// Where the browser is sent to authorize.
pub async fn authorization_endpoint<S: Services>(
    ctx: &Ctx<'_, S>,
    provider: &Provider,
) -> Result<String, ApiError> {
    match &provider.kind {
        ProviderKind::GitHub { web, .. } => Ok(alloc::format!("{web}/login/oauth/authorize")),
        _ => Ok(metadata(ctx, provider)
            .await?
            .authorization_endpoint
            .clone()),
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    id_token: Option<String>,
}

impl Drop for TokenAnswer {
    fn drop(&mut self) {
        if let Some(token) = &mut self.access_token {
            token.zeroize();
        }
    }
}

/// The client secret to present: the configured one, or Apple's minted JWT.
fn client_secret<S: Services>(ctx: &Ctx<'_, S>, provider: &Provider) -> Result<String, ApiError> {
    match (&provider.kind, &provider.client_secret) {
        (
            ProviderKind::Apple {
                team_id,
                key_id,
                private_key,
            },
            _,
        ) => apple::client_secret(
            team_id,
            key_id,
            &provider.client_id,
            private_key.expose(),
            ctx.now_ms / 1000,
        )
        .ok_or(ApiError::Unavailable(Internal(
            "oauth: the Apple client secret cannot be signed (key, or a build without feature apple)",
        ))),
        (_, Some(secret)) => Ok(String::from_utf8_lossy(secret.expose()).into_owned()),
        (_, None) => Err(ApiError::Internal(Internal("oauth: no client secret"))),
    }
}

/// Exchanges `code` at the token endpoint; the answer's access token and ID token.
async fn exchange<S: Services>(
    ctx: &Ctx<'_, S>,
    provider: &Provider,
    token_endpoint: &str,
    auth: TokenAuth,
    code: &str,
    verifier: &str,
) -> Result<TokenAnswer, ApiError> {
    let redirect_uri = provider.redirect_uri(&ctx.config.public_origin);
    let mut secret = client_secret(ctx, provider)?;
    let mut pairs: alloc::vec::Vec<(&str, &str)> = alloc::vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", &redirect_uri),
        ("code_verifier", verifier),
    ];
    let mut basic = String::new();
    match auth {
        TokenAuth::Post => {
            pairs.push(("client_id", &provider.client_id));
            pairs.push(("client_secret", &secret));
        }
        TokenAuth::Basic => {
            let credentials = alloc::format!(
                "{}:{}",
                encoding::percent_encode(&provider.client_id),
                encoding::percent_encode(&secret)
            );
            basic = alloc::format!("Basic {}", encoding::b64(credentials.as_bytes()));
        }
    }
    let mut body = fetch::form(&pairs);
    secret.zeroize();
    let mut headers: alloc::vec::Vec<(&str, &str)> = alloc::vec![
        ("Accept", "application/json"),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    if !basic.is_empty() {
        headers.push(("Authorization", &basic));
    }
    let result = fetch::send(
        ctx,
        OutboundMethod::Post,
        token_endpoint,
        &headers,
        Some(body.as_bytes()),
    )
    .await;
    body.zeroize();
    basic.zeroize();
    let response = result?;
    match response.status {
        200 => serde_json::from_slice(&response.body)
            .map_err(|_| ApiError::OAuthUnavailable(Internal("oauth: token answer malformed"))),
        400 | 401 => Err(ApiError::OAuthFailed(
            REFUSED,
            Internal("oauth: token endpoint refused the code"),
        )),
        _ => Err(ApiError::OAuthUnavailable(Internal(
            "oauth: token endpoint answered an error status",
        ))),
    }
}

/// Redeems `code` and returns what the provider asserts about the user: the verified
/// ID token's claims, or GitHub's account id and verified primary address.
pub async fn redeem<S: Services>(
    ctx: &Ctx<'_, S>,
    provider: &Provider,
    code: &str,
    verifier: &str,
    nonce: &str,
) -> Result<Assertion, ApiError> {
    let (subject, email, email_verified) = match &provider.kind {
        ProviderKind::GitHub { web, api } => {
            let token_endpoint = alloc::format!("{web}/login/oauth/access_token");
            let answer = exchange(
                ctx,
                provider,
                &token_endpoint,
                TokenAuth::Post,
                code,
                verifier,
            )
            .await?;
            let token = answer.access_token.as_deref().ok_or(ApiError::OAuthFailed(
                REFUSED,
                Internal("oauth: token answer without access_token"),
            ))?;
            let accept = "application/vnd.github+json";
            let user =
                fetch::get_json(ctx, &alloc::format!("{api}/user"), Some(token), accept).await?;
            let subject = github::subject(&user).ok_or(ApiError::OAuthFailed(
                INVALID_ANSWER,
                Internal("oauth: GitHub user answer malformed"),
            ))?;
            let emails = fetch::get_json(
                ctx,
                &alloc::format!("{api}/user/emails"),
                Some(token),
                accept,
            )
            .await?;
            let email = github::verified_primary_email(&emails);
            let verified = email.is_some();
            (subject, email, verified)
        }
        ProviderKind::Oidc { .. }
        | ProviderKind::Google
        | ProviderKind::Microsoft { .. }
        | ProviderKind::Apple { .. } => {
            let metadata = metadata(ctx, provider).await?;
            let answer = exchange(
                ctx,
                provider,
                &metadata.token_endpoint,
                metadata.token_auth,
                code,
                verifier,
            )
            .await?;
            let id_token = answer.id_token.as_deref().ok_or(ApiError::OAuthFailed(
                INVALID_ANSWER,
                Internal("oauth: token answer without id_token"),
            ))?;
            let issuer = match &provider.kind {
                ProviderKind::Microsoft { tenant } => IssuerRule::Entra {
                    issuer: &metadata.issuer,
                    tenant,
                },
                _ => IssuerRule::Exact(&metadata.issuer),
            };
            let claims =
                super::keys::verify_id_token(ctx, provider, &metadata, id_token, issuer, nonce)
                    .await?;
            (claims.subject, claims.email, claims.email_verified)
        }
    };
    // An address that is not one edgeauth accepts counts as none.
    let email = email.and_then(|address| email::normalize(&address).ok());
    Ok(Assertion {
        subject,
        email_verified: email_verified && email.is_some(),
        email,
    })
}
