//! Access tokens: EdDSA-signed JWTs (docs/contract.md §4), issued and verified.
//!
//! Shape: header `{"alg":"EdDSA","kid":<key id>,"typ":"at+jwt"}`; claims `iss` = `aud`
//! = `PUBLIC_ORIGIN`, `sub` (user id), `sid` (session id), `roles`, `iat`, `exp`,
//! `jti` (128-bit random). `exp` is `iat + ACCESS_TOKEN_TTL_SECS`, capped at the end of
//! the session, so no token outlives the session it was issued for.
//!
//! Verification, in order, each failure a distinct [`TokenError`] (all of which the
//! client sees as `401 unauthenticated`):
//! 1. size (at most [`MAX_TOKEN_BYTES`]) and compact-JWS syntax;
//! 2. `alg` must be exactly `EdDSA` — `none`, `HS256` (including HMAC keyed with our
//!    public key, the classic confusion attack), `ES256`, … are refused before any
//!    key is touched;
//! 3. `crit` is refused (we understand no extensions), `typ` must be `at+jwt`
//!    (RFC 9068), so another JWT this service might sign can never pass as an access
//!    token;
//! 4. `kid` must name a key of `JWT_SIGNING_KEYS` — removing a key ends its tokens;
//! 5. the signature;
//! 6. `iss` and `aud` equal `PUBLIC_ORIGIN` (a string, not an array);
//! 7. `exp` present and not passed, `iat` present and not in the future, `nbf` (if
//!    any) reached — each with [`LEEWAY_SECS`] of clock-skew leeway (the contract
//!    allows at most 60 s; edge clocks are NTP-synchronised, so 30 s is ample).
//!
//! What this module cannot know — whether the session is still live — is checked by
//! [`crate::auth`] against the session record on every request.
//!
//! [`verify_cached`] is [`verify`] with the isolate's memory of tokens that already
//! passed steps 1–6 ([`super::cache`]): a repeated token skips the signature, never
//! step 7 (and never the session lookup that follows in [`crate::auth`]).

use alloc::string::String;
use alloc::vec::Vec;
use chrono::{DateTime, TimeDelta, Utc};
use jwt_compact::{AlgorithmExt, Claims, Header, TimeOptions, UntrustedToken};
use serde::{Deserialize, Serialize};

use super::cache::{self, Remembered};
use super::eddsa::{EdDsa, EdVerifyingKey, ALG};
use crate::config::keys::KeyEntry;
use crate::config::Config;
use crate::env::{Random, SignatureVerifier};
use crate::error::{ApiError, Internal};
use crate::util;

/// The JWT `typ` of access tokens (RFC 9068 §2.1).
pub const TOKEN_TYPE: &str = "at+jwt";
/// Clock-skew leeway for `exp`, `nbf` and `iat`, in seconds.
pub const LEEWAY_SECS: u64 = 30;
const _: () = assert!(
    LEEWAY_SECS <= 60,
    "docs/contract.md §4 allows at most 60 s of leeway"
);
/// Longest token accepted for parsing; ours are far below this.
pub const MAX_TOKEN_BYTES: usize = 4096;

/// Why a token was refused. The client only ever learns `unauthenticated`; the
/// variant exists for tests and for the reasoning in code review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a well-formed compact JWS, too long, or claims of the wrong shape.
    Malformed,
    /// `alg` other than `EdDSA` (including `none`).
    UnsupportedAlgorithm,
    /// `typ` missing or not `at+jwt`, or a `crit` header present.
    WrongType,
    /// `kid` missing or not in `JWT_SIGNING_KEYS`.
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// `iss` is not `PUBLIC_ORIGIN`.
    WrongIssuer,
    /// `aud` is not `PUBLIC_ORIGIN`.
    WrongAudience,
    /// `exp` missing or passed.
    Expired,
    /// `iat` (or `nbf`) in the future.
    NotYetValid,
}

impl From<TokenError> for ApiError {
    fn from(_: TokenError) -> Self {
        ApiError::Unauthenticated
    }
}

/// Extra header fields we look at beyond what `jwt-compact` parses.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ExtraHeader {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crit: Option<serde_json::Value>,
}

