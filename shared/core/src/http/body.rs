//! Request bodies: media type, size and strict JSON (docs/contract.md §2).
//!
//! Security considerations:
//! - Bodies over [`MAX_BODY_BYTES`] are refused before parsing (`413`); adapters read
//!   bodies through [`capped`], which reads the platform's stream only until it holds
//!   `MAX_BODY_BYTES + 1` bytes (a chunked upload of any size costs at most that much
//!   memory) and does not read a body whose declared length is already too long.
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

/// A request body as the platform delivers it, chunk by chunk (a Workers
/// `ReadableStream`, a WASI incoming body): what an adapter hands [`capped`].
pub trait BodyChunks {
    /// One chunk of bytes.
    type Chunk: AsRef<[u8]>;
    /// The next chunk; `None` at the end of the body; `Some(Err(BodyFailed))` when
    /// the body failed mid-way. Dropping `self` stops reading (the rest is never read).
    fn next_chunk(&mut self) -> impl Future<Output = Option<Result<Self::Chunk, BodyFailed>>>;
}

/// The platform could not deliver the whole body (a broken upload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyFailed;

/// The body an adapter hands the core: nothing for `GET`/`HEAD`; a marker of
/// `MAX_BODY_BYTES + 1` bytes (never read) when `Content-Length` already says it is
/// too long, so the core answers `413`; otherwise the chunks of the body that
/// `open` starts, read until `MAX_BODY_BYTES + 1` bytes are held and then no further
/// (the stream is dropped unread), so a chunked upload of any size costs at most that
/// much memory. A body that fails mid-way, or that `open` cannot start, reads as
/// empty (the routes that need a body then answer `400`).
pub async fn capped<B: BodyChunks>(
    method: Method,
    content_length: Option<&str>,
    open: impl FnOnce() -> Option<B>,
) -> Vec<u8> {
    let declared = content_length.and_then(|value| value.trim().parse::<usize>().ok());
    match declared {
        Some(length) if length > MAX_BODY_BYTES => alloc::vec![0; MAX_BODY_BYTES + 1],
        _ if matches!(method, Method::Get | Method::Head) => Vec::new(),
        _ => match open() {
            Some(chunks) => read_capped(chunks).await,
            None => Vec::new(),
        },
    }
}

/// Reads `chunks` until `MAX_BODY_BYTES + 1` bytes are held, then stops.
async fn read_capped(mut chunks: impl BodyChunks) -> Vec<u8> {
    let mut bytes = Vec::new();
    while bytes.len() <= MAX_BODY_BYTES {
        match chunks.next_chunk().await {
            Some(Ok(chunk)) => {
                let chunk = chunk.as_ref();
                let room = (MAX_BODY_BYTES + 1).saturating_sub(bytes.len());
                bytes.extend_from_slice(chunk.get(..room).unwrap_or(chunk));
            }
            Some(Err(BodyFailed)) => return Vec::new(),
            None => break,
        }
    }
    bytes
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

/// True when the `Content-Type` is `application/x-www-form-urlencoded` (parameters
/// allowed, case-insensitive).
pub fn is_form_content_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

/// [`check_envelope`] for a route whose body is a form (the OAuth endpoints of RFC
/// 6749, 7009, 7662): the same size limit, and `application/x-www-form-urlencoded`
/// in place of JSON.
pub fn check_oauth_form_envelope(request: &Request) -> Result<(), ApiError> {
    if request.body.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    if request.body.is_empty() && request.header("content-type").is_none() {
        return Ok(());
    }
    match request.header("content-type") {
        Some(value) if is_form_content_type(value) => Ok(()),
        _ => Err(ApiError::UnsupportedMediaType),
    }
}

/// [`check_envelope`] for the few routes that also take a form body (a provider's
/// `form_post` callback): the same size rule, JSON or a urlencoded form.
pub fn check_form_envelope(request: &Request) -> Result<(), ApiError> {
    if request.body.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    match request.header("content-type") {
        Some(value) if is_form_content_type(value) => Ok(()),
        _ => check_envelope(request),
    }
}

/// The value of `name` in a urlencoded form body (first occurrence, decoded).
pub fn form_field(body: &[u8], name: &str) -> Option<alloc::string::String> {
    let text = core::str::from_utf8(body).ok()?;
    text.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (crate::encoding::percent_decode(key) == name)
            .then(|| crate::encoding::percent_decode(value))
    })
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
