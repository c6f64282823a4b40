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
//! 4. `kid` must name a known key (`JWT_SIGNING_KEYS`; a verifier elsewhere: the
//!    published set) — removing a key ends its tokens;
//! 5. the signature;
//! 6. `iss` is the issuer and `aud` the expected audience (`PUBLIC_ORIGIN` both, for
//!    edgeauth itself; `aud` a string, not an array);
//! 7. `exp` present and not passed, `iat` present and not in the future, `nbf` (if
//!    any) reached — each with [`LEEWAY_SECS`] of clock-skew leeway (the contract
//!    allows at most 60 s; edge clocks are NTP-synchronised, so 30 s is ample).
//!
//! What this module cannot know — whether the session is still live — is checked by
//! [`crate::flows::auth`] against the session record on every request.
//!
//! [`verify_with`] is the one implementation, over [`TokenKeys`]: the issuer and
//! audience a token must name and its verification keys by `kid`. Inside edgeauth
//! that is the [`Config`] (`PUBLIC_ORIGIN` both, the `JWT_SIGNING_KEYS` ring; [`verify`]);
//! a resource server outside it (the `edgeauth-guard` crate) supplies the keys of the
//! published key set and its own expected audience — the same steps, the same code.
//! It takes the isolate's memory of tokens that already passed steps 1–6
//! ([`TokenMemory`], kept in [`crate::memory::tokens`]): a repeated token skips the
//! signature, never step 7 — one time rule, [`check_times`], serves both paths — and
//! never the session lookup that follows in [`crate::flows::auth`].

use alloc::string::String;
use alloc::vec::Vec;
use chrono::{DateTime, Utc};
use jwt_compact::{AlgorithmExt, Claims, Header, UntrustedToken};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::crypto::eddsa::{EdDsa, ALG};
use crate::crypto::kdf::sha256;
use crate::crypto::signature::{Algorithm, SignatureCheck, SignatureVerifier};
use crate::encoding;
use crate::env::Random;
use crate::error::{ApiError, Internal};

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
    /// `kid` missing or not a known key (`JWT_SIGNING_KEYS`, or the published set).
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// `iss` is not the issuer (`PUBLIC_ORIGIN`).
    WrongIssuer,
    /// `aud` is not the expected audience (`PUBLIC_ORIGIN` for edgeauth itself).
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

/// The non-time claims. The OAuth provider's client tokens (`policy::oauth_provider::tokens`)
/// have no `roles` and another audience: they never pass as these.
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

/// A verification key, as [`TokenKeys`] lends it.
#[derive(Debug, Clone, Copy)]
pub struct VerificationKey<'a> {
    /// The Ed25519 public key as a DER SubjectPublicKeyInfo.
    pub spki: &'a [u8],
    /// A digest of the key (SHA-256 of its material): a remembered token is used only
    /// while its `kid` still names the same key.
    pub fingerprint: [u8; 32],
}

/// What a token is checked against: who must have issued it, for whom, and the
/// EdDSA keys by `kid`.
pub trait TokenKeys {
    /// The required `iss`.
    fn issuer(&self) -> &str;
    /// The required `aud`.
    fn audience(&self) -> &str;
    /// The key named `kid`, if it is one of ours.
    fn key(&self, kid: &str) -> Option<VerificationKey<'_>>;
}

/// edgeauth's own expectations: `PUBLIC_ORIGIN` as issuer and audience, the
/// `JWT_SIGNING_KEYS` ring.
impl TokenKeys for Config {
    fn issuer(&self) -> &str {
        &self.public_origin
    }
    fn audience(&self) -> &str {
        &self.public_origin
    }
    fn key(&self, kid: &str) -> Option<VerificationKey<'_>> {
        let entry = self.jwt_signing_keys.get(kid)?;
        Some(VerificationKey {
            spki: entry.public_key_spki()?,
            fingerprint: entry.fingerprint,
        })
    }
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
    let signing_key = key
        .signing_key()
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
        jti: encoding::b64url(&jti),
    });
    claims.issued_at = timestamp(issued_at);
    claims.expiration = timestamp(expires_at);
    let token = EdDsa
        .token(&header, &claims, signing_key)
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

/// What an isolate may remember of a verified token ([`TokenMemory`]), and what a
/// later request must check again.
#[derive(Debug, Clone)]
pub struct Remembered {
    /// SHA-256 of the compact token (the key it is remembered under).
    pub digest: [u8; 32],
    /// The issuer and audience it was verified against.
    issuer: String,
    audience: String,
    /// Its `kid`, and the SHA-256 of that key's material.
    kid: String,
    material: [u8; 32],
    /// Its time claims, checked again on every use.
    times: Times,
    /// The verified facts.
    token: VerifiedAccessToken,
}

