//! edgeauth's published key set (`GET /.well-known/jwks.json`), as the token check's
//! [`TokenKeys`]: the EdDSA keys by `kid`, with the issuer and audience the guard
//! requires.
//!
//! When to fetch it again (the decision is [`KeySet::is_fresh`] and
//! [`KeySet::may_refetch_for_unknown_kid`]; the fetching is [`crate::Guard`]'s):
//! - once its `max-age` has passed (edgeauth sends 300 s; kept between
//!   [`MIN_MAX_AGE_MS`] and [`MAX_MAX_AGE_MS`] whatever is sent);
//! - when a token names a `kid` the set lacks — a key edgeauth started signing with
//!   after a compromise, without the usual wait (docs/sessions.md §7) — at most once
//!   per [`UNKNOWN_KID_COOLDOWN_MS`], so tokens with made-up key ids cannot make every
//!   request a fetch.
//!
//! Security considerations: the set is parsed by `crypto::jwk` (strict: a private
//! member, a duplicate `kid` or an oversized document refuses the whole set); only
//! EdDSA keys with a `kid` are kept, since edgeauth signs access tokens with nothing
//! else and the token check refuses any other `alg` before a key is looked up. A key
//! removed from the set stops verifying here at the next fetch, and a remembered
//! token is used only while its `kid` names the same key (by SHA-256 fingerprint).

use edgeauth_core::crypto::jwk::{self, JwkError};
use edgeauth_core::crypto::kdf::sha256;
use edgeauth_core::crypto::signature::Algorithm;
use edgeauth_core::policy::token::{TokenKeys, VerificationKey};

/// Shortest time a fetched set is kept (a `max-age` below it is raised).
pub const MIN_MAX_AGE_MS: u64 = 60_000;
/// Longest time a fetched set is kept (a `max-age` above it, or none, is lowered).
pub const MAX_MAX_AGE_MS: u64 = 3_600_000;
/// How long a set is kept without a `max-age`: edgeauth's own.
pub const DEFAULT_MAX_AGE_MS: u64 = 300_000;
/// Least time between two fetches caused by unknown key ids.
pub const UNKNOWN_KID_COOLDOWN_MS: u64 = 30_000;

#[derive(Debug, Clone)]
struct Key {
    kid: String,
    spki: Vec<u8>,
    fingerprint: [u8; 32],
}

/// A fetched key set and when it was fetched.
#[derive(Debug, Clone)]
pub struct KeySet {
    keys: Vec<Key>,
    fetched_at_ms: u64,
    max_age_ms: u64,
}

/// `max-age` of a `Cache-Control` value, in ms.
fn max_age_ms(cache_control: Option<&str>) -> u64 {
    let seconds = cache_control.and_then(|value| {
        value.split(',').find_map(|directive| {
            let (name, seconds) = directive.trim().split_once('=')?;
            name.eq_ignore_ascii_case("max-age")
                .then(|| seconds.trim().parse::<u64>().ok())
                .flatten()
        })
    });
    seconds
        .map_or(DEFAULT_MAX_AGE_MS, |s| s.saturating_mul(1000))
        .clamp(MIN_MAX_AGE_MS, MAX_MAX_AGE_MS)
}

impl KeySet {
    /// Reads a JWK Set document fetched at `now_ms` with `cache_control`.
    pub fn parse(json: &[u8], cache_control: Option<&str>, now_ms: u64) -> Result<Self, JwkError> {
        let keys = jwk::parse_jwks(json)?
            .into_iter()
            .filter(|key| key.algorithm == Algorithm::EdDsa)
            .filter_map(|key| {
                let kid = key.kid?;
                let fingerprint = sha256(&key.spki);
                Some(Key {
                    kid,
                    spki: key.spki,
                    fingerprint,
                })
            })
            .collect();
        Ok(Self {
            keys,
            fetched_at_ms: now_ms,
            max_age_ms: max_age_ms(cache_control),
        })
    }

    /// Whether the set may still be used at `now_ms`.
    pub fn is_fresh(&self, now_ms: u64) -> bool {
        now_ms >= self.fetched_at_ms && now_ms - self.fetched_at_ms < self.max_age_ms
    }

    /// Whether a token naming an unknown key may cause a fetch at `now_ms`.
    pub fn may_refetch_for_unknown_kid(&self, now_ms: u64) -> bool {
        now_ms.saturating_sub(self.fetched_at_ms) >= UNKNOWN_KID_COOLDOWN_MS
    }

    /// Whether the set has a key named `kid`.
    pub fn has(&self, kid: &str) -> bool {
        self.keys.iter().any(|key| key.kid == kid)
    }

    /// The key ids, in the set's order.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|key| key.kid.as_str())
    }

    /// The set with the issuer and audience a token must name.
    pub(crate) fn expecting<'a>(&'a self, issuer: &'a str, audience: &'a str) -> Expected<'a> {
        Expected {
            set: self,
            issuer,
            audience,
        }
    }
}

/// A key set and the claims a token must carry: the token check's [`TokenKeys`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expected<'a> {
    set: &'a KeySet,
    issuer: &'a str,
    audience: &'a str,
}

impl TokenKeys for Expected<'_> {
    fn issuer(&self) -> &str {
        self.issuer
    }
    fn audience(&self) -> &str {
        self.audience
    }
    fn key(&self, kid: &str) -> Option<VerificationKey<'_>> {
        self.set
            .keys
            .iter()
            .find(|key| key.kid == kid)
            .map(|key| VerificationKey {
                spki: &key.spki,
                fingerprint: key.fingerprint,
            })
    }
}

#[cfg(test)]
mod tests;
