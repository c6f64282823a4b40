//! The guard's decision for one request (see the crate docs for the order and why).
//!
//! Security considerations:
//! - Fail closed: no key set, an unreadable one, an introspection that does not answer
//!   or answers something unexpected is `503`; a session answer about another user or
//!   session than the token's is `401`.
//! - The bound: a session answer fetched at `sent` (this clock, before the call) and
//!   `age_ms` old when edgeauth gave it is used until `sent − age_ms + bound`, which is
//!   never later than the bound after edgeauth read the records (edgeauth's answer
//!   came after `sent`, so its read was at or after `sent − age_ms`). No clock is
//!   compared with another's.
//! - Writes are never served from a remembered answer, and in `strict` mode nothing is.

use edgeauth_core::config::SessionCheck;
use edgeauth_core::crypto::signature::SignatureVerifier;
use edgeauth_core::env::Clock;
use edgeauth_core::error::Internal;
use edgeauth_core::flows::auth::access_credential;
use edgeauth_core::http::Request;
use edgeauth_core::policy::csrf::{self, CsrfParts};
use edgeauth_core::policy::token::{self, TokenError, VerifiedAccessToken};
use edgeauth_core::ApiError;
use serde::Deserialize;
use std::rc::Rc;

use crate::config::GuardConfig;
use crate::keys::KeySet;
use crate::memory::{Checked, GuardMemory};
use crate::principal::Principal;
use crate::upstream::{Answer, Call, Upstream};
use crate::REVOCATION_BOUND_MS;

/// A guard: a validated configuration. Cheap to keep for an isolate's life.
#[derive(Debug, Clone)]
pub struct Guard {
    config: GuardConfig,
}

/// The body of a `200` from `/auth/introspect`.
#[derive(Debug, Deserialize)]
struct Introspection {
    active: bool,
    sub: String,
    sid: String,
    roles: Vec<String>,
    #[serde(default)]
    email_verified: bool,
    #[serde(default)]
    age_ms: u64,
}

/// The problem code of an error answer.
#[derive(Debug, Deserialize)]
struct Problem {
    #[serde(default)]
    code: String,
}

fn unavailable(cause: &'static str) -> ApiError {
    ApiError::Unavailable(Internal(cause))
}

impl Guard {
    /// A guard for `config`.
    pub fn new(config: GuardConfig) -> Self {
        Self { config }
    }

    /// The configuration.
    pub fn config(&self) -> &GuardConfig {
        &self.config
    }

    /// Authenticates `request`: the token, the CSRF rule, the session (see the crate
    /// docs). Authorisation is the caller's next step ([`Principal::require_role`],
    /// [`Principal::require`]).
    pub async fn authenticate<U: Upstream, V: SignatureVerifier, C: Clock>(
        &self,
        request: &Request,
        memory: &GuardMemory,
        upstream: &U,
        verifier: &V,
        clock: &C,
    ) -> Result<Principal, ApiError> {
        let now_ms = clock.now_ms();
        let (token, via) = access_credential(request)?;
        let verified = self
            .verify_token(token, memory, upstream, verifier, now_ms)
            .await?;
        let parts = CsrfParts::of(request, via, &verified.session_id);
        let csrf_token = csrf::check_request(&parts, |origin| self.config.origin_allowed(origin))?;

        let strict = self.config.session_check == SessionCheck::Strict;
        let fresh = strict || !request.method.is_safe();
        let remembered = (!fresh)
            .then(|| memory.recall(&verified.user_id, &verified.session_id, now_ms))
            .flatten();
        let checked = match remembered {
            Some(checked) => checked,
            None => {
                let sent_ms = clock.now_ms();
                let answer = upstream
                    .call(Call::Introspect {
                        token,
                        fresh,
                        csrf_token,
                    })
                    .await
                    .map_err(|_| unavailable("edgeauth introspection unreachable"))?;
                let checked = session_answer(&answer, &verified, sent_ms)?;
                if !strict {
                    memory.remember(&verified.user_id, &verified.session_id, checked.clone());
                }
                checked
            }
        };
        Ok(Principal {
            user_id: verified.user_id,
            session_id: verified.session_id,
            roles: checked.roles,
            email_verified: checked.email_verified,
            via,
            token_expires_at_secs: verified.expires_at_secs,
            checked_at_ms: checked.checked_at_ms,
        })
    }