/// A token's time claims in Unix seconds (`None`: absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times {
    /// `exp`.
    pub expires_at_secs: Option<u64>,
    /// `iat`.
    pub issued_at_secs: Option<u64>,
    /// `nbf`.
    pub not_before_secs: Option<u64>,
}

/// Where an isolate remembers verified tokens ([`crate::memory::tokens`] implements
/// it). A remembered token skips steps 1–6 — facts of the token bytes and the key —
/// never step 7 (see [`verify`]).
pub trait TokenMemory {
    /// The remembered verification of the token with SHA-256 `digest`, if any.
    fn recall(&self, digest: &[u8; 32]) -> Option<Remembered>;
    /// Remembers a verification that passed every step.
    fn remember(&self, entry: Remembered);
    /// Forgets the token with SHA-256 `digest` (the configuration no longer vouches
    /// for it).
    fn forget(&self, digest: &[u8; 32]);
}

/// A memory that remembers nothing: every call checks everything (tools, fuzzing).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMemory;

impl TokenMemory for NoMemory {
    fn recall(&self, _: &[u8; 32]) -> Option<Remembered> {
        None
    }
    fn remember(&self, _: Remembered) {}
    fn forget(&self, _: &[u8; 32]) {}
}

/// Verifies an access token at `now_ms` against `config` (edgeauth's own issuer,
/// audience and keys): [`verify_with`] with the configuration as [`TokenKeys`].
pub async fn verify<M: TokenMemory, V: SignatureVerifier>(
    config: &Config,
    memory: &M,
    verifier: &V,
    token: &str,
    now_ms: u64,
) -> Result<VerifiedAccessToken, TokenError> {
    verify_with(config, memory, verifier, token, now_ms).await
}

/// Verifies an access token at `now_ms` against `keys` (see the module docs): the
/// one implementation.
///
/// A token `memory` holds (same bytes, same issuer and audience, same key material
/// under its `kid`) skips steps 1–6 and has its time claims checked again at `now_ms`
/// by the same rule as a full check ([`check_times`]), so the answer is the one a full
/// check would give. Otherwise every step runs, the signature (step 5) through
/// `verifier` as an EdDSA [`SignatureCheck`] under the key's SubjectPublicKeyInfo —
/// WebCrypto on Workers, where a native Ed25519 is several times faster than ours
/// compiled to wasm; the software verifier elsewhere — and a token that passes is
/// remembered. Refusals are never remembered.
pub async fn verify_with<K: TokenKeys + ?Sized, M: TokenMemory, V: SignatureVerifier>(
    keys: &K,
    memory: &M,
    verifier: &V,
    token: &str,
    now_ms: u64,
) -> Result<VerifiedAccessToken, TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::Malformed);
    }
    let digest = sha256(token.as_bytes());
    if let Some(entry) = memory.recall(&digest) {
        if still_vouched_for(keys, &entry) {
            check_times(&entry.times, now_ms)?;
            return Ok(entry.token);
        }
        memory.forget(&digest);
    }
    let prechecked = precheck(keys, token)?;
    let valid = verifier
        .verify(&SignatureCheck {
            algorithm: Algorithm::EdDsa,
            public_key_spki: prechecked.key.spki,
            message: prechecked.signed_data,
            signature: prechecked.untrusted.signature_bytes(),
        })
        .await;
    let entry = finish(keys, &prechecked, valid, digest, now_ms)?;
    let token = entry.token.clone();
    memory.remember(entry);
    Ok(token)
}

/// Whether the expectations still vouch for a remembered token: same issuer and
/// audience, and its `kid` still naming the same key.
fn still_vouched_for<K: TokenKeys + ?Sized>(keys: &K, entry: &Remembered) -> bool {
    entry.issuer == keys.issuer()
        && entry.audience == keys.audience()
        && keys
            .key(&entry.kid)
            .is_some_and(|key| key.fingerprint == entry.material)
}

/// Step 7, the one time rule of every check, on whole seconds with [`LEEWAY_SECS`]:
/// `exp` absent or passed by more than the leeway → expired; `nbf` more than the
/// leeway ahead, or `iat` absent or more than the leeway ahead → not yet valid.
pub fn check_times(times: &Times, now_ms: u64) -> Result<(), TokenError> {
    let now = now_ms / 1000;
    match times.expires_at_secs {
        Some(exp) if now <= exp.saturating_add(LEEWAY_SECS) => {}
        _ => return Err(TokenError::Expired),
    }
    if times
        .not_before_secs
        .is_some_and(|nbf| now.saturating_add(LEEWAY_SECS) < nbf)
    {
        return Err(TokenError::NotYetValid);
    }
    match times.issued_at_secs {
        Some(iat) if iat <= now.saturating_add(LEEWAY_SECS) => Ok(()),
        _ => Err(TokenError::NotYetValid),
    }
}

