//! `POST /oauth/token` (RFC 6749 §3.2, §4.1.3, §6; OAuth 2.1 §3.2): the
//! `authorization_code` and `refresh_token` grants. No implicit, password or client
//! credentials grant exists (`unsupported_grant_type`).
//!
//! **Code exchange.** The client authenticates ([`super::client_auth`]); the code must
//! be its own, unexpired and unused, the `redirect_uri` (when sent) the request's, and
//! the PKCE verifier must match the challenge. Then, in this order:
//! 1. the grant record is created by compare-and-swap from absent — its id was fixed
//!    when the code was issued, so of two concurrent exchanges of one code only one
//!    creates it;
//! 2. the code is marked redeemed by compare-and-swap.
//!
//! A code presented after its redemption, or an exchange that finds the grant already
//! created, is a second use: the grant is revoked (so are the tokens the first use
//! produced: its refresh tokens at once, its access tokens at every check of the
//! grant), the code is marked reused, `oauth_code_reuse_detected` is audited and the
//! answer is `invalid_grant` (RFC 6749 §4.1.2). A failed check (wrong verifier, wrong
//! client) consumes nothing.
//!
//! **Refresh.** The token must be a grant's (`user.grant.secret.tag`), the grant this
//! client's; then the sessions' rotation ([`crate::flows::sessions::rotate`]) with its
//! 30 s grace window and reuse detection. A genuine token of another client's grant
//! revokes that grant (the token leaked) and is audited
//! `oauth_refresh_client_mismatch`; a forged one changes nothing. `scope` may narrow
//! the grant's scopes; `resource` picks the audience.
//!
//! Security considerations: refusals are `invalid_grant`/`invalid_client` with fixed
//! text; the user must still be allowed to sign in, and the code's session epoch must
//! still be the user's (a password reset between authorization and exchange kills the
//! code); answers are `no-store`.

use alloc::string::String;
use alloc::vec::Vec;

use super::client_auth::{self, Refused};
use super::common;
use super::tokens::{self, Handout};
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::flows::ratelimit::{self, Scope};
use crate::flows::sessions::revoke::revoke_from;
use crate::flows::sessions::rotate;
use crate::http::Response;
use crate::model::audit::AuditKind;
use crate::model::oauth_provider::client::ClientRecord;
use crate::model::oauth_provider::code::{self, CodeRecord, CodeState, LIFETIME_MS};
use crate::model::oauth_provider::grant::{Grant, GrantText};
use crate::model::refresh_token::{Provenance, RefreshToken, SECRET_BYTES};
use crate::model::session::{self, Kind, Mode, Rotation, SessionRecord, MAX_USER_AGENT_CHARS};
use crate::model::user;
use crate::policy::oauth_provider::error::{self, OAuthError};
use crate::policy::oauth_provider::params::Params;
use crate::policy::oauth_provider::{pkce, scope};
use crate::policy::session_epoch;
use crate::secret::Secret;

/// A token request's outcome before it becomes an answer.
enum Failed {
    OAuth(OAuthError),
    Api(ApiError),
}