/// The non-time claims.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AccessClaims {
    iss: String,
    aud: String,
    sub: String,
    sid: String,
    roles: Vec<String>,
    jti: String,
}

/// What a token is issued for.
#[derive(Debug, Clone, Copy)]
pub struct Grant<'a> {
    /// The user (`sub`).
    pub user_id: &'a str,
    /// The session (`sid`).
    pub session_id: &'a str,
    /// The user's roles at issuance.
    pub roles: &'a [String],
    /// The session's end (Unix seconds): `exp` never goes past it.
    pub session_ends_at_secs: u64,
}

/// A freshly signed access token.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedAccessToken {
    /// The compact JWS.
    pub token: String,
    /// `exp` (Unix seconds).
    pub expires_at_secs: u64,
    /// Seconds from issuance to `exp` (the `expires_in` of token mode).
    pub expires_in_secs: u64,
}

impl core::fmt::Debug for IssuedAccessToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IssuedAccessToken")
            .field("token", &"[REDACTED]")
            .field("expires_at_secs", &self.expires_at_secs)
            .finish()
    }
}

/// The facts of a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAccessToken {
    /// `sub`.
    pub user_id: String,
    /// `sid`.
    pub session_id: String,
    /// `roles` as issued (authorisation re-reads them from the user record).
    pub roles: Vec<String>,
    /// `exp` (Unix seconds).
    pub expires_at_secs: u64,
    /// `jti`.
    pub token_id: String,
}

fn timestamp(secs: u64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp(i64::try_from(secs).ok()?, 0)
}

fn seconds(moment: DateTime<Utc>) -> u64 {
    u64::try_from(moment.timestamp()).unwrap_or(0)
}

/// Signs an access token for `grant` with the active key of `JWT_SIGNING_KEYS`.
pub fn issue(
    config: &Config,
    random: &impl Random,
    now_ms: u64,
    grant: Grant<'_>,
) -> Result<IssuedAccessToken, ApiError> {
    let key = config.jwt_signing_keys.active();
    let signing_key = config
        .token_cache
        .signing_key(key)
        .ok_or(ApiError::Unavailable(Internal("JWT signing key unusable")))?;
    let issued_at = now_ms / 1000;
    let expires_at = issued_at
        .saturating_add(config.sessions.access_ttl_secs)
        .min(grant.session_ends_at_secs);
    if expires_at <= issued_at {
        // The session ends within this second: nothing left to grant.
        return Err(ApiError::Unauthenticated);
    }
    let jti: [u8; 16] = crate::env::random_array(random)?;
    let header = Header::new(ExtraHeader::default())
        .with_key_id(key.id.clone())
        .with_token_type(TOKEN_TYPE);
    let mut claims = Claims::new(AccessClaims {
        iss: config.public_origin.clone(),
        aud: config.public_origin.clone(),
        sub: grant.user_id.into(),
        sid: grant.session_id.into(),
        roles: grant.roles.to_vec(),
        jti: util::b64url(&jti),
    });
    claims.issued_at = timestamp(issued_at);
    claims.expiration = timestamp(expires_at);
    let token = EdDsa
        .token(&header, &claims, &signing_key)
        .map_err(|_| ApiError::Internal(Internal("access token serialisation failed")))?;
    Ok(IssuedAccessToken {
        token,
        expires_at_secs: expires_at,
        expires_in_secs: expires_at - issued_at,
    })
}

fn is_access_token_type(typ: Option<&str>) -> bool {
    // RFC 9068 §4: `at+jwt`, also accepted with the `application/` prefix,
    // case-insensitively (media type names are case-insensitive).
    typ.is_some_and(|typ| {
        let typ = typ.strip_prefix("application/").unwrap_or(typ);
        typ.eq_ignore_ascii_case(TOKEN_TYPE)
    })
}

/// Verifies an access token at `now_ms` against `config` (see the module docs). Every
/// call checks the signature (in software); only the public key's derivation from its
/// seed is done once per configuration.
pub fn verify(
    config: &Config,
    token: &str,
    now_ms: u64,
) -> Result<VerifiedAccessToken, TokenError> {
    let prechecked = precheck(config, token)?;
    let valid = prechecked.verify_in_software();
    finish(config, &prechecked, valid, now_ms).map(|checked| checked.token)
}

