//! Access-token signatures checked by the runtime's WebCrypto (`crypto.subtle`,
//! Ed25519): the core's [`SignatureVerifier`] on Workers.
//!
//! Why: Ed25519 compiled to wasm32 is several times slower than workerd's native
//! implementation (its field arithmetic multiplies `u128`s through a helper call);
//! jose on Workers uses WebCrypto too. docs/benchmarks.md measures both.
//!
//! Security considerations:
//! - Same answers as the core's reference verifier: a valid signature verifies, and
//!   anything else — wrong length, flipped bit, non-canonical `S` — does not (both
//!   reject `S ≥ L`). The key is always one we derived from our own seed.
//! - A runtime failure (no `crypto.subtle`, an unsupported algorithm, a rejected
//!   promise) is never read as valid: the check falls back to the core's software
//!   verifier, so an answer is always a real verification.
//! - Imported keys are kept per isolate (at most [`MAX_KEYS`]; they are public keys).

use core::cell::RefCell;
use edgeauth_core::env::SignatureVerifier;
use edgeauth_core::policy::token::SoftwareEd25519;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Crypto, CryptoKey, SubtleCrypto};

/// Imported public keys kept per isolate (a keyring holds a handful).
const MAX_KEYS: usize = 8;

thread_local! {
    static KEYS: RefCell<Vec<([u8; 32], CryptoKey)>> = const { RefCell::new(Vec::new()) };
    /// `crypto.subtle` and the `{name: "Ed25519"}` algorithm object, looked up once
    /// per isolate (each lookup is a crossing into JS).
    static RUNTIME: RefCell<Option<(SubtleCrypto, Object)>> = const { RefCell::new(None) };
}

/// [`SignatureVerifier`] over `crypto.subtle.verify("Ed25519", …)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebCryptoEd25519;

impl SignatureVerifier for WebCryptoEd25519 {
    async fn verify_ed25519(
        &self,
        public_key: &[u8; 32],
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        if signature.len() != 64 {
            return false;
        }
        match verify(public_key, message, signature).await {
            Ok(valid) => valid,
            Err(_) => {
                SoftwareEd25519
                    .verify_ed25519(public_key, message, signature)
                    .await
            }
        }
    }
}

/// `crypto.subtle` and the algorithm object (cached per isolate).
fn runtime() -> Result<(SubtleCrypto, Object), JsValue> {
    if let Some(known) = RUNTIME.with(|cell| cell.borrow().clone()) {
        return Ok(known);
    }
    let crypto: Crypto = Reflect::get(&js_sys::global(), &"crypto".into())?.dyn_into()?;
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"Ed25519".into())?;
    let found = (crypto.subtle(), algorithm);
    RUNTIME.with(|cell| *cell.borrow_mut() = Some(found.clone()));
    Ok(found)
}

async fn key_for(
    subtle: &SubtleCrypto,
    algorithm: &Object,
    public_key: &[u8; 32],
) -> Result<CryptoKey, JsValue> {
    let known = KEYS.with(|keys| {
        keys.borrow()
            .iter()
            .find(|(bytes, _)| bytes == public_key)
            .map(|(_, key)| key.clone())
    });
    if let Some(key) = known {
        return Ok(key);
    }
    let usages = Array::of1(&"verify".into());
    let promise = subtle.import_key_with_object(
        "raw",
        &Uint8Array::from(&public_key[..]),
        algorithm,
        false,
        &usages,
    )?;
    let key: CryptoKey = JsFuture::from(promise).await?.dyn_into()?;
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        if keys.len() >= MAX_KEYS {
            keys.remove(0);
        }
        keys.push((*public_key, key.clone()));
    });
    Ok(key)
}

async fn verify(public_key: &[u8; 32], message: &[u8], signature: &[u8]) -> Result<bool, JsValue> {
    let (subtle, algorithm) = runtime()?;
    let key = key_for(&subtle, &algorithm, public_key).await?;
    let promise = subtle
        .verify_with_object_and_u8_array_and_u8_array(&algorithm, &key, signature, message)?;
    Ok(JsFuture::from(promise).await?.as_bool().unwrap_or(false))
}
