//! JWK and JWK Set parsing and SubjectPublicKeyInfo decoding (`edgeauth-primitives`
//! `crypto::jwk`, `crypto::signature::spki`): never panic on any input, and every key
//! accepted reads one way: its SPKI decodes to a key of the algorithm it was read for.
//! Input: the bytes, given to every parser.
#![no_main]
use edgeauth_core::crypto::jwk::{parse_jwk, parse_jwks};
use edgeauth_core::crypto::signature::spki;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let keys = parse_jwks(data).unwrap_or_default();
    for key in keys.iter().chain(parse_jwk(data).as_ref().ok()) {
        assert_eq!(spki::decode(&key.spki).map(|k| k.algorithm()), Some(key.algorithm));
    }
    let _ = spki::decode(data);
});
