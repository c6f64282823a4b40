//! Access-token verification (`token::verify`, the JWS parser and EdDSA check, no memory)
//! over arbitrary and near-genuine tokens: never panics, and only the claims of the one
//! token we signed ever verify (no `alg: none`, no key confusion, no forged signature).
//! Input: a token as text, or 0x00 + position + bytes spliced into a genuine token.
#![no_main]
use edgeauth_core::crypto::signature::SoftwareEd25519;
use edgeauth_core::policy::token::{verify, NoMemory};
use edgeauth_fuzz::{development_config, jwt};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config = development_config();
    let candidate = jwt::candidate(&jwt::genuine(&config), data);
    let verdict = verify(
        &config,
        &NoMemory,
        &SoftwareEd25519,
        &candidate,
        jwt::NOW_MS,
    );
    match pollster::block_on(verdict) {
        Ok(token) => assert_eq!(
            (&*token.user_id, &*token.session_id),
            (jwt::USER_ID, jwt::SESSION_ID)
        ),
        // The genuine token itself must verify, or the property above would be vacuous.
        Err(error) => assert!(data != [0, 0], "the genuine token was refused: {error:?}"),
    }
});
