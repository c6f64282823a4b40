//! Client authentication at the token, revocation and introspection endpoints
//! (RFC 6749 §2.3, RFC 7523, OIDC Core §9).
//!
//! The method is read from the request — `Authorization: Basic` (`client_secret_basic`),
//! `client_secret` in the body (`client_secret_post`), `client_assertion` with the JWT
//! bearer type (`private_key_jwt`), or `client_id` alone (`none`) — and must be the one
//! the client registered. More than one method in a request is `invalid_request`
//! (RFC 6749 §2.3).
//!
//! Security considerations: every failure — unknown client, disabled client, wrong
//! secret, wrong method, bad or replayed assertion — is the same `invalid_client`;
//! secrets are compared in constant time against their stored hash; an assertion's
//! `jti` is recorded until its `exp` in strongly consistent storage, so it is accepted
//! once however many isolates see it.

use alloc::string::String;

use super::common;
use crate::crypto::kdf::sha256;
use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::ApiError;
use crate::flows::ratelimit::{self, Scope};
use crate::http::Response;
use crate::model::oauth_provider::client::{AuthMethod, ClientRecord};
use crate::policy::oauth_provider::assertion::{self, ASSERTION_TYPE};
use crate::policy::oauth_provider::error::{self, OAuthError};
use crate::policy::oauth_provider::params::{decode_component, Params};
use crate::policy::token::access::LEEWAY_SECS;
use crate::store::{AtomicKey, AtomicStore};

/// Why a client was not authenticated: the protocol error (the `bool` says whether
/// the client tried `Basic`, for `WWW-Authenticate`), or a failure of ours.
#[derive(Debug)]
pub enum Refused {
    /// Answer with this error.
    OAuth(OAuthError, bool),
    /// A store or random failure (`503`).
    Api(ApiError),
}

impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

/// The credential a request presents.
enum Presented<'a> {
    Basic {
        id: String,
        secret: String,
    },
    Post {
        id: &'a str,
        secret: &'a str,
    },
    Assertion {
        id: Option<&'a str>,
        assertion: &'a str,
    },
    Public {
        id: &'a str,
    },
}

/// Decodes `Authorization: Basic base64(urlencode(id):urlencode(secret))`.
fn basic(value: &str) -> Option<(String, String)> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64_standard(encoded.trim())?;
    let text = core::str::from_utf8(&decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((decode_component(id)?, decode_component(secret)?))
}

/// Standard base64 (with padding) as `Basic` uses it.
fn base64_standard(text: &str) -> Option<alloc::vec::Vec<u8>> {
    // The URL-safe alphabet's two characters are not standard base64.
    if text.contains(['-', '_']) {
        return None;
    }
    let url_form: String = text
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            other => other,
        })
        .collect();
    encoding::b64url_decode(&url_form)
}

fn presented<'a>(ctx_basic: Option<&str>, params: &'a Params) -> Result<Presented<'a>, OAuthError> {
    let one = |name: &'static str| {
        params
            .one(name)
            .map_err(|_| OAuthError::InvalidRequest("a parameter is repeated"))
    };
    let client_id = one("client_id")?;
    let secret = one("client_secret")?;
    let assertion = one("client_assertion")?;
    let assertion_type = one("client_assertion_type")?;
    let methods = usize::from(ctx_basic.is_some())
        + usize::from(secret.is_some())
        + usize::from(assertion.is_some() || assertion_type.is_some());
    if methods > 1 {
        return Err(OAuthError::InvalidRequest(
            "use exactly one client authentication method",
        ));
    }
    if let Some(header) = ctx_basic {
        let (id, secret) = basic(header).ok_or(OAuthError::InvalidClient)?;
        if client_id.is_some_and(|body_id| body_id != id) {
            return Err(OAuthError::InvalidRequest(
                "client_id differs from the credentials",
            ));
        }
        return Ok(Presented::Basic { id, secret });
    }
    if let Some(secret) = secret {
        let id = client_id.ok_or(OAuthError::InvalidClient)?;
        return Ok(Presented::Post { id, secret });
    }
    if assertion.is_some() || assertion_type.is_some() {
        let (Some(assertion), Some(ASSERTION_TYPE)) = (assertion, assertion_type) else {
            return Err(OAuthError::InvalidClient);
        };
        return Ok(Presented::Assertion {
            id: client_id,
            assertion,
        });
    }
    match client_id {
        Some(id) => Ok(Presented::Public { id }),
        None => Err(OAuthError::InvalidClient),
    }
}

