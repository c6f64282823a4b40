//! `POST /oauth/register`: dynamic client registration (RFC 7591), what MCP clients
//! use to introduce themselves to an authorization server they have never seen.
//!
//! Off unless `OAUTH_DYNAMIC_REGISTRATION` says `open` or `allowlist` (`404`
//! otherwise, and discovery does not advertise it). Each registration counts against
//! the address's `RATE_LIMIT_OAUTH_REGISTER_PER_IP`. In `allowlist` mode every
//! redirect URI must be on an origin of `OAUTH_REGISTRATION_ALLOWLIST`, or a loopback
//! URI when that list says `loopback`; app schemes are refused (nobody can vouch for
//! who owns one).
//!
//! Security considerations: a registered client is marked `dynamic`, and the consent
//! page says that nobody verified its name and shows where it sends the browser; it
//! gains nothing without a user's consent. The secret is shown once (`201`); there is
//! no registration access token (RFC 7592 management is not offered: administrators
//! disable or delete clients). Metadata is validated by
//! [`crate::policy::oauth_provider::metadata`]; unknown members are ignored, as RFC 7591 asks.

use super::clients::{create, ClientView};
use crate::config::oauth_provider::is_loopback_host;
use crate::config::Registration;
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::ratelimit::{self, Scope};
use crate::http::Response;
use crate::model::audit::AuditKind;
use crate::policy::oauth_provider::error::{self, OAuthError};
use crate::policy::oauth_provider::metadata::{self, Metadata};
use crate::policy::oauth_provider::redirect_uri::{classify, Kind};

/// `POST /oauth/register`.
pub async fn register<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    let config = ctx.config;
    if config.oauth_provider.registration == Registration::Off {
        return Err(ApiError::NotFound);
    }
    ratelimit::check_ip(ctx, Scope::OAuthRegister).await?;
    let metadata: Metadata = match serde_json::from_slice::<serde_json::Value>(&ctx.request.body)
        .ok()
        .filter(serde_json::Value::is_object)
        .and_then(|value| serde_json::from_value(value).ok())
    {
        Some(metadata) => metadata,
        None => {
            return Ok(error::json(
                OAuthError::InvalidClientMetadata(
                    "the body must be a JSON object of client metadata",
                ),
                false,
            ))
        }
    };
    let valid = match metadata::validate(config, metadata) {
        Ok(valid) => valid,
        Err(error) => return Ok(error::json(error, false)),
    };
    if let Registration::Allowlist { origins, loopback } = &config.oauth_provider.registration {
        let admitted = |uri: &str| match classify(uri) {
            Ok(Kind::Web) => origins.iter().any(|origin| {
                uri.strip_prefix(origin.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
            }),
            Ok(Kind::Loopback) => {
                *loopback
                    && crate::config::oauth_provider::http_host(uri)
                        .is_some_and(|(_, host)| is_loopback_host(host))
            }
            _ => false,
        };
        let all = valid
            .redirect_uris
            .iter()
            .chain(valid.post_logout_redirect_uris.iter());
        if !all.clone().all(|uri| admitted(uri)) {
            return Ok(error::json(
                OAuthError::InvalidRedirectUri("redirect_uris: not on an allowed origin"),
                false,
            ));
        }
    }
    let (client, secret) = create(ctx, valid, true, None).await?;
    ctx.audit(
        AuditKind::OauthClientRegistered,
        None,
        None,
        &[("client_id", client.id.as_str())],
    )?;
    let mut response = Response::json(201, &ClientView::of(&client, secret.as_deref()));
    response.set_header("Pragma", "no-cache");
    Ok(response)
}
