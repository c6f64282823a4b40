//! What a grant hands a client at the token endpoint: an access token for one
//! audience, a refresh token when the client may have one, and an ID token for an
//! OpenID request (docs/oauth-provider.md §4).
//!
//! A refresh token goes to a client registered with the `refresh_token` grant, for a
//! plain OAuth grant (no `openid`) or an OpenID grant that includes `offline_access`
//! (OIDC Core §11). ID tokens are EdDSA unless the client registered RS256, which the
//! platform signs ([`crate::crypto::rsa::Rs256Signer`]: WebCrypto on Workers, software
//! on Spin).
//!
//! Security considerations: the answer is `Cache-Control: no-store` (RFC 6749 §5.1); a
//! client registered for RS256 never silently gets EdDSA (a missing RSA key or a
//! failed signature is `503`, nothing is issued); the ID token carries the request's
//! `nonce` only at the code exchange, never on refresh.

use alloc::string::String;
use serde::Serialize;

use super::common::no_store;
use crate::crypto::rsa::Rs256Signer;
use crate::ctx::{Ctx, Services};
use crate::error::{ApiError, Internal};
use crate::http::Response;
use crate::model::oauth_provider::client::{ClientRecord, IdTokenAlg};
use crate::model::oauth_provider::grant::Grant;
use crate::model::refresh_token::RefreshToken;
use crate::model::session::SessionRecord;
use crate::policy::oauth_provider::jws;
use crate::policy::oauth_provider::scope::{self, OFFLINE_ACCESS, OPENID};
use crate::policy::oauth_provider::tokens::{self, AccessGrant, IdTokenFacts};

/// The token endpoint's answer (RFC 6749 §5.1, OIDC Core §3.1.3.3).
#[derive(Serialize)]
struct TokenAnswer {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

/// Whether a grant's client gets refresh tokens (see the module docs).
pub fn gets_refresh_token(client: &ClientRecord, grant: &Grant) -> bool {
    let has = |name: &str| grant.scopes.iter().any(|scope| scope == name);
    client.refresh_tokens && (!has(OPENID) || has(OFFLINE_ACCESS))
}

/// What to hand out.
#[derive(Debug, Clone, Copy)]
pub struct Handout<'a> {
    /// The client.
    pub client: &'a ClientRecord,
    /// The grant's record (its id is `sid`; its end caps `exp`).
    pub record: &'a SessionRecord,
    /// The grant.
    pub grant: &'a Grant,
    /// The access token's audience.
    pub audience: &'a str,
    /// The access token's scopes (the grant's, or fewer on refresh).
    pub scopes: &'a [String],
    /// The refresh token to deliver, if the client gets one.
    pub refresh_token: Option<&'a RefreshToken>,
    /// The authorization request's `nonce` (code exchange only).
    pub nonce: Option<&'a str>,
}

/// The `200` answer of a successful token request.
pub async fn answer<S: Services>(
    ctx: &Ctx<'_, S>,
    handout: Handout<'_>,
) -> Result<Response, ApiError> {
    let config = ctx.config;
    let record = handout.record;
    let access = tokens::issue_access(
        config,
        ctx.services.random(),
        ctx.now_ms,
        AccessGrant {
            user_id: &record.user_id,
            grant_id: &record.id,
            client_id: &handout.client.id,
            scopes: handout.scopes,
            audience: handout.audience,
            auth_time_secs: handout.grant.auth_time_secs,
            ends_at_secs: record.ends_at_ms(config) / 1000,
        },
    )?;
    let id_token = if handout.grant.scopes.iter().any(|scope| scope == OPENID) {
        Some(
            id_token(
                ctx,
                handout.client,
                IdTokenFacts {
                    user_id: &record.user_id,
                    client_id: &handout.client.id,
                    auth_time_secs: handout.grant.auth_time_secs,
                    nonce: handout.nonce,
                },
            )
            .await?,
        )
    } else {
        None
    };
    Ok(no_store(Response::json(
        200,
        &TokenAnswer {
            access_token: access.token,
            token_type: "Bearer",
            expires_in: access.expires_in_secs,
            scope: scope::join(handout.scopes),
            refresh_token: handout.refresh_token.map(RefreshToken::encode),
            id_token,
        },
    )))
}

/// An ID token for `facts`, signed as the client registered.
async fn id_token<S: Services>(
    ctx: &Ctx<'_, S>,
    client: &ClientRecord,
    facts: IdTokenFacts<'_>,
) -> Result<String, ApiError> {
    let config = ctx.config;
    match client.id_token_alg {
        IdTokenAlg::EdDsa => {
            let key = config.jwt_signing_keys.active();
            let signing_key = key
                .signing_key()
                .ok_or(ApiError::Unavailable(Internal("JWT signing key unusable")))?;
            let (header, claims) = tokens::id_token(config, ctx.now_ms, "EdDSA", &key.id, facts);
            Ok(jws::sign_eddsa(signing_key, &header, &claims))
        }
        IdTokenAlg::Rs256 => {
            let key = config
                .oauth_provider
                .rsa_signing_keys
                .as_ref()
                .and_then(|ring| ring.active())
                .ok_or(ApiError::Unavailable(Internal(
                    "RS256 client but OIDC_RSA_SIGNING_KEYS is not set",
                )))?;
            let (header, claims) = tokens::id_token(config, ctx.now_ms, "RS256", &key.id, facts);
            let input = jws::signing_input(&header, &claims);
            let signature = ctx
                .services
                .signatures()
                .sign_rs256(key, input.as_bytes(), ctx.services.random())
                .await
                .ok_or(ApiError::Unavailable(Internal("RS256 signing failed")))?;
            Ok(jws::assemble(&input, &signature))
        }
    }
}