/// The `iss` of an assertion, read without trusting it (to find the client whose keys
/// then verify it).
fn assertion_issuer(assertion: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Issuer {
        iss: String,
    }
    let jws = crate::policy::oauth_provider::jws::parse(assertion)?;
    serde_json::from_slice::<Issuer>(&jws.payload)
        .ok()
        .map(|claims| claims.iss)
}

/// Authenticates the client of a request to `endpoint` (a provider path such as
/// `/oauth/token`) whose form parameters are `params`.
pub async fn authenticate<S: Services>(
    ctx: &Ctx<'_, S>,
    params: &Params,
    endpoint: &str,
) -> Result<ClientRecord, Refused> {
    let header = ctx.request.header("authorization");
    let basic_tried = header.is_some();
    let refuse = |error: OAuthError| Refused::OAuth(error, basic_tried);
    let presented = presented(header, params).map_err(refuse)?;
    let (id, method) = match &presented {
        Presented::Basic { id, .. } => (id.clone(), AuthMethod::ClientSecretBasic),
        Presented::Post { id, .. } => (String::from(*id), AuthMethod::ClientSecretPost),
        Presented::Assertion { id, assertion } => {
            let issuer = assertion_issuer(assertion).ok_or(refuse(OAuthError::InvalidClient))?;
            if id.is_some_and(|id| id != issuer) {
                return Err(refuse(OAuthError::InvalidClient));
            }
            (issuer, AuthMethod::PrivateKeyJwt)
        }
        Presented::Public { id } => (String::from(*id), AuthMethod::None),
    };
    let client = common::live_client(ctx, &id)
        .await?
        .filter(|client| client.auth_method == method)
        .ok_or(refuse(OAuthError::InvalidClient))?;
    let authenticated = match presented {
        Presented::Basic { secret, .. } => client.secret_matches(&secret),
        Presented::Post { secret, .. } => client.secret_matches(secret),
        Presented::Public { .. } => true,
        Presented::Assertion { assertion, .. } => {
            let jwks = client.jwks.as_deref().unwrap_or("");
            match assertion::verify(
                ctx.config,
                ctx.services.signatures(),
                assertion,
                &client.id,
                jwks,
                &common::url(ctx.config, endpoint),
                ctx.now_ms,
            )
            .await
            {
                Some(verified) => first_use(ctx, &client.id, &verified).await?,
                None => false,
            }
        }
    };
    if authenticated {
        Ok(client)
    } else {
        Err(refuse(OAuthError::InvalidClient))
    }
}

/// Records an assertion's `jti` until its `exp`; `false` when it was used before.
async fn first_use<S: Services>(
    ctx: &Ctx<'_, S>,
    client_id: &str,
    verified: &assertion::Verified,
) -> Result<bool, ApiError> {
    let mut framed = alloc::vec::Vec::new();
    framed.extend_from_slice(client_id.as_bytes());
    framed.push(0);
    framed.extend_from_slice(verified.jti.as_bytes());
    let shard = alloc::format!("oauth/jti/{}", encoding::hex(&sha256(&framed)));
    let expires = verified
        .expires_at_secs
        .saturating_add(LEEWAY_SECS)
        .saturating_mul(1000);
    Ok(ctx
        .services
        .atomic()
        .compare_and_swap(
            AtomicKey::new(&shard, "jti"),
            None,
            Some("1"),
            Some(expires),
        )
        .await?)
}

/// The start the client-authenticated token endpoints share (`POST /oauth/introspect`,
/// RFC 7662; `POST /oauth/revoke`, RFC 7009): the per-address limit, a well-formed
/// form body, the client's authentication at `path`, and the required `token`. The
/// inner `Err` is the protocol's error answer, to send as it is.
pub async fn token_request<S: Services>(
    ctx: &Ctx<'_, S>,
    path: &str,
) -> Result<Result<(ClientRecord, String), Response>, ApiError> {
    ratelimit::check_ip(ctx, Scope::OAuthProvider).await?;
    let basic = ctx.request.header("authorization").is_some();
    let Ok(params) = Params::parse_body(&ctx.request.body) else {
        return Ok(Err(error::json(
            OAuthError::InvalidRequest("the body is not a well-formed form"),
            basic,
        )));
    };
    let client = match authenticate(ctx, &params, path).await {
        Ok(client) => client,
        Err(Refused::OAuth(error, basic)) => return Ok(Err(error::json(error, basic))),
        Err(Refused::Api(error)) => return Err(error),
    };
    match params.one("token") {
        Ok(Some(token)) => Ok(Ok((client, token.into()))),
        _ => Ok(Err(error::json(
            OAuthError::InvalidRequest("token is required"),
            basic,
        ))),
    }
}
