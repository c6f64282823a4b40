//! Rate limits (docs/contract.md §7): per client address for login, registration, forgot-password
//! and refresh; per user for the API; and the per-isolate bound on password hashing.
//!
//! - [`window`]: the sliding-window arithmetic (pure, property-tested).
//! - [`limiter`]: that arithmetic over atomic counters in the [`crate::AtomicStore`].
//! - [`crate::memory::hashing`]: the per-isolate bound on hashing work in flight.
//! - [`check_ip`], [`per_user`] ([`PerUser`]), [`admit_registration`]: what the
//!   pipeline and the flows call.
//!
//! | limit | default (`Config.rate_limits`) | key | where it is checked |
//! |---|---|---|---|
//! | login | 20 / 60 s (`RATE_LIMIT_LOGIN_PER_IP`) | client address | `POST /auth/login`, after body validation, before any lookup or hash |
//! | register | 5 / 3600 s (`RATE_LIMIT_REGISTER_PER_IP`) | client address | `POST /auth/register`, after validation and policy, before any lookup or hash |
//! | forgot | 5 / 3600 s (`RATE_LIMIT_FORGOT_PER_IP`) | client address | `POST /auth/password/forgot`, after validation, before any lookup |
//! | refresh | 60 / 60 s (`RATE_LIMIT_REFRESH_PER_IP`) | client address | `POST /auth/session/refresh`, before the token is read |
//! | oauth-provider | 120 / 60 s (`RATE_LIMIT_OAUTH_PROVIDER_PER_IP`) | client address | `GET /oauth/authorize`, `POST /oauth/token`, `/oauth/revoke`, `/oauth/introspect`, before any store work |
//! | oauth-register | 10 / 3600 s (`RATE_LIMIT_OAUTH_REGISTER_PER_IP`) | client address | `POST /oauth/register`, before the metadata is read |
//! | social sign-in | 30 / 60 s (`RATE_LIMIT_OAUTH_PER_IP`) | client address | `GET /auth/oauth/{provider}/start`, `POST …/link`, `GET|POST …/callback`, before any store or provider work |
//! | API | 600 / 60 s (`RATE_LIMIT_API_PER_USER`) | user id | every protected `api` route, after authentication and authorisation |
//! | sessions | 120 / 60 s (`RATE_LIMIT_SESSIONS_PER_USER`) | user id | `GET /auth/session`, `GET /auth/sessions`, `DELETE /auth/sessions/{id}`, `POST /auth/session/logout-all`, after authentication |
//!
//! Over a limit: `429 rate_limited` with `Retry-After` (whole seconds until one more
//! request would be allowed). The body is the same problem document whatever the
//! request said, so known and unknown emails cannot be told apart by it.
//!
//! **Client address.** `CLIENT_IP_HEADER` ([`crate::ctx::Ctx::client_ip`]); IPv4 as
//! is, IPv6 by its /64 ([`crate::policy::net::rate_limit_key`]: one subscriber's allocation,
//! so rotating through it gains nothing). A request without a parseable address —
//! header missing or malformed, which on Cloudflare means a misconfigured
//! `CLIENT_IP_HEADER` — is counted under one shared key, [`UNKNOWN_CLIENT`]: such
//! clients share one budget. That fails closed (a flood without the header cannot
//! escape the limit) at the price that a misconfiguration limits everyone together,
//! which shows up at once and is fixed in configuration.
//!
//! Requests rejected before the limit (malformed bodies, `400`/`413`/`415`) are not
//! counted: they cost no store access or hash, and counting them would let one
//! client's typos spend another's budget behind the same NAT for nothing.
//!
//! Storage: shard `ratelimit/ip/{key}` (names `{scope}/{window}`),
//! `ratelimit/user/{user_id}` (names `api/{window}`, `sessions/{window}`) and, for the
//! reset-mail cap, `ratelimit/email/{email index}` (names `forgot/{window}`) in the
//! AtomicStore. The last two are derived from an account; erasing it deletes them
//! ([`forget_account`]).
//!
//! The session routes have their own per-user budget rather than the API's: listing
//! and revoking sessions read or write every session of the user, and a client polling
//! `GET /auth/session` should not spend its API budget. `POST /auth/session/refresh`
//! and `POST /auth/session/logout` are not counted here: refresh has its per-address
//! limit, and a logout ends the credential it was made with.
//!
//! Security considerations: counters are atomic increments, so concurrent bursts
//! cannot overshoot (see [`limiter`]); a store failure is `503`, never a free pass.
//! The per-user limits reserve their increments in blocks per isolate under
//! `SESSION_CHECK=cached` ([`crate::memory::leases`]: the same upper bound, a stated
//! early-refusal error); the per-address limits, the lockout and refresh rotation
//! always use the exact, per-request operations.

