//! `worker::Request` → core `Request`, and core `Response` → `worker::Response`.
//!
//! Security considerations: the body is read only when its declared length is within
//! the limit; an oversized or chunked-and-oversized body is replaced by a marker of
//! `MAX_BODY_BYTES + 1` bytes so the core answers `413` without buffering it all.

use edgeauth_core::http::body::MAX_BODY_BYTES;
use edgeauth_core::{Method, Request, Response};
use worker::Headers;

/// Converts the platform request.
pub(crate) async fn to_core(mut request: worker::Request) -> worker::Result<Request> {
    let url = request.url()?;
    let headers: Vec<(String, String)> = request.headers().entries().collect();
    let declared = request
        .headers()
        .get("content-length")?
        .and_then(|value| value.trim().parse::<usize>().ok());
    // The raw method token: workers-rs maps methods it does not know to GET, which
    // would answer `QUERY /api/health` with 200 instead of 405.
    let method = Method::parse(&request.inner().method());
    let body = match declared {
        Some(length) if length > MAX_BODY_BYTES => vec![0; MAX_BODY_BYTES + 1],
        _ if matches!(method, Method::Get | Method::Head) => Vec::new(),
        _ => {
            let mut bytes = request.bytes().await.unwrap_or_default();
            bytes.truncate(MAX_BODY_BYTES + 1);
            bytes
        }
    };
    Ok(Request {
        method,
        scheme: url.scheme().to_string(),
        host: url.host_str().unwrap_or_default().to_string(),
        port: url.port(),
        path: url.path().to_string(),
        query: url.query().unwrap_or_default().to_string(),
        headers,
        body,
    })
}

/// Converts the core's response.
pub(crate) fn from_core(response: Response) -> worker::Result<worker::Response> {
    let headers = Headers::new();
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    let body = (!response.body.is_empty()).then_some(response.body);
    let out = match body {
        Some(bytes) => worker::Response::from_bytes(bytes)?,
        None => worker::Response::empty()?,
    };
    Ok(out.with_status(response.status).with_headers(headers))
}
