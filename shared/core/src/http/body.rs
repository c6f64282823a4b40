//! Request bodies: media type, size and strict JSON (docs/contract.md §2).
//!
//! Security considerations:
//! - Bodies over [`MAX_BODY_BYTES`] are refused before parsing (`413`); adapters stop
//!   reading at `MAX_BODY_BYTES + 1` so an oversized upload costs little.
//! - Only `application/json` is accepted (`415`), which also keeps simple
//!   cross-site form posts (which cannot set that type without a preflight) out.
//! - Parsing is strict: request types use `#[serde(deny_unknown_fields)]`, and a
//!   parse failure maps to a fixed `detail` — serde's own message can quote the
//!   offending value, so it is never passed on.

use super::Request;
use crate::error::ApiError;
use serde::de::DeserializeOwned;

/// The largest accepted request body (16 KiB).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// True when the `Content-Type` is `application/json` (parameters such as
/// `charset=utf-8` allowed, case-insensitive).
pub fn is_json_content_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// Checks size and media type for a request that carries a body.
///
/// An empty body passes without a `Content-Type` (for example `POST /logout`);
/// routes that need a body then fail JSON parsing with `400`.
pub fn check_envelope(request: &Request) -> Result<(), ApiError> {
    if request.body.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    if request.body.is_empty() && request.header("content-type").is_none() {
        return Ok(());
    }
    match request.header("content-type") {
        Some(value) if is_json_content_type(value) => Ok(()),
        _ => Err(ApiError::UnsupportedMediaType),
    }
}

/// Parses the body strictly into `T`.
pub fn parse_json<T: DeserializeOwned>(request: &Request) -> Result<T, ApiError> {
    check_envelope(request)?;
    if request.body.is_empty() {
        return Err(ApiError::InvalidRequest("a JSON body is required"));
    }
    parse_json_bytes(&request.body)
}

/// Parses bytes strictly into `T` with a detail that never quotes the input.
pub fn parse_json_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|error| {
        ApiError::InvalidRequest(match error.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "the body is not well-formed JSON"
            }
            serde_json::error::Category::Data => {
                "the body has a missing, unknown or wrongly typed field"
            }
            serde_json::error::Category::Io => "the body could not be read",
        })
    })
}

/// Validates a string field's length in characters; the detail names the rule only.
pub fn check_length(
    value: &str,
    min: usize,
    max: usize,
    detail: &'static str,
) -> Result<(), ApiError> {
    // Count bytes first: a cheap bound before walking characters of a huge string.
    if value.len() > max.saturating_mul(4) {
        return Err(ApiError::InvalidRequest(detail));
    }
    let chars = value.chars().count();
    if chars < min || chars > max {
        return Err(ApiError::InvalidRequest(detail));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
}
