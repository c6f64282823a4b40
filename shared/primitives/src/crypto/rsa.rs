//! RSA signing keys and RS256 signatures: the `OIDC_RSA_SIGNING_KEYS` keyring, for the
//! ID tokens of relying parties that only accept RS256 (OpenID Connect Core §15.1 makes
//! it the one algorithm every provider must offer; edgeauth signs with EdDSA by
//! default).
//!
//! - [`RsaKeyring`]: `id:base64url(PKCS#8 DER)` entries, comma-separated; the first
//!   signs, all are published in `/.well-known/jwks.json`. PKCS#8 (RFC 5208) holding a
//!   two-prime `RSAPrivateKey` (RFC 8017 A.1.2) under `rsaEncryption`: what
//!   `openssl genpkey -algorithm RSA` and Node's `export({type: "pkcs8"})` write, and
//!   what WebCrypto's `importKey("pkcs8", …)` reads.
//! - [`Rs256Signer`]: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3), one method, which
//!   each runtime implements once: WebCrypto on Workers (so the Workers builds link no
//!   RSA arithmetic), [`sign_software`] (RustCrypto's `rsa`, feature
//!   `software-signatures`) on Spin and in native code.
//!
//! Security considerations:
//! - The DER is read strictly (definite minimal lengths, minimal positive INTEGERs,
//!   version 0, nothing trailing) and the public half must meet the verification policy
//!   of [`super::signature::spki`] (2048–4096 bits, e odd ≥ 65537), so a key edgeauth
//!   signs with is one its own verifier would accept.
//! - The private key stays in a [`Secret`]; `Debug` shows the id only. Only `n`, `e`
//!   and the SubjectPublicKeyInfo are kept in the clear, for the JWKS.
//! - Software signing uses RSA blinding with the injected [`Random`] and checks the
//!   result (`rsa` recomputes `s^e mod n`), so a fault in the private operation never
//!   leaves as a signature; `rsa` ≥ 0.10 uses constant-time big integers.
//! - A platform that cannot sign answers `None`: the caller fails closed (no ID token),
//!   it never falls back to another algorithm than the client registered.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::keys::DEVELOPMENT_KEY_PREFIX;
use super::signature::spki;
use crate::env::Random;
use crate::secret::Secret;

/// The JOSE algorithm name.
pub const ALG: &str = "RS256";
/// Most keys a ring may hold (each is ~1.6 KB of base64url; Workers secrets hold 5 KiB).
pub const MAX_KEYS: usize = 3;

/// `SEQUENCE { OID rsaEncryption, NULL }`.
const RSA_ALGORITHM: [u8; 15] = [
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

/// The parts of a two-prime RSA private key, borrowed from its DER (big-endian
/// magnitudes without a sign byte).
#[derive(Clone, Copy)]
pub struct RsaPrivateParts<'a> {
    /// Modulus.
    pub n: &'a [u8],
    /// Public exponent.
    pub e: u32,
    /// Private exponent.
    pub d: &'a [u8],
    /// First prime.
    pub p: &'a [u8],
    /// Second prime.
    pub q: &'a [u8],
}

impl core::fmt::Debug for RsaPrivateParts<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RsaPrivateParts([REDACTED])")
    }
}

/// Reads a PKCS#8 `PrivateKeyInfo` holding a two-prime RSA key, strictly; `None` for
/// anything else (another key type, multi-prime, attributes, trailing bytes, a key
/// outside the policy).
pub fn parse_pkcs8(input: &[u8]) -> Option<RsaPrivateParts<'_>> {
    let (info, trailing) = spki::read_tlv(input, spki::SEQUENCE)?;
    let (version, info) = spki::read_tlv(info, spki::INTEGER)?;
    let info = info.strip_prefix(&RSA_ALGORITHM)?;
    let (key, info) = spki::read_tlv(info, spki::OCTET_STRING)?;
    if version != [0x00] || !info.is_empty() || !trailing.is_empty() {
        return None;
    }
    let (key, trailing) = spki::read_tlv(key, spki::SEQUENCE)?;
    let (version, key) = spki::read_tlv(key, spki::INTEGER)?;
    if version != [0x00] || !trailing.is_empty() {
        return None;
    }
    let mut rest = key;
    let mut next = || -> Option<&[u8]> {
        let (value, after) = spki::read_integer(rest)?;
        rest = after;
        Some(value)
    };
    let (n, e, d, p, q) = (next()?, next()?, next()?, next()?, next()?);
    // dP, dQ and qInv are read for strictness; `rsa` recomputes them.
    let (_dp, _dq, _qinv) = (next()?, next()?, next()?);
    if !rest.is_empty() {
        return None;
    }
    let e = spki::rsa_exponent(e).ok()?;
    spki::check_rsa(n, e).ok()?;
    Some(RsaPrivateParts { n, e, d, p, q })
}