    /// edgeauth's token check against the published keys, fetching them when missing,
    /// expired, or (after the cool-down) when the token names a key not in them.
    async fn verify_token<U: Upstream, V: SignatureVerifier>(
        &self,
        token: &str,
        memory: &GuardMemory,
        upstream: &U,
        verifier: &V,
        now_ms: u64,
    ) -> Result<VerifiedAccessToken, ApiError> {
        let set = match memory.key_set().filter(|set| set.is_fresh(now_ms)) {
            Some(set) => set,
            None => fetch_keys(memory, upstream, now_ms).await?,
        };
        let expected = set.expecting(&self.config.issuer, &self.config.audience);
        match token::verify_with(&expected, &memory.tokens, verifier, token, now_ms).await {
            Err(TokenError::UnknownKey) if set.may_refetch_for_unknown_kid(now_ms) => {
                let set = fetch_keys(memory, upstream, now_ms).await?;
                let expected = set.expecting(&self.config.issuer, &self.config.audience);
                Ok(token::verify_with(&expected, &memory.tokens, verifier, token, now_ms).await?)
            }
            result => Ok(result?),
        }
    }
}

/// Fetches and keeps the key set (fail closed: no set, no pass).
async fn fetch_keys<U: Upstream>(
    memory: &GuardMemory,
    upstream: &U,
    now_ms: u64,
) -> Result<Rc<KeySet>, ApiError> {
    let answer = upstream
        .call(Call::Jwks)
        .await
        .map_err(|_| unavailable("edgeauth key set unreachable"))?;
    if answer.status != 200 {
        return Err(unavailable("edgeauth key set not served"));
    }
    let set = KeySet::parse(&answer.body, answer.cache_control.as_deref(), now_ms)
        .map_err(|error| unavailable(error.cause()))?;
    Ok(memory.keep_key_set(set))
}

/// Reads edgeauth's introspection answer into a session answer for `verified`.
fn session_answer(
    answer: &Answer,
    verified: &VerifiedAccessToken,
    sent_ms: u64,
) -> Result<Checked, ApiError> {
    match answer.status {
        200 => {}
        401 => return Err(ApiError::Unauthenticated),
        403 => {
            let problem: Option<Problem> = serde_json::from_slice(&answer.body).ok();
            return Err(match problem.map(|p| p.code).as_deref() {
                Some("csrf_failed") => ApiError::CsrfFailed,
                _ => ApiError::Forbidden,
            });
        }
        429 => {
            let retry_after_secs = answer
                .retry_after
                .as_deref()
                .and_then(|value| value.trim().parse::<u64>().ok())
                .unwrap_or(1)
                .max(1);
            return Err(ApiError::RateLimited { retry_after_secs });
        }
        _ => return Err(unavailable("edgeauth introspection failed")),
    }
    let body: Introspection = serde_json::from_slice(&answer.body)
        .map_err(|_| unavailable("edgeauth introspection unreadable"))?;
    if !body.active || body.sub != verified.user_id || body.sid != verified.session_id {
        return Err(ApiError::Unauthenticated);
    }
    let age_ms = body.age_ms.min(REVOCATION_BOUND_MS);
    let checked_at_ms = sent_ms.saturating_sub(age_ms);
    Ok(Checked {
        roles: body.roles,
        email_verified: body.email_verified,
        checked_at_ms,
        valid_until_ms: checked_at_ms.saturating_add(REVOCATION_BOUND_MS),
    })
}
