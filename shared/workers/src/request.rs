//! `worker::Request` → core `Request`, and core `Response` → `worker::Response`.
//!
//! Security considerations: the client's country comes from `request.cf.country`
//! only (the core's [`COUNTRY_HEADER`] from a client is dropped); the body goes
//! through the core's cap ([`edgeauth_core::http::body::capped`]) as a stream
//! ([`Chunks`]): not read at all when its declared length is over the limit,
//! otherwise read only until one byte past it and then cancelled, so the core
//! answers `413` and an upload of any size (chunked ones included) costs at most that
//! much memory.

use edgeauth_core::http::{body, COUNTRY_HEADER};
use edgeauth_core::{Method, Request, Response};
use futures_util::StreamExt;
use worker::Headers;

/// The parts of the request URL the core needs: scheme, host, port, path, query.
struct UrlParts {
    scheme: String,
    host: String,
    port: Option<u16>,
    path: String,
    query: String,
}

/// Splits the request URL with the runtime's WHATWG parser (`URL`), so that no Rust
/// URL parser (and no IDNA table: the runtime hands us an ASCII, punycoded host) is
/// linked. The getters give what the `url` crate would: `hostname` keeps IPv6
/// brackets, `port` is empty for the scheme's default port, `search` is `?query`.
fn url_parts(request: &worker::Request) -> worker::Result<UrlParts> {
    let url = web_sys::Url::new(&request.inner().url())
        .map_err(|_| worker::Error::RustError("request URL unparseable".into()))?;
    let port = url.port();
    Ok(UrlParts {
        scheme: url.protocol().trim_end_matches(':').to_string(),
        host: url.hostname(),
        port: if port.is_empty() {
            None
        } else {
            Some(
                port.parse()
                    .map_err(|_| worker::Error::RustError("request URL port".into()))?,
            )
        },
        path: url.pathname(),
        query: url
            .search()
            .strip_prefix('?')
            .map(str::to_string)
            .unwrap_or_default(),
    })
}

/// The request's path, as the core would route it (see [`url_parts`]).
pub(crate) fn path(request: &worker::Request) -> worker::Result<String> {
    url_parts(request).map(|url| url.path)
}

/// Converts the platform request.
pub(crate) async fn to_core(mut request: worker::Request) -> worker::Result<Request> {
    let url = url_parts(&request)?;
    // The country header is ours alone: a client's copy is dropped, and the platform's
    // `request.cf.country` (set by Cloudflare's edge) takes its place.
    let mut headers: Vec<(String, String)> = request
        .headers()
        .entries()
        .filter(|(name, _)| !name.eq_ignore_ascii_case(COUNTRY_HEADER))
        .collect();
    if let Some(country) = request.cf().and_then(|cf| cf.country()) {
        headers.push((COUNTRY_HEADER.to_string(), country));
    }
    let declared = request.headers().get("content-length")?;
    // The raw method token: workers-rs maps methods it does not know to GET, which
    // would answer `QUERY /api/health` with 200 instead of 405.
    let method = Method::parse(&request.inner().method());
    let body = body::capped(method, declared.as_deref(), || {
        request.stream().ok().map(Chunks)
    })
    .await;
    Ok(Request {
        method,
        scheme: url.scheme,
        host: url.host,
        port: url.port,
        path: url.path,
        query: url.query,
        headers,
        body,
    })
}

/// The request body's `ReadableStream`, chunk by chunk, for the core's cap. Dropping
/// the `ByteStream` cancels its reader, so what the cap does not read is never read.
struct Chunks(worker::ByteStream);

impl body::BodyChunks for Chunks {
    type Chunk = Vec<u8>;
    async fn next_chunk(&mut self) -> Option<Result<Vec<u8>, body::BodyFailed>> {
        self.0
            .next()
            .await
            .map(|chunk| chunk.map_err(|_| body::BodyFailed))
    }
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