pub mod limiter;

#[cfg(test)]
mod tests;

pub use crate::memory::{HashGate, HashPermit};

use alloc::format;
use alloc::string::String;

use crate::config::{Config, RateLimit, SessionCheck};
use crate::ctx::{Ctx, Services};
use crate::error::ApiError;
use crate::policy::window::{self, Decision, SlidingWindow};
use crate::store::AtomicStore;

/// The shared key of requests whose client address could not be read.
pub const UNKNOWN_CLIENT: &str = "unknown";

/// A per-address limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `POST /auth/login`.
    Login,
    /// `POST /auth/register`.
    Register,
    /// `POST /auth/password/forgot`.
    Forgot,
    /// `POST /auth/session/refresh`.
    Refresh,
    /// The OAuth provider's authorization, token, revocation and introspection
    /// endpoints (`RATE_LIMIT_OAUTH_PROVIDER_PER_IP`).
    OAuthProvider,
    /// `POST /oauth/register` (`RATE_LIMIT_OAUTH_REGISTER_PER_IP`).
    OAuthRegister,
    /// The social sign-in routes: `GET /auth/oauth/{provider}/start`, the link start
    /// and the callback.
    OAuth,
}

impl Scope {
    /// The counter name prefix.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Register => "register",
            Self::Forgot => "forgot",
            Self::Refresh => "refresh",
            Self::OAuthProvider => "oauth-provider",
            Self::OAuthRegister => "oauth-register",
            Self::OAuth => "oauth",
        }
    }

    fn limit(self, config: &Config) -> RateLimit {
        let limits = &config.rate_limits;
        match self {
            Self::Login => limits.login_per_ip,
            Self::Register => limits.register_per_ip,
            Self::Forgot => limits.forgot_per_ip,
            Self::Refresh => limits.refresh_per_ip,
            Self::OAuthProvider => config.oauth_provider.per_ip,
            Self::OAuthRegister => config.oauth_provider.register_per_ip,
            Self::OAuth => limits.oauth_per_ip,
        }
    }
}

/// The window of a configured limit.
pub fn sliding(limit: RateLimit) -> SlidingWindow {
    SlidingWindow::per_secs(limit.limit, limit.window_secs)
}

/// The key the request's client is counted under: its address (IPv6 by /64), or
/// [`UNKNOWN_CLIENT`].
pub fn client_key<S: Services>(ctx: &Ctx<'_, S>) -> String {
    ctx.client_ip()
        .map(crate::policy::net::rate_limit_key)
        .unwrap_or_else(|| String::from(UNKNOWN_CLIENT))
}

/// Turns a verdict into `Ok` or `429` with `Retry-After`.
pub fn enforce(decision: Decision) -> Result<(), ApiError> {
    match decision {
        Decision::Allowed => Ok(()),
        Decision::Limited { retry_after_ms } => Err(ApiError::RateLimited {
            retry_after_secs: window::retry_after_secs(retry_after_ms),
        }),
    }
}

/// Counts this request against its client address's `scope` limit; `429` when over.
pub async fn check_ip<S: Services>(ctx: &Ctx<'_, S>, scope: Scope) -> Result<(), ApiError> {
    let shard = format!("ratelimit/ip/{}", client_key(ctx));
    let window = sliding(scope.limit(ctx.config));
    let decision = limiter::hit(
        ctx.services.atomic(),
        &ctx.memory.settled,
        &shard,
        scope.as_str(),
        window,
        ctx.now_ms,
    )
    .await?;
    enforce(decision)
}