/// [`verify`], remembering successes in `config.token_cache`: a token seen before (same
/// bytes, same `PUBLIC_ORIGIN`, same key material under its `kid`) skips the signature
/// and the static claims, and has its time claims checked again at `now_ms`. The
/// answer is the one [`verify`] would give (see [`super::cache`]). Signatures are
/// checked in software; [`verify_cached_with`] takes the platform's verifier.
pub fn verify_cached(
    config: &Config,
    token: &str,
    now_ms: u64,
) -> Result<VerifiedAccessToken, TokenError> {
    match lookup(config, token, now_ms)? {
        Lookup::Hit(verified) => Ok(verified),
        Lookup::Miss(digest, prechecked) => {
            let valid = prechecked.verify_in_software();
            remember(config, digest, finish(config, &prechecked, valid, now_ms)?)
        }
    }
}

/// [`verify_cached`] with the signature (step 5, on a cache miss) checked by
/// `verifier` — WebCrypto on Workers, where a native Ed25519 is several times faster
/// than ours compiled to wasm. Every other step is this module's, unchanged.
pub async fn verify_cached_with<V: SignatureVerifier>(
    config: &Config,
    verifier: &V,
    token: &str,
    now_ms: u64,
) -> Result<VerifiedAccessToken, TokenError> {
    match lookup(config, token, now_ms)? {
        Lookup::Hit(verified) => Ok(verified),
        Lookup::Miss(digest, prechecked) => {
            let valid = verifier
                .verify_ed25519(
                    &prechecked.public_key,
                    prechecked.signed_data,
                    prechecked.untrusted.signature_bytes(),
                )
                .await;
            remember(config, digest, finish(config, &prechecked, valid, now_ms)?)
        }
    }
}

enum Lookup<'t> {
    /// Remembered, and its time claims hold at `now_ms`.
    Hit(VerifiedAccessToken),
    /// Not remembered: steps 1–4 passed; the digest to remember it under.
    Miss([u8; 32], alloc::boxed::Box<Prechecked<'t>>),
}

fn lookup<'t>(config: &'t Config, token: &'t str, now_ms: u64) -> Result<Lookup<'t>, TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::Malformed);
    }
    let token_digest = cache::digest(token.as_bytes());
    if let Some(entry) = config.token_cache.find(&token_digest) {
        if still_vouched_for(config, &entry) {
            check_times(
                entry.token.expires_at_secs,
                entry.issued_at_secs,
                entry.not_before_secs,
                now_ms,
            )?;
            return Ok(Lookup::Hit(entry.token));
        }
        config.token_cache.forget(&token_digest);
    }
    Ok(Lookup::Miss(
        token_digest,
        alloc::boxed::Box::new(precheck(config, token)?),
    ))
}

fn remember(
    config: &Config,
    digest: [u8; 32],
    checked: Remembered,
) -> Result<VerifiedAccessToken, TokenError> {
    let token = checked.token.clone();
    config
        .token_cache
        .remember(Remembered { digest, ..checked });
    Ok(token)
}

/// Whether the configuration still vouches for a remembered token: same origin, and
/// its `kid` still in the ring with the same material.
fn still_vouched_for(config: &Config, entry: &Remembered) -> bool {
    entry.origin == config.public_origin
        && config
            .jwt_signing_keys
            .get(&entry.kid)
            .is_some_and(|key| key.fingerprint == entry.material)
}

/// Step 7 on whole seconds, for remembered tokens: the same rules as the full check
/// (`exp` passed by more than the leeway → expired; `nbf` more than the leeway ahead,
/// or `iat` more than the leeway ahead → not yet valid).
fn check_times(
    expires_at_secs: u64,
    issued_at_secs: u64,
    not_before_secs: Option<u64>,
    now_ms: u64,
) -> Result<(), TokenError> {
    let now = now_ms / 1000;
    if now > expires_at_secs.saturating_add(LEEWAY_SECS) {
        return Err(TokenError::Expired);
    }
    if not_before_secs.is_some_and(|nbf| now.saturating_add(LEEWAY_SECS) < nbf) {
        return Err(TokenError::NotYetValid);
    }
    if issued_at_secs > now.saturating_add(LEEWAY_SECS) {
        return Err(TokenError::NotYetValid);
    }
    Ok(())
}