/// One RSA signing key: its id, the private key (PKCS#8, secret), and its public half.
#[derive(Clone)]
pub struct RsaSigningKey {
    /// The key id (`kid`): public, unique across both signing rings.
    pub id: String,
    pkcs8: Secret,
    n: Vec<u8>,
    e: u32,
    spki: Vec<u8>,
}

impl RsaSigningKey {
    /// The key from its PKCS#8 DER, when it is a key [`parse_pkcs8`] accepts.
    pub fn new(id: &str, pkcs8: Vec<u8>) -> Option<Self> {
        let secret = Secret::new(pkcs8);
        let (n, e) = {
            let parts = parse_pkcs8(secret.expose())?;
            (parts.n.to_vec(), parts.e)
        };
        let spki = spki::rsa(&n, e).ok()?;
        Some(Self {
            id: id.to_string(),
            pkcs8: secret,
            n,
            e,
            spki,
        })
    }

    /// The private key as PKCS#8 DER (what WebCrypto imports).
    pub fn pkcs8(&self) -> &Secret {
        &self.pkcs8
    }

    /// The private key's parts (what software signing uses).
    pub fn parts(&self) -> Option<RsaPrivateParts<'_>> {
        parse_pkcs8(self.pkcs8.expose())
    }

    /// The modulus, big-endian (the JWK `n`).
    pub fn modulus(&self) -> &[u8] {
        &self.n
    }

    /// The public exponent (the JWK `e`).
    pub fn exponent(&self) -> u32 {
        self.e
    }

    /// The exponent as the JWK's minimal big-endian bytes.
    pub fn exponent_bytes(&self) -> Vec<u8> {
        let bytes = self.e.to_be_bytes();
        let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        bytes.get(start..).unwrap_or_default().to_vec()
    }

    /// The public half as a SubjectPublicKeyInfo (for a signature check of our own).
    pub fn public_key_spki(&self) -> &[u8] {
        &self.spki
    }
}

impl PartialEq for RsaSigningKey {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.pkcs8 == other.pkcs8
    }
}

impl Eq for RsaSigningKey {}

impl core::fmt::Debug for RsaSigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaSigningKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Why an `OIDC_RSA_SIGNING_KEYS` value was refused (the variable name is added by
/// the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RsaKeyringError {
    /// Empty, an entry without `id:key`, a bad id, or more than [`MAX_KEYS`] keys.
    Malformed,
    /// An entry is not base64url of a PKCS#8 two-prime RSA key within the policy.
    BadKeyMaterial,
    /// Two entries share an id.
    DuplicateId,
    /// A `dev-` key outside development.
    DevelopmentKey,
}

/// An ordered, non-empty set of RSA signing keys; the first signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaKeyring {
    keys: Vec<RsaSigningKey>,
}

