//! WebAuthn parsers (`edgeauth-webauthn`): the attestation object, authenticator data,
//! `clientDataJSON`, COSE keys and DER signatures never panic on any input, and what they
//! accept reads one way: an attested credential's stored COSE bytes parse back to its key.
//! Input: the bytes, given to every parser.
#![no_main]
use edgeauth_webauthn::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let auth_data = match parse_attestation_object(data) {
        Ok(object) => object.auth_data,
        Err(_) => data,
    };
    if let Ok(Some(credential)) = parse_authenticator_data(auth_data).map(|a| a.attested_credential)
    {
        assert_eq!(
            PublicKey::from_cose(credential.public_key_cose),
            Ok(credential.public_key)
        );
        assert!(credential.credential_id.len() <= 1023);
    }
    let _ = parse_client_data(data);
    let _ = PublicKey::from_cose(data).map(|key| key.to_spki_der());
    let _ = ecdsa_der_to_raw(data);
});
