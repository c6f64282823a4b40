//! Signatures checked by the runtime's WebCrypto (`crypto.subtle`): the core's
//! [`SignatureVerifier`] on Workers, for EdDSA (access tokens, ID tokens, passkeys),
//! ES256 and RS256 (ID tokens, passkeys) — and RS256 *signing* ([`Rs256Signer`]) for the
//! OAuth provider's ID tokens, so no Worker links RSA arithmetic.
//!
//! Why: Ed25519 compiled to wasm32 is several times slower than workerd's native
//! implementation (its field arithmetic multiplies `u128`s through a helper call), and
//! P-256 and RSA in software would add their code to every Worker's bundle. WebCrypto
//! has all three: `importKey("spki", …)` then `verify`, with the algorithm objects of
//! the table in `edgeauth_primitives::crypto::signature`. docs/benchmarks.md measures
//! the Ed25519 path.
//!
//! Security considerations:
//! - Same answers as the software reference: [`SignatureCheck::key`] runs first, so a
//!   malformed key or signature, a key of another type than the algorithm, or an RSA
//!   key outside the policy (which WebCrypto alone would import) is `false` before any
//!   JS is called.
//! - A runtime failure (no `crypto.subtle`, an unsupported algorithm, a rejected
//!   promise, a key WebCrypto will not import) is never read as valid. For EdDSA the
//!   check falls back to the software verifier, so an answer is always a real
//!   verification; ES256 and RS256 have no software path here (it would put `p256` and
//!   `rsa` into every Worker) and answer `false`: they fail closed.
//! - Imported keys are cached per isolate — at most [`MAX_KEYS`], the oldest dropped
//!   first — under the algorithm and the SHA-256 of the SPKI, so a cached key is only
//!   ever used for the exact bytes it was imported from. They are public keys.
//! - RS256 signing imports the PKCS#8 private key as a non-extractable `CryptoKey`
//!   usable for `sign` only, cached per isolate under the SHA-256 of its PKCS#8 (at
//!   most [`MAX_SIGNING_KEYS`]); a failure is `None` and the core issues nothing.

use core::cell::RefCell;
use edgeauth_primitives::crypto::kdf::sha256;
use edgeauth_primitives::crypto::rsa::{Rs256Signer, RsaSigningKey};
use edgeauth_primitives::crypto::signature::{
    Algorithm, SignatureCheck, SignatureVerifier, SoftwareEd25519,
};
use edgeauth_primitives::env::Random;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Crypto, CryptoKey, SubtleCrypto};

/// Imported public keys kept per isolate: a signing keyring, a few OpenID providers'
/// keys and the passkeys of recent sign-ins.
const MAX_KEYS: usize = 32;

/// Imported RS256 private keys kept per isolate (`OIDC_RSA_SIGNING_KEYS` holds at most
/// three).
const MAX_SIGNING_KEYS: usize = 4;

/// A cached key: the algorithm it was imported for and the SHA-256 of its SPKI.
type KeyId = (Algorithm, [u8; 32]);

/// `importKey` and `verify` algorithm objects of one algorithm.
#[derive(Clone)]
struct Params {
    import: Object,
    verify: Object,
}

thread_local! {
    static KEYS: RefCell<Vec<(KeyId, CryptoKey)>> = const { RefCell::new(Vec::new()) };
    /// Imported RS256 private keys, by the SHA-256 of their PKCS#8.
    static SIGNING_KEYS: RefCell<Vec<([u8; 32], CryptoKey)>> = const { RefCell::new(Vec::new()) };
    /// `crypto.subtle` and the algorithm objects, built once per isolate (each lookup
    /// and object is a crossing into JS).
    static RUNTIME: RefCell<Option<(SubtleCrypto, [Params; 3])>> = const { RefCell::new(None) };
}

/// [`SignatureVerifier`] over `crypto.subtle` (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct WebCryptoVerifier;

impl SignatureVerifier for WebCryptoVerifier {
    async fn verify(&self, check: &SignatureCheck<'_>) -> bool {
        if check.key().is_none() {
            return false;
        }
        match verify(check).await {
            Ok(valid) => valid,
            Err(_) if check.algorithm == Algorithm::EdDsa => SoftwareEd25519.verify(check).await,
            Err(_) => false,
        }
    }
}

impl Rs256Signer for WebCryptoVerifier {
    async fn sign_rs256<R: Random>(
        &self,
        key: &RsaSigningKey,
        message: &[u8],
        _random: &R,
    ) -> Option<Vec<u8>> {
        sign_rs256(key, message).await.ok()
    }
}

