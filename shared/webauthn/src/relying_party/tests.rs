use super::*;

#[test]
fn accepts_an_origin_on_the_rp_id_or_below_it() {
    for (rp_id, origin) in [
        ("example.com", "https://example.com"),
        ("example.com", "https://auth.example.com"),
        ("example.com", "https://auth.example.com:8443"),
        ("localhost", "http://localhost:8787"),
        ("localhost", "https://localhost"),
    ] {
        let rp = RelyingParty::new(rp_id, origin).unwrap();
        assert_eq!((rp.rp_id(), rp.origin()), (rp_id, origin));
    }
}

#[test]
fn hashes_the_rp_id() {
    let rp = RelyingParty::new("example.org", "https://example.org").unwrap();
    // SHA-256("example.org"), the prefix of the W3C vectors' authenticator data.
    assert_eq!(rp.rp_id_hash()[..4], [0xbf, 0xab, 0xc3, 0x74]);
}

#[test]
fn refuses_unusable_or_look_alike_configurations() {
    for (rp_id, origin) in [
        ("example.com", "https://notexample.com"),
        ("example.com", "https://example.com.evil.test"),
        ("auth.example.com", "https://example.com"),
        ("example.com", "http://example.com"),
        ("example.com", "https://example.com/"),
        ("example.com", "https://example.com/path"),
        ("example.com", "https://user@example.com"),
        ("example.com", "https://example.com:"),
        ("example.com", "https://example.com:x"),
        ("example.com", "example.com"),
        ("", "https://example.com"),
        ("Example.com", "https://Example.com"),
        (".example.com", "https://a.example.com"),
        ("example.com", "http://localhost"),
    ] {
        assert!(
            matches!(RelyingParty::new(rp_id, origin), Err(Error::Misuse(_))),
            "{rp_id} {origin}"
        );
    }
}

#[test]
fn challenges_must_be_at_least_16_bytes() {
    assert!(check_challenge(&[0; 16]).is_ok());
    assert!(matches!(check_challenge(&[0; 15]), Err(Error::Misuse(_))));
}
