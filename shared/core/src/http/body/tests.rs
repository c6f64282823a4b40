use super::*;
use crate::http::Method;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    #[allow(dead_code)]
    email: String,
}

fn request(content_type: Option<&str>, body: &[u8]) -> Request {
    let mut headers = Vec::new();
    if let Some(value) = content_type {
        headers.push(("Content-Type".to_string(), value.to_string()));
    }
    Request {
        method: Method::Post,
        scheme: "https".into(),
        host: "example.com".into(),
        port: None,
        path: "/auth/login".into(),
        query: String::new(),
        headers,
        body: body.to_vec(),
    }
}

#[test]
fn accepts_json_with_charset() {
    assert!(is_json_content_type("application/json; charset=utf-8"));
    assert!(is_json_content_type("Application/JSON"));
    assert!(!is_json_content_type("application/jsonp"));
    assert!(!is_json_content_type("text/plain"));
}

#[test]
fn rejects_wrong_media_type_with_415() {
    let error = parse_json::<Login>(&request(Some("text/plain"), b"{}")).unwrap_err();
    assert_eq!(error, ApiError::UnsupportedMediaType);
    let error = parse_json::<Login>(&request(None, b"{}")).unwrap_err();
    assert_eq!(error, ApiError::UnsupportedMediaType);
}

#[test]
fn rejects_oversized_body_with_413() {
    let body = vec![b' '; MAX_BODY_BYTES + 1];
    let error = parse_json::<Login>(&request(Some("application/json"), &body)).unwrap_err();
    assert_eq!(error, ApiError::PayloadTooLarge);
}

#[test]
fn rejects_unknown_fields_without_echoing_values() {
    let body = br#"{"email":"a@b.c","role":"admin-secret-value"}"#;
    let error = parse_json::<Login>(&request(Some("application/json"), body)).unwrap_err();
    let ApiError::InvalidRequest(detail) = error else {
        panic!("{error:?}")
    };
    assert!(!detail.contains("admin-secret-value"));
}

#[test]
fn rejects_malformed_json_and_wrong_types() {
    for body in [&b"{"[..], b"[]", br#"{"email": 5}"#, b"null"] {
        let error = parse_json::<Login>(&request(Some("application/json"), body));
        assert!(
            matches!(error, Err(ApiError::InvalidRequest(_))),
            "{body:?}"
        );
    }
}

#[test]
fn length_checks_count_characters() {
    assert!(check_length("ééé", 3, 3, "x").is_ok());
    assert!(check_length("ab", 3, 10, "x").is_err());
    assert!(check_length(&"a".repeat(11), 0, 10, "x").is_err());
}

#[test]
fn capped_reads_only_what_the_core_may_need() {
    let read = |n: usize| move || async move { vec![1u8; n] };
    let body =
        |method, length: Option<&str>, n| pollster::block_on(capped(method, length, read(n)));
    assert_eq!(body(Method::Post, None, 10).len(), 10);
    assert_eq!(
        body(Method::Post, None, MAX_BODY_BYTES * 3).len(),
        MAX_BODY_BYTES + 1,
        "a chunked body is cut one byte past the limit"
    );
    assert!(body(Method::Get, Some("5"), 5).is_empty());
    assert!(body(Method::Head, None, 5).is_empty());
    let declared = alloc::format!("{}", MAX_BODY_BYTES + 1);
    let refused = pollster::block_on(capped(Method::Post, Some(&declared), || async {
        unreachable!("a body declared too long is never read")
    }));
    assert_eq!(refused.len(), MAX_BODY_BYTES + 1);
    assert_eq!(body(Method::Post, Some(" 12 "), 12).len(), 12);
}
