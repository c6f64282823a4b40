use super::*;

#[test]
fn random_failure_maps_to_random_failed() {
    assert_eq!(CryptoError::from(RandomError), CryptoError::RandomFailed);
}
