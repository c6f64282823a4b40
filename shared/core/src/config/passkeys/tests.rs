use super::*;

#[test]
fn the_rp_id_is_the_host_of_an_https_origin_without_its_port() {
    assert_eq!(
        rp_id_of("https://app.example.com").as_deref(),
        Some("app.example.com")
    );
    assert_eq!(
        rp_id_of("https://app.example.com:8443").as_deref(),
        Some("app.example.com")
    );
    assert_eq!(
        rp_id_of("http://localhost:8787").as_deref(),
        Some("localhost")
    );
    assert_eq!(rp_id_of("https://localhost").as_deref(), Some("localhost"));
}

#[test]
fn origins_webauthn_refuses_have_no_rp_id() {
    for origin in [
        "http://127.0.0.1:8787",
        "https://127.0.0.1",
        "https://[::1]:8443",
        "http://app.example.com",
        "https://App.Example.com",
        "https://.example.com",
        "https://example..com",
        "https://example.com:",
        "https://10.0.0.1:443",
    ] {
        assert_eq!(rp_id_of(origin), None, "{origin}");
    }
}

#[test]
fn passkeys_are_on_by_default_where_the_origin_allows_them() {
    let on = parse("https://app.example.com", None).unwrap();
    assert_eq!(on.unwrap().rp_id, "app.example.com");
    assert_eq!(parse("http://127.0.0.1:8787", None), Ok(None));
    assert_eq!(parse("https://app.example.com", Some(false)), Ok(None));
}

#[test]
fn asking_for_passkeys_on_an_origin_that_cannot_have_them_is_refused() {
    assert_eq!(parse("http://127.0.0.1:8787", Some(true)), Err(Unusable));
    assert!(parse("http://localhost:8787", Some(true))
        .unwrap()
        .is_some());
}
