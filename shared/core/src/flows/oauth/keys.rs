//! Verifying an ID token with the provider's published keys.
//!
//! 1. [`crate::policy::oauth::jws::parse`]: strict compact JWS (no `none`, no key source in
//!    the header, bounded);
//! 2. the key: from the provider's key set (`jwks_uri` of its metadata, remembered per
//!    isolate), found by the token's `kid` *and* the key's own algorithm
//!    ([`crate::crypto::jwk::find`]) — a token cannot pick its algorithm. A `kid` the set
//!    lacks is a key rollover: the set is fetched again, at most once per
//!    [`crate::memory::oidc::REFETCH_INTERVAL_MS`] per provider, and the token is refused
//!    if the key is still missing;
//! 3. the signature, through the platform's [`crate::crypto::signature::SignatureVerifier`]
//!    (WebCrypto on Workers, software on Spin);
//! 4. the claims ([`crate::policy::oauth::id_token::check`]).
//!
//! Security considerations: every refusal is `400 oauth_failed` with one fixed detail;
//! the reason goes to the log line's cause only (an unknown key, a bad signature, which
//! claim). Keys come from the configured provider's metadata only.

use crate::config::Provider;
use crate::crypto::jwk;
use crate::crypto::signature::{SignatureCheck, SignatureVerifier};
use crate::ctx::{Ctx, Services};
use crate::error::{ApiError, Internal};
use crate::memory::oidc::KeySet;
use crate::policy::oauth::discovery::Metadata;
use crate::policy::oauth::id_token::{self, Expected, IdClaims, IssuerRule};
use crate::policy::oauth::jws;

use super::fetch;

/// The fixed detail when the provider's answer fails a check.
pub const INVALID_ANSWER: &str = "the provider's answer failed validation";

/// Fetches and remembers `provider`'s key set.
async fn fetch_keys<S: Services>(
    ctx: &Ctx<'_, S>,
    provider: &Provider,
    metadata: &Metadata,
) -> Result<KeySet, ApiError> {
    let body = fetch::get_json(ctx, &metadata.jwks_uri, None, "application/json").await?;
    let keys = jwk::parse_jwks(&body)
        .map_err(|error| ApiError::OAuthUnavailable(Internal(error.cause())))?;
    Ok(ctx
        .memory
        .oidc
        .remember_keys(&provider.id, keys, ctx.now_ms))
}

/// A refusal of the provider's answer, with its cause for the log.
fn invalid(cause: &'static str) -> ApiError {
    ApiError::OAuthFailed(INVALID_ANSWER, Internal(cause))
}

/// Verifies `id_token` (signature by the provider's key, then the claims).
pub async fn verify_id_token<S: Services>(
    ctx: &Ctx<'_, S>,
    provider: &Provider,
    metadata: &Metadata,
    id_token: &str,
    issuer: IssuerRule<'_>,
    nonce: &str,
) -> Result<IdClaims, ApiError> {
    let token = jws::parse(id_token).map_err(|error| invalid(error.cause()))?;
    let mut set = match ctx.memory.oidc.keys(&provider.id, ctx.now_ms) {
        Some(set) => set,
        None => fetch_keys(ctx, provider, metadata).await?,
    };
    let known =
        |set: &KeySet| jwk::find(&set.keys, token.kid.as_deref(), token.algorithm).is_some();
    if !known(&set) && ctx.memory.oidc.may_refetch_keys(&provider.id, ctx.now_ms) {
        set = fetch_keys(ctx, provider, metadata).await?;
    }
    let Some(key) = jwk::find(&set.keys, token.kid.as_deref(), token.algorithm) else {
        return Err(invalid(
            "ID token: no key of the provider's set matches kid and alg",
        ));
    };
    let valid = ctx
        .services
        .signatures()
        .verify(&SignatureCheck {
            algorithm: key.algorithm,
            public_key_spki: &key.spki,
            message: &token.signing_input,
            signature: &token.signature,
        })
        .await;
    if !valid {
        return Err(invalid("ID token: bad signature"));
    }
    id_token::check(
        &token.payload,
        &Expected {
            issuer,
            client_id: &provider.client_id,
            nonce,
            now_secs: ctx.now_ms / 1000,
        },
    )
    .map_err(|error| invalid(error.cause()))
}
