//! argon2 in PHC string format: hashing with argon2id, verification of argon2id,
//! argon2i and argon2d hashes (v16 and v19), rehash detection, the dummy hash.
//!
//! Security considerations:
//! - Parameters and salt of a stored string are bounded *before* any memory is
//!   allocated (see the `MAX_STORED_*` constants), so a planted record cannot exhaust
//!   an isolate.
//! - A PHC string without `v=` is version 0x10, as in the reference implementation
//!   (`argon2_decode_string`); taking it for 0x13 would fail real v16 hashes.
//! - The computed tag is compared with `subtle` in constant time; buffers holding it
//!   are zeroized.
//! - argon2's working memory (m KiB of blocks derived from the password) is allocated
//!   here and zeroized after each computation: the `argon2` crate frees its own buffer
//!   without wiping it, and a block left in a reused isolate's heap would let whoever
//!   reads it test password guesses without paying the memory-hard cost. Allocating
//!   it ourselves also makes an allocation failure an error instead of an abort.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, KeyId, Params, ParamsBuilder, Version};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::Verification;
use crate::config::PasswordHashParams;
use crate::env::{random_array, Random};
use crate::error::{ApiError, Internal};
use crate::secret::Secret;

/// Salt length for new hashes (PHC and RFC 9106 recommend 16 bytes).
pub(super) const SALT_LEN: usize = 16;
/// Tag length for new hashes.
pub(super) const TAG_LEN: usize = 32;
/// The PHC `keyid` marking a hash keyed with `PASSWORD_PEPPER` (the bytes `pepper`).
pub(super) const PEPPER_KEY_ID: &[u8] = b"pepper";

/// Largest memory cost of a stored hash we will compute (the configuration limit).
pub(super) const MAX_STORED_MEMORY_KIB: u32 = 262_144;
/// Largest iteration count of a stored hash we will compute (the configuration limit).
pub(super) const MAX_STORED_ITERATIONS: u32 = 16;
/// Largest parallelism of a stored hash we will compute (the configuration limit).
pub(super) const MAX_STORED_PARALLELISM: u32 = 8;
/// Longest tag phc accepts; stored tags are copied into a buffer of this size.
const MAX_TAG_LEN: usize = 64;

/// The public salt of [`dummy`]: its output is thrown away, so it needs no secrecy.
const DUMMY_SALT: [u8; SALT_LEN] = *b"edgeauth-dummy!!";

/// The pepper bytes when a usable pepper is configured; `Err` for an empty one, which
/// configuration never produces but which must not silently mean "no pepper".
fn pepper_bytes(pepper: Option<&Secret>) -> Result<Option<&[u8]>, ApiError> {
    match pepper {
        None => Ok(None),
        Some(secret) if secret.is_empty() => {
            Err(ApiError::Unavailable(Internal("PASSWORD_PEPPER is empty")))
        }
        Some(secret) => Ok(Some(secret.expose())),
    }
}

/// argon2id v19 with the configured parameters, keyed with the pepper if any.
fn context<'k>(
    params: &PasswordHashParams,
    pepper: Option<&'k [u8]>,
) -> Result<Argon2<'k>, argon2::Error> {
    let mut builder = ParamsBuilder::new();
    builder
        .m_cost(params.memory_kib)
        .t_cost(params.iterations)
        .p_cost(params.parallelism)
        .output_len(TAG_LEN);
    if pepper.is_some() {
        builder.keyid(KeyId::new(PEPPER_KEY_ID)?);
    }
    let built = builder.build()?;
    match pepper {
        Some(secret) => Argon2::new_with_secret(secret, Algorithm::Argon2id, Version::V0x13, built),
        None => Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, built)),
    }
}

/// The computation failed (bad input lengths or no memory); the cause is not needed.
#[derive(Debug)]
struct Failed;

/// Runs `argon2` into `tag` on working memory owned here and zeroized afterwards.
fn compute(
    argon2: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    tag: &mut [u8],
) -> Result<(), Failed> {
    let blocks = argon2.params().block_count();
    let mut memory: Zeroizing<Vec<Block>> = Zeroizing::new(Vec::new());
    memory.try_reserve_exact(blocks).map_err(|_| Failed)?;
    memory.resize(blocks, Block::new());
    argon2
        .hash_password_into_with_memory(password, salt, tag, memory.as_mut_slice())
        .map_err(|_| Failed)
}

