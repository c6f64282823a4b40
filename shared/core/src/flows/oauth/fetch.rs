//! Outbound requests to providers through the injected [`crate::outbound::OutboundHttp`]:
//! bounded in size ([`MAX_PROVIDER_ANSWER_BYTES`]) and time ([`PROVIDER_TIMEOUT_MS`]),
//! no redirect followed, and only to URLs that are `https://` (plain `http://` to a
//! loopback host in development).
//!
//! Security considerations: failures become `502 oauth_unavailable` with a static cause
//! in the log (never the provider's text); a `3xx` is a failure, so a provider cannot
//! send edgeauth's requests — and the client secret in them — elsewhere.

use alloc::string::String;
use alloc::vec::Vec;

use crate::config::oauth::is_provider_url;
use crate::ctx::{Ctx, Services};
use crate::error::{ApiError, Internal};
use crate::outbound::{OutboundHttp, OutboundMethod, OutboundRequest, OutboundResponse};
use crate::policy::oauth::{MAX_PROVIDER_ANSWER_BYTES, PROVIDER_TIMEOUT_MS};

/// The `User-Agent` sent (GitHub's API refuses requests without one).
pub const USER_AGENT: &str = "edgeauth";

/// Sends one request to a provider.
pub async fn send<S: Services>(
    ctx: &Ctx<'_, S>,
    method: OutboundMethod,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Result<OutboundResponse, ApiError> {
    let base = url.split('?').next().unwrap_or("");
    if !is_provider_url(base, ctx.config.is_development()) {
        return Err(ApiError::OAuthUnavailable(Internal(
            "oauth: provider URL is not https",
        )));
    }
    let mut all: Vec<(&str, &str)> = Vec::with_capacity(headers.len() + 1);
    all.push(("User-Agent", USER_AGENT));
    all.extend_from_slice(headers);
    let request = OutboundRequest {
        method,
        url,
        headers: &all,
        body,
        max_response_bytes: MAX_PROVIDER_ANSWER_BYTES,
        timeout_ms: PROVIDER_TIMEOUT_MS,
    };
    ctx.services
        .http()
        .send(&request)
        .await
        .map_err(|error| ApiError::OAuthUnavailable(Internal(error.cause())))
}

/// `GET url` expecting `200` and a JSON body; anything else is `502`.
pub async fn get_json<S: Services>(
    ctx: &Ctx<'_, S>,
    url: &str,
    bearer: Option<&str>,
    accept: &str,
) -> Result<Vec<u8>, ApiError> {
    let authorization = bearer.map(|token| alloc::format!("Bearer {token}"));
    let mut headers: Vec<(&str, &str)> = alloc::vec![("Accept", accept)];
    if let Some(authorization) = &authorization {
        headers.push(("Authorization", authorization));
    }
    let response = send(ctx, OutboundMethod::Get, url, &headers, None).await?;
    if response.status != 200 {
        return Err(ApiError::OAuthUnavailable(Internal(
            "oauth: provider answered an error status",
        )));
    }
    Ok(response.body)
}

/// An `application/x-www-form-urlencoded` body from pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (name, value) in pairs {
        if !body.is_empty() {
            body.push('&');
        }
        body.push_str(&crate::encoding::percent_encode(name));
        body.push('=');
        body.push_str(&crate::encoding::percent_encode(value));
    }
    body
}