/// `crypto.subtle.sign` with the RSASSA-PKCS1-v1_5 key imported from `key`'s PKCS#8.
async fn sign_rs256(key: &RsaSigningKey, message: &[u8]) -> Result<Vec<u8>, JsValue> {
    let (subtle, params) = runtime()?;
    let params = params
        .get(index(Algorithm::Rs256))
        .ok_or_else(|| JsValue::from_str("no parameters"))?;
    let id = sha256(key.pkcs8().expose());
    let known = SIGNING_KEYS.with(|keys| {
        keys.borrow()
            .iter()
            .find(|(cached, _)| *cached == id)
            .map(|(_, key)| key.clone())
    });
    let crypto_key = match known {
        Some(crypto_key) => crypto_key,
        None => {
            let usages = Array::of1(&"sign".into());
            let promise = subtle.import_key_with_object(
                "pkcs8",
                &Uint8Array::from(key.pkcs8().expose()),
                &params.import,
                false,
                &usages,
            )?;
            let crypto_key: CryptoKey = JsFuture::from(promise).await?.dyn_into()?;
            SIGNING_KEYS.with(|keys| {
                let mut keys = keys.borrow_mut();
                if keys.len() >= MAX_SIGNING_KEYS {
                    keys.remove(0);
                }
                keys.push((id, crypto_key.clone()));
            });
            crypto_key
        }
    };
    let promise = subtle.sign_with_object_and_u8_array(&params.verify, &crypto_key, message)?;
    let signature = JsFuture::from(promise).await?;
    Ok(Uint8Array::new(&signature).to_vec())
}

/// WebCrypto alone, without the software fallback: `false` for a failed runtime too.
/// Test-only (feature `contract-tests`): the contract worker compares it with
/// [`WebCryptoVerifier`] to show that an answer came from WebCrypto.
#[cfg(feature = "contract-tests")]
#[derive(Debug, Clone, Copy, Default)]
pub struct WebCryptoOnly;

#[cfg(feature = "contract-tests")]
impl SignatureVerifier for WebCryptoOnly {
    async fn verify(&self, check: &SignatureCheck<'_>) -> bool {
        check.key().is_some() && verify(check).await.unwrap_or(false)
    }
}

#[cfg(feature = "contract-tests")]
impl Rs256Signer for WebCryptoOnly {
    async fn sign_rs256<R: Random>(
        &self,
        key: &RsaSigningKey,
        message: &[u8],
        _random: &R,
    ) -> Option<Vec<u8>> {
        sign_rs256(key, message).await.ok()
    }
}

/// A JS object `{name, …}` from string pairs.
fn object(pairs: &[(&str, &str)]) -> Result<Object, JsValue> {
    let object = Object::new();
    for (key, value) in pairs {
        Reflect::set(&object, &(*key).into(), &(*value).into())?;
    }
    Ok(object)
}

/// `crypto.subtle` and the algorithm objects, indexed like [`index`] (cached per
/// isolate).
fn runtime() -> Result<(SubtleCrypto, [Params; 3]), JsValue> {
    if let Some(known) = RUNTIME.with(|cell| cell.borrow().clone()) {
        return Ok(known);
    }
    let crypto: Crypto = Reflect::get(&js_sys::global(), &"crypto".into())?.dyn_into()?;
    let ed25519 = object(&[("name", "Ed25519")])?;
    let params = [
        Params {
            import: ed25519.clone(),
            verify: ed25519,
        },
        Params {
            import: object(&[("name", "ECDSA"), ("namedCurve", "P-256")])?,
            verify: object(&[("name", "ECDSA"), ("hash", "SHA-256")])?,
        },
        Params {
            import: object(&[("name", "RSASSA-PKCS1-v1_5"), ("hash", "SHA-256")])?,
            verify: object(&[("name", "RSASSA-PKCS1-v1_5")])?,
        },
    ];
    let found = (crypto.subtle(), params);
    RUNTIME.with(|cell| *cell.borrow_mut() = Some(found.clone()));
    Ok(found)
}

/// The position of `algorithm`'s objects in [`runtime`]'s array.
fn index(algorithm: Algorithm) -> usize {
    match algorithm {
        Algorithm::EdDsa => 0,
        Algorithm::Es256 => 1,
        Algorithm::Rs256 => 2,
    }
}

async fn key_for(
    subtle: &SubtleCrypto,
    params: &Params,
    check: &SignatureCheck<'_>,
) -> Result<CryptoKey, JsValue> {
    let id: KeyId = (check.algorithm, sha256(check.public_key_spki));
    let known = KEYS.with(|keys| {
        keys.borrow()
            .iter()
            .find(|(cached, _)| *cached == id)
            .map(|(_, key)| key.clone())
    });
    if let Some(key) = known {
        return Ok(key);
    }
    let usages = Array::of1(&"verify".into());
    let promise = subtle.import_key_with_object(
        "spki",
        &Uint8Array::from(check.public_key_spki),
        &params.import,
        false,
        &usages,
    )?;
    let key: CryptoKey = JsFuture::from(promise).await?.dyn_into()?;
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        if keys.len() >= MAX_KEYS {
            keys.remove(0);
        }
        keys.push((id, key.clone()));
    });
    Ok(key)
}

async fn verify(check: &SignatureCheck<'_>) -> Result<bool, JsValue> {
    let (subtle, params) = runtime()?;
    let params = params
        .get(index(check.algorithm))
        .ok_or_else(|| JsValue::from_str("no parameters"))?;
    let key = key_for(&subtle, params, check).await?;
    let promise = subtle.verify_with_object_and_u8_array_and_u8_array(
        &params.verify,
        &key,
        check.signature,
        check.message,
    )?;
    Ok(JsFuture::from(promise).await?.as_bool().unwrap_or(false))
}
