use super::*;
use alloc::string::ToString;
use alloc::vec::Vec;

fn request(scheme: &str, host: &str) -> Request {
    Request {
        method: crate::http::Method::Post,
        scheme: scheme.to_string(),
        host: host.to_string(),
        port: None,
        path: "/auth/login".to_string(),
        query: "a=1".to_string(),
        headers: Vec::new(),
        body: Vec::new(),
    }
}

#[test]
fn plain_http_is_redirected_with_308_keeping_path_and_query() {
    let response = redirect(
        &request("http", "app.example.com"),
        Environment::Production,
        None,
    );
    let response = response.unwrap();
    assert_eq!(response.status, 308);
    assert_eq!(
        response.header("location"),
        Some("https://app.example.com/auth/login?a=1")
    );
}

#[test]
fn loopback_is_exempt_only_in_development() {
    assert!(redirect(
        &request("http", "127.0.0.1"),
        Environment::Development,
        None
    )
    .is_none());
    assert!(redirect(
        &request("http", "localhost"),
        Environment::Development,
        None
    )
    .is_none());
    assert!(redirect(&request("http", "127.0.0.1"), Environment::Production, None).is_some());
    assert!(redirect(
        &request("http", "example.com"),
        Environment::Development,
        None
    )
    .is_some());
}

#[test]
fn https_is_served() {
    assert!(redirect(
        &request("https", "example.com"),
        Environment::Production,
        None
    )
    .is_none());
}

#[test]
fn lookalike_hosts_are_not_loopback() {
    assert!(!is_loopback_host("127.0.0.1.evil.com"));
    assert!(!is_loopback_host("localhost.evil.com"));
    assert!(is_loopback_host("127.1.2.3"));
}

fn forwarded(values: &[&str]) -> Request {
    let mut request = request("http", "app.example.com");
    for value in values {
        request
            .headers
            .push(("X-Forwarded-Proto".to_string(), value.to_string()));
    }
    request
}

#[test]
fn a_forwarded_scheme_counts_only_when_its_header_is_trusted() {
    let claimed = forwarded(&["https"]);
    assert!(redirect(&claimed, Environment::Production, None).is_some());
    assert!(redirect(&claimed, Environment::Production, Some("x-forwarded-proto")).is_none());
    assert!(redirect(&claimed, Environment::Production, Some("X-Other")).is_some());
    assert_eq!(client_scheme(&claimed, None), "http");
}

#[test]
fn the_nearest_proxys_value_wins_and_anything_else_keeps_the_platform_scheme() {
    let trusted = Some("X-Forwarded-Proto");
    // A client's own value comes first; the proxy appends (to the list or a new line).
    assert_eq!(client_scheme(&forwarded(&["https, http"]), trusted), "http");
    assert_eq!(
        client_scheme(&forwarded(&["https", "http"]), trusted),
        "http"
    );
    assert_eq!(
        client_scheme(&forwarded(&["http, https"]), trusted),
        "https"
    );
    assert_eq!(client_scheme(&forwarded(&[" HTTPS "]), trusted), "https");
    for junk in ["", "wss", "https;", "http s", "https://"] {
        assert_eq!(
            client_scheme(&forwarded(&[junk]), trusted),
            "http",
            "{junk:?}"
        );
    }
    assert_eq!(client_scheme(&forwarded(&[]), trusted), "http");
}
