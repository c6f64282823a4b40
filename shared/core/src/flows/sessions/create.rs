//! Starting a session after a successful sign-in, and the tokens a session hands out.
//!
//! [`start`] is the one way a session comes to exist: login calls it after the
//! password (and, later, MFA) step. It writes the record with
//! `compare_and_swap(expected = None)` — a fresh random id never collides, and if it
//! did the swap would refuse rather than overwrite another session.
//!
//! Security considerations: the first refresh secret is 256 fresh random bits; only
//! its hash is stored, and the token carries the issue tag of the active data key
//! ([`crate::model::refresh_token`]). The access token's `exp` is capped at the session's end.

use alloc::string::String;

use crate::ctx::{Ctx, Services};
use crate::error::{ApiError, Internal};
use crate::model::refresh_token::{RefreshToken, SECRET_BYTES};
use crate::model::session::{self, Mode, Rotation, SessionRecord, MAX_USER_AGENT_CHARS};
use crate::model::user::{self, UserRecord};
use crate::policy::token::{self, Grant, IssuedAccessToken};
use crate::secret::Secret;

/// What a session hands to the client: both tokens, and the record they belong to.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The session as stored after this issuance.
    pub session: SessionRecord,
    /// The refresh token to deliver.
    pub refresh_token: RefreshToken,
    /// The access token to deliver.
    pub access: IssuedAccessToken,
}

/// Signs an access token for `session` on behalf of `user` (roles as stored now).
pub fn access_token<S: Services>(
    ctx: &Ctx<'_, S>,
    user: &UserRecord,
    session: &SessionRecord,
) -> Result<IssuedAccessToken, ApiError> {
    token::issue(
        ctx.config,
        ctx.services.random(),
        ctx.now_ms,
        Grant {
            user_id: &user.id,
            session_id: &session.id,
            roles: &user.roles,
            session_ends_at_secs: session.ends_at_ms(ctx.config) / 1000,
        },
    )
}

/// Creates a session for `user` delivered in `mode`, and issues its first tokens.
/// The session belongs to `user.session_epoch` ([`crate::policy::session_epoch`]): pass the record
/// the sign-in was decided on.
pub async fn start<S: Services>(
    ctx: &Ctx<'_, S>,
    user: &UserRecord,
    mode: Mode,
) -> Result<Issued, ApiError> {
    let random = ctx.services.random();
    let session_id = user::new_id(random)?;
    let secret: [u8; SECRET_BYTES] = crate::env::random_array(random)?;
    let refresh_token = RefreshToken::issue(
        ctx.config.data_encryption_keys.active(),
        &user.id,
        &session_id,
        Secret::new(secret.to_vec()),
    );
    let user_agent: Option<String> = ctx
        .request
        .header("user-agent")
        .map(|ua| ua.chars().take(MAX_USER_AGENT_CHARS).collect());
    let session = SessionRecord {
        id: session_id,
        user_id: user.id.clone(),
        created_at_ms: ctx.now_ms,
        last_used_at_ms: ctx.now_ms,
        user_agent,
        ip_prefix: ctx.client_ip().map(crate::policy::net::storage_prefix),
        mode,
        revoked: false,
        rotation: Rotation {
            generation: 0,
            current_hash: refresh_token.secret_hash(),
            previous_hash: None,
            rotated_at_ms: ctx.now_ms,
            successor_key_id: None,
        },
        epoch: user.session_epoch,
        oauth: None,
        reauthenticated_at_ms: None,
    };
    if !session::swap(ctx.services.atomic(), ctx.config, None, &session).await? {
        return Err(ApiError::Unavailable(Internal("session id collision")));
    }
    let access = access_token(ctx, user, &session)?;
    Ok(Issued {
        session,
        refresh_token,
        access,
    })
}
