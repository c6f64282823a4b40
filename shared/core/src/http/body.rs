//! Request bodies: media type, size and strict JSON (API.md §2).
//!
//! Security considerations:
//! - Bodies over [`MAX_BODY_BYTES`] are refused before parsing (`413`); adapters read
//!   bodies through [`capped`], which keeps at most `MAX_BODY_BYTES + 1` bytes and
//!   does not read a body whose declared length is already too long.
//! - Only `application/json` is accepted (`415`), which also keeps simple
//!   cross-site form posts (which cannot set that type without a preflight) out.
//! - Parsing is strict: request types use `#[serde(deny_unknown_fields)]`, and a
//!   parse failure maps to a fixed `detail` — serde's own message can quote the
//!   offending value, so it is never passed on.

use alloc::vec::Vec;
use core::future::Future;

use super::{Method, Request};
use crate::error::ApiError;
use serde::de::DeserializeOwned;

/// The largest accepted request body (16 KiB).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The body an adapter hands the core: nothing for `GET`/`HEAD`; a marker of
/// `MAX_BODY_BYTES + 1` bytes (never read) when `Content-Length` already says it is
/// too long, so the core answers `413`; otherwise what `read` returns, cut at
/// `MAX_BODY_BYTES + 1`. `read` is the platform's own body reader.
pub async fn capped<F: Future<Output = Vec<u8>>>(
    method: Method,
    content_length: Option<&str>,
    read: impl FnOnce() -> F,
) -> Vec<u8> {
    let declared = content_length.and_then(|value| value.trim().parse::<usize>().ok());
    match declared {
        Some(length) if length > MAX_BODY_BYTES => alloc::vec![0; MAX_BODY_BYTES + 1],
        _ if matches!(method, Method::Get | Method::Head) => Vec::new(),
        _ => {
            let mut bytes = read().await;
            bytes.truncate(MAX_BODY_BYTES + 1);
            bytes
        }
    }
}

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
mod tests;
