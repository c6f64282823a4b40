use super::*;

#[test]
fn every_contract_header_is_present() {
    let mut response = Response::empty(200);
    apply(&mut response, "/api/health", "abc", Hsts::Send);
    for name in [
        "Strict-Transport-Security",
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Referrer-Policy",
        "Permissions-Policy",
        "Cross-Origin-Opener-Policy",
        "Cross-Origin-Resource-Policy",
        "X-XSS-Protection",
    ] {
        assert!(response.header(name).is_some(), "{name} missing");
    }
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(response.header("x-request-id"), Some("abc"));
    assert_eq!(response.header("x-xss-protection"), Some("0"));
}

#[test]
fn hsts_is_omitted_only_when_asked() {
    let mut response = Response::empty(200);
    apply(
        &mut response,
        "/api/health",
        "abc",
        Hsts::OmitForLoopbackDevelopment,
    );
    assert!(response.header("strict-transport-security").is_none());
}

#[test]
fn a_routes_own_csp_is_kept_but_no_store_is_forced_on_auth_paths() {
    let mut response = Response::empty(200);
    response.set_header("Content-Security-Policy", "default-src 'none'; sandbox");
    response.set_header("Cache-Control", "public, max-age=60");
    apply(&mut response, "/auth/session", "id", Hsts::Send);
    assert_eq!(
        response.header("content-security-policy"),
        Some("default-src 'none'; sandbox")
    );
    assert_eq!(response.header("cache-control"), Some("no-store"));
}