/// Hashes already-normalised password bytes into a PHC string.
pub(super) fn hash(
    normalized: &[u8],
    params: &PasswordHashParams,
    pepper: Option<&Secret>,
    random: &impl Random,
) -> Result<String, ApiError> {
    let pepper = pepper_bytes(pepper)?;
    let salt: [u8; SALT_LEN] = random_array(random)?;
    let argon2 = context(params, pepper)
        .map_err(|_| ApiError::Internal(Internal("argon2id parameters rejected")))?;
    let mut tag = Zeroizing::new([0u8; TAG_LEN]);
    compute(&argon2, normalized, &salt, tag.as_mut_slice())
        .map_err(|_| ApiError::Internal(Internal("argon2id hashing failed")))?;
    let encoding = || -> Option<PasswordHash> {
        Some(PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(argon2.params()).ok()?,
            salt: Some(Salt::new(&salt).ok()?),
            hash: Some(Output::new(tag.as_slice()).ok()?),
        })
    };
    let phc = encoding().ok_or(ApiError::Internal(Internal("argon2id PHC encoding failed")))?;
    Ok(phc.to_string())
}

/// Spends one argon2id computation with the configured parameters and discards it.
pub(super) fn dummy(normalized: &[u8], params: &PasswordHashParams, pepper: Option<&Secret>) {
    // With an empty pepper the real path fails closed too; still spend the time.
    let pepper = pepper_bytes(pepper).ok().flatten();
    let Ok(argon2) = context(params, pepper) else {
        return;
    };
    let mut tag = Zeroizing::new([0u8; TAG_LEN]);
    let computed = compute(&argon2, normalized, &DUMMY_SALT, tag.as_mut_slice()).is_ok();
    // Compare like a real verification does; black_box keeps the work observable.
    let equal: bool = tag.as_slice().ct_eq(&[0u8; TAG_LEN][..]).into();
    core::hint::black_box((computed, equal));
}

/// Verifies already-normalised password bytes against a stored PHC string.
pub(super) fn verify(
    normalized: &[u8],
    stored: &str,
    configured: &PasswordHashParams,
    pepper: Option<&Secret>,
) -> Verification {
    match verify_inner(normalized, stored, configured, pepper) {
        Some(needs_rehash) => Verification::Valid { needs_rehash },
        None => Verification::Invalid,
    }
}

/// `Some(needs_rehash)` when the password matches, `None` for anything else.
fn verify_inner(
    normalized: &[u8],
    stored: &str,
    configured: &PasswordHashParams,
    pepper: Option<&Secret>,
) -> Option<bool> {
    let parsed = PasswordHash::new(stored).ok()?;
    let algorithm = Algorithm::new(parsed.algorithm.as_str()).ok()?;
    let version = match parsed.version {
        None => Version::V0x10,
        Some(number) => Version::try_from(number).ok()?,
    };
    let params = Params::try_from(&parsed).ok()?;
    let salt = parsed.salt.as_ref()?;
    let expected = parsed.hash.as_ref()?;
    if params.m_cost() > MAX_STORED_MEMORY_KIB
        || params.t_cost() > MAX_STORED_ITERATIONS
        || params.p_cost() > MAX_STORED_PARALLELISM
    {
        return None;
    }

    let keyed = !params.keyid().is_empty();
    let secret = if keyed {
        if params.keyid() != PEPPER_KEY_ID {
            return None;
        }
        // A keyed hash needs the pepper; without one it cannot match.
        Some(pepper_bytes(pepper).ok()??)
    } else {
        None
    };
    let argon2 = match secret {
        Some(secret) => Argon2::new_with_secret(secret, algorithm, version, params.clone()).ok()?,
        None => Argon2::new(algorithm, version, params.clone()),
    };

    let mut buffer = Zeroizing::new([0u8; MAX_TAG_LEN]);
    let tag = buffer.get_mut(..expected.len())?;
    compute(&argon2, normalized, salt.as_ref(), tag).ok()?;
    if !bool::from(tag.ct_eq(expected.as_ref())) {
        return None;
    }

    let pepper_configured = matches!(pepper, Some(secret) if !secret.is_empty());
    let current = algorithm == Algorithm::Argon2id
        && version == Version::V0x13
        && params.m_cost() == configured.memory_kib
        && params.t_cost() == configured.iterations
        && params.p_cost() == configured.parallelism
        && expected.len() == TAG_LEN
        && salt.len() == SALT_LEN
        && params.data().is_empty()
        && keyed == pepper_configured;
    Some(!current)
}