/// The shard of a user's API and session-routes counters.
pub fn user_shard(user_id: &str) -> String {
    format!("ratelimit/user/{user_id}")
}

/// The shard of an address's reset-mail cap (`POST /auth/password/forgot`), by its
/// email blind index.
pub fn email_shard(index: &str) -> String {
    format!("ratelimit/email/{index}")
}

/// Deletes the live counters derived from an erased account: its API and
/// session-routes counters and the reset-mail cap of its address under `indexes`
/// (every data key's index).
pub async fn forget_account(
    atomic: &impl AtomicStore,
    config: &Config,
    user_id: &str,
    indexes: &[String],
    now_ms: u64,
) -> Result<(), ApiError> {
    let limits = &config.rate_limits;
    for budget in [PerUser::Api, PerUser::Sessions] {
        limiter::clear(
            atomic,
            &user_shard(user_id),
            budget.counter(),
            sliding(budget.limit(limits)),
            now_ms,
        )
        .await?;
    }
    for index in indexes {
        limiter::clear(
            atomic,
            &email_shard(index),
            Scope::Forgot.as_str(),
            sliding(limits.forgot_per_ip),
            now_ms,
        )
        .await?;
    }
    Ok(())
}

/// The counter name of the per-user API limit.
const API_COUNTER: &str = "api";
/// The counter name of the per-user session-routes limit.
const SESSIONS_COUNTER: &str = "sessions";

/// A per-user budget: which of the caller's counters an authenticated route spends
/// (the route tables name it, [`crate::app::Route::per_user`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PerUser {
    /// `RATE_LIMIT_API_PER_USER`: every protected route.
    Api,
    /// `RATE_LIMIT_SESSIONS_PER_USER`: the `refresh` function's session routes that
    /// an access token authenticates.
    Sessions,
}

impl PerUser {
    fn counter(self) -> &'static str {
        match self {
            Self::Api => API_COUNTER,
            Self::Sessions => SESSIONS_COUNTER,
        }
    }

    fn limit(self, limits: &crate::config::RateLimits) -> RateLimit {
        match self {
            Self::Api => limits.api_per_user,
            Self::Sessions => limits.sessions_per_user,
        }
    }
}

/// Counts this request against `user_id`'s `budget`; `429` when over. The pipeline
/// calls it once, right after the gate has authenticated (and, for a protected route,
/// authorised) the caller, so requests refused before (`401`, `403`) cost no counter
/// write and public routes are never counted.
///
/// Under `SESSION_CHECK=cached` the counter's positions are reserved in blocks per
/// isolate ([`limiter::hit_leased`], [`crate::memory::leases`]): never more admitted
/// than the exact count allows, at most the stated number refused early; `strict`
/// increments the counter for every request ([`limiter::hit`]).
pub async fn per_user<S: Services>(
    ctx: &Ctx<'_, S>,
    budget: PerUser,
    user_id: &str,
) -> Result<(), ApiError> {
    let shard = user_shard(user_id);
    let window = sliding(budget.limit(&ctx.config.rate_limits));
    let atomic = ctx.services.atomic();
    let decision = match ctx.config.session_check {
        SessionCheck::Cached => {
            limiter::hit_leased(
                atomic,
                &ctx.memory.leases,
                &ctx.memory.settled,
                &shard,
                budget.counter(),
                window,
                ctx.now_ms,
            )
            .await?
        }
        SessionCheck::Strict => {
            limiter::hit(
                atomic,
                &ctx.memory.settled,
                &shard,
                budget.counter(),
                window,
                ctx.now_ms,
            )
            .await?
        }
    };
    enforce(decision)
}

/// What `POST /auth/register` passes before its lookup and hash: the per-address
/// registration limit, then the isolate's hashing gate (held until the permit drops).
pub async fn admit_registration<'a, S: Services>(
    ctx: &Ctx<'a, S>,
) -> Result<HashPermit<'a>, ApiError> {
    check_ip(ctx, Scope::Register).await?;
    ctx.memory.hashing.admit()
}
