//! What the provider's flows share: its endpoints and resource identifiers, the
//! audience rule of RFC 8707, and reading a client or a grant that is still live.
//!
//! Security considerations: [`live_grant`] is the one check of a grant's life — the
//! record exists, is not revoked or past its idle or absolute end, is not older than
//! the kill switch, its user may still sign in and the user's session epoch has not
//! moved past it — used by token refresh (through the sessions' rotation, which makes
//! the same checks), introspection, userinfo and the `api`; a client is live when it
//! exists and is not disabled.

use alloc::string::String;
use alloc::vec::Vec;

use crate::config::oauth_provider::{API_RESOURCE_PATH, USERINFO_PATH};
use crate::config::Config;
use crate::ctx::{Ctx, Services};
use crate::error::{ApiError, Internal};
use crate::flows::auth;
use crate::http::Response;
use crate::model::oauth_provider::client::{self, ClientRecord};
use crate::model::oauth_provider::grant::Grant;
use crate::model::session::{Kind, SessionRecord};
use crate::model::user::UserRecord;
use crate::policy::oauth_provider::error::OAuthError;
use crate::policy::oauth_provider::scope::OPENID;

/// The provider's URL of `path`.
pub fn url(config: &Config, path: &str) -> String {
    alloc::format!("{}{path}", config.public_origin)
}

/// The `api` function's resource identifier: `PUBLIC_ORIGIN/api`.
pub fn api_resource(config: &Config) -> String {
    url(config, API_RESOURCE_PATH)
}

/// The userinfo endpoint's identifier: the audience of tokens issued without a
/// resource indicator.
pub fn userinfo_resource(config: &Config) -> String {
    url(config, USERINFO_PATH)
}

/// Whether a client may ask for `resource`: the `api`, or one of `OAUTH_RESOURCES`.
pub fn is_known_resource(config: &Config, resource: &str) -> bool {
    resource == api_resource(config)
        || config
            .oauth_provider
            .resources
            .iter()
            .any(|r| r == resource)
}

/// Every resource a client may ask for, the `api` first.
pub fn resources(config: &Config) -> Vec<String> {
    let mut all = alloc::vec![api_resource(config)];
    all.extend(config.oauth_provider.resources.iter().cloned());
    all
}

/// The audience of an access token for `grant` (RFC 8707 §2.2): the `resource` the
/// token request names, which must be one of the grant's (or userinfo's, when the grant
/// has `openid`); without one, the grant's only resource, or userinfo's when it has
/// none. A grant of several resources needs the request to name one.
pub fn audience(
    config: &Config,
    grant: &Grant,
    requested: Option<&str>,
) -> Result<String, OAuthError> {
    let userinfo = userinfo_resource(config);
    let openid = grant.scopes.iter().any(|scope| scope == OPENID);
    match requested {
        Some(resource) if grant.resources.iter().any(|r| r == resource) => Ok(resource.into()),
        Some(resource) if resource == userinfo && openid => Ok(userinfo),
        Some(_) => Err(OAuthError::InvalidTarget),
        None => match grant.resources.as_slice() {
            [] => Ok(userinfo),
            [only] => Ok(only.clone()),
            _ => Err(OAuthError::InvalidTarget),
        },
    }
}

/// The client `client_id`, when it exists and is not disabled.
pub async fn live_client<S: Services>(
    ctx: &Ctx<'_, S>,
    client_id: &str,
) -> Result<Option<ClientRecord>, ApiError> {
    Ok(client::load(ctx.services.atomic(), client_id)
        .await?
        .filter(|client| !client.disabled))
}

/// A grant that is still live, with its user as stored now.
#[derive(Debug, Clone)]
pub struct LiveGrant {
    /// The grant's record (a session record named `grant/{id}`).
    pub record: SessionRecord,
    /// What it covers.
    pub grant: Grant,
    /// Its user.
    pub user: UserRecord,
}

/// Grant `grant_id` of `user_id`, when it is live (see the module docs); one store
/// round trip for the grant and the user (both in the user's shard).
pub async fn live_grant<S: Services>(
    ctx: &Ctx<'_, S>,
    user_id: &str,
    grant_id: &str,
) -> Result<Option<LiveGrant>, ApiError> {
    let Some((record, user)) = auth::admit(ctx, Kind::Grant, user_id, grant_id).await? else {
        return Ok(None);
    };
    let Some(grant) = record.grant() else {
        return Err(ApiError::Internal(Internal(
            "grant record without its grant",
        )));
    };
    Ok(Some(LiveGrant {
        record,
        grant,
        user,
    }))
}

/// Marks an answer as never to be cached (RFC 6749 §5.1: `Cache-Control: no-store`
/// and `Pragma: no-cache` on token answers).
pub fn no_store(mut response: Response) -> Response {
    response.set_header("Cache-Control", "no-store");
    response.set_header("Pragma", "no-cache");
    response
}

/// A `303 See Other` to `location`.
pub fn see_other(location: &str) -> Response {
    let mut response = Response::empty(303);
    response.set_header("Location", location);
    response
}
