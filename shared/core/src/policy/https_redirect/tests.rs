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
    let response = redirect(&request("http", "app.example.com"), Environment::Production);
    let response = response.unwrap();
    assert_eq!(response.status, 308);
    assert_eq!(
        response.header("location"),
        Some("https://app.example.com/auth/login?a=1")
    );
}

#[test]
fn loopback_is_exempt_only_in_development() {
    assert!(redirect(&request("http", "127.0.0.1"), Environment::Development).is_none());
    assert!(redirect(&request("http", "localhost"), Environment::Development).is_none());
    assert!(redirect(&request("http", "127.0.0.1"), Environment::Production).is_some());
    assert!(redirect(&request("http", "example.com"), Environment::Development).is_some());
}

#[test]
fn https_is_served() {
    assert!(redirect(&request("https", "example.com"), Environment::Production).is_none());
}

#[test]
fn lookalike_hosts_are_not_loopback() {
    assert!(!is_loopback_host("127.0.0.1.evil.com"));
    assert!(!is_loopback_host("localhost.evil.com"));
    assert!(is_loopback_host("127.1.2.3"));
}
