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

/// A body of `total` bytes delivered in chunks of `chunk` bytes, counting how many
/// chunks were read (and failing at the end when `fails`).
struct Chunks<'a> {
    left: usize,
    chunk: usize,
    fails: bool,
    read: &'a core::cell::Cell<usize>,
}

impl BodyChunks for Chunks<'_> {
    type Chunk = Vec<u8>;
    async fn next_chunk(&mut self) -> Option<Result<Vec<u8>, BodyFailed>> {
        if self.left == 0 {
            return self.fails.then_some(Err(BodyFailed));
        }
        let n = self.chunk.min(self.left);
        self.left -= n;
        self.read.set(self.read.get() + 1);
        Some(Ok(vec![1u8; n]))
    }
}

fn read_body(method: Method, length: Option<&str>, total: usize, chunk: usize) -> (usize, usize) {
    let read = core::cell::Cell::new(0);
    let body = pollster::block_on(capped(method, length, || {
        Some(Chunks {
            left: total,
            chunk,
            fails: false,
            read: &read,
        })
    }));
    (body.len(), read.get())
}

#[test]
fn capped_reads_only_what_the_core_may_need() {
    assert_eq!(read_body(Method::Post, None, 10, 4).0, 10);
    assert_eq!(
        read_body(Method::Post, None, MAX_BODY_BYTES * 3, 1000).0,
        MAX_BODY_BYTES + 1,
        "a chunked body is cut one byte past the limit"
    );
    assert_eq!(read_body(Method::Get, Some("5"), 5, 5), (0, 0));
    assert_eq!(read_body(Method::Head, None, 5, 5), (0, 0));
    let declared = alloc::format!("{}", MAX_BODY_BYTES + 1);
    let refused = pollster::block_on(capped(
        Method::Post,
        Some(&declared),
        || -> Option<Chunks<'_>> { unreachable!("a body declared too long is never opened") },
    ));
    assert_eq!(refused.len(), MAX_BODY_BYTES + 1);
    assert_eq!(read_body(Method::Post, Some(" 12 "), 12, 5).0, 12);
}

#[test]
fn a_streamed_body_is_read_no_further_than_one_byte_past_the_limit() {
    // 50 MiB in 64 KiB chunks: one chunk is read, the rest never is.
    let (len, chunks) = read_body(Method::Post, None, 50 << 20, 64 << 10);
    assert_eq!((len, chunks), (MAX_BODY_BYTES + 1, 1));
    // In 1 KiB chunks: exactly the chunks that reach the limit plus one byte.
    let (len, chunks) = read_body(Method::Post, None, 50 << 20, 1024);
    assert_eq!(
        (len, chunks),
        (MAX_BODY_BYTES + 1, MAX_BODY_BYTES / 1024 + 1)
    );
}

#[test]
fn a_body_that_fails_or_cannot_be_opened_reads_as_empty() {
    let read = core::cell::Cell::new(0);
    let failed = pollster::block_on(capped(Method::Post, None, || {
        Some(Chunks {
            left: 10,
            chunk: 4,
            fails: true,
            read: &read,
        })
    }));
    assert!(failed.is_empty());
    let unopened = pollster::block_on(capped(Method::Post, None, || None::<Chunks<'_>>));
    assert!(unopened.is_empty());
}
