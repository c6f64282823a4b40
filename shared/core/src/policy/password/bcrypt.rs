//! Verification of legacy bcrypt hashes (`$2a$`, `$2b$`, `$2y$`), e.g. imported from
//! a NextAuth/bcryptjs application. edgeauth never creates bcrypt hashes: a match
//! always asks for a rehash to argon2id.
//!
//! Built on the `blowfish` crate's bcrypt primitives (EksBlowfishSetup) rather than the
//! `bcrypt` crate, whose `alloc` feature pulls `getrandom` into the core (ambient
//! randomness; no wasm32-unknown-unknown build without a backend) for hashing that we
//! never do. The construction follows OpenBSD `bcrypt.c` and is pinned by the
//! published OpenBSD/jBCrypt/Openwall vectors in `tests/vectors/bcrypt.json`.
//!
//! Security considerations:
//! - Only the three correct variants are accepted. `$2$` (no NUL, pre-1997) and
//!   `$2x$` (crypt_blowfish's marker for its sign-extension bug) are refused.
//! - Cost is bounded to 4..=16 ([`MAX_COST`]): 2^cost rounds from a stored string
//!   must not turn one login into minutes of CPU.
//! - bcrypt reads at most 72 bytes of the password (with its NUL terminator); longer
//!   passwords verify on their prefix, as they did in the system that made the hash.
//!   The upgrade to argon2id on login removes this limit for the account.
//! - The 23-byte tag is compared in constant time; the key buffer is zeroized.

use blowfish::Blowfish;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Smallest cost bcrypt defines.
pub(super) const MIN_COST: u32 = 4;
/// Largest cost we will compute from a stored string (2^16 rounds; NextAuth-era apps
/// use 10–12).
pub(super) const MAX_COST: u32 = 16;
/// bcrypt's key limit, the NUL terminator included.
const MAX_KEY_LEN: usize = 72;
/// "OrpheanBeholderScryDoubt", the text bcrypt encrypts 64 times.
const MAGIC: [u32; 6] = [
    0x4f72_7068,
    0x6561_6e42,
    0x6568_6f6c,
    0x6465_7253,
    0x6372_7944,
    0x6f75_6274,
];
/// bcrypt's own base64 alphabet (not RFC 4648's order).
const ALPHABET: &[u8; 64] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A parsed `$2?$cc$<22 salt chars><31 hash chars>` string.
struct Parsed {
    cost: u32,
    salt: [u8; 16],
    tag: [u8; 23],
}

/// Whether `stored` claims to be a bcrypt hash (a `$2` prefix); malformed ones are
/// still routed here so that they are refused as bcrypt, not parsed as PHC.
pub(super) fn looks_like_bcrypt(stored: &str) -> bool {
    stored.starts_with("$2")
}

/// Whether `password` matches the bcrypt hash `stored`; false for malformed strings.
pub(super) fn verify(password: &[u8], stored: &str) -> bool {
    let Some(parsed) = parse(stored) else {
        return false;
    };
    let computed = Zeroizing::new(hash(parsed.cost, &parsed.salt, password));
    let Some(computed_tag) = computed.get(..23) else {
        return false;
    };
    computed_tag.ct_eq(parsed.tag.as_slice()).into()
}

fn parse(stored: &str) -> Option<Parsed> {
    let bytes = stored.as_bytes();
    if bytes.len() != 60 {
        return None;
    }
    let prefix = bytes.get(..4)?;
    if !matches!(prefix, b"$2a$" | b"$2b$" | b"$2y$") {
        return None;
    }
    let (tens, units, dollar) = (*bytes.get(4)?, *bytes.get(5)?, *bytes.get(6)?);
    if !tens.is_ascii_digit() || !units.is_ascii_digit() || dollar != b'$' {
        return None;
    }
    let cost = u32::from(tens - b'0') * 10 + u32::from(units - b'0');
    if !(MIN_COST..=MAX_COST).contains(&cost) {
        return None;
    }
    let mut salt = [0u8; 16];
    let mut tag = [0u8; 23];
    decode(bytes.get(7..29)?, &mut salt)?;
    decode(bytes.get(29..60)?, &mut tag)?;
    Some(Parsed { cost, salt, tag })
}

/// Decodes bcrypt base64 into exactly `out.len()` bytes; leftover low bits of the last
/// character are ignored, as OpenBSD's `decode_base64` does.
fn decode(input: &[u8], out: &mut [u8]) -> Option<()> {
    let mut written = 0usize;
    let mut accumulator: u32 = 0;
    let mut bits: u32 = 0;
    for &character in input {
        let value = ALPHABET.iter().position(|&a| a == character)?;
        accumulator = (accumulator << 6) | u32::try_from(value).ok()?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            let byte = u8::try_from((accumulator >> bits) & 0xff).ok()?;
            *out.get_mut(written)? = byte;
            written += 1;
            accumulator &= (1 << bits) - 1;
        }
    }
    (written == out.len()).then_some(())
}

/// The raw 24-byte bcrypt output for `password` (NUL-terminated, cut at 72 bytes).
fn hash(cost: u32, salt: &[u8; 16], password: &[u8]) -> [u8; 24] {
    let mut key = Zeroizing::new([0u8; MAX_KEY_LEN]);
    for (slot, byte) in key.iter_mut().zip(password) {
        *slot = *byte;
    }
    // The NUL terminator counts as key material unless 72 bytes are already used.
    let used = password.len().saturating_add(1).min(MAX_KEY_LEN);
    let key = key.get(..used).unwrap_or(&[0u8]);

    let mut state = Blowfish::bc_init_state();
    state.salted_expand_key(salt, key);
    for _ in 0..(1u64 << cost) {
        state.bc_expand_key(key);
        state.bc_expand_key(salt);
    }

    let mut text = MAGIC;
    for pair in text.chunks_exact_mut(2) {
        if let [left, right] = pair {
            let mut block = [*left, *right];
            for _ in 0..64 {
                block = state.bc_encrypt(block);
            }
            [*left, *right] = block;
        }
    }
    let mut output = [0u8; 24];
    for (chunk, word) in output.chunks_exact_mut(4).zip(text) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    output
}

#[cfg(test)]
mod tests;