/// Steps 1–5 for a token whose claims have another shape — the access tokens the OAuth
/// provider issues to clients (`policy::oauth_provider::tokens`): the same size limit, `alg`,
/// `crit`, `typ` (`at+jwt`), key and signature rules, through the same parser; then the
/// decoded claims, for the caller to read and check (issuer, audience, times: steps
/// 6–7). Nothing is remembered.
pub(crate) async fn verify_signed<V: SignatureVerifier>(
    config: &Config,
    verifier: &V,
    token: &str,
) -> Result<Vec<u8>, TokenError> {
    let prechecked = precheck(config, token)?;
    let valid = verifier
        .verify(&SignatureCheck {
            algorithm: Algorithm::EdDsa,
            public_key_spki: prechecked.key.spki,
            message: prechecked.signed_data,
            signature: prechecked.untrusted.signature_bytes(),
        })
        .await;
    if !valid {
        return Err(TokenError::BadSignature);
    }
    // The parser accepted `header.payload.signature`: the payload is the middle part.
    let payload = token.split('.').nth(1).ok_or(TokenError::Malformed)?;
    encoding::b64url_decode(payload).ok_or(TokenError::Malformed)
}

/// Whether a token's claims name a client (`client_id`: the OAuth provider's access
/// tokens), read *without* verifying anything: for routing only (the Workers `api`
/// passes such requests to `oauth`, `crate::app::bears_client_token`), never for a
/// decision.
pub fn names_a_client(token: &str) -> bool {
    const KEY: &[u8] = b"\"client_id\"";
    if token.len() > MAX_TOKEN_BYTES {
        return false;
    }
    let mut parts = token.split('.');
    let (Some(_), Some(payload)) = (parts.next(), parts.next()) else {
        return false;
    };
    encoding::b64url_decode(payload)
        .is_some_and(|claims| claims.windows(KEY.len()).any(|window| window == KEY))
}

/// A token that passed steps 1–4, with what step 5 needs.
struct Prechecked<'t> {
    untrusted: UntrustedToken<'t, ExtraHeader>,
    /// The JWS signing input: `header.payload` as sent.
    signed_data: &'t [u8],
    /// The token's `kid`, and the key it names.
    kid: String,
    key: VerificationKey<'t>,
}

/// Steps 1–4.
fn precheck<'t, K: TokenKeys + ?Sized>(
    keys: &'t K,
    token: &'t str,
) -> Result<Prechecked<'t>, TokenError> {
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
    let kid = header.key_id.clone().ok_or(TokenError::UnknownKey)?;
    let key = keys.key(&kid).ok_or(TokenError::UnknownKey)?;
    // `try_from` above accepted three dot-separated parts, so the last dot exists.
    let signed_data = token
        .rsplit_once('.')
        .map(|(signed, _)| signed.as_bytes())
        .ok_or(TokenError::Malformed)?;
    Ok(Prechecked {
        untrusted,
        signed_data,
        kid,
        key,
    })
}

/// Step 5's verdict, then steps 6–7; the result is what [`verify`] remembers.
fn finish<K: TokenKeys + ?Sized>(
    keys: &K,
    prechecked: &Prechecked<'_>,
    signature_valid: bool,
    digest: [u8; 32],
    now_ms: u64,
) -> Result<Remembered, TokenError> {
    if !signature_valid {
        return Err(TokenError::BadSignature);
    }
    let claims: Claims<AccessClaims> = prechecked
        .untrusted
        .deserialize_claims_unchecked()
        .map_err(|_| TokenError::Malformed)?;
    if claims.custom.iss != keys.issuer() {
        return Err(TokenError::WrongIssuer);
    }
    if claims.custom.aud != keys.audience() {
        return Err(TokenError::WrongAudience);
    }
    let times = Times {
        expires_at_secs: claims.expiration.map(seconds),
        issued_at_secs: claims.issued_at.map(seconds),
        not_before_secs: claims.not_before.map(seconds),
    };
    check_times(&times, now_ms)?;
    if claims.custom.sub.is_empty() || claims.custom.sid.is_empty() {
        return Err(TokenError::Malformed);
    }
    Ok(Remembered {
        digest,
        issuer: String::from(keys.issuer()),
        audience: String::from(keys.audience()),
        kid: prechecked.kid.clone(),
        material: prechecked.key.fingerprint,
        times,
        token: VerifiedAccessToken {
            user_id: claims.custom.sub,
            session_id: claims.custom.sid,
            roles: claims.custom.roles,
            expires_at_secs: times.expires_at_secs.unwrap_or(0),
            token_id: claims.custom.jti,
        },
    })
}

#[cfg(test)]
mod tests;
