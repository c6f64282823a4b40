use super::*;

const KEY_A: &str = "OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c";
const KEY_B: &str = "ZVVV4f0TrU4rsRpAWk4cLk3RkBOso06T_LSpHOxSIUU";

#[test]
fn first_key_is_active_and_all_are_found() {
    let ring = Keyring::parse(&alloc::format!("k2:{KEY_B}, k1:{KEY_A}"), false).unwrap();
    assert_eq!(ring.active().id, "k2");
    assert!(ring.get("k1").is_some());
    assert_eq!(ring.iter().count(), 2);
}

#[test]
fn subkeys_are_derived_at_parse_for_every_purpose() {
    let ring = Keyring::parse(&alloc::format!("k1:{KEY_A}"), false).unwrap();
    let entry = ring.active();
    for purpose in Purpose::ALL {
        assert_eq!(
            entry.subkey(purpose),
            &*kdf::derive(entry.material.expose(), purpose)
        );
    }
}

#[test]
fn only_signing_rings_expand_ed25519_keys() {
    let data = Keyring::parse(&alloc::format!("k1:{KEY_A}"), false).unwrap();
    assert!(data.active().signing_key().is_none());
    let signing = Keyring::parse_signing(&alloc::format!("k1:{KEY_A}"), false).unwrap();
    let entry = signing.active();
    let expected = EdSigningKey::from_seed(&entry.material).unwrap();
    assert_eq!(
        entry.public_key(),
        Some(&expected.verifying_key().to_bytes())
    );
    assert_eq!(entry.signing_key().unwrap().sign(b"m"), expected.sign(b"m"));
    assert_ne!(data, signing, "a data ring is not a signing ring");
}

#[test]
fn a_signing_key_carries_its_public_key_as_the_spki_node_exports() {
    // The RFC 8037 seed; the SPKI Node exports for its public key (RFC 8037 A.2).
    let rfc8037: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/vectors/rfc8037.json")).unwrap();
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/vectors/jws-signatures.json")).unwrap();
    let node = vectors["vectors"][2]["spki"].as_str().unwrap();
    let seed = rfc8037["d"].as_str().unwrap();
    let ring = Keyring::parse_signing(&alloc::format!("k1:{seed}"), false).unwrap();
    let spki = ring.active().public_key_spki().unwrap();
    assert_eq!(crate::encoding::b64url(spki), node);
    let data = Keyring::parse(&alloc::format!("k1:{seed}"), false).unwrap();
    assert_eq!(data.active().public_key_spki(), None);
}

#[test]
fn debug_shows_ids_and_never_derived_keys() {
    let ring = Keyring::parse_signing(&alloc::format!("k1:{KEY_A}"), false).unwrap();
    let text = alloc::format!("{ring:?}");
    assert!(text.contains("k1"));
    assert!(!text.contains("subkeys") && !text.contains("ed25519"));
}

#[test]
fn refuses_development_keys_outside_development() {
    assert_eq!(
        Keyring::parse(DEVELOPMENT_JWT_SIGNING_KEYS, false).unwrap_err(),
        KeyringError::DevelopmentKey
    );
    assert!(Keyring::parse(DEVELOPMENT_JWT_SIGNING_KEYS, true).is_ok());
}

#[test]
fn refuses_malformed_entries() {
    assert_eq!(
        Keyring::parse("", false).unwrap_err(),
        KeyringError::Malformed
    );
    assert_eq!(
        Keyring::parse("nocolon", false).unwrap_err(),
        KeyringError::Malformed
    );
    assert_eq!(
        Keyring::parse("k:short", false).unwrap_err(),
        KeyringError::BadKeyMaterial
    );
    let dup = alloc::format!("k:{KEY_A},k:{KEY_B}");
    assert_eq!(
        Keyring::parse(&dup, false).unwrap_err(),
        KeyringError::DuplicateId
    );
}

#[test]
fn a_signing_ring_with_an_all_zero_key_parses_without_a_signing_key() {
    let zeros = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let ring = Keyring::parse_signing(&alloc::format!("z:{zeros}"), false).unwrap();
    assert!(ring.active().signing_key().is_none());
    assert!(ring.active().public_key().is_none());
}