/// A token that passed steps 1–4, with what step 5 needs.
struct Prechecked<'t> {
    untrusted: UntrustedToken<'t, ExtraHeader>,
    /// The JWS signing input: `header.payload` as sent.
    signed_data: &'t [u8],
    key: &'t KeyEntry,
    public_key: [u8; 32],
}

impl Prechecked<'_> {
    fn verify_in_software(&self) -> bool {
        EdVerifyingKey::from_bytes(&self.public_key)
            .is_some_and(|key| key.verify(self.signed_data, self.untrusted.signature_bytes()))
    }
}

/// Steps 1–4.
fn precheck<'t>(config: &'t Config, token: &'t str) -> Result<Prechecked<'t>, TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::Malformed);
    }
    let untrusted =
        UntrustedToken::<ExtraHeader>::try_from(token).map_err(|_| TokenError::Malformed)?;
    if untrusted.algorithm() != ALG {
        return Err(TokenError::UnsupportedAlgorithm);
    }
    let header = untrusted.header();
    if header.other_fields.crit.is_some() || !is_access_token_type(header.token_type.as_deref()) {
        return Err(TokenError::WrongType);
    }
    let key = header
        .key_id
        .as_deref()
        .and_then(|kid| config.jwt_signing_keys.get(kid))
        .ok_or(TokenError::UnknownKey)?;
    let public_key = config
        .token_cache
        .verifying_key(key)
        .ok_or(TokenError::UnknownKey)?
        .to_bytes();
    // `try_from` above accepted three dot-separated parts, so the last dot exists.
    let signed_data = token
        .rsplit_once('.')
        .map(|(signed, _)| signed.as_bytes())
        .ok_or(TokenError::Malformed)?;
    Ok(Prechecked {
        untrusted,
        signed_data,
        key,
        public_key,
    })
}

/// Step 5's verdict, then steps 6–7; the result carries what [`verify_cached`]
/// remembers.
fn finish(
    config: &Config,
    prechecked: &Prechecked<'_>,
    signature_valid: bool,
    now_ms: u64,
) -> Result<Remembered, TokenError> {
    if !signature_valid {
        return Err(TokenError::BadSignature);
    }
    let key = prechecked.key;
    let claims: Claims<AccessClaims> = prechecked
        .untrusted
        .deserialize_claims_unchecked()
        .map_err(|_| TokenError::Malformed)?;
    let claims = &claims;
    if claims.custom.iss != config.public_origin {
        return Err(TokenError::WrongIssuer);
    }
    if claims.custom.aud != config.public_origin {
        return Err(TokenError::WrongAudience);
    }

    let now = timestamp(now_ms / 1000).ok_or(TokenError::Expired)?;
    let leeway = TimeDelta::seconds(LEEWAY_SECS as i64);
    let options = TimeOptions::new(leeway, move || now);
    claims
        .validate_expiration(&options)
        .map_err(|_| TokenError::Expired)?;
    if claims.not_before.is_some() {
        claims
            .validate_maturity(&options)
            .map_err(|_| TokenError::NotYetValid)?;
    }
    match claims.issued_at {
        Some(issued_at) if issued_at <= now + leeway => {}
        _ => return Err(TokenError::NotYetValid),
    }
    if claims.custom.sub.is_empty() || claims.custom.sid.is_empty() {
        return Err(TokenError::Malformed);
    }
    Ok(Remembered {
        digest: [0; 32],
        origin: config.public_origin.clone(),
        kid: key.id.clone(),
        material: key.fingerprint,
        issued_at_secs: claims.issued_at.map(seconds).unwrap_or(0),
        not_before_secs: claims.not_before.map(seconds),
        token: VerifiedAccessToken {
            user_id: claims.custom.sub.clone(),
            session_id: claims.custom.sid.clone(),
            roles: claims.custom.roles.clone(),
            expires_at_secs: claims.expiration.map(seconds).unwrap_or(0),
            token_id: claims.custom.jti.clone(),
        },
    })
}
