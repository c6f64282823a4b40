use super::*;
use crate::crypto::blind_index::InvalidEmail;
use crate::crypto::CryptoError;

#[test]
fn every_crypto_error_fails_closed_as_unavailable() {
    for error in [
        CryptoError::UnknownKey,
        CryptoError::Malformed,
        CryptoError::Tampered,
        CryptoError::RandomFailed,
    ] {
        let api = ApiError::from(error);
        assert_eq!(api.status(), 503);
        assert_eq!(api.internal_cause(), Some(error.cause()));
        assert_eq!(api.detail(), None);
    }
}

#[test]
fn an_invalid_email_is_one_static_invalid_request() {
    let api = ApiError::from(InvalidEmail);
    assert_eq!(api.status(), 400);
    assert_eq!(api.detail(), Some("email: not a valid address"));
}