impl RsaKeyring {
    /// Parses `id:base64url(PKCS#8 DER),…` (ids as in [`super::keys::Keyring`]).
    pub fn parse(text: &str, allow_development_keys: bool) -> Result<Self, RsaKeyringError> {
        let mut keys: Vec<RsaSigningKey> = Vec::new();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (id, material) = entry.split_once(':').ok_or(RsaKeyringError::Malformed)?;
            let id = id.trim();
            if id.is_empty()
                || id.len() > 64
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
            {
                return Err(RsaKeyringError::Malformed);
            }
            if id.starts_with(DEVELOPMENT_KEY_PREFIX) && !allow_development_keys {
                return Err(RsaKeyringError::DevelopmentKey);
            }
            if keys.iter().any(|key| key.id == id) {
                return Err(RsaKeyringError::DuplicateId);
            }
            let der = URL_SAFE_NO_PAD
                .decode(material.trim().trim_end_matches('='))
                .map_err(|_| RsaKeyringError::BadKeyMaterial)?;
            keys.push(RsaSigningKey::new(id, der).ok_or(RsaKeyringError::BadKeyMaterial)?);
        }
        if keys.is_empty() || keys.len() > MAX_KEYS {
            return Err(RsaKeyringError::Malformed);
        }
        Ok(Self { keys })
    }

    /// The key that signs.
    pub fn active(&self) -> Option<&RsaSigningKey> {
        self.keys.first()
    }

    /// A key by id.
    pub fn get(&self, id: &str) -> Option<&RsaSigningKey> {
        self.keys.iter().find(|key| key.id == id)
    }

    /// Every key, active first.
    pub fn iter(&self) -> impl Iterator<Item = &RsaSigningKey> {
        self.keys.iter()
    }
}

/// RS256 signing on the platform (see the module docs).
#[allow(async_fn_in_trait)]
pub trait Rs256Signer {
    /// The RSASSA-PKCS1-v1_5 SHA-256 signature of `message` under `key`; `None` when
    /// this platform cannot sign or signing failed. `random` feeds blinding where the
    /// platform does not blind by itself.
    async fn sign_rs256<R: Random>(
        &self,
        key: &RsaSigningKey,
        message: &[u8],
        random: &R,
    ) -> Option<Vec<u8>>;
}

/// EdDSA-only verification links no RSA: it cannot sign either.
impl Rs256Signer for super::signature::SoftwareEd25519 {
    async fn sign_rs256<R: Random>(&self, _: &RsaSigningKey, _: &[u8], _: &R) -> Option<Vec<u8>> {
        None
    }
}

#[cfg(feature = "software-signatures")]
impl Rs256Signer for super::signature::SoftwareVerifier {
    async fn sign_rs256<R: Random>(
        &self,
        key: &RsaSigningKey,
        message: &[u8],
        random: &R,
    ) -> Option<Vec<u8>> {
        sign_software(key, message, random)
    }
}

/// RS256 in software (RustCrypto's `rsa`, with blinding from `random`).
#[cfg(feature = "software-signatures")]
pub fn sign_software<R: Random>(
    key: &RsaSigningKey,
    message: &[u8],
    random: &R,
) -> Option<Vec<u8>> {
    use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
    use rsa::BoxedUint;
    let parts = key.parts()?;
    let bits = u32::try_from(parts.n.len()).ok()?.checked_mul(8)?;
    let uint = |bytes: &[u8]| BoxedUint::from_be_slice(bytes, bits).ok();
    let private = rsa::PrivateKey::from_components(
        uint(parts.n)?,
        BoxedUint::from(u64::from(parts.e)),
        uint(parts.d)?,
        alloc::vec![uint(parts.p)?, uint(parts.q)?],
    )
    .ok()?;
    let signer = rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(private);
    let mut rng = Blinding(random);
    let signature = signer.try_sign_with_rng(&mut rng, message).ok()?;
    Some(signature.to_vec())
}

/// The injected [`Random`] as the `rand_core` source `rsa` blinds with.
#[cfg(feature = "software-signatures")]
struct Blinding<'a, R: Random>(&'a R);

#[cfg(feature = "software-signatures")]
#[derive(Debug)]
struct BlindingFailed;

#[cfg(feature = "software-signatures")]
impl core::fmt::Display for BlindingFailed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("the platform random source failed")
    }
}

#[cfg(feature = "software-signatures")]
impl core::error::Error for BlindingFailed {}

#[cfg(feature = "software-signatures")]
impl<R: Random> rsa::rand_core::TryRng for Blinding<'_, R> {
    type Error = BlindingFailed;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut bytes = [0u8; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut bytes = [0u8; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill(dst).map_err(|_| BlindingFailed)
    }
}

#[cfg(feature = "software-signatures")]
impl<R: Random> rsa::rand_core::TryCryptoRng for Blinding<'_, R> {}

#[cfg(test)]
mod tests;
