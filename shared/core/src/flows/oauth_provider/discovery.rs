//! Metadata documents: the authorization server's (RFC 8414
//! `/.well-known/oauth-authorization-server`, and the same document as OpenID Connect
//! Discovery 1.0 `/.well-known/openid-configuration`) and the `api`'s protected-resource
//! metadata (RFC 9728: `/.well-known/oauth-protected-resource/api`, the path RFC 9728
//! §3.1 derives from the resource identifier `PUBLIC_ORIGIN/api`, and the same
//! document at `/.well-known/oauth-protected-resource`, where MCP clients look first
//! on an origin).
//!
//! Security considerations: the documents are public and identical for everyone
//! (`Cache-Control: public, max-age=300`); `issuer` is `PUBLIC_ORIGIN` exactly, which
//! clients compare with the `iss` of every answer (RFC 9207) and every ID token;
//! `registration_endpoint` appears only when dynamic registration is on; RS256 is
//! listed only when its keyring is configured.

use alloc::vec::Vec;

use super::clients::auth_methods;
use super::common::{self, url};
use crate::config::Registration;
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::http::Response;
use crate::policy::oauth_provider::scope;

/// How long clients may cache the documents.
pub const CACHE_CONTROL: &str = "public, max-age=300";

fn cached(value: &serde_json::Value) -> Response {
    let mut response = Response::json(200, value);
    response.set_header("Cache-Control", CACHE_CONTROL);
    response
}

/// The ID token algorithms on offer.
fn id_token_algs<S: Services>(ctx: &Ctx<'_, S>) -> Vec<&'static str> {
    let mut algs = alloc::vec!["EdDSA"];
    if ctx.config.oauth_provider.rsa_signing_keys.is_some() {
        algs.push("RS256");
    }
    algs
}

/// `GET /.well-known/openid-configuration` and `/.well-known/oauth-authorization-server`.
pub async fn authorization_server<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let config = ctx.config;
    let mut document = serde_json::json!({
        "issuer": config.public_origin,
        "authorization_endpoint": url(config, "/oauth/authorize"),
        "token_endpoint": url(config, "/oauth/token"),
        "userinfo_endpoint": url(config, "/oauth/userinfo"),
        "jwks_uri": url(config, "/.well-known/jwks.json"),
        "revocation_endpoint": url(config, "/oauth/revoke"),
        "introspection_endpoint": url(config, "/oauth/introspect"),
        "end_session_endpoint": url(config, "/oauth/end-session"),
        "scopes_supported": scope::supported(config),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": id_token_algs(ctx),
        "token_endpoint_auth_methods_supported": auth_methods(),
        "token_endpoint_auth_signing_alg_values_supported": ["EdDSA", "ES256", "RS256"],
        "revocation_endpoint_auth_methods_supported": auth_methods(),
        "introspection_endpoint_auth_methods_supported": auth_methods(),
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "azp", "email", "email_verified"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": false,
        "authorization_response_iss_parameter_supported": true,
        "resource_indicators_supported": true,
        "protected_resources": common::resources(config),
    });
    if config.oauth_provider.registration != Registration::Off {
        if let Some(object) = document.as_object_mut() {
            object.insert(
                "registration_endpoint".into(),
                url(config, "/oauth/register").into(),
            );
        }
    }
    Ok(cached(&document))
}

/// `GET /.well-known/oauth-protected-resource[/api]`: the `api` resource's metadata.
pub async fn protected_resource<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let config = ctx.config;
    Ok(cached(&serde_json::json!({
        "resource": common::api_resource(config),
        "authorization_servers": [config.public_origin],
        "jwks_uri": url(config, "/.well-known/jwks.json"),
        "scopes_supported": [scope::PROFILE, scope::DOCUMENTS],
        "bearer_methods_supported": ["header"],
        "resource_signing_alg_values_supported": ["EdDSA"],
        "resource_name": config.pages.product_name,
    })))
}