impl From<ApiError> for Failed {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

impl From<OAuthError> for Failed {
    fn from(error: OAuthError) -> Self {
        Self::OAuth(error)
    }
}

/// `POST /oauth/token`.
pub async fn token<S: Services>(ctx: &Ctx<'_, S>) -> Result<Response, ApiError> {
    ratelimit::check_ip(ctx, Scope::OAuthProvider).await?;
    let basic = ctx.request.header("authorization").is_some();
    let Ok(params) = Params::parse_body(&ctx.request.body) else {
        return Ok(error::json(
            OAuthError::InvalidRequest("the body is not a well-formed form"),
            basic,
        ));
    };
    let client = match client_auth::authenticate(ctx, &params, "/oauth/token").await {
        Ok(client) => client,
        Err(Refused::OAuth(error, basic)) => return Ok(error::json(error, basic)),
        Err(Refused::Api(error)) => return Err(error),
    };
    let outcome = match params.one("grant_type") {
        Ok(Some("authorization_code")) => exchange(ctx, &client, &params).await,
        Ok(Some("refresh_token")) => refresh(ctx, &client, &params).await,
        Ok(Some(_)) => Err(Failed::OAuth(OAuthError::UnsupportedGrantType)),
        Ok(None) => Err(Failed::OAuth(OAuthError::InvalidRequest(
            "grant_type is required",
        ))),
        Err(_) => Err(Failed::OAuth(OAuthError::InvalidRequest(
            "a parameter is repeated",
        ))),
    };
    match outcome {
        Ok(response) => Ok(response),
        Err(Failed::OAuth(error)) => Ok(error::json(error, basic)),
        Err(Failed::Api(error)) => Err(error),
    }
}

fn one<'p>(params: &'p Params, name: &'static str) -> Result<Option<&'p str>, Failed> {
    params
        .one(name)
        .map_err(|_| Failed::OAuth(OAuthError::InvalidRequest("a parameter is repeated")))
}

const BAD_CODE: OAuthError =
    OAuthError::InvalidGrant("the code is invalid, expired, used or not this client's");

/// The `authorization_code` grant.
async fn exchange<S: Services>(
    ctx: &Ctx<'_, S>,
    client: &ClientRecord,
    params: &Params,
) -> Result<Response, Failed> {
    let atomic = ctx.services.atomic();
    let presented = one(params, "code")?.ok_or(OAuthError::InvalidRequest("code is required"))?;
    let verifier = one(params, "code_verifier")?.ok_or(OAuthError::InvalidRequest(
        "code_verifier is required (PKCE)",
    ))?;
    let redirect = one(params, "redirect_uri")?;
    let requested_resource = one(params, "resource")?;
    let key = code::key_of(presented);
    let (record, raw) = code::load(atomic, &key).await?.ok_or(BAD_CODE)?;
    if record.state != CodeState::Issued {
        return Err(second_use(ctx, &key, record, raw).await);
    }
    if ctx.now_ms > record.issued_at_ms.saturating_add(LIFETIME_MS) || record.client_id != client.id
    {
        return Err(BAD_CODE.into());
    }
    if redirect.is_some_and(|uri| uri != record.redirect_uri) {
        return Err(OAuthError::InvalidGrant(
            "redirect_uri differs from the authorization request",
        )
        .into());
    }
    if !pkce::verifies(verifier, &record.code_challenge) {
        return Err(OAuthError::InvalidGrant(
            "the code_verifier does not match the code_challenge",
        )
        .into());
    }
    let grant = Grant {
        client_id: client.id.clone(),
        scopes: record.scopes.clone(),
        resources: record.resources.clone(),
        auth_time_secs: record.auth_time_secs,
    };
    let audience = common::audience(ctx.config, &grant, requested_resource)?;
    let user = user::load(atomic, &record.user_id)
        .await?
        .filter(|user| user.may_sign_in(ctx.config) && user.session_epoch == record.epoch)
        .ok_or(BAD_CODE)?;

    // 1. The grant, from absent: the loser of two concurrent exchanges finds it.
    let secret: [u8; SECRET_BYTES] =
        crate::env::random_array(ctx.services.random()).map_err(ApiError::from)?;
    let refresh_token = RefreshToken::issue(
        ctx.config.data_encryption_keys.active(),
        &user.id,
        &record.grant_id,
        Secret::new(secret.to_vec()),
    );
    let grant_record = SessionRecord {
        id: record.grant_id.clone(),
        user_id: user.id.clone(),
        created_at_ms: ctx.now_ms,
        last_used_at_ms: ctx.now_ms,
        user_agent: ctx
            .request
            .header("user-agent")
            .map(|ua| ua.chars().take(MAX_USER_AGENT_CHARS).collect()),
        ip_prefix: ctx.client_ip().map(crate::policy::net::storage_prefix),
        mode: Mode::Token,
        revoked: false,
        rotation: Rotation {
            generation: 0,
            current_hash: refresh_token.secret_hash(),
            previous_hash: None,
            rotated_at_ms: ctx.now_ms,
            successor_key_id: None,
        },
        epoch: record.epoch,
        // A grant is never a browser session: recent authentication (passkey
        // management) is not a property it can carry.
        reauthenticated_at_ms: None,
        oauth: Some(GrantText::of(&grant)?),
    };
    if !session::swap(atomic, ctx.config, None, &grant_record).await? {
        return Err(second_use(ctx, &key, record, raw).await);
    }
    // 2. The code, redeemed: a reuse that marked it meanwhile revokes what we made.
    if !code::mark(atomic, &key, &raw, &record, CodeState::Redeemed, ctx.now_ms).await? {
        let grant_raw = session::encode(&grant_record)?;
        revoke_from(ctx, grant_record, grant_raw).await?;
        return Err(BAD_CODE.into());
    }
    ctx.audit(
        AuditKind::OauthTokenIssued,
        None,
        Some(&user.id),
        &[
            ("client_id", client.id.as_str()),
            ("grant_id", record.grant_id.as_str()),
        ],
    )?;
    let deliver = tokens::gets_refresh_token(client, &grant).then_some(&refresh_token);
    Ok(tokens::answer(
        ctx,
        Handout {
            client,
            record: &grant_record,
            grant: &grant,
            audience: &audience,
            scopes: &grant.scopes,
            refresh_token: deliver,
            nonce: record.nonce.as_deref(),
        },
    )
    .await?)
}

/// A code presented again: revoke its grant, mark it reused, audit, refuse.
async fn second_use<S: Services>(
    ctx: &Ctx<'_, S>,
    key: &str,
    record: CodeRecord,
    raw: String,
) -> Failed {
    let atomic = ctx.services.atomic();
    let result: Result<(), ApiError> = async {
        if let Some((grant, grant_raw)) =
            session::load_raw_of(atomic, Kind::Grant, &record.user_id, &record.grant_id).await?
        {
            revoke_from(ctx, grant, grant_raw).await?;
        }
        if record.state != CodeState::Reused {
            // Best effort: a lost race means another request marked it.
            code::mark(atomic, key, &raw, &record, CodeState::Reused, ctx.now_ms).await?;
        }
        ctx.audit(
            AuditKind::OauthCodeReuseDetected,
            None,
            Some(&record.user_id),
            &[
                ("client_id", record.client_id.as_str()),
                ("grant_id", record.grant_id.as_str()),
            ],
        )?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Failed::OAuth(BAD_CODE),
        Err(error) => Failed::Api(error),
    }
}

const BAD_REFRESH: OAuthError =
    OAuthError::InvalidGrant("the refresh token is invalid, expired, revoked or not this client's");

/// The `refresh_token` grant.
async fn refresh<S: Services>(
    ctx: &Ctx<'_, S>,
    client: &ClientRecord,
    params: &Params,
) -> Result<Response, Failed> {
    let atomic = ctx.services.atomic();
    let text = one(params, "refresh_token")?
        .ok_or(OAuthError::InvalidRequest("refresh_token is required"))?;
    let requested_scope = one(params, "scope")?;
    let requested_resource = one(params, "resource")?;
    let presented = RefreshToken::parse(text).ok_or(BAD_REFRESH)?;
    let (stored, stored_raw) = session::load_raw_of(
        atomic,
        Kind::Grant,
        &presented.user_id,
        &presented.session_id,
    )
    .await?
    .ok_or(BAD_REFRESH)?;
    let stored_grant = stored.grant();
    let holder = stored_grant.as_ref().map(|grant| grant.client_id.as_str());
    if holder != Some(client.id.as_str()) {
        let genuine = presented.matches(&stored.rotation.current_hash)
            || stored
                .rotation
                .previous_hash
                .as_deref()
                .is_some_and(|previous| presented.matches(previous))
            || presented.provenance(ctx.config) == Provenance::Issued;
        if genuine {
            let user_id = stored.user_id.clone();
            let grant_id = stored.id.clone();
            let holder = String::from(holder.unwrap_or_default());
            revoke_from(ctx, stored, stored_raw).await?;
            ctx.audit(
                AuditKind::OauthRefreshClientMismatch,
                None,
                Some(&user_id),
                &[
                    ("client_id", holder.as_str()),
                    ("presented_by", client.id.as_str()),
                    ("grant_id", grant_id.as_str()),
                ],
            )?;
        }
        return Err(BAD_REFRESH.into());
    }
    if !client.refresh_tokens {
        return Err(OAuthError::UnauthorizedClient.into());
    }
    // Scope and audience are checked before the token is consumed.
    let stored_grant = stored_grant.ok_or(BAD_REFRESH)?;
    let scopes: Vec<String> = match requested_scope {
        None => stored_grant.scopes.clone(),
        Some(text) => {
            let asked = scope::parse(ctx.config, Some(text)).ok_or(OAuthError::InvalidScope)?;
            if !asked
                .iter()
                .all(|scope| stored_grant.scopes.contains(scope))
            {
                return Err(OAuthError::InvalidScope.into());
            }
            asked
        }
    };
    let audience = common::audience(ctx.config, &stored_grant, requested_resource)?;
    let rotated = match rotate::rotate(ctx, &presented, Kind::Grant).await {
        Ok(rotated) => rotated,
        Err(ApiError::Unauthenticated) => return Err(BAD_REFRESH.into()),
        Err(error) => return Err(error.into()),
    };
    let grant = rotated.record.grant().ok_or(BAD_REFRESH)?;
    if grant != stored_grant || !session_epoch::admits(&rotated.user, &rotated.record) {
        return Err(BAD_REFRESH.into());
    }
    Ok(tokens::answer(
        ctx,
        Handout {
            client,
            record: &rotated.record,
            grant: &grant,
            audience: &audience,
            scopes: &scopes,
            refresh_token: Some(&rotated.refresh_token),
            nonce: None,
        },
    )
    .await?)
}
